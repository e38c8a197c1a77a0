"""Shapes found on real public uv projects (docs/field-results.md), each reproduced on a small
generated project over the local wheel index. Real uv throughout."""

from __future__ import annotations

import pytest
from uvmgr.evals.fixtures import make_project
from uvmgr.evals.source_fixtures import GIT_PACKAGE, WheelServer, bare_git_repo


def test_a_preview_that_cannot_relock_lists_only_real_moves(cli, tmp_path, wheel_index,
                                                             monkeypatch):
    # pydantic-ai: a git source whose host is unreachable here, so `uv lock --dry-run` over
    # the batch fails; the preview fell back to every plan, listing `httpx: 0.28.1 -> 0.28.1`
    # (kind "downgrade") for packages already up to date.
    repo = bare_git_repo(tmp_path / "sources", GIT_PACKAGE)
    project = make_project(tmp_path / "app", wheel_index,
                           ["demo-json>=2.0,<3", "demo-yaml>=5.0,<6",
                            f"{GIT_PACKAGE} @ git+file://{repo}"],
                           {"demo-json": "2.1.0", "demo-yaml": "5.0.0"}, dev=[], sync=False)
    repo.rename(repo.with_name("moved.git"))  # the git host is now unreachable,
    monkeypatch.setenv("UV_CACHE_DIR", str(tmp_path / "fresh-cache"))  # and not in uv's cache
    before = project.snapshot()
    r = cli("deps", "upgrade", "--safe", "--dry-run", "--project", project.root, "--json")
    assert r.code == 0, r.out + r.err
    moves = {c["name"]: (c["before"], c["after"]) for c in r.json()["changes"]}
    assert moves == {"demo-yaml": ("5.0.0", "5.1.0")}
    assert "demo-json" in r.json()["up_to_date"]
    # and it says plainly that uv could not resolve the batch, and why: the list is each
    # package's own target, not what uv would lock
    note = r.json()["note"]
    assert note.startswith("uv could not resolve the whole batch") and "git" in note, note
    assert "each package's own newest version" in note
    r = cli("deps", "upgrade", "--safe", "--dry-run", "--project", project.root)
    assert r.code == 0, r.out + r.err
    assert "uv could not resolve the whole batch" in r.out, r.out
    assert r.out.splitlines()[1].startswith("  note: uv could not resolve"), r.out
    assert project.snapshot() == before


def test_a_lock_behind_only_on_the_projects_own_version_is_still_read(cli, project_factory):
    # anthropic-sdk-python: a release commit bumps `version` in pyproject.toml without `uv
    # lock`; uv's check calls the lock out of date, and every read-only command refused. Only
    # the project's own entry would change: its dependencies are read as locked.
    project = project_factory(["demo-json>=2.0,<3"], {"demo-json": "2.0.0"}, build_system=True,
                              dev=[], sync=False)
    project.pyproject.write_text(project.pyproject.read_text().replace(
        'version = "0.1.0"', 'version = "0.2.0"', 1))
    before = project.snapshot()
    r = cli("deps", "list", "--project", project.root, "--json")
    assert r.code == 0, r.err
    assert [(d["name"], d["locked"]) for d in r.json()["dependencies"]] == [("demo-json", "2.0.0")]
    r = cli("deps", "outdated", "--project", project.root, "--json")
    assert r.code == 0, r.err
    assert [(o["name"], o["latest_compatible"]) for o in r.json()] == [("demo-json", "2.1.0")]
    # a preview relocks, which also moves the project's own entry: that is no package change
    name = project.root.name
    for args in (("deps", "upgrade"), ("deps", "upgrade", "--safe"), ("deps", "lock")):
        r = cli(*args, "--dry-run", "--project", project.root, "--json")
        assert r.code == 0, r.err
        assert name not in {c["name"] for c in r.json()["changes"]}, args
    assert project.snapshot() == before
    # a dependency edited without `uv lock` is still an out-of-date lock
    project.pyproject.write_text(project.pyproject.read_text().replace(
        "demo-json>=2.0,<3", "demo-json>=2.0.1,<3"))
    r = cli("deps", "list", "--project", project.root)
    assert r.code == 2 and "out of date" in r.err


