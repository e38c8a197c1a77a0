"""Shapes of real uv projects (issue 13), each on its generated fixture with real uv:
forked locks (a package locked at one version per Python range), deliberate `==` pins and
caps, dynamic dependencies, and a cooldown that holds for transitive packages too."""

from __future__ import annotations

import datetime
import subprocess

import pytest
from uvmgr.evals.dated_index import serve_dated_index
from uvmgr.evals.fixtures import COOLDOWN_NEW, COOLDOWN_PACKAGES, FORK_DEV, _uv, make_project
from uvmgr.evals.wheel_index import add_test_runner, build_demo_wheel

FORK_LOW = "python_full_version < '3.11'"
FORK_HIGH = "python_full_version >= '3.11'"


def _locked_versions(project, name: str) -> list[str]:
    import tomllib

    data = tomllib.loads(project.lock.read_text())
    return sorted(p["version"] for p in data["package"] if p["name"] == name)


# -- forks -------------------------------------------------------------------------------------

def _forked(dest, index, extra=(), tests="pass"):
    """requires-python >=3.9: demo-modern 1.2+ needs 3.11, so the lock holds 1.1.0 for older
    Pythons and 1.2.0 for 3.11 and newer (1.3.0 exists and is left to upgrade to)."""
    project = make_project(dest, index, ["demo-modern>=1.0", *extra], lock=False,
                           requires_python=">=3.9", tests=tests, dev=FORK_DEV)
    _uv(["lock", "--upgrade-package", "demo-modern<1.3"], dest)
    _uv(["sync"], dest)
    return project


@pytest.fixture(scope="module")
def forked_project(tmp_path_factory, wheel_index):
    return _forked(tmp_path_factory.mktemp("forked") / "forked", wheel_index)


def test_list_shows_each_fork(cli, forked_project):
    assert _locked_versions(forked_project, "demo-modern") == ["1.1.0", "1.2.0"]  # the fixture
    r = cli("deps", "list", "--project", forked_project.root, "--json")
    assert r.code == 0, r.err
    [dep] = [d for d in r.json()["dependencies"] if d["name"] == "demo-modern"]
    assert [(f["version"], f["marker"]) for f in dep["forks"]] == [("1.1.0", FORK_LOW),
                                                                  ("1.2.0", FORK_HIGH)]
    text = cli("deps", "list", "--project", forked_project.root).out
    assert "1.1.0" in text and "1.2.0" in text


def test_outdated_shows_the_targets_per_fork(cli, forked_project):
    r = cli("deps", "outdated", "--project", forked_project.root, "--json")
    assert r.code == 0, r.err
    [row] = [o for o in r.json() if o["name"] == "demo-modern"]
    assert row["locked_versions"] == ["1.1.0", "1.2.0"]
    assert row["compatible_versions"] == ["1.1.0", "1.3.0"]  # 1.3.0 needs 3.11 too
    assert row["latest_compatible"] == "1.3.0"


def test_default_upgrade_works_on_a_forked_lock(cli, tmp_path, wheel_index):
    project = _forked(tmp_path / "app", wheel_index)
    r = cli("deps", "upgrade", "--project", project.root, "--json")
    assert r.code == 0, r.err
    assert _locked_versions(project, "demo-modern") == ["1.1.0", "1.3.0"]


def test_safe_upgrade_reaches_the_newest_per_fork(cli, tmp_path, wheel_index):
    # locked at 1.0.0 for every Python: uv can install 1.1.0 on 3.9/3.10 and 1.3.0 on 3.11+,
    # which an `==1.3.0` target computed with the 3.11 interpreter cannot express
    project = make_project(tmp_path / "app", wheel_index, ["demo-modern>=1.0"],
                           {"demo-modern": "1.0.0"}, requires_python=">=3.9", dev=FORK_DEV)
    assert _locked_versions(project, "demo-modern") == ["1.0.0"]
    r = cli("deps", "upgrade", "--safe", "--project", project.root, "--json")
    assert r.code == 0, r.out + r.err
    assert _locked_versions(project, "demo-modern") == ["1.1.0", "1.3.0"]
    assert not r.json()["held_back"]


# -- pins and caps -----------------------------------------------------------------------------

