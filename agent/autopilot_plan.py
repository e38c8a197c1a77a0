"""Which outdated packages an AutoPilot run takes on, and where every other one goes.

Every outdated direct dependency ends up somewhere in the report: taken (then applied or
held back with the reason), deferred to the next run because of `max-packages` (the oldest
locked releases are taken first, so nothing waits for ever), ignored or pinned by the
policy, or a major beyond the policy's levels. A package whose update would move something
outside the policy (a transitive package across a major, a new package in the lock) is held
back alone: the batch's dry run is bisected with the policy confirmer, and the rest proceeds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from uvmgr.agent.policy import Policy, PolicyConfirmer
from uvmgr.tools.changes import HeldBack, Outdated
from uvmgr.tools.context import ToolContext
from uvmgr.tools.versions import LEVELS

from uvmgr.errors import Cancelled, UvmgrError


@dataclass(frozen=True)
class PolicyHold:
    """An outdated package the policy leaves alone."""

    name: str
    current: str
    latest: str
    reason: str  # "ignored" | "pinned"


@dataclass
class RunPlan:
    take: list[str] = field(default_factory=list)
    deferred: list[Outdated] = field(default_factory=list)  # over max-packages: next run
    by_policy: list[PolicyHold] = field(default_factory=list)
    majors: list[Outdated] = field(default_factory=list)  # beyond the policy's levels


def plan_run(ctx: ToolContext, policy: Policy, rows: list[Outdated], budget: int) -> RunPlan:
    """Sort `outdated_packages` rows into what this run takes (at most `budget`, the oldest
    locked release first), what it defers, what the policy holds, and the majors beyond it."""
    from uvmgr.tools.resolve import resolve_latest
    from uvmgr.tools.upgrade_targets import cooldown_cutoff
    from uvmgr.tools.versions import level_bound, within_level

    plan = RunPlan()
    from uvmgr.tools.resolve import unique_by_name

    rows = unique_by_name(rows)
    allowed = LEVELS.index(policy.max_level) if policy.levels else -1
    uploaded = ctx.project.locked_upload_times()
    # the newest release within the policy's levels, whatever the requirement says (a cap
    # holding it is reported by the upgrade itself)
    in_level = resolve_latest(ctx, {r.name: level_bound(r.current, policy.max_level)
                                    for r in rows if r.name not in policy.held},
                              cooldown_cutoff(policy.cooldown_days)) if policy.levels else {}
    movable = []
    for row in rows:
        if row.name in policy.held:
            kind = "pinned" if row.name in policy.pin else "ignored"
            plan.by_policy.append(PolicyHold(row.name, row.current, row.latest, kind))
            continue
        if LEVELS.index(row.delta) > allowed:
            plan.majors.append(row)
        if within_level(row.current, in_level.get(row.name, row.current), policy.max_level):
            movable.append(row)

    def order(row: Outdated) -> tuple:
        moves = row.latest_compatible != row.current  # a cap may hold the rest where they are
        when = uploaded.get(row.name, "\uffff")  # unknown upload times after known ones
        return (not moves, when, row.name)

    movable.sort(key=order)
    plan.take = [r.name for r in movable[:max(0, budget)]]
    plan.deferred = movable[max(0, budget):]
    return plan


def upgrade_args(policy: Policy) -> Callable[[list[str]], dict]:
    """The `upgrade_safely` call that upgrades just `group`."""
    return lambda group: {"level": policy.max_level, "packages": group}


def fix_args(policy: Policy, vulnerable: list[str]) -> Callable[[list[str]], dict]:
    """The `fix_vulnerabilities` call that fixes just `group` (the rest skipped)."""
    return lambda group: {"skip": sorted((set(vulnerable) - set(group)) | policy.held) or None}


def hold_back_outside_policy(ctx: ToolContext, policy: Policy, names: list[str], tool: str,
                             args_for: Callable[[list[str]], dict],
                             ) -> tuple[list[str], list[HeldBack]]:
    """The packages of `names` whose update (`tool` called with `args_for(names)`) the policy
    approves together, and each one held back alone (found by bisecting the batch's dry runs)
    with the policy's reason."""
    from uvmgr.agent.events import ApprovalAsked
    from uvmgr.tools.registry import TOOLS, invoke

    security = tool == "fix_vulnerabilities"
    confirmer = PolicyConfirmer(policy, candidates=None if security else set(names))
    held: list[HeldBack] = []

    def verdict(group: list[str]) -> tuple[bool, str, object]:
        args = args_for(group)
        try:
            preview = invoke(TOOLS[tool], ctx, **args, dry_run=True)
        except Cancelled:
            raise
        except UvmgrError as exc:
            return False, exc.message, None
        ok, reason = confirmer(ApprovalAsked(tool, args, "", preview))
        return ok, reason, preview

    def search(group: list[str], reason: str, preview: object) -> list[str]:
        if len(group) == 1:
            change = getattr(preview, "change", preview)  # a FixResult wraps its change
            moves = {c.name: c for c in getattr(change, "changes", None) or []}
            move = moves.get(group[0])
            why = reason.removeprefix("policy: ")
            what = "security fix" if security else "update"
            held.append(HeldBack(group[0], (move.before or "") if move else "",
                                 (move.after or "") if move else "",
                                 f"its {what} is outside the policy: {why}"))
            return []
        middle = len(group) // 2
        kept: list[str] = []
        for half in (group[:middle], group[middle:]):
            ok, why, seen = verdict(half)
            kept += half if ok else search(half, why, seen)
        return kept

    ok, reason, preview = verdict(names)
    if ok:
        return names, []
    return search(names, reason, preview), held
