"""An approval is binding: a change applies exactly what the approved preview showed.

The safety layer previews a mutating call with a dry run, asks for approval, and then runs
the call for real, which resolves again. Between the two, the index can gain a release, a
release can gain a dependency (through an extra too), and so the real lock can differ from
the one the person approved. The safety layer hands the approved dry run to the tool in
`ToolContext.approved` (the model cannot set it); the tool compares its new lock with it
inside its transaction, before committing, and a difference restores both files and raises
`RolledBack` (exit 4) naming every package that differs.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from uvmgr.tools.context import ToolContext

if TYPE_CHECKING:
    from uvmgr.tools.changes import ChangeSet

from uvmgr.errors import RolledBack


def _version(text: str | None) -> str | None:
    """One spelling of a version (`1.0.3` and `1.0.3.0` are the same release)."""
    if text is None:
        return None
    text = text.strip().removeprefix("v")
    from packaging.version import InvalidVersion, Version

    try:
        return str(Version(text))
    except InvalidVersion:
        return text


def approved_moves(approved: ChangeSet | None) -> dict[str, str | None] | None:
    """{package: version after} in the approved preview (None: removed); None when nothing
    was approved through a preview (a plain command, or a test calling the tool directly)."""
    if approved is None:
        return None
    return {c.name: _version(c.after) for c in approved.changes}


def differences(approved: ChangeSet | None, changes: Iterable, edits: Iterable = (), *,
                ceiling: bool = False, project: str = "") -> list[str]:
    """What the change about to be committed does that the approved preview did not show.
    `ceiling`: the tool may keep less than it previewed (upgrade_safely holds back packages
    whose tests fail, or keeps an older patch), never more, never newer. `project`: the
    project's own name, which uv's dry run lists and the lock diff leaves out."""
    wanted = approved_moves(approved)
    if wanted is None:
        return []
    wanted.pop(project, None)
    from packaging.version import InvalidVersion, Version

    out: list[str] = []
    applied: dict[str, str | None] = {}
    for c in changes:
        after = _version(c.after)
        applied[c.name] = after
        shown = f"{c.before or '(new)'} -> {after or '(removed)'}"
        if c.name not in wanted:
            out.append(f"{c.name} {shown} was not in the preview")
        elif wanted[c.name] != after:
            if ceiling and after is not None and wanted[c.name] is not None:
                try:
                    if Version(after) <= Version(wanted[c.name]):
                        continue
                except InvalidVersion:
                    pass
            out.append(f"{c.name} {shown}, the preview showed {wanted[c.name] or '(removed)'}")
    if not ceiling:
        out += [f"{name} -> {after or '(removed)'} was previewed but would not change"
                for name, after in wanted.items() if name not in applied]
        shown, made = _edits_of(approved.constraint_edits), _edits_of(edits)
        for key in sorted(set(shown) | set(made)):
            if shown.get(key) != made.get(key):
                where = f"{key[0]}'s pyproject.toml" if key[0] else "pyproject.toml"
                out.append(f"{where}: {key[2]} would read {made.get(key) or '(nothing)'!r}"
                           f", the preview showed {shown.get(key) or '(nothing)'!r}")
    return out


def _edits_of(edits: Iterable) -> dict[tuple[str, str, str], str]:
    """Each edit by whose pyproject.toml (a workspace member's), group and package."""
    return {(getattr(e, "member", ""), e.group, e.name): e.after for e in edits}


def enforce_approved(ctx: ToolContext, tx, operation: str, changes: Iterable,
                     edits: Iterable = (), *, ceiling: bool = False) -> None:
    """Inside `tx`, before it commits: roll back and raise when the change differs from the
    approved preview."""
    from uvmgr.tools.project import normalize_name

    differ = differences(ctx.approved, list(changes), list(edits), ceiling=ceiling,
                         project=normalize_name(ctx.project.name))
    if not differ:
        return
    tx.rollback()
    raise RolledBack(
        f"{operation}: what would be applied differs from the preview you approved "
        f"({'; '.join(differ)}); pyproject.toml and uv.lock were restored byte for byte",
        hint="the index changed between the preview and the change (a new release or "
             "dependency); ask again to see the new preview")
