"""The deps family: list, outdated, add, remove, upgrade and lock, all through `uv`.

Mutating tools run inside a `Transaction`: a failure of uv, of the sync or of the
tests restores `pyproject.toml` and `uv.lock` byte for byte.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Annotated, Literal

from uvmgr.errors import (
    PackageNotFound,
    ProjectError,
    RolledBack,
    TestsDidNotFinish,
    UsageError,
)
from uvmgr.tools.context import ToolContext
from uvmgr.tools.project import MAIN_GROUP, DirectDependency, LockedPackage, normalize_name
from uvmgr.tools.spec import Arg
from uvmgr.tools.testing import TestReport, run_tests
from uvmgr.tools.transaction import Transaction, record_state, sync_environment
from uvmgr.tools.uv_errors import did_you_mean, raise_for_uv

Level = Literal["patch", "minor", "major"]


@dataclass(frozen=True)
class DependencyList:
    project: str
    dependencies: list[DirectDependency]


@dataclass(frozen=True)
class Outdated:
    name: str
    group: str
    requirement: str
    current: str
    latest_compatible: str  # newest version the requirement as written allows
    latest: str  # newest version on the index
    delta: str  # patch | minor | major: current -> latest
    member: str = ""  # the workspace member declaring it ("" outside a workspace)


@dataclass(frozen=True)
class PackageChange:
    name: str
    before: str | None  # None: added
    after: str | None  # None: removed
    direct: bool = False

    @property
    def kind(self) -> str:
        if self.before is None:
            return "add"
        if self.after is None:
            return "remove"
        from uvmgr.tools.versions import delta

        return "upgrade" if delta(self.before, self.after) != "none" else "downgrade"


@dataclass(frozen=True)
class ConstraintEdit:
    name: str
    group: str
    before: str
    after: str
    member: str = ""  # whose pyproject.toml: a workspace member's ("" the project's or the root's)


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

    @property
    def changed(self) -> bool:
        return bool(self.changes or self.constraint_edits or self.files_changed)


def requirement_edits(before: list[DirectDependency], after: list[DirectDependency],
                      ) -> list[ConstraintEdit]:
    """Requirements added to or removed from pyproject.toml ("" on the missing side)."""
    old = {(d.member, d.group, d.name): d.requirement for d in before}
    new = {(d.member, d.group, d.name): d.requirement for d in after}
    edits = []
    for key in sorted(set(old) | set(new)):
        if old.get(key) != new.get(key):
            edits.append(ConstraintEdit(key[2], key[1], old.get(key, ""), new.get(key, ""),
                                        key[0]))
    return edits


def changed_files(before: dict[str, str | None], ctx: ToolContext) -> list[str]:
    from uvmgr.tools.transaction import file_hashes

    after = file_hashes(ctx.project)
    return [name for name in after if after[name] != before.get(name)]


# -- reading ------------------------------------------------------------------------------------

def ensure_lock_current(ctx: ToolContext) -> None:
    """Fail with a clear error when uv.lock is missing or does not match pyproject.toml."""
    project = ctx.project
    project.require_lock()
    result = ctx.runner.uv(["lock", "--check", "--offline"], project.root, timeout=ctx.settings.timeout)
    if result.ok:
        return
    if "needs to be updated" in result.stderr:
        raise ProjectError("uv.lock is out of date with pyproject.toml",
                           hint="update it with `uvmgr deps lock` (runs `uv lock`)")
    if "Failed to parse" in result.stderr or "TOML parse error" in result.stderr:
        raise ProjectError(f"uv cannot read the project: {_first_error(result.stderr)}",
                           hint="fix pyproject.toml or recreate uv.lock with `uvmgr deps lock`")
    if "network" in result.stderr.lower() or "offline" in result.stderr.lower():
        return  # --offline could not decide; the lock will be checked by uv when it is used
    raise_for_uv(result, "checking uv.lock")


def _first_error(stderr: str) -> str:
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    return next((ln for ln in lines if ln.startswith("error")), lines[0] if lines else "")


def list_dependencies(ctx: ToolContext) -> DependencyList:
    """List the project's direct dependencies in every group (main, dependency groups, extras)
    with the exact version each one is locked at in uv.lock. Read-only."""
    ensure_lock_current(ctx)
    locked = ctx.project.locked_packages()
    return DependencyList(ctx.project.name, ctx.project.direct_dependencies(locked))


def registry_dependencies(ctx: ToolContext, names: list[str] | None,
                   ) -> tuple[list[DirectDependency], dict[str, LockedPackage]]:
    locked = ctx.project.locked_packages()
    deps = [d for d in ctx.project.direct_dependencies(locked)
            if d.locked and locked[d.name].source == "registry"]
    if names:
        wanted = [normalize_name(n) for n in names]
        known = {d.name for d in ctx.project.direct_dependencies(locked)}
        for name in wanted:
            if name not in known:
                raise PackageNotFound(f"{name} is not a direct dependency of {ctx.project.name}",
                                      hint=did_you_mean(name, known) or
                                      "see `uvmgr deps list` for the project's dependencies")
        deps = [d for d in deps if d.name in wanted]
    return deps, locked


def resolve_latest(ctx: ToolContext, requirements: dict[str, str],
                   exclude_newer: str | None = None) -> dict[str, str]:
    """{name: newest version satisfying its requirement} as uv sees the project's indexes
    (find-links, index URLs, exclude-newer), each package resolved on its own. `exclude_newer`
    (an RFC 3339 date) applies a cooldown: releases uploaded after it are ignored."""
    if not requirements:
        return {}
    lines = "\n".join(f"{name}{spec}" for name, spec in requirements.items())
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory(prefix="uvmgr-req-") as tmp:
        req_file = Path(tmp) / "requirements.in"
        req_file.write_text(lines + "\n", encoding="utf-8")
        args = ["pip", "compile", "--no-deps", "--no-header", "--quiet", "--no-annotate",
                str(req_file)]
        if exclude_newer:
            args += ["--exclude-newer", exclude_newer]
        result = ctx.runner.uv(args, ctx.project.root, timeout=ctx.settings.timeout)
    raise_for_uv(result, "looking up versions", set(requirements))
    out = {}
    for line in result.stdout.splitlines():
        match = re.match(r"^([A-Za-z0-9._-]+)==([^\s;]+)", line.strip())
        if match:
            out[normalize_name(match.group(1))] = match.group(2)
    return out


def outdated_packages(
    ctx: ToolContext,
    packages: Annotated[list[str] | None, Arg("Only these direct dependencies (names). "
                                              "Leave empty for all.")] = None,
) -> list[Outdated]:
    """Find direct dependencies with newer versions: for each, the locked version, the newest
    version its constraint in pyproject.toml allows, the newest version on the index, and the
    size of the jump (patch, minor or major). Read-only: changes nothing."""
    from uvmgr.tools.versions import delta

    ensure_lock_current(ctx)
    deps, locked = registry_dependencies(ctx, packages)
    names = sorted({d.name for d in deps})
    latest, compatible = in_parallel(
        lambda: resolve_latest(ctx, {n: "" for n in names}),
        lambda: resolve_latest(ctx, {d.name: d.specifier for d in unique_by_name(deps)}))
    rows = []
    for dep in deps:
        current = locked[dep.name].version
        newest = latest.get(dep.name, current)
        fits = compatible.get(dep.name, current)
        if delta(current, newest) == "none" and delta(current, fits) == "none":
            continue
        rows.append(Outdated(dep.name, dep.group, dep.requirement, current, fits, newest,
                             delta(current, newest), dep.member))
    return rows


def in_parallel(*calls):
    """Run independent read-only uv queries at once; spans keep their parent."""
    import contextvars
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(contextvars.copy_context().run, call) for call in calls]
        return [f.result() for f in futures]


def unique_by_name(deps: list[DirectDependency]) -> list[DirectDependency]:
    seen: dict[str, DirectDependency] = {}
    for dep in deps:
        seen.setdefault(dep.name, dep)
    return list(seen.values())


def diff_locked(before: dict[str, LockedPackage], after: dict[str, LockedPackage],
                direct: set[str]) -> list[PackageChange]:
    changes = []
    for name in sorted(set(before) | set(after)):
        a = before.get(name)
        b = after.get(name)
        if a and b and a.version == b.version:
            continue
        if (a and a.source in ("virtual", "editable")) or (b and b.source in ("virtual", "editable")):
            continue  # the project itself
        changes.append(PackageChange(name, a.version if a else None, b.version if b else None,
                                     name in direct))
    return changes


_DRY_LINE = re.compile(r"^(Update|Add|Remove)\s+(\S+)\s+v?(\S+)(?:\s+->\s+v?(\S+))?")


def parse_dry_run(stderr: str, direct: set[str]) -> list[PackageChange]:
    """The changes `uv lock --dry-run` reports ("Update demo-http v1.0.3 -> v1.2.0")."""
    changes = []
    for line in stderr.splitlines():
        match = _DRY_LINE.match(line.strip())
        if not match:
            continue
        verb, name, first, second = match.groups()
        name = normalize_name(name)
        if verb == "Update":
            changes.append(PackageChange(name, first, second, name in direct))
        elif verb == "Add":
            changes.append(PackageChange(name, None, first, name in direct))
        else:
            changes.append(PackageChange(name, first, None, name in direct))
    return changes


# -- changing -----------------------------------------------------------------------------------

def apply_locked_change(ctx: ToolContext, tx: Transaction, operation: str, lock_args: list[str],
                        edits: list[ConstraintEdit], dry_run: bool, verify_tests: bool,
                        ) -> ChangeResult:
    """Inside `tx`: edit constraints, re-lock with `lock_args`, then either report (dry run) or
    sync, optionally test, and commit. Raises (and so rolls back) on any failure."""
    from uvmgr.tools.pyproject_edit import apply_constraint_edits

    from uvmgr.tools.transaction import file_hashes

    project = ctx.project
    before = project.locked_packages()
    hashes = file_hashes(project)
    if edits:
        apply_constraint_edits(project, edits)
        record_state(project)  # uvmgr's own write: recovery may restore it
    direct = {d.name for d in project.direct_dependencies()}
    if dry_run:
        result = ctx.runner.uv(["lock", "--dry-run", *lock_args], project.root,
                               timeout=ctx.settings.timeout)
        raise_for_uv(result, operation)
        return ChangeResult(operation, True, parse_dry_run(result.stderr, direct), edits)
    result = ctx.runner.uv(["lock", *lock_args], project.root, timeout=ctx.settings.timeout)
    raise_for_uv(result, operation)
    changes = diff_locked(before, project.locked_packages(), direct)
    change = ChangeResult(operation, False, changes, edits,
                          files_changed=changed_files(hashes, ctx))
    return finish_change(ctx, tx, change, verify_tests)


def finish_change(ctx: ToolContext, tx: Transaction, result: ChangeResult,
                  verify_tests: bool) -> ChangeResult:
    """Check the change against the approved preview, sync the environment, run the tests
    if asked, and commit; roll back on failure."""
    from uvmgr.tools.binding import enforce_approved

    enforce_approved(ctx, tx, result.operation, result.changes, result.constraint_edits)
    if not sync_environment(ctx.project, ctx.runner):
        tx.rollback()
        raise RolledBack(f"{result.operation}: the new lock could not be installed (uv sync "
                         "failed); pyproject.toml and uv.lock were restored", result=result)
    tests = None
    if verify_tests and result.changed:
        try:
            tests = run_tests(ctx)
        except TestsDidNotFinish as exc:  # no verdict is not a pass: undo, exit 4
            tx.rollback()
            raise RolledBack(f"{result.operation}: {exc.message}; pyproject.toml and uv.lock "
                             "were restored byte for byte", hint=exc.hint, result=result) from exc
        result = _with_tests(result, tests)
        if not tests.ok:
            tx.rollback()
            failing = ", ".join(f.id for f in tests.failures[:5]) or tests.summary()
            raise RolledBack(
                f"{result.operation}: tests failed after the change ({failing}); "
                "pyproject.toml and uv.lock were restored byte for byte",
                hint="run `uvmgr test` to see the failures, or upgrade fewer packages",
                result=result,
            )
    tx.commit()
    return result


def _with_tests(result: ChangeResult, tests: TestReport) -> ChangeResult:
    from dataclasses import replace

    return replace(result, tests=tests)


def upgrade_packages(
    ctx: ToolContext,
    packages: Annotated[list[str] | None, Arg("Direct dependencies to upgrade (names). Leave "
                                              "empty to upgrade every direct dependency.")] = None,
    level: Annotated[Level, Arg("Largest allowed jump: 'patch' (1.2.3 -> 1.2.9), 'minor' "
                                "(1.2.3 -> 1.9.0) or 'major' (1.2.3 -> 3.0.0).")] = "minor",
    dry_run: Annotated[bool, Arg("Only report what would change; change nothing.")] = False,
    run_tests_after: Annotated[bool, Arg("Run the test suite after upgrading and restore "
                                         "everything if it fails.")] = False,
) -> ChangeResult:
    """Upgrade direct dependencies in uv.lock to the newest versions within `level`, raising the
    constraint in pyproject.toml only when it excludes that version. Shows each package before ->
    after. Mutates pyproject.toml and uv.lock (restored byte for byte if anything fails)."""
    from uvmgr.tools.versions import LEVELS, delta, level_bound, raise_constraint, within_level

    if level not in LEVELS:
        raise UsageError(f"unknown level {level!r}", hint="use patch, minor or major")
    ensure_lock_current(ctx)
    deps, locked = registry_dependencies(ctx, packages)
    unique = unique_by_name(deps)
    bounded, newest = in_parallel(
        lambda: resolve_latest(ctx, {d.name: level_bound(locked[d.name].version, level)
                                     for d in unique}),
        lambda: resolve_latest(ctx, {d.name: "" for d in unique}))
    edits, upgrade_args, up_to_date, held_back = [], [], [], []
    for dep in deps:
        current = locked[dep.name].version
        target = bounded.get(dep.name, current)
        latest = newest.get(dep.name, current)
        if delta(target, latest) != "none":
            held_back.append(Outdated(dep.name, dep.group, dep.requirement, current, target,
                                      latest, delta(current, latest), dep.member))
        if not within_level(current, target, level):
            if dep.name not in up_to_date:
                up_to_date.append(dep.name)
            continue
        new_spec = raise_constraint(dep.specifier, target) if dep.specifier else ""
        if new_spec != dep.specifier:
            from uvmgr.tools.pyproject_edit import with_specifier

            edits.append(ConstraintEdit(dep.name, dep.group, dep.requirement,
                                        with_specifier(dep.requirement, new_spec), dep.member))
        arg = f"{dep.name}{level_bound(current, level)}"
        if arg not in upgrade_args:
            upgrade_args += ["--upgrade-package", arg]
    if not upgrade_args:
        return ChangeResult("upgrade", dry_run, up_to_date=up_to_date, held_back=held_back)
    with Transaction(ctx.project, ctx.runner, "upgrade", resync=not dry_run) as tx:
        result = apply_locked_change(ctx, tx, "upgrade", upgrade_args, edits, dry_run,
                                     run_tests_after)
    from dataclasses import replace

    return replace(result, up_to_date=up_to_date, held_back=held_back)


def _group_flags(group: str | None, dev: bool) -> list[str]:
    if dev:
        return ["--dev"]
    if not group or group == MAIN_GROUP:
        return []
    if group.startswith("extra:"):
        return ["--optional", group.split(":", 1)[1]]
    return ["--group", group]


def member_flags(project) -> list[str]:
    """`--package NAME` for uv add/remove in a workspace member; at a virtual workspace root,
    with no member selected, there is no pyproject.toml to add to: say which to pick."""
    if project.is_workspace and not project.package and project.workspace.virtual:
        names = ", ".join(m.name for m in project.workspace.members)
        raise UsageError(f"{project.name} is a virtual workspace root: choose the member to change",
                         hint=f"pass --package NAME (members: {names}), or run inside a member's "
                              "folder")
    return project.uv_package_args()


def _validate_specs(specs: list[str]) -> None:
    from packaging.requirements import InvalidRequirement, Requirement

    if not specs:
        raise UsageError("name at least one package", hint="e.g. uvmgr deps add 'httpx>=0.27'")
    for spec in specs:
        try:
            Requirement(spec)
        except InvalidRequirement as exc:
            raise UsageError(f"invalid requirement {spec!r}: {exc}",
                             hint="use a PEP 508 requirement, e.g. 'httpx>=0.27,<1'") from exc


def _index_names(ctx: ToolContext) -> set[str]:
    """Names uvmgr can suggest for a typo: locked packages and wheels in find-links folders."""
    names = set(ctx.project.locked_packages()) if ctx.project.has_lock() else set()
    uv_table = ctx.project.data.get("tool", {}).get("uv", {})
    for link in uv_table.get("find-links", []) or []:
        folder = (ctx.project.root / link) if "://" not in link else None
        if folder and folder.is_dir():
            for wheel in folder.glob("*.whl"):
                names.add(normalize_name(wheel.name.split("-", 1)[0]))
    from uvmgr.tools.popular import POPULAR_PACKAGES

    return names | set(POPULAR_PACKAGES)


def add_dependency(
    ctx: ToolContext,
    specs: Annotated[list[str], Arg("Requirements to add, e.g. ['httpx>=0.27']. Only packages the "
                                    "person asked for by name.")],
    group: Annotated[str | None, Arg("Dependency group (e.g. 'dev', 'docs'); empty for the main "
                                     "dependencies.")] = None,
    dev: Annotated[bool, Arg("Add to the dev group.")] = False,
    dry_run: Annotated[bool, Arg("Only report what would change.")] = False,
) -> ChangeResult:
    """Add dependencies to pyproject.toml with `uv add`, lock and install them. Mutates
    pyproject.toml and uv.lock (restored byte for byte if anything fails)."""
    _validate_specs(specs)
    project = ctx.project
    with Transaction(project, ctx.runner, "add", resync=not dry_run) as tx:
        before, hashes, declared = _state(ctx)
        result = ctx.runner.uv(["add", "--no-sync", *member_flags(project), *_group_flags(group, dev),
                                *specs], project.root, timeout=ctx.settings.timeout)
        raise_for_uv(result, "adding " + ", ".join(specs), _index_names(ctx))
        change = _change_since(ctx, "add", dry_run, before, hashes, declared)
        if dry_run:
            return change  # leaving the block without commit restores both files
        return finish_change(ctx, tx, change, verify_tests=False)


def _state(ctx: ToolContext):
    """Locked packages, file hashes and declared requirements, to diff against later."""
    from uvmgr.tools.transaction import file_hashes

    project = ctx.project
    locked = project.locked_packages() if project.has_lock() else {}
    return locked, file_hashes(project), project.direct_dependencies()


def _change_since(ctx: ToolContext, operation: str, dry_run: bool, locked_before, hashes,
                  declared_before) -> ChangeResult:
    project = ctx.project
    project.reload()
    declared = project.direct_dependencies()
    direct = {d.name for d in declared} | {d.name for d in declared_before}
    return ChangeResult(operation, dry_run,
                        diff_locked(locked_before, project.locked_packages(), direct),
                        requirement_edits(declared_before, declared),
                        files_changed=changed_files(hashes, ctx))


def remove_dependency(
    ctx: ToolContext,
    names: Annotated[list[str], Arg("Names of direct dependencies to remove.")],
    group: Annotated[str | None, Arg("Dependency group to remove from; empty for main.")] = None,
    dev: Annotated[bool, Arg("Remove from the dev group.")] = False,
    dry_run: Annotated[bool, Arg("Only report what would change.")] = False,
) -> ChangeResult:
    """Remove direct dependencies from pyproject.toml with `uv remove`, re-lock and uninstall
    what is no longer needed. Mutates pyproject.toml and uv.lock (restored if anything fails)."""
    if not names:
        raise UsageError("name at least one package to remove")
    project = ctx.project
    wanted_group = "dev" if dev else (group or MAIN_GROUP)
    in_group = {d.name for d in project.direct_dependencies() if d.group == wanted_group}
    everywhere = {d.name for d in project.direct_dependencies()}
    for name in names:
        norm = normalize_name(name)
        if norm not in in_group:
            where = [d.group for d in project.direct_dependencies() if d.name == norm]
            hint = (f"it is in group {', '.join(where)}: pass --group {where[0]}" if where
                    else did_you_mean(norm, everywhere) or "see `uvmgr deps list`")
            raise PackageNotFound(f"{norm} is not a {wanted_group} dependency of {project.name}",
                                  hint=hint)
    with Transaction(project, ctx.runner, "remove", resync=not dry_run) as tx:
        before, hashes, declared = _state(ctx)
        result = ctx.runner.uv(["remove", "--no-sync", *member_flags(project),
                                *_group_flags(group, dev), *names],
                               project.root, timeout=ctx.settings.timeout)
        raise_for_uv(result, "removing " + ", ".join(names))
        change = _change_since(ctx, "remove", dry_run, before, hashes, declared)
        if dry_run:
            return change
        return finish_change(ctx, tx, change, verify_tests=False)


def lock_project(
    ctx: ToolContext,
    dry_run: Annotated[bool, Arg("Only report what would change.")] = False,
) -> ChangeResult:
    """Create or update uv.lock from pyproject.toml (`uv lock`) and sync the environment. Keeps
    every locked version that still satisfies the constraints. Mutates uv.lock."""
    project = ctx.project
    with Transaction(project, ctx.runner, "lock", resync=not dry_run) as tx:
        before, hashes, declared = _state(ctx)
        args = ["lock", "--dry-run"] if dry_run else ["lock"]
        result = ctx.runner.uv(args, project.root, timeout=ctx.settings.timeout)
        raise_for_uv(result, "locking", _index_names(ctx))
        if dry_run:
            direct = {d.name for d in declared}
            return ChangeResult("lock", True, parse_dry_run(result.stderr, direct))
        change = _change_since(ctx, "lock", False, before, hashes, declared)
        return finish_change(ctx, tx, change, verify_tests=False)
