"""The command line on bad input and in awkward places: usage errors (as JSON too), help for a
command without its action, flag suggestions, `--project` before the command, a read-only
project, a change in flight, the test gate before `--test`, a selection that matches no test,
and build leftovers."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from uvmgr.tools.journal import Journal
from uvmgr.tools.project import Project
from uvmgr.tools.transaction import ProjectLock


@pytest.mark.parametrize("argv", [[], ["deps"], ["docs"], ["advisories"]])
def test_a_command_without_its_action_prints_help_and_exits_2(cli, argv):
    r = cli(*argv)
    assert r.code == 2
    assert "usage: uvmgr" in r.out


def test_a_typo_in_a_flag_gets_a_suggestion(cli, demo_project):
    r = cli("deps", "list", "--projct", demo_project.root)
    assert r.code == 2
    assert "unrecognized arguments: --projct" in r.err
    assert "did you mean --project?" in r.err


def test_with_json_a_usage_error_is_one_json_document(cli, demo_project):
    for argv in (["deps", "list", "--json", "--projct", str(demo_project.root)],
                 ["deps", "upgrade", "--level", "huge", "--json"],
                 ["--json", "audit", "--sarif", "--bogus"]):
        r = cli(*argv)
        assert r.code == 2, argv
        error = json.loads(r.out)  # the whole of stdout is one document
        assert error["error"] == "UsageError" and error["exit_code"] == 2 and error["message"]
    assert "did you mean --project?" in json.loads(
        cli("deps", "list", "--json", "--projct", "x").out)["hint"]


def test_project_and_json_before_the_command(cli, demo_project):
    r = cli("--project", demo_project.root, "--json", "deps", "list")
    assert r.code == 0, r.err
    assert {d["name"] for d in r.json()["dependencies"]} >= {"demo-http", "demo-json"}
    r = cli("--project", demo_project.root, "deps", "list", "--project", "/elsewhere")
    assert r.code == 2 and "--project was given twice" in r.err


def test_upgrade_with_test_checks_the_tests_before_the_change(cli, project_factory):
    project = project_factory(["demo-http>=1.0,<1.1"], {"demo-http": "1.0.0"}, tests="fail")
    before = project.snapshot()
    r = cli("deps", "upgrade", "--test", "--level", "patch", "--project", project.root)
    assert r.code == 1
    assert "already fail before any upgrade" in r.err and "nothing was changed" in r.err
    assert project.snapshot() == before


def test_a_selection_that_matches_no_test_says_so(cli, demo_project):
    r = cli("test", "--project", demo_project.root, "--", "-k", "nomatch_anywhere")
    assert r.code == 2
    assert "no test matched" in r.err and "-k nomatch_anywhere" in r.err
    assert "missing" not in r.err


def test_build_removes_its_temporary_folder_and_the_leftovers_it_made(
        cli, project_factory, tmp_path, monkeypatch):
    project = project_factory(["demo-json>=2"], {"demo-json": "2.0.0"}, build_system=True)
    backend = project.root / "_backend" / "fixture_backend.py"
    backend.write_text(backend.read_text().replace(
        "def build_sdist(sdist_directory, config_settings=None):\n",
        "def build_sdist(sdist_directory, config_settings=None):\n"
        "    os.makedirs('build/lib', exist_ok=True)\n"
        "    os.makedirs('app.egg-info', exist_ok=True)\n"))
    (project.root / "src" / "kept.egg-info").mkdir(parents=True)  # the person's: not ours
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    r = cli("build", "--project", project.root, "--json")
    assert r.code == 0, r.out + r.err
    report = r.json()
    assert report["out_dir"] == "" and {a["kind"] for a in report["artifacts"]} == {"wheel",
                                                                                    "sdist"}
    assert sorted(report["removed"]) == ["app.egg-info", "build"]
    assert not (project.root / "build").exists() and not (project.root / "app.egg-info").exists()
    assert (project.root / "src" / "kept.egg-info").is_dir()
    assert list(temp.iterdir()) == []  # no uvmgr-build-* folder left behind


def test_a_reader_with_json_learns_a_change_is_in_flight(cli, demo_project):
    project = Project(demo_project.root)
    with ProjectLock(project):
        Journal(project).write("add")
        r = cli("deps", "list", "--project", demo_project.root, "--json")
    assert r.code == 0, r.err
    assert any("in flight" in n for n in r.json()["notices"])


# -- a read-only project: a real read-only mount (root) or folder (anyone else) -------------------

def _read_only_runner(root: Path):
    """A function running the CLI in a subprocess that sees `root` read-only, or None."""
    python = [sys.executable, "-m", "uvmgr.cli"]
    if os.geteuid() != 0:
        for path in [root, *root.rglob("*")]:
            if not path.is_symlink():
                path.chmod(path.stat().st_mode & ~0o222)
        return lambda *args: subprocess.run([*python, *args], capture_output=True, text=True, check=False,
                                            timeout=120)
    unshare = shutil.which("unshare")
    if unshare is None:
        return None
    script = ('mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"')
    probe = subprocess.run([unshare, "-m", "sh", "-c", script, str(root), "true"],
                           capture_output=True, check=False)
    if probe.returncode != 0:
        return None
    return lambda *args: subprocess.run([unshare, "-m", "sh", "-c", script, str(root), *python,
                                         *args], capture_output=True, text=True, timeout=120,
                                        check=False)


def test_a_read_only_project_reads_and_refuses_changes_plainly(demo_project, fixture_advisories):
    shutil.rmtree(demo_project.root / ".uvmgr", ignore_errors=True)
    before = demo_project.snapshot()
    run = _read_only_runner(demo_project.root)
    if run is None:
        pytest.skip("no way to make a read-only folder here")
    listed = run("deps", "list", "--project", str(demo_project.root))
    assert listed.returncode == 0, listed.stderr
    assert "demo-http" in listed.stdout
    assert "traces are not kept" in listed.stderr and "internal error" not in listed.stderr
    as_json = run("deps", "list", "--project", str(demo_project.root), "--json")
    assert any("traces are not kept" in n for n in json.loads(as_json.stdout)["notices"])
    audit = run("audit", "--db", str(fixture_advisories), "--project", str(demo_project.root))
    assert audit.returncode == 1 and "DEMO-2024-0001" in audit.stdout
    added = run("deps", "add", "demo-cli", "--project", str(demo_project.root))
    assert added.returncode == 2, added.stderr
    assert f"cannot write to {demo_project.root}" in added.stderr
    assert "nothing was changed" in added.stderr and "this is a bug" not in added.stderr
    assert demo_project.snapshot() == before
