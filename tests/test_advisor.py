"""The performance advisor (packs/uvmgr_advisor) on real projects over the local wheel index:
a project with a slow test, a slow import, a heavy, an unused and an undeclared dependency is
found out with the right figures; a clean one gets no finding; nothing in either changes."""

from __future__ import annotations

import ast
import json
import os
import re
from pathlib import Path

import pytest
from uvmgr.evals.wheel_index import write_wheel

PACK = Path(__file__).resolve().parents[1] / "packs" / "uvmgr_advisor"

APP_SLOW = """import demo_heavy
import demo_http
import demo_json
import demo_slowimport


def fetch():
    return demo_http.greet(), demo_json.greet(), demo_slowimport.__name__
"""
TESTS_SLOW = """import time

import pytest


@pytest.fixture
def warm():
    time.sleep(0.05)


def test_fast():
    assert True


def test_slow(warm):
    time.sleep(0.7)
"""
APP_CLEAN = "import demo_http\n\n\ndef fetch():\n    return demo_http.greet()\n"
TESTS_CLEAN = "import app\n\n\ndef test_fetch():\n    assert app.fetch().startswith('demo-http')\n"


@pytest.fixture(scope="module")
def extra_wheels(tmp_path_factory) -> Path:
    """A dependency that is slow to import, and one that installs 6 MB."""
    dest = tmp_path_factory.mktemp("extra-wheels")
    write_wheel(dest, "demo-slowimport", "1.0.0",
                {"demo_slowimport/__init__.py": b"import time\ntime.sleep(0.3)\n"})
    write_wheel(dest, "demo-heavy", "1.0.0", {"demo_heavy/__init__.py": b"",
                                              "demo_heavy/data.bin": os.urandom(6_000_000)})
    return dest


def _project(project_factory, extra: Path, deps: list[str], app: str, tests: str):
    fixture = project_factory(deps, find_links=[extra], lock=False)
    (fixture.root / "app").mkdir()
    (fixture.root / "app" / "__init__.py").write_text(app, encoding="utf-8")
    (fixture.root / "tests" / "test_app.py").write_text(tests, encoding="utf-8")
    text = fixture.pyproject.read_text(encoding="utf-8").replace(
        f'name = "{fixture.root.name}"', 'name = "app"')
    fixture.pyproject.write_text(text, encoding="utf-8")
    from uvmgr.evals.fixtures import _uv

    _uv(["lock"], fixture.root)
    _uv(["sync"], fixture.root)
    return fixture


def test_each_problem_is_found_with_its_figure_and_nothing_changes(project_factory, extra_wheels,
                                                                    cli):
    fixture = _project(project_factory, extra_wheels,
                       ["demo-http>=1.0", "demo-yaml", "demo-slowimport", "demo-heavy"],
                       APP_SLOW, TESTS_SLOW)
    before = fixture.snapshot()
    result = cli("advise", "--project", fixture.root, "--json")
    assert result.code == 0, result.err
    report = result.json()
    assert [c["state"] for c in report["checks"]] == ["ok"] * 4, report["checks"]
    found = {(f["kind"], f["subject"]): f for f in report["findings"]}

    slow = found[("slow-test", "tests/test_app.py::test_slow")]
    assert 0.7 <= slow["figure"] < 3.0
    setup, call = (float(x) for x in re.search(r"setup ([\d.]+) s, call ([\d.]+) s",
                                                slow["evidence"]).groups())
    assert 0.05 <= setup < 0.7 and 0.7 <= call < 3.0
    assert "test body" in slow["recommendation"]
    assert ("slow-test", "tests/test_app.py::test_fast") not in found

    imported = found[("slow-import", "demo_slowimport")]
    assert 290 <= imported["figure"] < 2000
    assert "from demo-slowimport" in imported["evidence"]
    assert "only app/__init__.py imports it" in imported["recommendation"]

    heavy = found[("heavy-dependency", "demo-heavy")]
    assert 5.9 <= heavy["figure"] <= 6.2
    assert ("unused", "demo-yaml") in found
    transitive = found[("transitive", "demo_json")]
    assert "app/__init__.py:3" in transitive["evidence"]
    assert "uvmgr deps add demo-json" in transitive["recommendation"]
    assert len(found) == 5, sorted(found)

    assert fixture.snapshot() == before  # advice only: no project file changed
    last = json.loads((fixture.root / ".uvmgr" / "advisor" / "last.json").read_text())
    assert last["tests"]["tests/test_app.py::test_slow"] >= 0.7

    markdown = cli("advise", "--project", fixture.root, "--check", "sizes", "--markdown")
    assert markdown.out.startswith("## Performance advisor")
    assert "| sizes | heavy-dependency | `demo-heavy` | 6.0 MB |" in markdown.out