CAPPED = ["demo-yaml==5.0.0", "demo-cli>=0.9,<1.1.0", "demo-json>=2.0"]
CAPPED_LOCK = {"demo-yaml": "5.0.0", "demo-cli": "1.0.0", "demo-json": "2.0.0"}


def test_upgrade_everything_keeps_pins_and_caps(cli, project_factory):
    project = project_factory(CAPPED, CAPPED_LOCK)
    before = project.pyproject.read_text()
    r = cli("deps", "upgrade", "--project", project.root, "--json")
    assert r.code == 0, r.err
    result = r.json()
    assert project.pyproject.read_text() == before and result["constraint_edits"] == []
    assert project.locked_version("demo-yaml") == "5.0.0"
    assert project.locked_version("demo-cli") == "1.0.1"  # inside the cap
    assert project.locked_version("demo-json") == "2.1.0"
    held = {h["name"]: h for h in result["capped"]}
    assert "held by your cap `<1.1.0`" in held["demo-cli"]["reason"]
    assert held["demo-cli"]["wanted"] == "1.1.0"
    assert "held by your pin `==5.0.0`" in held["demo-yaml"]["reason"]
    assert held["demo-yaml"]["wanted"] == "5.1.0"
    text = cli("deps", "upgrade", "--dry-run", "--project", project.root).out
    assert "held by your cap `<1.1.0`" in text


def test_safe_upgrade_keeps_pins_and_caps(cli, project_factory):
    project = project_factory(CAPPED, CAPPED_LOCK)
    before = project.pyproject.read_text()
    r = cli("deps", "upgrade", "--safe", "--project", project.root, "--json")
    assert r.code == 0, r.out + r.err
    result = r.json()
    assert project.pyproject.read_text() == before
    assert project.locked_version("demo-cli") == "1.0.1"
    assert project.locked_version("demo-yaml") == "5.0.0"
    held = {h["name"]: h for h in result["held_back"]}
    assert "held by your cap `<1.1.0`" in held["demo-cli"]["reason"]
    assert "1.1.0" in held["demo-cli"]["reason"]


def test_naming_a_capped_package_raises_its_cap(cli, project_factory):
    project = project_factory(CAPPED, CAPPED_LOCK)
    r = cli("deps", "upgrade", "demo-cli", "--project", project.root, "--json")
    assert r.code == 0, r.err
    assert [e["after"] for e in r.json()["constraint_edits"]] == ["demo-cli>=0.9,<1.1.1"]
    assert project.locked_version("demo-cli") == "1.1.0"
    assert project.locked_version("demo-yaml") == "5.0.0"


# -- dynamic dependencies ----------------------------------------------------------------------

DYNAMIC = ["demo-json>=2.0,<3", "demo-http>=1.0,<1.1"]


@pytest.fixture(scope="module")
def dynamic_project(tmp_path_factory, wheel_index):
    return make_project(tmp_path_factory.mktemp("dynamic") / "dyn", wheel_index, DYNAMIC,
                        {"demo-json": "2.0.0", "demo-http": "1.0.0"},
                        dynamic_dependencies=True)


def test_dynamic_dependencies_are_read_from_the_lock(cli, dynamic_project):
    r = cli("deps", "list", "--project", dynamic_project.root, "--json")
    assert r.code == 0, r.err
    deps = {d["name"]: d for d in r.json()["dependencies"]}
    assert deps["demo-json"]["locked"] == "2.0.0" and deps["demo-json"]["dynamic"] is True
    assert deps["demo-http"]["requirement"] == "demo-http>=1.0,<1.1"
    assert deps["pytest"]["dynamic"] is False
    text = cli("deps", "list", "--project", dynamic_project.root).out
    assert "dynamic (read from the lock)" in text
    r = cli("deps", "outdated", "--project", dynamic_project.root, "--json")
    assert {o["name"] for o in r.json()} >= {"demo-json", "demo-http"}


def test_changing_a_dynamic_dependency_is_refused(cli, dynamic_project):
    before = dynamic_project.snapshot()
    for args in (("deps", "remove", "demo-json"), ("deps", "upgrade", "demo-http"),
                 ("deps", "add", "demo-yaml")):
        r = cli(*args, "--project", dynamic_project.root)
        assert r.code == 2, (args, r.out, r.err)
        assert "dynamic" in r.err and "build backend" in r.err, r.err
    assert dynamic_project.snapshot() == before


