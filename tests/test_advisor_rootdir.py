"""`uvmgr advise` and `uvmgr test` on a project inside another pytest-configured tree (the bundled
`examples/demo` inside this repository, whose pyproject.toml says `addopts = "-ra -n auto"`):
pytest runs with the project's own configuration (or none), not the enclosing
one (`tools/pytest_root.py`), so the check is not reported unavailable nor the run failed."""

from __future__ import annotations

import pytest

ENCLOSING = """[project]
name = "enclosing-repo"
version = "0.1.0"

[tool.pytest.ini_options]
addopts = "-ra -n auto --no-such-flag"
testpaths = ["tests"]
"""


@pytest.fixture
def nested(project_factory, tmp_path):
    """A fixture project whose parent folder has a pytest configuration of its own, as the
    demo's has under this repository."""
    (tmp_path / "pyproject.toml").write_text(ENCLOSING, encoding="utf-8")
    return project_factory(["demo-http>=1.0"], {"demo-http": "1.0.0"})


def _tests_check(cli, fixture) -> dict:
    result = cli("advise", "--check", "tests", "--project", fixture.root, "--json")
    assert result.code == 0, result.err
    [check] = result.json()["checks"]
    return check


def test_the_enclosing_trees_pytest_config_is_not_used(cli, nested):
    before = nested.snapshot()
    check = _tests_check(cli, nested)
    assert check["state"] == "ok", check
    assert nested.snapshot() == before


def test_the_projects_own_pytest_config_is_used(cli, nested):
    (nested.root / "tests" / "test_checks.py").write_text(
        "def check_named_by_the_project():\n    assert True\n", encoding="utf-8")
    nested.pyproject.write_text(nested.pyproject.read_text(encoding="utf-8") + (
        '\n[tool.pytest.ini_options]\npython_functions = ["check_*", "test_*"]\n'),
        encoding="utf-8")
    result = cli("advise", "--check", "tests", "--project", nested.root, "--json")
    assert result.code == 0, result.err
    report = result.json()
    assert report["checks"][0]["state"] == "ok", report["checks"]
    ids = [t["id"] for t in report["slowest_tests"]]
    assert any(i.endswith("::check_named_by_the_project") for i in ids), ids


def test_uvmgr_test_is_rooted_at_the_project_too(cli, nested):
    result = cli("test", "--project", nested.root, "--json")
    assert result.code == 0, result.err
    assert result.json()["passed"] >= 1