def test_a_clean_project_gets_no_findings(project_factory, extra_wheels, cli):
    fixture = _project(project_factory, extra_wheels, ["demo-http>=1.0"], APP_CLEAN, TESTS_CLEAN)
    result = cli("advise", "--project", fixture.root, "--json")
    assert result.code == 0, result.err
    report = result.json()
    assert [c["state"] for c in report["checks"]] == ["ok"] * 4, report["checks"]
    assert report["findings"] == []
    assert report["import_total_ms"] < 100
    assert [r["name"] for r in report["sizes"]] == ["pytest", "demo-http"]


def test_a_regression_against_the_last_run_is_flagged():
    from uvmgr_advisor.findings import TestTiming
    from uvmgr_advisor.slow_tests import slow_test_findings

    timings = [TestTiming("t::a", 0.0, 0.45, 0.0, "passed"), TestTiming("t::b", 0.0, 0.1, 0.0,
                                                                         "passed")]
    found, total = slow_test_findings(timings, {"t::a": 0.1, "t::b": 0.09})
    assert total == pytest.approx(0.55)
    assert [(f.subject, f.regression) for f in found] == [("t::a", True)]  # under 0.5 s, but 4.5x
    assert "last run 0.10 s" in found[0].evidence
    assert slow_test_findings(timings, {})[0] == []


def test_importtime_lines_are_read_under_the_projects_own_import_only():
    from uvmgr_advisor.environment import Environment
    from uvmgr_advisor.import_time import parse_importtime, top_imports

    stderr = (
        "import time: self [us] | cumulative | imported package\n"
        "import time:       900 |        900 | sitecustomize\n"
        "import time:        50 |         50 |     rich.style\n"
        "import time:     90100 |      90150 |   rich\n"
        "import time:       100 |        100 |   json\n"
        "import time:       200 |      90350 | app\n")
    lines = parse_importtime(stderr)
    assert [(line.module, line.depth) for line in lines][:3] == [
        ("sitecustomize", 0), ("rich.style", 2), ("rich", 1)]
    env = Environment({}, {"rich": ["rich"]}, frozenset({"json"}))
    costs = top_imports(lines, env, frozenset({"app"}))
    assert [(c.module, c.cumulative_ms, c.distribution, c.via) for c in costs] == [
        ("rich", 90.2, "rich", "app")]


def test_a_planted_last_run_is_never_followed_nor_trusted(tmp_path):
    from uvmgr.tools.project import Project
    from uvmgr_advisor import history

    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "0"\n')
    (tmp_path / ".uvmgr" / "advisor").mkdir(parents=True)
    outside = tmp_path / "outside.json"
    outside.write_text('{"tests": {"t": 1.0}}')
    (tmp_path / ".uvmgr" / "advisor" / "last.json").symlink_to(outside)
    project = Project(tmp_path)
    assert history.load_last(project) == {}
    from uvmgr.errors import UnsafeStatePath

    with pytest.raises(UnsafeStatePath):
        history.save_run(project, {"tests": {"t": 2.0}})
    assert outside.read_text() == '{"tests": {"t": 1.0}}'
    (tmp_path / ".uvmgr" / "advisor" / "last.json").unlink()
    (tmp_path / ".uvmgr" / "advisor" / "last.json").write_text(
        '{"tests": {"t": "fast", "u": 0.5, "v": true}, "imports": []}')
    assert history.load_last(project) == {"tests": {"u": 0.5}}


def test_the_pack_imports_only_the_pack_api():
    from uvmgr_advisor import PACK_API

    used = set()
    for path in PACK.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                used.add(node.module)
            elif isinstance(node, ast.Import):
                used.update(a.name for a in node.names)
    uvmgr_modules = {m for m in used if m == "uvmgr" or m.startswith("uvmgr.")}
    assert uvmgr_modules <= set(PACK_API), uvmgr_modules - set(PACK_API)


