"""AutoPilot: unattended, policy-bound maintenance over the same tools and safety layer as
`uvmgr ask`.

The plan is the offline planner's, fixed and deterministic: audit -> fix vulnerabilities
-> upgrade within the policy (`upgrade_safely`) -> gates. Each change goes through the
safety layer in `policy` mode, so the policy confirmer approves it (naming the rule) or
refuses it ("needs a person"). A configured model then writes the explanations, through
the same agent and the same confirmer, so whatever it tries is bound by the policy too.

The files as the run found them are kept in `.uvmgr/autopilot-journal/` until the gates
pass: a run killed before that is rolled back whole by the next uvmgr that starts, and a
failed gate puts both files back.
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass, field, replace

from uvmgr.agent.events import Observer, RunSummary, StepFinished, StepStarted, ignore
from uvmgr.agent.policy import Policy, PolicyConfirmer
from uvmgr.agent.safety import Authority, SafetyLayer
from uvmgr.errors import EXIT_FAILED, EXIT_OK, EXIT_REFUSED, EXIT_ROLLED_BACK, UvmgrError
from uvmgr.tools.context import ToolContext
from uvmgr.tools.resolve import unique_by_name
from uvmgr.tools.versions import LEVELS

REQUEST = "autopilot: fix known vulnerabilities and upgrade dependencies within the policy"


@dataclass(frozen=True)
class Gate:
    name: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class SecurityFix:
    package: str
    before: str
    after: str | None
    ids: list[str]


@dataclass
class AutopilotResult:
    project: str
    started_at: str
    policy: Policy
    duration: float = 0.0
    audit_before: object = None
    audit_after: object = None
    steps: list[StepFinished] = field(default_factory=list)
    decisions: list = field(default_factory=list)  # every approval and refusal, with its rule
    changes: list = field(default_factory=list)  # PackageChange, start of run -> end
    constraint_edits: list = field(default_factory=list)
    security_fixes: list[SecurityFix] = field(default_factory=list)
    held_back: list = field(default_factory=list)  # HeldBack from upgrade_safely
    majors_available: list = field(default_factory=list)  # Outdated beyond the policy
    excerpts: dict = field(default_factory=dict)  # package -> DocHit from the docs index
    needs_person: list[str] = field(default_factory=list)
    gates: list[Gate] = field(default_factory=list)
    restored: bool = False  # a gate failed or the policy was breached: both files put back
    rolled_back: bool = False  # a security fix failed its tests and was undone
    runs: list[RunSummary] = field(default_factory=list)  # the model's explanation runs
    exit_code: int = EXIT_OK

    @property
    def changed(self) -> bool:
        return bool(self.changes) and not self.restored

    @property
    def remaining_vulnerabilities(self) -> list:
        report = self.audit_after or self.audit_before
        return list(getattr(report, "findings", []) or [])


def _step(safety: SafetyLayer, result: AutopilotResult, observer: Observer, tool: str,
          args: dict, thought: str) -> object:
    """Run one planned call through the safety layer; returns its typed result, if any."""
    from uvmgr.tools.registry import TOOLS

    index = len(result.steps)
    observer(StepStarted(index, thought, tool, args))
    started = time.monotonic()
    before = len(safety.executed)
    observation, outcome = safety.run(TOOLS[tool], args)
    step = StepFinished(index, tool, args, observation, time.monotonic() - started, True, outcome)
    result.steps.append(step)
    observer(step)
    if outcome == "error":
        result.needs_person.append(f"{tool} failed: {observation.removeprefix('ERROR: ')}")
    if tool == "fix_vulnerabilities" and outcome == "rolled-back":
        result.rolled_back = True
    return safety.executed[-1][1] if len(safety.executed) > before else None


def run_autopilot(ctx: ToolContext, policy: Policy, *, observer: Observer = ignore,
                  engine=None, model: str | None = None) -> AutopilotResult:
    from uvmgr.tools.transaction import RunTransaction

    started = time.monotonic()
    now = datetime.datetime.now(datetime.timezone.utc)
    result = AutopilotResult(ctx.project.name, now.isoformat(timespec="seconds"), policy)
    ctx.settings = replace(ctx.settings, cooldown_days=policy.cooldown_days,
                           test_args=policy.test_args or ctx.settings.test_args)
    project = ctx.project
    locked_before = project.locked_packages()
    # One lock and one journal for the whole run: no other uvmgr changes the project between
    # its steps, and an interrupt (Ctrl+C, SIGTERM, a bug) before the gates pass restores it.
    with RunTransaction(project, ctx.runner, "autopilot") as run:
        done = _run(ctx, policy, result, observer, engine, model, run, locked_before, started)
        run.commit()
    return done


def _run(ctx, policy, result, observer, engine, model, run, locked_before,
         started) -> AutopilotResult:
    from uvmgr.tools.changes import diff_locked
    from uvmgr.tools.registry import TOOLS, invoke

    project = ctx.project
    safety = SafetyLayer(ctx, Authority(REQUEST, policy_names=tuple(sorted(policy.held))), "policy",
                         None, observer)

    with ctx.tracer.span("autopilot", policy=policy.describe()) as span:
        try:
            result.audit_before = invoke(TOOLS["audit_dependencies"], ctx)
        except UvmgrError as exc:
            result.needs_person.append(f"the audit could not run: {exc.message}"
                                       + (f" ({exc.hint})" if exc.hint else ""))
        fixed_direct, fixed_names = 0, set()
        findings = getattr(result.audit_before, "findings", None)
        if policy.security and findings:
            safety.confirmer = PolicyConfirmer(policy)
            outcome = _step(safety, result, observer, "fix_vulnerabilities",
                            {"skip": sorted(policy.held) or None},
                            "Move each vulnerable package to its lowest fixed version.")
            from uvmgr.tools.audit_fix import FixResult

            # Only a kept fix counts: a rolled-back one comes back as the bare change it undid.
            if isinstance(outcome, FixResult) and not outcome.dry_run:
                fixed_direct = len([c for c in outcome.changes if c.direct])
                fixed_names = {c.name for c in outcome.changes}
                result.constraint_edits += list(outcome.constraint_edits)

        names = _candidates(ctx, policy, result)[: max(0, policy.max_packages - fixed_direct)]
        if names and policy.levels:
            safety.confirmer = PolicyConfirmer(policy, candidates=set(names))
            outcome = _step(safety, result, observer, "upgrade_safely",
                            {"level": policy.max_level, "packages": names},
                            f"Upgrade {', '.join(names)} within the policy, tests as the gate.")
            if outcome is not None:
                result.held_back += list(outcome.held_back)
                result.constraint_edits += list(outcome.constraint_edits)
        result.decisions = list(safety.decisions)
        result.needs_person += [f"{d.tool}: {d.reason}" for d in safety.decisions
                                if not d.approved]

        if engine is not None or model or ctx.settings.model:
            _explain(ctx, policy, result, observer, engine, model)

        project.reload()
        result.changes = diff_locked(locked_before, project.locked_packages(),
                                     {d.name for d in project.direct_dependencies()})
        breach = _breaches(policy, result.changes, fixed_names)
        if breach:
            result.needs_person.append(f"the run moved packages outside the policy: {breach}")
        if result.changes:
            result.gates = [] if breach else _gates(ctx, policy)
            if breach or not all(g.ok for g in result.gates):
                run.restore()
                result.restored = True
                result.changes, result.constraint_edits = [], []
        if result.audit_before is not None and (result.changes or result.restored):
            try:
                result.audit_after = invoke(TOOLS["audit_dependencies"], ctx)
            except UvmgrError as exc:
                result.needs_person.append(f"the re-audit failed: {exc.message}")
        result.security_fixes = _fixed(result.audit_before, result.audit_after,
                                       project.locked_packages())
        for finding in result.remaining_vulnerabilities:
            held = " (ignored or pinned by the policy)" if finding.package in policy.held else ""
            result.needs_person.append(
                f"vulnerability {finding.id} in {finding.package} {finding.version} is not fixed"
                f"{held}: fixed in {', '.join(finding.fix_versions) or 'no release yet'}")
        if result.changed:
            result.majors_available = _majors(ctx, policy)
            result.excerpts = _excerpts(ctx, result.changes)
        result.exit_code = _exit_code(result)
        result.duration = round(time.monotonic() - started, 3)
        span.set("exit_code", result.exit_code)
        span.set("packages_changed", [f"{c.name} {c.before} -> {c.after}" for c in result.changes])
    return result


def _candidates(ctx: ToolContext, policy: Policy, result: AutopilotResult) -> list[str]:
    """Direct dependencies with a newer version, held ones left out, smallest jumps first."""
    from uvmgr.tools.registry import TOOLS, invoke
    from uvmgr.tools.versions import delta

    rows = invoke(TOOLS["outdated_packages"], ctx)
    allowed = LEVELS.index(policy.max_level) if policy.levels else -1
    result.majors_available = unique_by_name([r for r in rows if r.name not in policy.held
                                              and LEVELS.index(r.delta) > allowed])
    ranked = sorted((r for r in rows if r.name not in policy.held),
                    key=lambda r: (LEVELS.index(d) if (d := delta(r.current,
                                                                      r.latest_compatible))
                                   != "none" else 3, r.name))
    return list(dict.fromkeys(r.name for r in ranked))


def _majors(ctx: ToolContext, policy: Policy) -> list:
    from uvmgr.tools.registry import TOOLS, invoke

    allowed = LEVELS.index(policy.max_level) if policy.levels else -1
    try:
        rows = invoke(TOOLS["outdated_packages"], ctx)
    except UvmgrError:
        return []
    return unique_by_name([r for r in rows if r.name not in policy.held
                           and LEVELS.index(r.delta) > allowed])


def _excerpts(ctx: ToolContext, changes: list) -> dict:
    """Changelog (or description) passages for the direct upgrades, when the docs index can
    find them."""
    from uvmgr.tools.docs import changelog_excerpt

    out = {}
    for change in changes:
        if change.direct and change.after:
            hit = changelog_excerpt(ctx, change.name, change.after)
            if hit is not None:
                out[change.name] = hit
    return out


def _breaches(policy: Policy, changes: list, fixed: set[str]) -> str:
    """What the run as a whole changed that the policy forbids (a last check after every
    trial and fix): held packages, packages new to the lock, or jumps beyond the levels that no security fix explains."""
    from uvmgr.tools.versions import delta

    bad = []
    for c in changes:
        if c.before is None and not policy.allow_new_dependencies:
            bad.append(f"{c.name} {c.after} (new to the lock)")
        if not (c.before and c.after):
            continue
        step = delta(c.before, c.after)
        if c.name in policy.held:
            bad.append(f"{c.name} {c.before} -> {c.after} (held)")
        elif step == "major" and "major" not in policy.levels:
            bad.append(f"{c.name} {c.before} -> {c.after} (major)")
        elif step not in ("none", *policy.levels) and c.name not in fixed:
            bad.append(f"{c.name} {c.before} -> {c.after} ({step})")
    return ", ".join(bad)


def _explain(ctx, policy, result, observer, engine, model) -> None:
    """A configured model explains the run for the report; anything it tries to change is
    bound by the same policy confirmer."""
    from uvmgr.agent.planner import AgentOptions, run_agent

    facts = "\n".join(step.observation for step in result.steps) or "No change was attempted."
    ask = ("Explain for the project's maintainers what this AutoPilot run did and what needs "
           "a person.")
    # The results are tool output (advisory text included): the model reads them, but only
    # the fixed question and the policy carry authority.
    summary = run_agent(ctx, f"{ask} Results:\n{facts}", AgentOptions(
        mode="policy", confirmer=PolicyConfirmer(policy, set()), observer=observer,
        engine=engine, model=model, policy_names=tuple(sorted(policy.held)), authority=ask))
    result.runs.append(summary)
    result.needs_person += [f"{d.tool}: {d.reason}" for d in summary.decisions if not d.approved]


def _gates(ctx: ToolContext, policy: Policy) -> list[Gate]:
    from uvmgr.tools.registry import TOOLS, invoke

    gates = []
    for name in policy.gates:
        tool = {"tests": "run_tests", "build": "build_package", "check": "check_quality"}[name]
        try:
            outcome = invoke(TOOLS[tool], ctx)
            ok, detail = bool(outcome.ok), (outcome.summary().splitlines() or [""])[0]
        except UvmgrError as exc:
            ok, detail = False, exc.message
        gates.append(Gate(name, ok, detail))
    return gates


def _fixed(before, after, locked: dict) -> list[SecurityFix]:
    if before is None or after is None:
        return []
    left = {(f.package, f.id) for f in after.findings}
    fixes: dict[str, SecurityFix] = {}
    for f in before.findings:
        if (f.package, f.id) in left:
            continue
        now = locked[f.package].version if f.package in locked else None
        fixes.setdefault(f.package, SecurityFix(f.package, f.version, now, [])).ids.append(f.id)
    return list(fixes.values())


def _exit_code(result: AutopilotResult) -> int:
    if result.restored:
        return EXIT_FAILED
    if result.rolled_back:
        return EXIT_ROLLED_BACK
    if result.needs_person:
        return EXIT_REFUSED
    return EXIT_OK
