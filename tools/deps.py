"""The deps family: list, outdated, add, remove, upgrade and lock, all through `uv`.

Mutating tools run inside a `Transaction`: a failure of uv, of the sync or of the
tests restores `pyproject.toml` and `uv.lock` byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from uvmgr.tools.changes import ChangeResult, Outdated, OutdatedList, with_index
from uvmgr.tools.context import ToolContext
from uvmgr.tools.levels import Level
from uvmgr.tools.lock_change import apply_locked_change, change_since, finish_change, snapshot
from uvmgr.tools.project import MAIN_GROUP, DirectDependency, normalize_name
from uvmgr.tools.resolve import (
    ensure_lock_current,
    in_parallel,
    parse_dry_run,
    registry_dependencies,
    resolve_latest,
    unique_by_name,
)
from uvmgr.tools.results import plural
from uvmgr.tools.spec import Arg
from uvmgr.tools.targets import TARGET_FREE, Targets, each, one, requirements, shell_looking
from uvmgr.tools.transaction import Transaction
from uvmgr.tools.uv_errors import did_you_mean, raise_for_uv

from uvmgr.errors import EXIT_OK, PackageNotFound, UsageError


@dataclass(frozen=True)
class DependencyList:
    project: str
    dependencies: list[DirectDependency]

    exit_status = EXIT_OK

    def summary(self) -> str:
        rows = [f"{d.group}: {d.requirement} (locked "
                f"{', '.join(f.version for f in d.forks) or d.locked or '-'})"
                + (" dynamic (read from the lock)" if d.dynamic else "")
                + (f" from index {d.index}" if d.index else "")
                for d in self.dependencies]
        return (f"{plural(len(rows), 'direct dependency')} of {self.project}:\n"
                + "\n".join(rows))


def list_dependencies(ctx: ToolContext) -> DependencyList:
    """List the project's direct dependencies in every group (main, dependency groups, extras)
    with the exact version each one is locked at in uv.lock. Read-only."""
    ensure_lock_current(ctx)
    locked = ctx.project.locked_packages()
    return DependencyList(ctx.project.name, ctx.project.direct_dependencies(locked))


list_dependencies_targets = Targets("list_dependencies", {})


def outdated_packages(
    ctx: ToolContext,
    packages: Annotated[list[str] | None, Arg("Only these direct dependencies (names). "
                                              "Leave empty for all.")] = None,
) -> OutdatedList:
    """Find direct dependencies with newer versions: for each, the locked version, the newest
    version its constraint in pyproject.toml allows, the newest version on the index, and the
    size of the jump (patch, minor or major). Read-only: changes nothing."""
    # A package locked at one version per Python range (a forked lock) shows each.
    from uvmgr.tools.upgrade_targets import highest
    from uvmgr.tools.versions import delta

    ensure_lock_current(ctx)
    deps, locked = registry_dependencies(ctx, packages)
    names = sorted({d.name for d in deps})
    # "compatible" is what uv itself would lock, per fork and within requires-python
    latest, compatible = in_parallel(
        lambda: resolve_latest(ctx, {n: "" for n in names}),
        lambda: _lock_or_lookup(ctx, deps, names))
    rows = OutdatedList()
    for dep in deps:
        package = locked[dep.name]
        fits = compatible.get(dep.name, package.versions)
        if fits == (package.version,):  # the lookup fallback sees one Python only
            fits = package.versions
        top = highest(fits) or package.version
        newest = highest([latest.get(dep.name, package.version), top]) or top
        if fits == package.versions and delta(package.version, newest) == "none":
            continue
        rows.append(Outdated(dep.name, dep.group, dep.requirement, package.version, top, newest,
                             delta(package.version, newest), package.versions, fits, member=dep.member,
                             index=package.index))
    return rows


def _lock_or_lookup(ctx: ToolContext, deps: list[DirectDependency], names: list[str],
                    ) -> dict[str, tuple[str, ...]]:
    """{name: versions uv would lock, one per fork}; when the project cannot be re-locked
    here (an unreachable git source), the newest version each requirement allows instead."""
    from uvmgr.tools.upgrade_targets import lock_targets

    from uvmgr.errors import Cancelled, UvmgrError

    try:
        return {name: after for name, (_, after) in lock_targets(
            ctx, {n: "" for n in names}).items()}
    except Cancelled:
        raise
    except UvmgrError:
        found = resolve_latest(ctx, {d.name: d.specifier for d in unique_by_name(deps)})
        return {name: (version,) for name, version in found.items()}


# Read-only: the names only filter the report.
outdated_packages_targets = Targets("outdated_packages", {"packages": TARGET_FREE})


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
    """Upgrade direct dependencies in uv.lock to the newest versions within `level` (per fork
    on a lock split by Python version). A deliberate `==` pin or upper cap in pyproject.toml is
    rewritten only for a package named in `packages`; any other package it holds is reported
    ("held by your cap `<0.5.0`") with the version available. Shows each package before ->
    after. Mutates pyproject.toml and uv.lock (restored byte for byte if anything fails)."""
    from uvmgr.tools.changes import HeldBack
    from uvmgr.tools.upgrade_targets import fork_bound, plan_upgrades
    from uvmgr.tools.versions import LEVELS, delta

    if level not in LEVELS:
        raise UsageError(f"unknown level {level!r}", hint="use patch, minor or major")
    ensure_lock_current(ctx)
    deps, locked = registry_dependencies(ctx, packages)
    unique = unique_by_name(deps)
    bounded, newest = in_parallel(
        lambda: resolve_latest(ctx, {d.name: fork_bound(locked[d.name], level)
                                     for d in unique}),
        lambda: resolve_latest(ctx, {d.name: "" for d in unique}))
    named = set() if ctx.keep_caps else {normalize_name(n) for n in packages or []}
    plans = plan_upgrades(deps, locked, bounded, level, named)
    held_back = []
    for plan in plans:
        latest = newest.get(plan.dep.name, plan.package.version)
        if delta(plan.available, latest) != "none":
            held_back.append(Outdated(plan.dep.name, plan.dep.group, plan.dep.requirement,
                                      plan.package.version, plan.available, latest,
                                      delta(plan.package.version, latest), member=plan.dep.member,
                                      index=plan.package.index))
    capped = [HeldBack(p.dep.name, p.package.version, p.available, p.held) for p in plans
              if p.held]
    edits = [p.edit for p in plans if p.edit is not None]
    upgrade_args = [a for p in dict.fromkeys((p.dep.name, p.bound) for p in plans)
                    for a in ("--upgrade-package", f"{p[0]}{p[1]}")]
    if not upgrade_args:
        return ChangeResult("upgrade", dry_run, held_back=held_back, capped=capped)
    if run_tests_after and not dry_run:  # tests that fail already cannot judge the upgrade
        from uvmgr.tools.testing import require_passing_baseline

        require_passing_baseline(ctx, "upgrade", "or upgrade without --test")
    with Transaction(ctx.project, ctx.runner, "upgrade", resync=not dry_run) as tx:
        result = apply_locked_change(ctx, tx, "upgrade", upgrade_args, edits, dry_run,
                                     run_tests_after)
    from dataclasses import replace

    moved = {c.name for c in result.changes}
    up_to_date = list(dict.fromkeys(p.dep.name for p in plans
                                    if p.dep.name not in moved and not p.held))
    return replace(result, up_to_date=up_to_date, held_back=held_back, capped=capped)


upgrade_packages_targets = Targets("upgrade_packages", {
    "packages": each("package"), "level": one("level"),
    "dry_run": TARGET_FREE, "run_tests_after": TARGET_FREE})


def _one_place(group: str | None, dev: bool) -> None:
    """`--dev` is the dev group: with `--group` naming another, which one was meant is unknown
    (it used to go to dev silently)."""
    if dev and group and group != "dev":
        raise UsageError(f"--dev and --group {group} name two places",
                         hint=f"pass --group {group} alone, or --dev alone (the dev group)")


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
    _one_place(group, dev)
    project = ctx.project
    extra = group.split(":", 1)[1] if group and group.startswith("extra:") else None
    table = "optional-dependencies" if extra else "dependencies"
    if not dev and (not group or group == MAIN_GROUP or extra) and \
            table in project.dynamic_fields:
        raise UsageError(
            f"the project's {table} are dynamic (`dynamic = [\"{table}\"]`): its build "
            "backend fills them, so uvmgr cannot add to them in pyproject.toml",
            hint="add the requirement where the build backend reads it, then run `uvmgr deps "
                 "lock`; or add it to a dependency group with --group NAME")
    with Transaction(project, ctx.runner, "add", resync=not dry_run) as tx:
        before, hashes, declared = snapshot(ctx)
        result = ctx.runner.uv(["add", "--no-sync", *member_flags(project), *_group_flags(group, dev),
                                *specs], project.root, timeout=ctx.settings.timeout)
        raise_for_uv(result, "adding " + ", ".join(specs), _index_names(ctx))
        change = change_since(ctx, "add", dry_run, before, hashes, declared)
        if dry_run:
            return change  # leaving the block without commit restores both files
        return finish_change(ctx, tx, change, verify_tests=False)


add_dependency_targets = Targets("add_dependency", {
    "specs": requirements, "group": shell_looking, "dev": TARGET_FREE, "dry_run": TARGET_FREE})


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
    _one_place(group, dev)
    project = ctx.project
    flags = member_flags(project)
    wanted_group = "dev" if dev else (group or MAIN_GROUP)
    own = project.own_dependencies()  # the pyproject.toml `uv remove` edits
    in_group = {d.name for d in own if d.group == wanted_group}
    everywhere = {d.name for d in own}
    from uvmgr.tools.upgrade_targets import dynamic_refusal

    for dep in own:
        if dep.dynamic and dep.group == wanted_group and dep.name in {normalize_name(n)
                                                                     for n in names}:
            raise dynamic_refusal(dep)
    for name in names:
        norm = normalize_name(name)
        if norm not in in_group:
            where = [d.group for d in own if d.name == norm]
            elsewhere = [m for m in project.members_declaring(norm) if m != project.package]
            hint = (f"it is in group {', '.join(where)}: pass --group {where[0]}" if where
                    else f"workspace member {elsewhere[0]} declares it: pass --package "
                         f"{elsewhere[0]}" if elsewhere
                    else did_you_mean(norm, everywhere) or "see `uvmgr deps list`")
            raise PackageNotFound(f"{norm} is not a {wanted_group} dependency of {project.name}",
                                  hint=hint)
    with Transaction(project, ctx.runner, "remove", resync=not dry_run) as tx:
        before, hashes, declared = snapshot(ctx)
        result = ctx.runner.uv(["remove", "--no-sync", *flags, *_group_flags(group, dev), *names],
                               project.root, timeout=ctx.settings.timeout)
        raise_for_uv(result, "removing " + ", ".join(names))
        change = change_since(ctx, "remove", dry_run, before, hashes, declared)
        if dry_run:
            return change
        return finish_change(ctx, tx, change, verify_tests=False)


remove_dependency_targets = Targets("remove_dependency", {
    "names": each("named"), "group": TARGET_FREE, "dev": TARGET_FREE, "dry_run": TARGET_FREE})


def lock_project(
    ctx: ToolContext,
    dry_run: Annotated[bool, Arg("Only report what would change.")] = False,
) -> ChangeResult:
    """Create or update uv.lock from pyproject.toml (`uv lock`) and sync the environment. Keeps
    every locked version that still satisfies the constraints. Mutates uv.lock."""
    project = ctx.project
    with Transaction(project, ctx.runner, "lock", resync=not dry_run) as tx:
        before, hashes, declared = snapshot(ctx)
        args = ["lock", "--dry-run"] if dry_run else ["lock"]
        result = ctx.runner.uv(args, project.root, timeout=ctx.settings.timeout)
        raise_for_uv(result, "locking", _index_names(ctx))
        if dry_run:
            direct = {d.name for d in declared}
            return ChangeResult("lock", True, with_index(parse_dry_run(result.stderr, direct),
                                                         before))
        change = change_since(ctx, "lock", False, before, hashes, declared)
        return finish_change(ctx, tx, change, verify_tests=False)


lock_project_targets = Targets("lock_project", {"dry_run": TARGET_FREE})
