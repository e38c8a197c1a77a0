"""Transactions: rollback after failing tests, recovery after SIGKILL, concurrent runs refused."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from uvmgr.tools.project import Project
from uvmgr.tools.transaction import ProjectLock



def test_failing_tests_after_upgrade_roll_back_byte_identical(cli, project_factory):
    project = project_factory(["demo-http>=1.0,<1.1"], {"demo-http": "1.0.0"},
                              tests="fail-after-upgrade:demo-http")
    before = project.snapshot()
    r = cli("deps", "upgrade", "--level", "minor", "--test", "--project", project.root, "--json")
    assert r.code == 4, r.out
    payload = r.json()
    assert payload["error"] == "RolledBack"
    assert "test_demo_http_stable_api" in payload["message"]
    assert payload["result"]["tests"]["failed"] == 1
    assert project.snapshot() == before
    # the environment was re-synced to the restored lock
    site = project.root / ".venv/lib/python3.11/site-packages"
    assert (site / "demo_http-1.0.0.dist-info").is_dir()


def test_passing_tests_keep_the_upgrade(cli, project_factory):
    project = project_factory(["demo-http>=1.0,<1.1"], {"demo-http": "1.0.0"},
                              tests="fail-after-upgrade:demo-http")
    r = cli("deps", "upgrade", "--level", "patch", "--test", "--project", project.root, "--json")
    assert r.code == 0, r.err
    assert r.json()["tests"]["passed"] == 2
    assert project.locked_version("demo-http") == "1.0.3"


def _wait_for(predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


# Slow only once demo-http is upgraded: `--test` checks the tests pass before the change, and
# these tests kill the run that verifies the change.
SLOW_AFTER_UPGRADE = ("import time\nfrom importlib.metadata import version\n\n\n"
                      "def test_slow_after_upgrade():\n"
                      "    if version('demo-http') != '1.0.0':\n        time.sleep(60)\n")


def _slow_after_upgrade(project_factory):
    project = project_factory(["demo-http>=1.0,<1.1"], {"demo-http": "1.0.0"})
    (project.root / "tests" / "test_app.py").write_text(SLOW_AFTER_UPGRADE, encoding="utf-8")
    return project


def test_sigkill_mid_transaction_is_rolled_back_at_next_start(cli, project_factory):
    project = _slow_after_upgrade(project_factory)
    before = project.snapshot()
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvmgr.cli", "deps", "upgrade", "--level", "minor", "--test",
         "--project", str(project.root)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )
    try:
        # The upgrade is written and the (60 s) tests are running: the files have changed.
        assert _wait_for(lambda: project.snapshot() != before and (
            project.root / ".uvmgr/journal/meta.json").exists())
        assert _wait_for(lambda: project.locked_version("demo-http") == "1.2.0")
        time.sleep(0.5)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert project.snapshot() != before
    r = cli("deps", "list", "--project", project.root, "--json")
    assert r.code == 0, r.err
    assert "recovered an interrupted 'upgrade'" in r.err
    assert project.snapshot() == before
    assert not (project.root / ".uvmgr/journal").exists()
    assert {d["name"]: d["locked"] for d in r.json()["dependencies"]}["demo-http"] == "1.0.0"


def test_sigterm_rolls_back_in_flight(project_factory):
    project = _slow_after_upgrade(project_factory)
    before = project.snapshot()
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvmgr.cli", "deps", "upgrade", "--test", "--project",
         str(project.root)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    assert _wait_for(lambda: project.snapshot() != before)
    time.sleep(0.5)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    assert project.snapshot() == before
    assert not (project.root / ".uvmgr/journal").exists()


def test_concurrent_run_is_refused(cli, demo_project):
    before = demo_project.snapshot()
    with ProjectLock(Project(demo_project.root)):
        r = cli("deps", "upgrade", "--project", demo_project.root)
    assert r.code == 1
    assert "another uvmgr is running" in r.err
    assert demo_project.snapshot() == before


def test_damaged_journal_is_reported_moved_aside_and_not_half_restored(cli, demo_project):
    from uvmgr.tools.transaction import Journal

    project = Project(demo_project.root)
    Journal(project).write("upgrade")
    journal = demo_project.root / ".uvmgr/journal"
    (journal / "uv.lock").write_text("damaged")  # its hash no longer matches
    demo_project.pyproject.write_text(demo_project.pyproject.read_text() + "\n# edited\n")
    edited = demo_project.snapshot()
    r = cli("deps", "list", "--project", demo_project.root)
    assert r.code == 2 and "journal of an interrupted 'upgrade'" in r.err and "damaged" in r.err
    assert demo_project.snapshot() == edited  # nothing half-restored
    assert not journal.exists()
    assert list((demo_project.root / ".uvmgr/ignored").glob("journal-damaged-*"))
    r = cli("deps", "list", "--project", demo_project.root)  # the next run goes on
    assert r.code == 0


def test_corrupt_journal_meta_is_ignored_in_one_line(cli, demo_project):
    journal = demo_project.root / ".uvmgr/journal"
    journal.mkdir(parents=True)
    (journal / "meta.json").write_text("{not json")
    before = demo_project.snapshot()
    r = cli("deps", "list", "--project", demo_project.root, "--json")
    assert r.code == 0, r.err
    assert "ignored a journal" in r.err and len(r.err.strip().splitlines()) == 1
    assert demo_project.snapshot() == before
    assert not journal.exists()


def test_undo_restores_the_last_kept_change(cli, demo_project):
    before = demo_project.snapshot()
    assert cli("deps", "upgrade", "--level", "patch", "--project", demo_project.root).code == 0
    assert demo_project.snapshot() != before
    r = cli("undo", "--project", demo_project.root, "--json")
    assert r.code == 0 and r.json()["operation"] == "upgrade_packages"
    assert demo_project.snapshot() == before
    r = cli("undo", "--project", demo_project.root)
    assert r.code == 2 and "no change to undo" in r.err


def test_undo_never_overwrites_later_edits(cli, demo_project):
    assert cli("deps", "upgrade", "--level", "patch", "--project", demo_project.root).code == 0
    demo_project.pyproject.write_text(demo_project.pyproject.read_text() + "\n# mine\n")
    edited = demo_project.snapshot()
    r = cli("undo", "--project", demo_project.root)
    assert r.code == 2 and "changed after the last uvmgr change" in r.err
    assert demo_project.snapshot() == edited


def test_dry_runs_and_failed_changes_leave_no_undo_point(cli, demo_project):
    cli("deps", "upgrade", "--dry-run", "--project", demo_project.root)
    cli("deps", "add", "demo-yamll", "--project", demo_project.root)
    assert not (demo_project.root / ".uvmgr/undo").exists()
