"""Slow tests: per-test setup, call and teardown times from the project's own pytest run.

The times come from pytest itself, as data: a one-hook plugin (`pytest_runtest_logreport`,
stdlib only, put on PYTHONPATH for this run) writes each report's phase and duration as a
JSON line. It works under pytest-xdist too (the controller sees every report).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from uvmgr.tools.context import ToolContext
from uvmgr.tools.pytest_root import own_config_args

from uvmgr_advisor.findings import Finding, TestTiming

PLUGIN = "uvmgr_advisor_timings"
PLUGIN_SOURCE = '''
import json, os

def pytest_runtest_logreport(report):
    with open(os.environ["UVMGR_ADVISOR_TIMINGS"], "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": report.nodeid, "when": report.when,
                             "duration": report.duration, "outcome": report.outcome}) + "\\n")
'''
SLOW_SECONDS = 0.5  # a test slower than this is a finding
REGRESSION_RATIO, REGRESSION_SECONDS = 1.5, 0.2  # slower by both: a regression
SHOWN = 10
NO_TESTS_COLLECTED = 5


class TestsUnavailable(Exception):
    """The suite could not be timed (no pytest, no tests, it did not finish)."""


def time_tests(ctx: ToolContext) -> list[TestTiming]:
    """Run the project's pytest (with its configured `test-args`) and time every test."""
    with tempfile.TemporaryDirectory(prefix="uvmgr-advisor-") as tmp:
        Path(tmp, f"{PLUGIN}.py").write_text(PLUGIN_SOURCE, encoding="utf-8")
        out = Path(tmp, "timings.jsonl")
        path = os.pathsep.join(p for p in (tmp, os.environ.get("PYTHONPATH", "")) if p)
        result = ctx.runner.uv(
            ["run", "--frozen", "python", "-m", "pytest", "-p", PLUGIN, "-p", "no:cacheprovider",
             *own_config_args(ctx.project.root, ctx.project.root, Path(tmp)), "-q",
             *ctx.settings.test_args],
            ctx.project.root, timeout=ctx.settings.timeout,
            env={"PYTHONPATH": path, "UVMGR_ADVISOR_TIMINGS": str(out)})
        if result.timed_out:
            raise TestsUnavailable(f"the suite did not finish within {ctx.settings.timeout:g} s")
        if "No module named pytest" in result.stderr:
            raise TestsUnavailable("pytest is not installed in the project environment")
        if result.returncode == NO_TESTS_COLLECTED:
            raise TestsUnavailable("pytest collected no tests")
        if not out.exists():
            tail = " ".join((result.stderr or result.stdout).strip().splitlines()[-2:])
            raise TestsUnavailable(f"the tests could not run: {tail or result.returncode}")
        return parse_timings(out.read_text(encoding="utf-8"))


def parse_timings(text: str) -> list[TestTiming]:
    """One `TestTiming` per test id from the plugin's JSON lines (a rerun adds up)."""
    phases: dict[str, dict[str, float]] = {}
    outcome: dict[str, str] = {}
    for line in text.splitlines():
        try:
            item = json.loads(line)
        except ValueError:
            continue
        test = phases.setdefault(item["id"], {"setup": 0.0, "call": 0.0, "teardown": 0.0})
        test[item["when"]] = test.get(item["when"], 0.0) + float(item["duration"])
        if item["outcome"] != "passed":  # the first phase that did not pass says it
            outcome.setdefault(item["id"], item["outcome"] if item["when"] == "call" else
                               f"{item['outcome']} in {item['when']}")
    return [TestTiming(test_id, p["setup"], p["call"], p["teardown"],
                       outcome.get(test_id, "passed")) for test_id, p in phases.items()]


def slow_test_findings(timings: list[TestTiming], last: dict[str, float],
                       ) -> tuple[list[Finding], float]:
    """Findings for tests over `SLOW_SECONDS` or a regression against the last run, and the
    suite's summed test time."""
    total = sum(t.total for t in timings)
    findings = []
    for t in sorted(timings, key=lambda t: -t.total):
        before = last.get(t.id)
        regression = (before is not None and t.total >= before * REGRESSION_RATIO
                      and t.total - before >= REGRESSION_SECONDS)
        if t.total < SLOW_SECONDS and not regression:
            continue
        share = t.total / total if total else 0.0
        evidence = (f"{share:.0%} of the suite's {total:.2f} s; setup {t.setup:.2f} s, call "
                    f"{t.call:.2f} s, teardown {t.teardown:.2f} s")
        if before is not None:
            evidence += f"; last run {before:.2f} s"
        findings.append(Finding("tests", "slow-test", t.id, round(t.total, 3), "s", evidence,
                                _advice(t), regression))
    return findings, total


def _advice(t: TestTiming) -> str:
    if t.setup + t.teardown > t.call:
        return ("most of its time is fixture setup/teardown: widen the fixture's scope "
                "(scope='module' or 'session') or share the expensive resource between tests")
    return ("most of its time is the test body: replace sleeps and real waits with fakes, "
            "shrink its input, or mark it (@pytest.mark.slow) and run it separately")
