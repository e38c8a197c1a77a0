"""The `advise` tool: run the advisor's checks and report findings with evidence and advice."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Literal

from uvmgr.tools.context import ToolContext
from uvmgr.tools.spec import Arg
from uvmgr.tools.targets import TARGET_FREE, Targets

from uvmgr_advisor import CHECKS, history
from uvmgr_advisor.environment import Environment, EnvironmentUnavailable, probe
from uvmgr_advisor.findings import AdviceReport, CheckStatus, Finding
from uvmgr_advisor.import_time import ImportsUnavailable
from uvmgr_advisor.slow_tests import TestsUnavailable
from uvmgr_advisor.unused_deps import DeptryUnavailable

Check = Literal["tests", "imports", "sizes", "deps"]
ORDER = {"tests": 0, "imports": 1, "sizes": 2, "deps": 3}
_UNAVAILABLE = (EnvironmentUnavailable, ImportsUnavailable, TestsUnavailable, DeptryUnavailable)


def advise(
    ctx: ToolContext,
    checks: Annotated[list[Check] | None, Arg(
        "Which checks to run: 'tests' (slow tests; runs the test suite), 'imports' (import "
        "time), 'sizes' (installed size per direct dependency), 'deps' (unused and undeclared "
        "dependencies). Leave empty for all of them.")] = None,
) -> AdviceReport:
    """Performance advice for the project: its slowest tests (setup vs call, share of the
    suite), what makes importing the package slow and which dependency it comes from, the
    installed size each direct dependency brings, and dependencies that are declared but unused
    or imported but undeclared. Each finding has its figure, evidence and a recommendation;
    regressions against the last run are flagged. Read-only: changes no project file."""
    ctx.project.require_lock()
    run = _Run(ctx, history.load_last(ctx.project))
    statuses: list[CheckStatus] = []
    for check in (c for c in CHECKS if not checks or c in checks):
        started = time.monotonic()
        try:
            state, note = "ok", _CHECKS[check](run)
        except _UNAVAILABLE as exc:
            state, note = "unavailable", str(exc)
        statuses.append(CheckStatus(check, state, note, round(time.monotonic() - started, 2)))
    history.save_run(ctx.project, run.measured)
    run.findings.sort(key=lambda f: (ORDER[f.check], not f.regression, -f.figure))
    return AdviceReport(run.findings, statuses, **run.report)  # type: ignore[arg-type]


@dataclass
class _Run:
    """One advisor run: what the checks found, measured (for the next run) and report."""

    ctx: ToolContext
    last: dict[str, dict[str, float]]
    findings: list[Finding] = field(default_factory=list)
    measured: dict[str, dict[str, float]] = field(default_factory=dict)
    report: dict[str, object] = field(default_factory=dict)
    _env: Environment | EnvironmentUnavailable | None = None

    def environment(self) -> Environment:
        """The project environment's probe, run once (and failing the same way every time)."""
        if self._env is None:
            try:
                self._env = probe(self.ctx)
            except EnvironmentUnavailable as exc:
                self._env = exc
        if isinstance(self._env, EnvironmentUnavailable):
            raise self._env
        return self._env

    def own_modules(self) -> list[str]:
        from uvmgr_advisor.import_time import project_modules

        return project_modules(self.ctx.project.root, self.environment(), self.ctx.project.name)


def _tests(run: _Run) -> str:
    from uvmgr_advisor.slow_tests import SHOWN, slow_test_findings, time_tests

    timings = time_tests(run.ctx)
    found, total = slow_test_findings(timings, run.last.get("tests", {}))
    run.findings += found
    run.measured["tests"] = {t.id: round(t.total, 4) for t in timings}
    run.report["slowest_tests"] = sorted(timings, key=lambda t: -t.total)[:SHOWN]
    run.report["tests_total_s"] = round(total, 3)
    return f"{len(timings)} tests, {total:.2f} s of test time"


def _imports(run: _Run) -> str:
    from uvmgr_advisor.import_time import SHOWN, import_findings, measure, top_imports

    own = run.own_modules()
    name = run.ctx.project.name
    if not own:
        raise ImportsUnavailable(f"no importable package named after {name!r} (an "
                                 "application without a package has nothing to import)")
    lines = measure(run.ctx, own)
    total_ms = round(sum(line.cumulative_us for line in lines
                         if line.depth == 0 and line.module in own) / 1000, 1)
    costs = top_imports(lines, run.environment(), frozenset(own))
    run.findings += import_findings(run.ctx, costs, total_ms, run.last.get("imports", {}), own)
    run.measured["imports"] = {"(total)": total_ms, **{c.module: c.cumulative_ms for c in costs}}
    run.report["import_total_ms"] = total_ms
    run.report["imports"] = costs[:SHOWN]
    return f"import {', '.join(own)}: {total_ms:.0f} ms"


def _sizes(run: _Run) -> str:
    from uvmgr_advisor.sizes import dependency_sizes, size_findings

    rows = dependency_sizes(run.ctx.project, run.environment())
    run.findings += size_findings(rows)
    run.measured["sizes"] = {f"{r.name} ({r.group})": r.total_mb for r in rows}
    run.report["sizes"] = rows
    return f"{len(rows)} direct dependencies"


def _deps(run: _Run) -> str:
    from uvmgr_advisor.unused_deps import dependency_findings, run_deptry

    env = run.environment()
    found = dependency_findings(run_deptry(run.ctx, env, run.own_modules()), env)
    run.findings += found
    return f"{len(found)} issue(s) from deptry"


_CHECKS: dict[str, Callable[[_Run], str]] = {
    "tests": _tests, "imports": _imports, "sizes": _sizes, "deps": _deps}

# Which of the advisor's fixed checks to run: names nothing the safety layer must check.
advise_targets = Targets("advise", {"checks": TARGET_FREE})