@pytest.mark.parametrize("line", [
    # pallets/click (3.12 split into 3.12 and 3.13+)
    "Update sphinx v8.1.3, v9.0.4, v9.1.0 -> v8.1.3, v9.0.4, v9.1.1, v9.2.0",
    "Update numpy v2.2.6, v2.4.6 -> v2.2.6, v2.4.6, v2.5.5",  # openai-python
    "Update griffe v1.14.0, v2.0.0 -> v1.14.0, v2.3.0, v2.4.1",  # anthropic-sdk-python
])
def test_a_fork_that_splits_in_two_is_not_a_downgrade(line):
    # Every pair was checked, so 9.1.0 -> 8.1.3 read as a downgrade and the safety layer
    # refused the whole `ask "upgrade safely"` on 3 of the 12 projects (fixed on main by
    # tools/fork_pairs.py; these are the field's own lines).
    from uvmgr.agent.safety import downgrades
    from uvmgr.tools.changes import ChangeResult
    from uvmgr.tools.resolve import parse_dry_run

    changes = parse_dry_run(line + "\n", {"sphinx", "numpy", "griffe"})
    assert downgrades(ChangeResult("upgrade_safely", True, changes)) == []


# full-stack-fastapi-template needs Python 3.14; with UV_PYTHON=3.13 (as setup-uv sets it in CI)
# uv names no `.python-version`, yet the error blamed that file and told the person to delete it
REQUESTED_ELSEWHERE = (
    "error: The requested interpreter resolved to Python 3.13.0, which is incompatible with the "
    "project's Python requirement: `>=3.14, <4.0` (from `project.requires-python`)\n")
FROM_PIN_FILE = (
    "error: The Python request from `.python-version` resolved to Python 3.11.7, which is "
    "incompatible with the project's Python requirement: `>=3.14` (from "
    "`project.requires-python`)\n")


def test_an_interpreter_chosen_outside_python_version_is_not_blamed_on_it():
    from uvmgr.tools.runner import ProcessResult
    from uvmgr.tools.uv_errors import raise_for_uv

    from uvmgr.errors import PythonNotFound

    with pytest.raises(PythonNotFound) as caught:
        raise_for_uv(ProcessResult(("uv", "lock"), 2, "", REQUESTED_ELSEWHERE, 0.1), "checking uv.lock")
    error = caught.value
    assert ".python-version" not in error.message + error.hint
    assert "Python 3.13.0" in error.message and ">=3.14, <4.0" in error.message
    assert "UV_PYTHON" in error.hint and "uv python install 3.14" in error.hint
    with pytest.raises(PythonNotFound) as caught:
        raise_for_uv(ProcessResult(("uv", "lock"), 2, "", FROM_PIN_FILE, 0.1), "checking uv.lock")
    assert "`.python-version` selects Python 3.11.7" in caught.value.message


def test_a_missing_path_source_is_named_with_a_hint(cli, tmp_path, wheel_index):
    # langgraph's libs/langgraph names `../checkpoint` (editable); copied alone, every command
    # said "Failed to generate package metadata" with no hint
    from uvmgr.evals.source_fixtures import PATH_PACKAGE, sources_project

    served = tmp_path / "served"
    served.mkdir()
    with WheelServer(served) as url:
        project = sources_project(tmp_path / "app", wheel_index, url, served)
        folder = tmp_path / "app-sources" / PATH_PACKAGE
        folder.rename(folder.with_name("moved"))
        before = project.snapshot()
        r = cli("deps", "list", "--project", project.root)
    assert r.code == 1, r.err
    assert f"the path source of {PATH_PACKAGE}" in r.err and str(folder) in r.err, r.err
    assert "[tool.uv.sources]" in r.err and "hint:" in r.err
    assert project.snapshot() == before


def test_a_lock_is_read_without_its_file_lines_and_with_them_for_upload_times(demo_project):
    # pydantic-ai's 1.5 MB lock took 113 ms to parse on every command, nine tenths of it the
    # sdist and wheel lines (URLs, hashes, sizes) that only the upload times need
    import tomllib

    from uvmgr.tools.project import Project, _without_files

    text = demo_project.lock.read_text(encoding="utf-8")
    dated = text.replace('.whl" }', '.whl", upload-time = "2024-05-01T00:00:00Z" }')
    assert dated != text and "wheels = [" in dated
    demo_project.lock.write_text(dated, encoding="utf-8")
    slim = _without_files(dated)
    assert ".whl" not in slim  # every file line is gone
    full = tomllib.loads(dated)
    for entry in full["package"]:
        entry.pop("sdist", None)
        entry["wheels"] = [] if "wheels" in entry else entry.get("wheels")
        if entry["wheels"] is None:
            del entry["wheels"]
    assert tomllib.loads(slim) == full
    project = Project(demo_project.root)
    assert project.locked_packages()["demo-http"].version == "1.0.0"
    assert project.locked_upload_times()["demo-http"] == "2024-05-01T00:00:00Z"
