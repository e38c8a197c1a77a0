"""AutoPilot on the shapes of real projects (issue 13): one package that drags a transitive
package across a major is held back alone and the rest proceeds; every outdated package
appears in the report; a cap is never edited; the bundled demo ends with tested changes."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo"


def _with_policy(project, advisories, policy: str = "") -> None:
    config = Path(os.environ["XDG_CONFIG_HOME"]) / "uvmgr" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'audit-db = "{advisories}"\n')
    if policy:
        project.pyproject.write_text(project.pyproject.read_text()
                                     + f"\n[tool.uvmgr.autopilot]\n{policy}\n")


def test_a_transitive_major_holds_back_only_its_package(cli, project_factory,
                                                        fixture_advisories):
    # demo-plugin 1.0.0 -> 1.1.0 is a minor step that drags demo-json 2.0.1 -> 3.0.0
    project = project_factory(["demo-plugin>=1.0", "demo-cli>=0.9"],
                              {"demo-plugin": "1.0.0", "demo-json": "2.0.1", "demo-cli": "1.0.0",
                               "demo-http": "1.0.3"})
    _with_policy(project, fixture_advisories)
    r = cli("autopilot", "--project", project.root, "--json")
    run = r.json()
    assert r.code == 0, run["needs_person"]
    assert project.locked_version("demo-cli") == "1.1.0"
    assert project.locked_version("demo-plugin") == "1.0.0"
    assert project.locked_version("demo-json") == "2.0.1"
    held = {h["name"]: h for h in run["held_back"]}
    assert "demo-json" in held["demo-plugin"]["reason"]
    assert "major" in held["demo-plugin"]["reason"]


def test_every_outdated_package_is_in_the_report(cli, project_factory, fixture_advisories,
                                                 tmp_path):
    project = project_factory(["demo-cli>=0.9", "demo-yaml>=5.0", "demo-json>=2.0"],
                              {"demo-cli": "1.0.0", "demo-yaml": "5.0.1", "demo-json": "2.0.1",
                               "demo-http": "1.0.3"})
    _with_policy(project, fixture_advisories, 'ignore = ["demo-yaml"]\nmax-packages = 1')
    report = tmp_path / "report.md"
    r = cli("autopilot", "--report", report, "--project", project.root, "--json")
    run = r.json()
    assert r.code == 0, run["needs_person"]
    applied = {c["name"] for c in run["changes"] if c["direct"]}
    assert len(applied) == 1 and applied <= {"demo-cli", "demo-json"}
    deferred = {d["name"] for d in run["deferred"]}
    assert deferred == {"demo-cli", "demo-json"} - applied
    assert {p["name"]: p["reason"] for p in run["by_policy"]} == {"demo-yaml": "ignored"}
    text = report.read_text()
    assert "## Deferred to the next run" in text and "max-packages" in text
    assert "## Ignored or pinned by the policy" in text
    for name in ("demo-cli", "demo-yaml", "demo-json"):
        assert name in text


def test_a_cap_is_never_edited(cli, project_factory, fixture_advisories):
    project = project_factory(["demo-cli>=0.9,<1.1.0", "demo-json>=2.0"],
                              {"demo-cli": "1.0.0", "demo-json": "2.0.1", "demo-http": "1.0.3"})
    _with_policy(project, fixture_advisories)
    before = project.pyproject.read_text()
    r = cli("autopilot", "--project", project.root, "--json")
    run = r.json()
    assert r.code == 0, run["needs_person"]
    assert project.pyproject.read_text() == before
    assert project.locked_version("demo-cli") == "1.0.1"
    held = {h["name"]: h for h in run["held_back"]}
    assert "held by your cap `<1.1.0`" in held["demo-cli"]["reason"]
    assert "1.1.0" in held["demo-cli"]["reason"]


@pytest.mark.registry
def test_the_bundled_demo_ends_with_tested_changes(cli, tmp_path, shared_advisories):
    """Real packages from the registry: the demo's default policy makes real changes."""
    root = tmp_path / "demo"
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns(".venv", ".uvmgr"))
    config = Path(os.environ["XDG_CONFIG_HOME"]) / "uvmgr" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'audit-db = "{shared_advisories}"\n')
    r = cli("autopilot", "--project", root, "--json")
    run = r.json()
    assert run["changes"], run["needs_person"]
    assert [g["name"] for g in run["gates"]] == ["tests"] and run["gates"][0]["ok"]
    assert not run["restored"]
