"""The `advise` tool: run the advisor's checks and report findings with evidence and advice."""

from __future__ import annotations

import time
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
    wanted = [c for c in CHECKS if not checks or c in checks]
    last = history.load_last(ctx.project)
    findings: list[Finding] = []
    statuses: list[CheckStatus] = []
    measured: dict[str, dict[str, float]] = {}
    report: dict[str, object] = {}
    env: Environment | EnvironmentUnavailable | None = None

    def environment() -> Environment:
        nonlocal env
        if env is None:
            try:
                env = probe(ctx)
            except EnvironmentUnavailable as exc:
                env = exc
        if isinstance(env, EnvironmentUnavailable):
            raise env
        return env

    for check in wanted:
        started = time.monotonic()
        try:
            state, note = _RUNNERS[check](ctx, environment, last.get(check, {}), findings,
                                          measured, report)
        except _UNAVAILABLE as exc:
            state, note = "unavailable", str(exc)
        statuses.append(CheckStatus(check, state, note, round(time.monotonic() - started, 2)))
    history.save_run(ctx.project, measured)
    findings.sort(key=lambda f: (ORDER[f.check], not f.regression, -f.figure))
    return AdviceReport(findings, statuses, **report)  # type: ignore[arg-type]


def _tests(ctx, environment, last, findings, measured, report):
    from uvmgr_advisor.slow_tests import SHOWN, slow_test_findings, time_tests

    timings = time_tests(ctx)
    found, total = slow_test_findings(timings, last)
    findings += found
    measured["tests"] = {t.id: round(t.total, 4) for t in timings}
    report["slowest_tests"] = sorted(timings, key=lambda t: -t.total)[:SHOWN]
    report["tests_total_s"] = round(total, 3)
    return "ok", f"{len(timings)} tests, {total:.2f} s of test time"


def _imports(ctx, environment, last, findings, measured, report):
    from uvmgr_advisor.import_time import (
        SHOWN,
        import_findings,
        measure,
        project_modules,
        top_imports,
    )

    env = environment()
    own = project_modules(ctx.project.root, env, ctx.project.name)
    if not own:
        raise ImportsUnavailable(f"no importable package named after {ctx.project.name!r} (an "
                                 "application without a package has nothing to import)")
    lines = measure(ctx, own)
    total_ms = round(sum(line.cumulative_us for line in lines
                         if line.depth == 0 and line.module in own) / 1000, 1)
    costs = top_imports(lines, env, frozenset(own))
    findings += import_findings(ctx, costs, total_ms, last, own)
    measured["imports"] = {"(total)": total_ms, **{c.module: c.cumulative_ms for c in costs}}
    report["import_total_ms"] = total_ms
    report["imports"] = costs[:SHOWN]
    return "ok", f"import {', '.join(own)}: {total_ms:.0f} ms"


def _sizes(ctx, environment, last, findings, measured, report):
    from uvmgr_advisor.sizes import dependency_sizes, size_findings

    rows = dependency_sizes(ctx.project, environment())
    findings += size_findings(rows)
    measured["sizes"] = {f"{r.name} ({r.group})": r.total_mb for r in rows}
    report["sizes"] = rows
    return "ok", f"{len(rows)} direct dependencies"


def _deps(ctx, environment, last, findings, measured, report):
    from uvmgr_advisor.import_time import project_modules
    from uvmgr_advisor.unused_deps import dependency_findings, run_deptry

    env = environment()
    own = project_modules(ctx.project.root, env, ctx.project.name)
    found = dependency_findings(run_deptry(ctx, env, own), env)
    findings += found
    return "ok", f"{len(found)} issue(s) from deptry"


_UNAVAILABLE = (EnvironmentUnavailable, ImportsUnavailable, TestsUnavailable, DeptryUnavailable)
_RUNNERS = {"tests": _tests, "imports": _imports, "sizes": _sizes, "deps": _deps}

# Which of the advisor's fixed checks to run: names nothing the safety layer must check.
advise_targets = Targets("advise", {"checks": TARGET_FREE})