def test_upgrading_one_dynamic_package_stays_one_package(cli, tmp_path, wheel_index):
    project = make_project(tmp_path / "dyn", wheel_index, DYNAMIC,
                           {"demo-json": "2.0.0", "demo-http": "1.0.0"},
                           dynamic_dependencies=True)
    r = cli("deps", "upgrade", "demo-json", "--project", project.root, "--json")
    assert r.code == 0, r.err
    assert {c["name"] for c in r.json()["changes"]} == {"demo-json"}
    assert project.locked_version("demo-json") == "2.1.0"
    assert project.locked_version("demo-http") == "1.0.0"


# -- cooldown ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def dated_index(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dated")
    for package in COOLDOWN_PACKAGES:
        for release in package.releases:
            build_demo_wheel(folder, package, release)
    add_test_runner(folder)
    yesterday = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=1)
    with serve_dated_index(folder, {prefix: yesterday for prefix in COOLDOWN_NEW}) as url:
        yield url


def test_cooldown_holds_for_transitive_packages(cli, tmp_path, wheel_index, dated_index):
    project = make_project(tmp_path / "cool", wheel_index, ["demo-base>=1.0"],
                           {"demo-base": "1.0.0", "demo-dep": "1.0.0"}, index_url=dated_index)
    r = cli("deps", "upgrade", "--safe", "--project", project.root, "--json")
    assert r.code == 0, r.out + r.err
    # demo-base 1.1.0 is old enough but needs demo-dep 1.1.0, uploaded yesterday
    assert project.locked_version("demo-dep") in ("1.0.0", "1.0.1")
    assert project.locked_version("demo-base") == "1.0.1"
    assert "exclude-newer" not in project.lock.read_text()  # the person's lock options stay
    check = subprocess.run(["uv", "lock", "--check"], cwd=project.root, capture_output=True,
                           text=True, check=False)
    assert check.returncode == 0, check.stderr


def test_cooldown_never_moves_back_a_young_release_already_locked(cli, tmp_path, wheel_index,
                                                                   dated_index):
    # demo-dep 1.1.0 (uploaded yesterday) is locked already: the cooldown keeps it, and
    # demo-base may then have 1.1.0, which needs nothing newer than what is locked
    project = make_project(tmp_path / "cool", wheel_index, ["demo-base>=1.0"],
                           {"demo-base": "1.0.0", "demo-dep": "1.1.0"}, index_url=dated_index)
    r = cli("deps", "upgrade", "--safe", "--project", project.root, "--json")
    assert r.code == 0, r.out + r.err
    assert project.locked_version("demo-dep") == "1.1.0"
    assert project.locked_version("demo-base") == "1.1.0"
    assert not [c for c in r.json()["changes"] if c["name"] == "demo-dep"]


def test_a_failed_upgrade_on_a_fork_shows_uvs_whole_cause(cli, tmp_path, wheel_index):
    # naming a pinned package rewrites its pin, but `==1.3.0` cannot hold on Python 3.10
    project = make_project(tmp_path / "app", wheel_index, ["demo-modern==1.0.0"],
                           requires_python=">=3.10", dev=FORK_DEV, sync=False)
    before = project.snapshot()
    r = cli("deps", "upgrade", "demo-modern", "--project", project.root)
    assert r.code == 1, r.err
    assert "split" in r.err and "requires Python >=3.11" in r.err
    assert "we can conclude that your project's requirements are unsatisfiable" in r.err
    assert project.snapshot() == before


def test_uvs_cause_is_kept_whole():
    from uvmgr.tools.runner import ProcessResult
    from uvmgr.tools.uv_errors import uv_message

    stderr = """Using CPython 3.11.7 interpreter at: /usr/bin/python3
error: No solution found when resolving dependencies for split (markers: python_full_version == '3.10.*')
  cause: Because the current Python version (3.11.7) does not satisfy Python>=3.12 and all versions of gha-update depend on Python>=3.12, we can conclude that all versions of gha-update cannot be used.
         And because you require gha-update, we can conclude that your requirements are unsatisfiable.

hint: The `requires-python` value (>=3.10) includes Python versions that are not supported by your dependencies.
"""
    message = uv_message(ProcessResult(("uv",), 1, "", stderr, 0.1))
    assert "And because you require gha-update" in message
    assert "Using CPython" not in message
