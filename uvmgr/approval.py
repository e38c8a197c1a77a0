"""What a person reads and types when a change waits for their approval, the same in
`uvmgr ask` and in the chat.

The change comes first: packages before -> after, then the constraint edits in
`pyproject.toml`. The context follows, meant to be shown folded: the advisories one line per
package, then notes (what is held back or not fixed, the tests). Both are laid out from the dry
run's typed result, the very result that is applied when approved; a result this module does
not know is shown as the preview text the safety layer wrote.

Answers take an explicit key: y or a approve, n or r reject. Keys typed before the question
appeared, or within `GRACE_SECONDS` of it, never answer it (typing ahead is not consent).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from uvmgr.tools.audit_fix import FixResult
    from uvmgr.tools.changes import ChangeResult, ChangeSet, SafeUpgradeResult

APPROVE_KEYS = ("y", "a")
REJECT_KEYS = ("n", "r")
KEYS_HELP = "y/a approve · n/r reject"
GRACE_SECONDS = 0.5
_APPROVE_WORDS = {*APPROVE_KEYS, "yes", "approve"}
_REJECT_WORDS = {*REJECT_KEYS, "no", "reject", ""}


@dataclass(frozen=True)
class ApprovalView:
    """One change awaiting approval, laid out change first."""

    title: str
    change: list[str]
    advisories: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def approval_view(tool: str, preview: str, result: Any = None) -> ApprovalView:
    """The view of `ApprovalAsked(tool, args, preview, result)`."""
    change, advisories, notes = _parts(result)
    if change is None:  # a result this module does not lay out: the safety layer's text
        change = [line for line in preview.splitlines() if line.strip()]
    return ApprovalView(f"{tool} wants to change files", change or ["(no package moves)"],
                        advisories, notes)


def answer_of(typed: str) -> bool | None:
    """A terminal answer: True approve, False reject (Enter alone rejects), None unclear."""
    word = typed.strip().lower()
    if word in _APPROVE_WORDS:
        return True
    if word in _REJECT_WORDS:
        return False
    return None


Parts = tuple[list[str] | None, list[str], list[str]]


def _parts(result: Any) -> Parts:
    """(change, advisories, notes) by the result's type; change None: not laid out here.
    The tools load only when a change is asked about, not when the chat opens."""
    from uvmgr.tools.audit_fix import FixResult
    from uvmgr.tools.changes import ChangeResult, SafeUpgradeResult

    if isinstance(result, FixResult):
        return _fix_parts(result)
    if isinstance(result, SafeUpgradeResult):
        notes = [f"held back {h.name} {h.current} -> {h.wanted}: {h.reason}"
                 for h in result.held_back]
        notes += [f"available but not applied: {o.name} {o.latest} ({o.delta})"
                  for o in result.majors_available]
        return _change_lines(result), [], notes + _common_notes(result)
    if isinstance(result, ChangeResult):
        notes = [f"not applied: {o.name} {o.latest} ({o.delta}, beyond the level)"
                 for o in result.held_back]
        return _change_lines(result), [], notes + _common_notes(result)
    return None, [], []


def _fix_parts(result: FixResult) -> Parts:
    change = _change_lines(result.change) if result.change is not None else []
    by_package: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for finding in result.before.findings:
        by_package[(finding.package, finding.version)].append(finding)
    advisories = []
    for (package, version), findings in by_package.items():
        ids = [f.id for f in findings]
        fixed = _by_version({v for f in findings for v in f.fix_versions})
        shown = ", ".join(ids[:3]) + (f" and {len(ids) - 3} more" if len(ids) > 3 else "")
        advisories.append(f"{package} {version}: {len(ids)} "
                          f"advisor{'y' if len(ids) == 1 else 'ies'} ({shown}); "
                          f"fixed in {', '.join(fixed) or 'no release yet'}")
    notes = [f"not fixed: {s.package} {s.version}: {s.reason}" for s in result.skipped]
    if result.change is not None:
        notes += _common_notes(result.change)
    return change, advisories, notes


def _by_version(versions: set[str]) -> list[str]:
    """Oldest first; what `packaging` cannot read goes last, as written."""
    from packaging.version import InvalidVersion, Version

    def key(text: str) -> tuple[int, Version | str]:
        try:
            return 0, Version(text)
        except InvalidVersion:
            return 1, text

    return sorted(versions, key=key)


def _change_lines(change: ChangeSet) -> list[str]:
    """Packages first (direct ones, then transitive), then the edits to pyproject.toml."""
    ordered = sorted(change.changes, key=lambda c: not c.direct)
    lines = [f"{c.name}: {c.before or '(new)'} -> {c.after or '(removed)'}"
             f"{'' if c.direct else ' (transitive)'}" for c in ordered]
    lines += [f"pyproject.toml [{e.group}]: {e.describe()}" for e in change.constraint_edits]
    return lines


def _common_notes(result: ChangeResult | SafeUpgradeResult) -> list[str]:
    notes = []
    if result.up_to_date:
        notes.append(f"already up to date within the level: {', '.join(result.up_to_date)}")
    if result.tests is not None:
        notes.append(f"tests: {result.tests.counts()}")
    return notes
