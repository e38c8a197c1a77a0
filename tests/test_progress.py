"""Progress: tools report their phases through `ToolContext.progress`, and test counts come
from the test run itself (a pytest plugin writing one line per outcome), not from guessing."""

from __future__ import annotations

from uvmgr.tools.context import ToolContext
from uvmgr.tools.progress import Progress
from uvmgr.tools.project import Project
from uvmgr.tools.registry import TOOLS, invoke
from uvmgr.tools.runner import ProcessRunner

from uvmgr.config import Settings
from uvmgr.telemetry import Tracer


def _ctx(root, events: list) -> ToolContext:
    tracer = Tracer()
    ctx = ToolContext(Project(root), ProcessRunner(tracer), tracer, Settings())
    ctx.progress = events.append
    return ctx


def _phases(events: list[Progress]) -> list[str]:
    """The phases in order, repeats folded."""
    out: list[str] = []
    for e in events:
        if not out or out[-1] != e.phase:
            out.append(e.phase)
    return out


def test_safe_upgrade_reports_its_phases_in_order_with_real_test_counts(project_factory):
    project = project_factory(
        ["demo-http>=1.0,<1.1", "demo-json>=2.0,<3", "demo-cli>=0.9"],
        {"demo-http": "1.0.0", "demo-json": "2.0.0", "demo-cli": "1.0.0"},
        tests="fail-after-upgrade:demo-http",
    )
    events: list[Progress] = []
    # named, so demo-http's cap `<1.1` may be raised (an unnamed cap is kept)
    result = invoke(TOOLS["upgrade_safely"], _ctx(project.root, events), level="minor",
                    packages=["demo-http", "demo-json", "demo-cli"])
    assert result.held_back and result.trials >= 3
    phases = _phases(events)
    # the newest versions looked up, the baseline run, then the whole batch, then the bisection
    assert phases[:5] == ["resolving", "testing", "resolving", "syncing", "testing"], phases
    assert events[0].detail.startswith("newest versions of ")
    assert "bisecting" in phases
    assert phases.index("bisecting") > 4
    bisecting = [e for e in events if e.phase == "bisecting"]
    assert [e.done for e in bisecting] == list(range(2, result.trials + 1))
    assert all(e.done <= e.total for e in bisecting)
    # counts come from the run: the suite has two tests; every run ends with all of them counted
    counted = [e for e in events if e.phase == "testing" and e.total]
    assert counted and {e.total for e in counted} == {2}
    runs = [e for e in counted if e.done == e.total]
    assert runs[0].passed == 2 and runs[0].failed == 0  # the baseline
    assert any(e.failed == 1 and e.passed == 1 for e in runs)  # demo-http 1.2.0 breaks one
    assert len(runs) == result.trials + 1


def test_counts_arrive_one_test_at_a_time(project_factory):
    project = project_factory(["demo-http>=1.0,<1.1"], {"demo-http": "1.0.0"}, tests="fail")
    events: list[Progress] = []
    report = invoke(TOOLS["run_tests"], _ctx(project.root, events))
    assert (report.passed, report.failed) == (1, 1)
    last = events[-1]
    assert (last.phase, last.done, last.total, last.passed, last.failed) == ("testing", 2, 2, 1, 1)
    assert last.line() == "testing: 2/2 (1 passed, 1 failed)"


def test_status_line_shows_on_a_terminal_only():
    import io

    from rich.console import Console

    from uvmgr.status_line import StatusLine

    for terminal in (True, False):
        out = io.StringIO()
        line = StatusLine(Console(file=out, force_terminal=terminal, width=80))
        line(Progress("testing", done=3, total=8, passed=3))
        line.close()
        assert ("testing: 3/8 (3 passed, 0 failed)" in out.getvalue()) is terminal


def test_piped_cli_prints_no_status_line(cli, demo_project):
    r = cli("test", "--project", demo_project.root)
    assert r.code == 0
    assert "testing" not in r.err and "\x1b" not in r.err


def test_the_plugin_counts_each_outcome_once_under_xdist(tmp_path):
    """The plugin in a real pytest run with two xdist workers (this repository's pytest)."""
    import os
    import subprocess
    import sys

    from uvmgr.tools.pytest_progress import TestProgress

    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "test_x.py").write_text("import pytest\n\n"
                                     "@pytest.mark.parametrize('n', range(5))\n"
                                     "def test_n(n):\n    assert n != 3\n\n"
                                     "def test_skip():\n    pytest.skip('no')\n")
    folder = tmp_path / "plugin"
    folder.mkdir()
    events: list[Progress] = []
    with TestProgress(folder, events.append) as progress:
        # Only xdist and the plugin: this environment's other pytest plugins are slow to load.
        env = {**os.environ, **progress.env(os.environ), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
        subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                        "-p", "xdist", *progress.pytest_args, "-n", "2", str(suite)], env=env,
                       capture_output=True, timeout=120, cwd=tmp_path, check=False)
    last = events[-1]
    assert (last.done, last.total, last.passed, last.failed) == (6, 6, 4, 1)