def test_autopilot_adds_the_advisors_section_on_request(project_factory, extra_wheels, cli,
                                                        fixture_advisories, tmp_path):
    fixture = _project(project_factory, extra_wheels, ["demo-http>=1.0"], APP_CLEAN, TESTS_CLEAN)
    config = Path(os.environ["XDG_CONFIG_HOME"]) / "uvmgr" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'audit-db = "{fixture_advisories}"\n')
    before = fixture.snapshot()
    report = tmp_path / "report.md"
    result = cli("autopilot", "--project", fixture.root, "--advise", "--report", report, "--json")
    assert result.code == 0, result.err
    assert [c["state"] for c in result.json()["advice"]["checks"]] == ["ok"] * 4
    text = report.read_text()
    assert "## Performance advisor" in text and "No findings." in text
    assert fixture.snapshot() == before
    plain = tmp_path / "plain.md"
    assert cli("autopilot", "--project", fixture.root, "--report", plain).code == 0
    assert "Performance advisor" not in plain.read_text()  # only on request


def test_deptry_issues_become_one_finding_per_module_and_kind():
    from uvmgr_advisor.environment import Environment
    from uvmgr_advisor.unused_deps import dependency_findings

    def issue(code, module, file="pkg/a.py", line=1):
        return {"error": {"code": code, "message": "..."}, "module": module,
                "location": {"file": file, "line": line, "column": 1}}

    env = Environment({}, {"yaml": ["pyyaml"], "anyio": ["anyio"]}, frozenset())
    found = dependency_findings([
        issue("DEP002", "six", "pyproject.toml", None),
        issue("DEP001", "yaml", "pkg/a.py", 3), issue("DEP001", "yaml", "pkg/b.py", 7),
        issue("DEP003", "anyio"),  # deptry's own environment has it: the project's decides
        issue("DEP001", "nowhere"),
        issue("DEP004", "pytest", "pkg/c.py", 2),
        issue("DEP005", "asyncio"),  # a standard-library module declared: not advice here
    ], env)
    assert [(f.kind, f.subject) for f in found] == [
        ("unused", "six"), ("transitive", "yaml"), ("transitive", "anyio"),
        ("undeclared", "nowhere"), ("dev-at-runtime", "pytest")]
    assert "pkg/a.py:3 (and 1 more places)" in found[1].evidence
    assert "uvmgr deps add pyyaml" in found[1].recommendation
    assert "uvmgr deps remove six" in found[0].recommendation


@pytest.mark.parametrize("mode", ["confirm", "yes"])
def test_the_agent_calls_advise_through_the_safety_layer(project_factory, extra_wheels, mode):
    """A model (scripted at the seam) calls the pack's tool as it calls a built-in: through the
    safety layer and the read-only guard, never asking anyone, under --yes or not, and the
    project's files stay byte-identical."""
    from uvmgr.agent.planner import AgentOptions, run_agent
    from uvmgr.evals.scripted_lm import ScriptedEngine

    from uvmgr.config import Settings
    from uvmgr.session import open_session

    fixture = _project(project_factory, extra_wheels, ["demo-http>=1.0", "demo-heavy>=1.0"],
                       APP_CLEAN, TESTS_CLEAN)
    ctx = open_session(fixture.root, settings=Settings(), recover=False, packs=True).ctx
    assert ctx.tools.pack_of("advise") == "advisor" and "advise" in ctx.tools.agent_tools
    before = fixture.snapshot()
    asked = []
    engine = ScriptedEngine([("advise", {"checks": ["sizes"]})])
    summary = run_agent(ctx, "which dependencies are heavy?", AgentOptions(
        engine=engine, mode=mode, confirmer=lambda ask: asked.append(ask) or False))
    assert summary.exit_code == 0 and asked == []
    [step] = summary.steps
    assert step.tool == "advise" and "demo-heavy" in step.observation
    assert fixture.snapshot() == before


def test_the_offline_planner_plans_advise_on_a_real_project(project_factory, extra_wheels, cli):
    fixture = _project(project_factory, extra_wheels, ["demo-http>=1.0"], APP_CLEAN, TESTS_SLOW)
    before = fixture.snapshot()
    result = cli("ask", "why is my test suite so slow?", "--project", fixture.root, "--json")
    assert result.code == 0, result.err
    [step] = result.json()["steps"]
    assert step["tool"] == "advise" and step["args"] == {"checks": ["tests"]}
    assert "tests/test_app.py::test_slow" in step["observation"]
    assert fixture.snapshot() == before
