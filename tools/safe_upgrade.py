"""`upgrade_safely`: the upgrade a weak model cannot get wrong.

Outdated within the level and a cooldown -> upgrade the batch in one transaction ->
tests -> on failure bisect to the package(s) that break them -> for each, try the
newest patch of its current minor before holding it back -> keep what passes,
restore the rest -> report changes, held-back packages (with the failing tests)
and the majors that are available but not applied.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from uvmgr.tools.binding import enforce_approved
from uvmgr.tools.changes import (
    ConstraintEdit,
    HeldBack,
    Outdated,
    PackageChange,
    SafeUpgradeResult,
    diff_locked,
    with_index,
)
from uvmgr.tools.context import ToolContext
from uvmgr.tools.progress import Progress
from uvmgr.tools.project import normalize_name
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
from uvmgr.tools.upgrade_targets import (
    Moves,
    PlannedUpgrade,
    cooldown_args,
    cooldown_cutoff,
    fork_bound,
    highest,
    lock_with_cooldown,
    parse_moves,
    plan_upgrades,
)
from uvmgr.tools.uv_errors import raise_for_uv, uv_message
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
    plan: PlannedUpgrade
    target: str  # the highest version uv would lock it at (one per fork on a split lock)

    @property
    def name(self) -> str:
        return self.plan.dep.name

    @property
    def current(self) -> str:
        return self.plan.package.version

    @property
    def bound(self) -> str:
        """What uv is given for it: the level's bound, never an exact version."""
        return self.plan.bound

    def edit_for(self, bound: str) -> ConstraintEdit | None:
        """The requirement edit a trial at `bound` needs (the fallback to a lower patch keeps
        the requirement)."""
        return self.plan.edit if self.plan.edit and bound == self.plan.bound else None


class Trials:
    """Applies groups of upgrades one transaction at a time; keeps those whose tests pass.
    Each package is given to uv as its candidate's bound (`upgrade_safely`: the level's bound,
    so every fork of a split lock gets the newest version it can have; `audit-fix`: the fixed
    version). `operation` names the transactions and the approval check."""

    def __init__(self, ctx: ToolContext, direct: set[str], cutoff: str | None, batch: int,
                 operation: str = "upgrade_safely"):
        self.ctx = ctx
        self.direct = direct
        self.cutoff = cutoff
        self.operation = operation
        self.count = 0
        # Trials a bisection of `batch` packages needs at most, plus one retry per package.
        self.most = 3 * batch - 1 if batch > 1 else 2
        self.edits: list[ConstraintEdit] = []
        self.last_tests: TestReport | None = None
        self.last_passed: TestReport | None = None  # of the last trial that was kept

    def attempt(self, group: list[tuple[Candidate, str]]) -> tuple[bool, TestReport | None, str]:
        """`group`: (candidate, bound) pairs; a candidate's requirement edit applies with its
        level bound only (the fallback to a lower patch keeps the requirement)."""
        from uvmgr.tools.pyproject_edit import apply_constraint_edits

        self.count += 1
        project = self.ctx.project
        names = ", ".join(f"{c.name} {v}" for c, v in group)
        self.ctx.progress(Progress("resolving", names) if self.count == 1 else
                          Progress("bisecting", names, self.count, max(self.most, self.count)))
        before = project.locked_packages()
        with (self.ctx.tracer.span("upgrade trial", packages=[f"{c.name}{b}" for c, b in group]),
              Transaction(project, self.ctx.runner, self.operation.replace("_", "-")) as tx):
            edits = [e for c, b in group if (e := c.edit_for(b))]
            if edits:
                apply_constraint_edits(project, edits)
                record_state(project)
            args = [a for c, b in group for a in ("--upgrade-package", f"{c.name}{b}")]
            result = lock_with_cooldown(self.ctx, args, self.cutoff)
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
    # (The model reads the docstring above, and the recorded model cassettes match it byte
    # for byte.) The cooldown holds for transitive packages too; a deliberate `==` pin or
    # upper cap is rewritten only for a package named in `packages`, unless ctx.keep_caps.
    from uvmgr.tools.versions import LEVELS, delta, within_level

    if level not in LEVELS:
        raise UsageError(f"unknown level {level!r}", hint="use patch, minor or major")
    ensure_lock_current(ctx)
    deps, locked = registry_dependencies(ctx, packages)
    unique = unique_by_name(deps)
    cooldown = ctx.settings.cooldown_days
    cutoff = cooldown_cutoff(cooldown)
    available, newest = in_parallel(
        lambda: resolve_latest(ctx, {d.name: fork_bound(locked[d.name], level)
                                     for d in unique}, cutoff),
        lambda: resolve_latest(ctx, {d.name: "" for d in unique}, cutoff))
    named = set() if ctx.keep_caps else {normalize_name(n) for n in packages or []}
    plans = plan_upgrades(unique, locked, available, level, named)
    majors = []
    for p in plans:
        current, latest = p.package.version, newest.get(p.dep.name, p.package.version)
        if delta(p.available, latest) != "none" and not within_level(current, latest, level):
            majors.append(Outdated(p.dep.name, p.dep.group, p.dep.requirement, current,
                                   p.available, latest, delta(current, latest), member=p.dep.member,
                                   index=p.package.index))
    capped = [HeldBack(p.dep.name, p.package.version, p.available, p.held) for p in plans
              if p.held]
    direct = {d.name for d in deps}
    edits = [p.edit for p in plans if p.edit is not None]
    planned, moves, note = _preview(ctx, plans, edits, direct, cutoff)
    candidates, up_to_date = [], []
    for p in plans:
        after = moves[p.dep.name][1] if moves is not None and p.dep.name in moves else ()
        target = highest(after) if moves is not None else p.available
        if target and within_level(p.package.version, target, level):
            candidates.append(Candidate(p, target))
        elif not p.held:
            up_to_date.append(p.dep.name)
    edits = [c.plan.edit for c in candidates if c.plan.edit is not None]
    if dry_run or not candidates:
        return SafeUpgradeResult(dry_run, level, cooldown, planned if candidates else [], edits,
                                 capped, majors, up_to_date, note=note)

    # One lock for the baseline, every trial and the bisection: no other writer in between,
    # and an interrupt restores the project to before the whole run.
    with RunTransaction(ctx.project, ctx.runner, "upgrade-safely") as run:
        require_passing_baseline(ctx, "upgrade", "or use `uvmgr deps upgrade` without tests")
        trials = Trials(ctx, direct, cutoff, len(candidates))
        failing = bisect_failures(trials, candidates)
        held: list[HeldBack] = []
        for cand, report, reason in failing:
            failed_ids = [f.id for f in report.failures] if report else []
            kept = _try_lower_patch(ctx, trials, cand)
            if kept is not None:
                held.append(HeldBack(cand.name, cand.current, cand.target,
                                     f"{cand.target}: {reason}; kept {kept} instead",
                                     failed_ids))
                continue
            held.append(HeldBack(cand.name, cand.current, cand.target, reason, failed_ids))
        changes = diff_locked(locked, ctx.project.locked_packages(), direct)
        if not changes and failing:
            # Nothing could be kept: make the outcome unmistakable to the caller.
            result = SafeUpgradeResult(False, level, cooldown, [], [], held + capped, majors,
                                       up_to_date, trials.count, trials.last_tests,
                                       rolled_back=True)
            raise RolledBack("upgrade_safely: every upgrade broke the tests or did not resolve; "
                             "pyproject.toml and uv.lock are unchanged",
                             hint="see the held-back packages and their failing tests", result=result)
        run.commit()
        return SafeUpgradeResult(False, level, cooldown, changes, trials.edits, held + capped,
                                 majors, up_to_date, trials.count, trials.last_tests)


