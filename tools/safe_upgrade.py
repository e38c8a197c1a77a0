"""`upgrade_safely`: the upgrade a weak model cannot get wrong.

Outdated within the level and a cooldown -> upgrade the batch in one transaction ->
tests -> on failure bisect to the package(s) that break them -> for each, try the
newest patch of its current minor before holding it back -> keep what passes,
restore the rest -> report changes, held-back packages (with the failing tests)
and the majors that are available but not applied.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Annotated

from uvmgr.tools.binding import enforce_approved
from uvmgr.tools.changes import (
    ConstraintEdit,
    HeldBack,
    Outdated,
    PackageChange,
    SafeUpgradeResult,
    constraint_edit_for,
    diff_locked,
)
from uvmgr.tools.context import ToolContext
from uvmgr.tools.progress import Progress
from uvmgr.tools.project import DirectDependency
from uvmgr.tools.resolve import (
    ensure_lock_current,
    in_parallel,
    parse_dry_run,
    registry_dependencies,
    resolve_latest,
    unique_by_name,
)
from uvmgr.tools.spec import Arg
from uvmgr.tools.targets import TARGET_FREE, Targets, each, one
from uvmgr.tools.testing import TestReport, require_passing_baseline, run_tests
from uvmgr.tools.transaction import RunTransaction, Transaction, record_state, sync_environment
from uvmgr.tools.uv_errors import raise_for_uv
from uvmgr.tools.versions import Level

from uvmgr.errors import (
    Cancelled,
    ResolutionConflict,
    RolledBack,
    UsageError,
    UvmgrError,
)


@dataclass(frozen=True)
class Candidate:
    dep: DirectDependency | None  # None: a transitive package (no requirement to raise)
    current: str
    target: str
    package: str = ""  # the name, when there is no `dep`

    @property
    def name(self) -> str:
        return self.dep.name if self.dep is not None else self.package


class Trials:
    """Applies groups of upgrades one transaction at a time; keeps those whose tests pass.
    `operation` names the transactions and the approval check (`upgrade_safely`, `audit-fix`)."""

    def __init__(self, ctx: ToolContext, direct: set[str], batch: int,
                 operation: str = "upgrade_safely"):
        self.ctx = ctx
        self.direct = direct
        self.operation = operation
        self.count = 0
        # Trials a bisection of `batch` packages needs at most, plus one retry per package.
        self.most = 3 * batch - 1 if batch > 1 else 2
        self.edits: list[ConstraintEdit] = []
        self.last_tests: TestReport | None = None
        self.last_passed: TestReport | None = None  # of the last trial that was kept

    def attempt(self, group: list[tuple[Candidate, str]]) -> tuple[bool, TestReport | None, str]:
        from uvmgr.tools.pyproject_edit import apply_constraint_edits

        self.count += 1
        project = self.ctx.project
        names = ", ".join(f"{c.name} {v}" for c, v in group)
        self.ctx.progress(Progress("resolving", names) if self.count == 1 else
                          Progress("bisecting", names, self.count, max(self.most, self.count)))
        before = project.locked_packages()
        with self.ctx.tracer.span("upgrade trial", packages=[f"{c.name}=={v}" for c, v in group]):
            with Transaction(project, self.ctx.runner, self.operation.replace("_", "-")) as tx:
                edits = [e for c, v in group if c.dep and (e := constraint_edit_for(c.dep, v))]
                if edits:
                    apply_constraint_edits(project, edits)
                    record_state(project)
                args = [a for c, v in group for a in ("--upgrade-package", f"{c.name}=={v}")]
                result = self.ctx.runner.uv(["lock", *args], project.root,
                                            timeout=self.ctx.settings.timeout)
                try:
                    raise_for_uv(result, "upgrade")
                except ResolutionConflict as exc:
                    return False, None, f"does not resolve with the other dependencies: {exc.message}"
                except Cancelled:
                    raise
                except UvmgrError as exc:
                    return False, None, exc.message
                # Less than the approved preview is fine (held back); more or newer is not.
                enforce_approved(self.ctx, tx, self.operation,
                                 diff_locked(before, project.locked_packages(), self.direct),
                                 ceiling=True)
                self.ctx.progress(Progress("syncing", names))
                if not sync_environment(project, self.ctx.runner):
                    return False, None, "the new lock could not be installed (uv sync failed)"
                try:
                    tests = run_tests(self.ctx)
                except Cancelled:
                    raise
                except UvmgrError as exc:  # a test run that could not finish is a failed trial
                    return False, None, f"the tests could not run: {exc.message}"
                self.last_tests = tests
                if not tests.ok:
                    return False, tests, "tests failed"
                tx.commit()
                self.last_passed = tests
                self.edits += edits
                return True, tests, ""


def upgrade_safely(
    ctx: ToolContext,
    level: Annotated[Level, Arg("Largest allowed jump: 'patch', 'minor' (the usual safe choice) "
                                "or 'major'.")] = "minor",
    packages: Annotated[list[str] | None, Arg("Only these direct dependencies; empty for "
                                              "all.")] = None,
    dry_run: Annotated[bool, Arg("Only report the plan; change nothing.")] = False,
) -> SafeUpgradeResult:
    """Upgrade direct dependencies within `level`, gated by the tests: upgrades the whole batch
    in one transaction, runs the tests, and if they fail finds the package(s) that break them
    by bisection, tries the newest patch of their current minor instead, and keeps only what
    passes (the rest is restored byte for byte). Ignores releases newer than the cooldown.
    Reports what changed, what was held back and why, and which major versions are available.
    Prefer this over upgrade_packages. Mutates pyproject.toml and uv.lock."""
    from uvmgr.tools.versions import LEVELS, delta, level_bound, within_level

    if level not in LEVELS:
        raise UsageError(f"unknown level {level!r}", hint="use patch, minor or major")
    ensure_lock_current(ctx)
    deps, locked = registry_dependencies(ctx, packages)
    unique = unique_by_name(deps)
    cooldown = ctx.settings.cooldown_days
    cutoff = None
    if cooldown > 0:
        when = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=cooldown)
        cutoff = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    bounded, newest = in_parallel(
        lambda: resolve_latest(ctx, {d.name: level_bound(locked[d.name].version, level)
                                     for d in unique}, cutoff),
        lambda: resolve_latest(ctx, {d.name: "" for d in unique}, cutoff))
    candidates, up_to_date, majors = [], [], []
    for dep in unique:
        current = locked[dep.name].version
        target = bounded.get(dep.name, current)
        latest = newest.get(dep.name, current)
        if delta(target, latest) != "none" and not within_level(current, latest, level):
            majors.append(Outdated(dep.name, dep.group, dep.requirement, current, target, latest,
                                   delta(current, latest), member=dep.member))
        if within_level(current, target, level):
            candidates.append(Candidate(dep, current, target))
        else:
            up_to_date.append(dep.name)
    direct = {d.name for d in deps}
    if dry_run or not candidates:
        edits = [e for c in candidates if c.dep and (e := constraint_edit_for(c.dep, c.target))]
        planned = _preview(ctx, candidates, edits, direct) if candidates else []
        return SafeUpgradeResult(dry_run, level, cooldown, planned, edits, [], majors, up_to_date)

    # One lock for the baseline, every trial and the bisection: no other writer in between,
    # and an interrupt restores the project to before the whole run.
    with RunTransaction(ctx.project, ctx.runner, "upgrade-safely") as run:
        require_passing_baseline(ctx, "upgrade", "or use `uvmgr deps upgrade` without tests")
        trials = Trials(ctx, direct, len(candidates))
        failing = bisect_failures(trials, candidates)
        held: list[HeldBack] = []
        for cand, report, reason in failing:
            failed_ids = [f.id for f in report.failures] if report else []
            lower = _next_lower(ctx, cand, cutoff)
            if lower is not None:
                ok, _, _ = trials.attempt([(cand, lower)])
                if ok:
                    held.append(HeldBack(cand.name, cand.current, cand.target,
                                         f"{cand.target}: {reason}; kept {lower} instead",
                                         failed_ids))
                    continue
            held.append(HeldBack(cand.name, cand.current, cand.target, reason, failed_ids))
        changes = diff_locked(locked, ctx.project.locked_packages(), direct)
        if not changes and failing:
            # Nothing could be kept: make the outcome unmistakable to the caller.
            result = SafeUpgradeResult(False, level, cooldown, [], [], held, majors, up_to_date,
                                       trials.count, trials.last_tests, rolled_back=True)
            raise RolledBack("upgrade_safely: every upgrade broke the tests or did not resolve; "
                             "pyproject.toml and uv.lock are unchanged",
                             hint="see the held-back packages and their failing tests", result=result)
        run.commit()
        return SafeUpgradeResult(False, level, cooldown, changes, trials.edits, held, majors,
                                 up_to_date, trials.count, trials.last_tests)


def bisect_failures(trials: Trials, candidates: list[Candidate],
                    ) -> list[tuple[Candidate, TestReport | None, str]]:
    """Try every candidate at its target in one change; when that fails, split the group in
    halves and try again until each failing candidate stands alone. What passes is kept (each
    trial commits); returns the failing candidates with their test report and reason."""
    failing: list[tuple[Candidate, TestReport | None, str]] = []

    def search(group: list[Candidate]) -> None:
        ok, report, reason = trials.attempt([(c, c.target) for c in group])
        if ok:
            return
        if len(group) == 1:
            failing.append((group[0], report, reason))
            return
        middle = len(group) // 2
        search(group[:middle])
        search(group[middle:])

    if candidates:
        search(candidates)
    return failing


upgrade_safely_targets = Targets("upgrade_safely", {
    "packages": each("package"), "level": one("level"), "dry_run": TARGET_FREE})


def _preview(ctx: ToolContext, candidates: list[Candidate], edits: list[ConstraintEdit],
             direct: set[str]) -> list[PackageChange]:
    """Every package the whole batch would move, transitive ones included, as `uv lock
    --dry-run` resolves it (pyproject.toml is edited and restored inside a transaction)."""
    from uvmgr.tools.pyproject_edit import apply_constraint_edits

    project = ctx.project
    with Transaction(project, ctx.runner, "upgrade-safely-preview", resync=False):
        if edits:
            apply_constraint_edits(project, edits)
            record_state(project)  # uvmgr's own write: recovery may restore it
        args = [a for c in candidates for a in ("--upgrade-package", f"{c.name}=={c.target}")]
        result = ctx.runner.uv(["lock", "--dry-run", *args], project.root,
                               timeout=ctx.settings.timeout)
    if not result.ok:  # the batch does not resolve as a whole; trials will find out which
        return [PackageChange(c.name, c.current, c.target, True) for c in candidates]
    return parse_dry_run(result.stderr, direct)


def _next_lower(ctx: ToolContext, cand: Candidate, cutoff: str | None) -> str | None:
    """The newest patch of the current minor, if it is newer than the current version and older
    than the target that failed."""
    from uvmgr.tools.versions import delta, level_bound

    try:
        found = resolve_latest(ctx, {cand.name: level_bound(cand.current, "patch")}, cutoff)
    except Cancelled:
        raise
    except UvmgrError:
        return None
    version = found.get(cand.name)
    if version and delta(cand.current, version) != "none" and delta(version, cand.target) != "none":
        return version
    return None
