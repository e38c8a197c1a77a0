"""uvmgr test / build / check against real projects."""

from __future__ import annotations

import subprocess

import pytest


def test_test_passes_and_reports_counts(cli, demo_project):
    r = cli("test", "--project", demo_project.root, "--json")
    assert r.code == 0, r.err
    report = r.json()
    assert (report["passed"], report["failed"], report["ok"]) == (1, 0, True)


def test_test_failure_lists_failing_ids(cli, project_factory):
    project = project_factory(["demo-json"], {"demo-json": "2.0.0"}, tests="fail")
    r = cli("test", "--project", project.root, "--json")
    assert r.code == 1
    report = r.json()
    assert report["failed"] == 1 and report["passed"] == 1
    assert report["failures"][0]["id"].endswith("test_always_fails")
    assert "deliberate failure" in report["failures"][0]["message"]


def test_pytest_args_after_double_dash(cli, project_factory):
    project = project_factory(["demo-json"], {"demo-json": "2.0.0"}, tests="fail")
    r = cli("test", "--project", project.root, "--json", "--", "-k", "imports")
    assert r.code == 0, r.out
    assert r.json()["passed"] == 1 and r.json()["failed"] == 0


def test_missing_test_suite(cli, project_factory):
    project = project_factory(["demo-json"], {"demo-json": "2.0.0"}, tests="none")
    r = cli("test", "--project", project.root)
    assert r.code == 2 and "test suite is missing" in r.err and "no tests" in r.err
    project = project_factory(["demo-json"], {"demo-json": "2.0.0"}, dev=[])
    r = cli("test", "--project", project.root)
    assert r.code == 2 and "pytest is not installed" in r.err


def test_build_lists_artifacts_and_checks_metadata(cli, project_factory, tmp_path):
    project = project_factory(["demo-json>=2"], {"demo-json": "2.0.0"}, build_system=True)
    out = tmp_path / "dist"
    r = cli("build", "--out-dir", out, "--project", project.root, "--json")
    assert r.code == 0, r.err + r.out
    report = r.json()
    kinds = sorted(a["kind"] for a in report["artifacts"])
    assert kinds == ["sdist", "wheel"]
    assert all(a["size"] > 0 for a in report["artifacts"])
    assert report["metadata"]["version"] == "0.1.0"
    assert report["metadata"]["requires_dist"] == ["demo-json>=2"]


def test_build_without_build_system(cli, demo_project):
    r = cli("build", "--project", demo_project.root)
    assert r.code == 2 and "no [build-system]" in r.err


def _ruff_available() -> bool:
    try:
        return subprocess.run(["uv", "tool", "run", "ruff", "--version"], check=False,
                              capture_output=True, timeout=120).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.mark.skipif(not _ruff_available(), reason="ruff is not in uv's cache and PyPI is out of reach")
def test_check_reports_lint_and_format_findings(cli, demo_project):
    (demo_project.root / "app.py").write_text("import os\nx=1\n")
    r = cli("check", "--project", demo_project.root, "--json")
    assert r.code == 1
    report = r.json()
    assert any(f["check"] == "lint" and f["code"] == "F401" and f["file"].endswith("app.py")
               for f in report["findings"])
    assert any(f["check"] == "format" and f["file"].endswith("app.py") for f in report["findings"])
    assert {run["check"] for run in report["runs"]} == {"format", "lint", "types"}


def test_check_never_relocks_a_stale_lock(cli, project_factory):
    """`uvmgr check` is read-only, and so is `ask "is my code formatted?"` that runs it: `uv
    check` (the types step) syncs first and used to rewrite a stale uv.lock to do so."""
    app = project_factory(["demo-http>=1.0,<1.1"], {"demo-http": "1.0.0"}, sync=False)
    app.pyproject.write_text(app.pyproject.read_text().replace(
        '"demo-http>=1.0,<1.1"', '"demo-http>=1.0,<1.1", "demo-json"'))  # not locked yet
    before = app.snapshot()
    cli("check", "--project", app.root, "--json")
    assert app.snapshot() == before