def bisect_failures(trials: Trials, candidates: list,
                    ) -> list[tuple]:
    """Try every candidate at its bound in one change; when that fails, split the group in
    halves and try again until each failing candidate stands alone. What passes is kept (each
    trial commits); returns the failing candidates with their test report and reason."""
    failing: list[tuple[Candidate, TestReport | None, str]] = []

    def search(group: list[Candidate]) -> None:
        ok, report, reason = trials.attempt([(c, c.bound) for c in group])
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


def _preview(ctx: ToolContext, plans: list[PlannedUpgrade], edits: list[ConstraintEdit],
             direct: set[str], cutoff: str | None,
             ) -> tuple[list[PackageChange], Moves | None, str]:
    """Every package the whole batch would move, transitive ones included, as `uv lock
    --dry-run` resolves it under the cooldown (pyproject.toml is edited and restored inside a
    transaction). When the batch does not resolve as a whole: each plan's own target, None for
    the moves, and a note saying so and why (else "")."""
    from uvmgr.tools.pyproject_edit import apply_constraint_edits

    project = ctx.project
    with Transaction(project, ctx.runner, "upgrade-safely-preview", resync=False):
        if edits:
            apply_constraint_edits(project, edits)
            record_state(project)  # uvmgr's own write: recovery may restore it
        args = [a for p in plans for a in ("--upgrade-package", f"{p.dep.name}{p.bound}")]
        result = ctx.runner.uv(["lock", "--dry-run", *args, *cooldown_args(ctx, cutoff)],
                               project.root, timeout=ctx.settings.timeout)
    if not result.ok:  # the batch does not resolve as a whole; trials will find out which
        from uvmgr.tools.versions import delta

        # each plan's own target, leaving out those already there (a package up to date is
        # not a move, and "2.1.0 -> 2.1.0" read as a downgrade)
        from uvmgr.redaction import redact_text

        reason = redact_text(uv_message(result))  # a git URL can carry a token
        reason = reason if len(reason) <= _REASON else reason[:_REASON - 3] + "..."
        note = (f"uv could not resolve the whole batch ({reason}); listed is each package's "
                "own newest version within the level, not what uv would lock: the upgrade "
                "tries them in trials and keeps only what resolves and passes the tests")
        return [PackageChange(p.dep.name, p.package.version, p.available, True,
                              index=p.package.index) for p in plans
                if delta(p.package.version, p.available) != "none"], None, note
    return (with_index(parse_dry_run(result.stderr, direct), project.locked_packages()),
            parse_moves(result.stderr), "")


_REASON = 400  # characters of uv's error kept in a preview's note


def _try_lower_patch(ctx: ToolContext, trials: Trials, cand: Candidate) -> str | None:
    """Try the newest patch of the current minor (for every fork) instead of a target that
    failed; the version kept, or None."""
    from uvmgr.tools.versions import delta, level_bound

    if delta(cand.current, cand.target) == "patch":
        return None  # the failed target was that patch already
    upper = level_bound(cand.current, "patch").partition(",")[2]
    ok, _, _ = trials.attempt([(cand, f">={cand.plan.package.lowest},{upper}")])
    if not ok:
        return None
    now = ctx.project.locked_packages().get(cand.name)
    if now is None or delta(cand.current, now.version) == "none":
        return None
    return now.version
