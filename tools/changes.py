"""The shape of a change: what a mutating tool moved in uv.lock and pyproject.toml. The two
steps every lock change shares (apply it inside a transaction, then finish) are in
`tools/lock_change.py`.

Pure diffs (`diff_locked`, `requirement_edits`, `constraint_edit_for`) take no processes.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from uvmgr.tools.project import DirectDependency, LockedPackage
from uvmgr.tools.results import MAX_ITEMS, plural

from uvmgr.errors import EXIT_OK

if TYPE_CHECKING:  # the test runner loads only when a change runs the tests
    from uvmgr.tools.testing import TestReport


@dataclass(frozen=True)
class Outdated:
    name: str
    group: str
    requirement: str
    current: str
    latest_compatible: str  # newest version the requirement as written allows
    latest: str  # newest version on the index
    delta: str  # patch | minor | major: current -> latest
    locked_versions: tuple[str, ...] = ()  # every fork's version, lowest first
    compatible_versions: tuple[str, ...] = ()  # what uv would lock, per fork
    member: str = ""  # the workspace member declaring it ("" outside a workspace)
    index: str = field(default="", metadata={"json": "omit-empty"})  # a private index's name

    @property
    def where(self) -> str:
        return f" (from index {self.index})" if self.index else ""


class OutdatedList(list[Outdated]):
    """What `outdated_packages` returns: a plain list (its JSON is an array) that can say what
    it holds."""

    exit_status = EXIT_OK

    def summary(self) -> str:
        if not self:
            return "All direct dependencies are up to date."
        rows = [f"{o.name} {o.current} -> {o.latest} ({o.delta}; its constraint "
                f"'{o.requirement}' allows up to {o.latest_compatible}){o.where}" for o in self]
        return (f"{plural(len(rows), 'outdated direct dependency')}:\n"
                + "\n".join(rows[:MAX_ITEMS]))


_OMIT_EMPTY = {"json": "omit-empty"}  # absent from --json unless it holds something


@dataclass(frozen=True)
class PackageChange:
    """One package moved in uv.lock. A lock can hold a package at several versions (a fork by
    Python version or markers): then `before`/`after` is the highest, as `Project.
    locked_packages` reads it, and `versions_before`/`versions_after` hold them all."""

    name: str
    before: str | None  # None: added
    after: str | None  # None: removed
    direct: bool = False
    versions_before: tuple[str, ...] = field(default=(), metadata=_OMIT_EMPTY)
    versions_after: tuple[str, ...] = field(default=(), metadata=_OMIT_EMPTY)
    index: str = field(default="", metadata=_OMIT_EMPTY)  # a private index's name
    # where each of versions_before / versions_after applies (a marker per fork), when known
    markers_before: tuple[str, ...] = field(default=(), metadata=_OMIT_EMPTY)
    markers_after: tuple[str, ...] = field(default=(), metadata=_OMIT_EMPTY)

    def steps(self) -> list[tuple[str, str]]:
        """Every (before, after) move a level check must pass: one for a plain update; for a
        forked package each fork against its own successor, by marker when the locks say
        where each fork applies (`tools/fork_pairs.py`). None for an add or a remove."""
        if self.before is None or self.after is None:
            return []
        from uvmgr.tools.fork_pairs import fork_pairs

        return fork_pairs(self.versions_before or (self.before,),
                          self.versions_after or (self.after,),
                          self.markers_before, self.markers_after)

    @property
    def forks(self) -> str:
        """"split" when the new lock has more forks of it, "merged" when fewer, else ""."""
        old, new = len(self.versions_before or (1,)), len(self.versions_after or (1,))
        if self.before is None or self.after is None or old == new:
            return ""
        return "split" if new > old else "merged"

    @property
    def kind(self) -> str:
        """add | remove | upgrade | downgrade | unchanged (equal by PEP 440: 1.0 and 1.0.0)."""
        if self.before is None:
            return "add"
        if self.after is None:
            return "remove"
        from uvmgr.tools.versions import order

        step = order(self.before, self.after)
        return "unchanged" if step == 0 else "upgrade" if step > 0 else "downgrade"


@dataclass(frozen=True)
class ConstraintEdit:
    name: str
    group: str
    before: str
    after: str
    member: str = ""  # whose pyproject.toml: a workspace member's ("" the project's or the root's)

    def describe(self) -> str:
        if not self.before:
            return f"add '{self.after}'"
        if not self.after:
            return f"remove '{self.before}'"
        return f"'{self.before}' -> '{self.after}'"


@runtime_checkable
class ChangeSet(Protocol):
    """The one shape of a mutating tool's result: the packages it moves in uv.lock, the
    requirements it edits in pyproject.toml, whether it only previewed them, and whether
    anything changes at all. The safety layer, the policy, the approval binding and the
    tool span read these and nothing else."""

    @property
    def operation(self) -> str: ...

    @property
    def dry_run(self) -> bool: ...

    @property
    def changes(self) -> list[PackageChange]: ...

    @property
    def constraint_edits(self) -> list[ConstraintEdit]: ...

    @property
    def changed(self) -> bool: ...


def change_lines(change: ChangeSet, rolled_back: bool = False) -> list[str]:
    """The head of every change's summary: what it does (or would do, or tried and restored),
    edits first."""
    verb = "would change" if change.dry_run else "changed"
    if rolled_back:
        verb = "tried, then rolled back (nothing was kept)"
    lines = [f"{change.operation} {verb}:" if change.changed
             else f"{change.operation}: nothing was kept; every attempt was rolled back."
             if rolled_back else f"{change.operation}: nothing to change."]
    lines += [f"  {e.member + ': ' if e.member else ''}pyproject.toml [{e.group}]: {e.describe()}"
              for e in change.constraint_edits]
    for c in change.changes:
        where = "" if c.direct else " (transitive)"
        # a forked package shows every fork's version, not only the highest
        before = ", ".join(c.versions_before) or c.before or "(new)"
        after = ", ".join(c.versions_after) or c.after or "(removed)"
        source = f" (from index {c.index})" if c.index else ""
        forks = (f" (fork {c.forks}: {len(c.versions_before or (1,))} -> "
                 f"{len(c.versions_after or (1,))} Python ranges)" if c.forks else "")
        lines.append(f"  {c.name}: {before} -> {after}{where}{source}{forks}")
    return lines


def _tail(up_to_date: list[str], tests: TestReport | None) -> list[str]:
    lines = []
    if up_to_date:
        lines.append(f"  already up to date within the level: {', '.join(up_to_date)}")
    if tests is not None:
        lines.append(f"  tests: {tests.counts()}")
    return lines


@dataclass(frozen=True)
class ChangeResult:
    """What a mutating tool changed (or, with dry_run, would change)."""

    operation: str
    dry_run: bool
    changes: list[PackageChange] = field(default_factory=list)
    constraint_edits: list[ConstraintEdit] = field(default_factory=list)
    up_to_date: list[str] = field(default_factory=list)
    held_back: list[Outdated] = field(default_factory=list)  # newer versions beyond the level
    tests: TestReport | None = None
    files_changed: list[str] = field(default_factory=list)  # by content hash
    rolled_back: bool = False  # applied, failed verification, restored: nothing was kept
    # held by a deliberate `==` pin or upper cap the change was not asked to rewrite
    capped: list[HeldBack] = field(default_factory=list)

    exit_status = EXIT_OK

    @property
    def changed(self) -> bool:
        return bool(self.changes or self.constraint_edits or self.files_changed)

    def summary(self) -> str:
        lines = change_lines(self, self.rolled_back)
        lines += [f"  not applied: {o.name} {o.latest} ({o.delta}, beyond the level)"
                  for o in self.held_back]
        lines += [f"  held back {h.name} {h.current} -> {h.wanted}: {h.reason}"
                  for h in self.capped]
        return "\n".join(lines + _tail(self.up_to_date, self.tests))


@dataclass(frozen=True)
class HeldBack:
    name: str
    current: str
    wanted: str
    reason: str
    failing_tests: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SafeUpgradeResult:
    dry_run: bool
    level: str
    cooldown_days: float
    changes: list[PackageChange] = field(default_factory=list)
    constraint_edits: list[ConstraintEdit] = field(default_factory=list)
    held_back: list[HeldBack] = field(default_factory=list)
    majors_available: list[Outdated] = field(default_factory=list)
    up_to_date: list[str] = field(default_factory=list)
    trials: int = 0
    tests: TestReport | None = None
    rolled_back: bool = False  # every trial failed and was restored: nothing was kept
    # why the preview is not what uv would lock (the batch did not resolve as a whole)
    note: str = field(default="", metadata=_OMIT_EMPTY)

    operation = "upgrade_safely"
    exit_status = EXIT_OK

    @property
    def changed(self) -> bool:
        return bool(self.changes or self.constraint_edits)

    def summary(self) -> str:
        lines = change_lines(self, self.rolled_back)
        if self.note:  # right under the head: it says how far to trust the lines below
            lines.insert(1, f"  note: {self.note}")
        for held in self.held_back:
            tests = f" (failing: {', '.join(held.failing_tests[:3])})" if held.failing_tests else ""
            lines.append(f"  held back {held.name} {held.current} -> {held.wanted}: "
                         f"{held.reason}{tests}")
        lines += [f"  available but not applied: {o.name} {o.latest} ({o.delta})"
                  for o in self.majors_available]
        return "\n".join(lines + _tail(self.up_to_date, self.tests))


# -- pure diffs ---------------------------------------------------------------------------------

def diff_locked(before: dict[str, LockedPackage], after: dict[str, LockedPackage],
                direct: set[str]) -> list[PackageChange]:
    """Every package whose locked version moved, was added or removed (the project itself left
    out), sorted by name."""
    changes = []
    for name in sorted(set(before) | set(after)):
        a = before.get(name)
        b = after.get(name)
        if a and b and a.versions == b.versions:
            continue
        if (a and a.source in ("virtual", "editable")) or (b and b.source in ("virtual", "editable")):
            continue  # the project itself
        forks_before = a.forks if a and len(a.versions) > 1 else ()
        forks_after = b.forks if b and len(b.versions) > 1 else ()
        changes.append(PackageChange(name, a.version if a else None, b.version if b else None,
                                     name in direct, tuple(f.version for f in forks_before),
                                     tuple(f.version for f in forks_after), (b or a).index,
                                     tuple(f.marker for f in forks_before),
                                     tuple(f.marker for f in forks_after)))
    return changes


def with_index(changes: list[PackageChange], locked: dict[str, LockedPackage],
               ) -> list[PackageChange]:
    """A preview's changes (read from `uv lock --dry-run`, which does not say where a package
    comes from) with the index each is locked from now; the project itself and its workspace
    members left out, as `diff_locked` does (a relock also records a version bumped in
    pyproject.toml without `uv lock`: anthropic-sdk-python)."""
    own = {name for name, p in locked.items() if p.source in ("virtual", "editable")}
    return [replace(c, index=locked[c.name].index) if c.name in locked and locked[c.name].index
            else c for c in changes if c.name not in own]


def requirement_edits(before: list[DirectDependency], after: list[DirectDependency],
                      ) -> list[ConstraintEdit]:
    """Requirements added to or removed from pyproject.toml ("" on the missing side)."""
    old = {(d.member, d.group, d.name): d.requirement for d in before}
    new = {(d.member, d.group, d.name): d.requirement for d in after}
    edits = []
    for key in sorted(set(old) | set(new)):
        if old.get(key) != new.get(key):
            edits.append(ConstraintEdit(key[2], key[1], old.get(key, ""), new.get(key, ""),
                                        member=key[0]))
    return edits


def constraint_edit_for(dep: DirectDependency, version: str) -> ConstraintEdit | None:
    """The edit to `dep`'s requirement that admits `version`, changing only the clauses that
    exclude it; None when it already admits it (or has no version specifier)."""
    from uvmgr.tools.pyproject_edit import with_specifier
    from uvmgr.tools.versions import raise_constraint

    if not dep.specifier:
        return None
    new_spec = raise_constraint(dep.specifier, version)
    if new_spec == dep.specifier:
        return None
    return ConstraintEdit(dep.name, dep.group, dep.requirement,
                          with_specifier(dep.requirement, new_spec), member=dep.member)
