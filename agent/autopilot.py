"""AutoPilot: unattended, policy-bound maintenance, the same agent and tools as `uvmgr ask`.

audit -> fix vulnerabilities -> upgrade within policy (`upgrade_safely`) -> gates ->
result for the report. Every change goes through the safety layer with the policy
confirmer; what the policy does not cover is refused and listed as needing a person.
If a gate fails after changes were kept, both files go back to how the run found them.
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass, field, replace

from uvmgr.agent.events import Observer, RunSummary, ignore
from uvmgr.agent.policy import LEVEL_ORDER, Policy, PolicyConfirmer
from uvmgr.errors import EXIT_FAILED, EXIT_OK, EXIT_REFUSED, EXIT_ROLLED_BACK, UvmgrError
from uvmgr.tools.context import ToolContext


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
    changes: list = field(default_factory=list)  # PackageChange, start of run -> end
    constraint_edits: list = field(default_factory=list)
    security_fixes: list[SecurityFix] = field(default_factory=list)
    held_back: list = field(default_factory=list)  # HeldBack from upgrade_safely
    majors_available: list = field(default_factory=list)  # Outdated beyond the policy
    needs_person: list[str] = field(default_factory=list)
    gates: list[Gate] = field(default_factory=list)
    restored: bool = False  # a gate failed and both files were put back
    rolled_back: bool = False  # a change failed verification and was undone
    runs: list[RunSummary] = field(default_factory=list)
    exit_code: int = EXIT_OK

    @property
    def changed(self) -> bool:
        return bool(self.changes) and not self.restored

    @property
    def remaining_vulnerabilities(self) -> list:
        report = self.audit_after or self.audit_before
        return list(getattr(report, "findings", []) or [])


def _run(ctx, request, policy, result, observer, engine, model) -> RunSummary:
    from uvmgr.agent.planner import run_agent

    summary = run_agent(ctx, request, mode="policy", confirmer=PolicyConfirmer(policy),
                        observer=observer, engine=engine, model=model,
                        policy_text=policy.describe())
    result.runs.append(summary)
    for decision in summary.decisions:
        if not decision.approved:
            result.needs_person.append(f"{decision.tool}({_args(decision.args)}): "
                                       f"{decision.reason}")
    for tool, outcome in summary.results:
        if tool == "upgrade_safely" and outcome is not None:
            result.held_back += list(outcome.held_back)
            result.constraint_edits += list(outcome.constraint_edits)
        elif tool == "fix_vulnerabilities" and getattr(outcome, "change", None) is not None:
            result.constraint_edits += list(outcome.change.constraint_edits)
    if any(s.tool == "fix_vulnerabilities" and s.outcome == "rolled-back" for s in summary.steps):
        result.rolled_back = True  # a security fix broke the tests and was undone
    return summary


def _args(args: dict) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in args.items() if v not in (None, [], {}))


def run_autopilot(ctx: ToolContext, policy: Policy, *, observer: Observer = ignore,
                  engine=None, model: str | None = None) -> AutopilotResult:
    from uvmgr.tools.audit import audit_dependencies
    from uvmgr.tools.deps import diff_locked, outdated_packages
    from uvmgr.tools.registry import TOOLS, invoke
    from uvmgr.tools.versions import delta

    started = time.monotonic()
    now = datetime.datetime.now(datetime.timezone.utc)
    result = AutopilotResult(ctx.project.name, now.isoformat(timespec="seconds"), policy)
    ctx.settings = replace(ctx.settings, cooldown_days=policy.cooldown_days,
                           test_args=policy.test_args or ctx.settings.test_args)
    project = ctx.project
    original = (project.pyproject_path.read_bytes(), project.lock_path.read_bytes()
                if project.has_lock() else None)
    locked_before = project.locked_packages()

    with ctx.tracer.span("autopilot", policy=policy.describe()) as span:
        try:
            result.audit_before = invoke(TOOLS["audit_dependencies"], ctx)
        except UvmgrError as exc:
            result.needs_person.append(f"audit could not run: {exc.message}"
                                       + (f" ({exc.hint})" if exc.hint else ""))
        if policy.security and getattr(result.audit_before, "findings", None):
            _run(ctx, "fix the vulnerabilities", policy, result, observer, engine, model)

        outdated = outdated_packages(ctx)
        allowed = LEVEL_ORDER.index(policy.max_level)
        candidates = []
        for row in outdated:
            if row.name in policy.held:
                continue
            if LEVEL_ORDER.index(row.delta) > allowed:
                result.majors_available.append(row)
            candidates.append(row)
        candidates.sort(key=lambda r: (LEVEL_ORDER.index(delta(r.current, r.latest_compatible))
                                       if delta(r.current, r.latest_compatible) != "none" else 3,
                                       r.name))
        names = list(dict.fromkeys(r.name for r in candidates))[: policy.max_packages]
        if names and policy.levels:
            request = f"upgrade {', '.join(names)} at {policy.max_level} level"
            _run(ctx, request, policy, result, observer, engine, model)

        project.reload()
        result.changes = diff_locked(locked_before, project.locked_packages(),
                                     {d.name for d in project.direct_dependencies()})
        if result.changes:
            result.gates = _gates(ctx, policy)
            if not all(g.ok for g in result.gates):
                _restore(ctx, original)
                result.restored = True
                result.changes = []
        if result.audit_before is not None and (result.changes or result.restored):
            try:
                result.audit_after = audit_dependencies(ctx)
            except UvmgrError as exc:
                result.needs_person.append(f"re-audit failed: {exc.message}")
        result.security_fixes = _fixed(result.audit_before, result.audit_after,
                                       project.locked_packages())
        for finding in result.remaining_vulnerabilities:
            held = " (ignored/pinned by the policy)" if finding.package in policy.held else ""
            result.needs_person.append(
                f"vulnerability {finding.id} in {finding.package} {finding.version} is not fixed"
                f"{held}: fixed in {', '.join(finding.fix_versions) or 'no release yet'}")
        result.exit_code = _exit_code(result)
        result.duration = round(time.monotonic() - started, 3)
        span.set("exit_code", result.exit_code)
        span.set("packages_changed", [f"{c.name} {c.before} -> {c.after}" for c in result.changes])
    return result


def _gates(ctx: ToolContext, policy: Policy) -> list[Gate]:
    from uvmgr.tools.registry import TOOLS, invoke

    gates = []
    for name in policy.gates:
        tool = {"tests": "run_tests", "build": "build_package", "check": "check_quality"}[name]
        try:
            outcome = invoke(TOOLS[tool], ctx)
            ok = bool(outcome.ok)
            from uvmgr.agent.summaries import summarize

            detail = summarize(outcome).splitlines()[0] if summarize(outcome) else ""
        except UvmgrError as exc:
            ok, detail = False, exc.message
        gates.append(Gate(name, ok, detail))
    return gates


def _restore(ctx: ToolContext, original: tuple[bytes, bytes | None]) -> None:
    """Put both files back as the run found them, as one transaction of its own."""
    from uvmgr.tools.transaction import Transaction, write_atomic, sync_environment

    project = ctx.project
    with Transaction(project, ctx.runner, "autopilot-restore") as tx:
        write_atomic(project.pyproject_path, original[0])
        if original[1] is not None:
            write_atomic(project.lock_path, original[1])
        sync_environment(project, ctx.runner)
        tx.commit()
    project.reload()


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
    if result.needs_person:
        return EXIT_REFUSED
    if result.rolled_back:
        return EXIT_ROLLED_BACK
    return EXIT_OK
