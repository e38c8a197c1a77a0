"""Recovery that is right when uvmgr is not the only writer: it restores only states uvmgr wrote,
keeps the person's edits, re-syncs before it drops the journal, survives a full disk and says
exactly what it did."""

from __future__ import annotations

import errno
import os
import subprocess

import pytest
from uvmgr.tools.project import Project
from uvmgr.tools.runner import find_uv
from uvmgr.tools.transaction import Journal, ProjectLock

from uvmgr.errors import ProjectBusy


@pytest.fixture
def app(project_factory):
    return project_factory(["demo-http>=1.0,<1.1"], {"demo-http": "1.0.0"}, sync=False)


def _uv(root, *args):
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    subprocess.run([find_uv(), *args], cwd=root, env=env, check=True, capture_output=True)


def _site(root):
    return root / ".venv/lib/python3.11/site-packages"


def test_the_persons_edit_after_a_kill_is_kept_and_the_original_saved(cli, app):
    original = app.snapshot()
    Journal(Project(app.root)).write("add")  # killed before it changed anything
    app.pyproject.write_text(app.pyproject.read_text() + "\n# my edit after the kill\n")
    mine = app.snapshot()
    r = cli("deps", "list", "--project", app.root)
    assert r.code == 0, r.err
    assert app.snapshot() == mine
    saved = list((app.root / ".uvmgr/recovered").glob("*/pyproject.toml"))
    assert len(saved) == 1 and saved[0].read_bytes() == original[0]
    assert "kept your version" in r.err and "cp " in r.err
    assert "restored" not in r.err.replace("restore it", "")
    assert not (app.root / ".uvmgr/journal").exists()


def test_a_state_uvmgr_wrote_is_restored_and_named(cli, app):
    original = app.snapshot()
    journal = Journal(Project(app.root))
    journal.write("upgrade")
    _uv(app.root, "lock", "--upgrade-package", "demo-http")
    journal.record_state()
    assert app.snapshot() != original
    r = cli("deps", "list", "--project", app.root)
    assert r.code == 0, r.err
    assert app.snapshot() == original
    assert "restored uv.lock" in r.err and "pyproject.toml" not in r.err.split("restored")[1]


def test_nothing_changed_says_so_and_never_restored(cli, app):
    Journal(Project(app.root)).write("add")
    r = cli("deps", "list", "--project", app.root)
    assert r.code == 0, r.err
    assert "restored" not in r.err
    assert "unchanged" in r.err


def test_a_second_interrupt_before_the_resync_is_repaired_venv_included(cli, project_factory):
    app = project_factory(["demo-http>=1.0,<1.1"], {"demo-http": "1.0.0"})
    original = app.snapshot()
    journal = Journal(Project(app.root))
    journal.write("upgrade")
    _uv(app.root, "lock", "--upgrade-package", "demo-http")
    journal.record_state()
    _uv(app.root, "sync", "--frozen")
    assert (_site(app.root) / "demo_http-1.0.3.dist-info").is_dir()
    # the rollback restored the files, then was interrupted before it re-synced
    app.pyproject.write_bytes(original[0])
    app.lock.write_bytes(original[1])
    journal.set_phase("resyncing")
    r = cli("deps", "list", "--project", app.root)
    assert r.code == 0, r.err
    assert (_site(app.root) / "demo_http-1.0.0.dist-info").is_dir()
    assert not journal.dir.exists()


class _InterruptingSync:
    """The process runner at its seam: the real one, except that `uv sync` is interrupted."""

    def __init__(self, real):
        self.real = real

    def uv(self, args, cwd, **kwargs):
        if args[:1] == ["sync"]:
            raise KeyboardInterrupt
        return self.real.uv(args, cwd, **kwargs)

    def recording_children(self, folder):
        return self.real.recording_children(folder)


def test_rollback_keeps_the_journal_until_the_environment_is_resynced(app):
    from uvmgr.tools.runner import ProcessRunner
    from uvmgr.tools.transaction import Transaction

    from uvmgr.telemetry import Tracer

    original = app.snapshot()
    project = Project(app.root)
    runner = _InterruptingSync(ProcessRunner(Tracer()))
    with pytest.raises(KeyboardInterrupt), Transaction(project, runner, "upgrade"):
        _uv(app.root, "lock", "--upgrade-package", "demo-http")
        raise RuntimeError("verification failed")
    assert app.snapshot() == original
    assert (app.root / ".uvmgr/journal/meta.json").exists()  # the next start re-syncs


def test_a_full_disk_during_rollback_keeps_the_journal_and_exits_5(cli, app, monkeypatch):
    from uvmgr.tools.runner import ProcessRunner
    from uvmgr.tools.transaction import Transaction

    from uvmgr.errors import RecoveryIncomplete
    from uvmgr.telemetry import Tracer

    original = app.snapshot()
    project = Project(app.root)
    real_replace = os.replace

    def full(src, dst, *a, **k):
        raise OSError(errno.ENOSPC, "No space left on device", str(dst))

    with (pytest.raises(RecoveryIncomplete) as caught,
          Transaction(project, ProcessRunner(Tracer()), "upgrade")):
        _uv(app.root, "lock", "--upgrade-package", "demo-http")
        monkeypatch.setattr(os, "replace", full)
        raise RuntimeError("verification failed")
    monkeypatch.setattr(os, "replace", real_replace)
    assert caught.value.exit_code == 5
    assert "uv.lock" in caught.value.message and "uvmgr recover" in caught.value.hint
    assert (app.root / ".uvmgr/journal/meta.json").exists()
    r = cli("recover", "--project", app.root)
    assert r.code == 0, r.err
    assert app.snapshot() == original
    assert "restored uv.lock" in r.err


def test_a_change_needs_room_for_its_journal(cli, app, monkeypatch):
    import shutil
    from collections import namedtuple

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(10**9, 10**9 - 100, 100))
    before = app.snapshot()
    r = cli("deps", "add", "demo-json", "--project", app.root)
    assert r.code == 1, r.err
    assert "space" in r.err and "this is a bug" not in r.err
    assert app.snapshot() == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_a_read_only_project_gets_a_clear_message(cli, app):
    os.chmod(app.root, 0o555)
    try:
        listed = cli("deps", "list", "--project", app.root)
        added = cli("deps", "add", "demo-json", "--project", app.root)
    finally:
        os.chmod(app.root, 0o755)
    assert listed.code == 0, listed.err
    assert added.code in (1, 2) and "this is a bug" not in added.err
    assert "permission denied" in added.err.lower()


def test_a_reader_is_told_a_change_is_in_flight(cli, app):
    project = Project(app.root)
    with ProjectLock(project):
        Journal(project).write("add")
        r = cli("deps", "list", "--project", app.root)
    assert r.code == 0, r.err
    assert "in flight" in r.err


def test_one_lock_for_a_whole_run(app):
    from uvmgr.tools.runner import ProcessRunner
    from uvmgr.tools.transaction import RunTransaction, Transaction

    from uvmgr.telemetry import Tracer

    project = Project(app.root)
    runner = ProcessRunner(Tracer())
    original = app.snapshot()
    with RunTransaction(project, runner, "autopilot") as run:
        with Transaction(project, runner, "upgrade") as tx:  # inside the run: no second lock
            _uv(app.root, "lock", "--upgrade-package", "demo-http")
            tx.commit()
        between = Project(app.root)
        with pytest.raises(ProjectBusy):  # another writer between the steps is refused
            ProjectLock(between).acquire()
        run.rollback()
    assert app.snapshot() == original


def test_leftover_pending_undo_and_temp_files_are_removed_at_start(cli, app):
    state = app.root / ".uvmgr"
    state.mkdir()
    (state / "undo-pending-999999999-1").mkdir()
    (state / "undo-pending-999999999-1" / "pyproject.toml").write_text("x")
    (app.root / ".pyproject.toml.uvmgr-tmp").write_text("x")
    r = cli("deps", "list", "--project", app.root)
    assert r.code == 0, r.err
    assert not (state / "undo-pending-999999999-1").exists()
    assert not (app.root / ".pyproject.toml.uvmgr-tmp").exists()


def test_an_interrupt_after_a_committed_change_says_it_was_kept(cli, demo_project,
                                                                fixture_advisories, monkeypatch):
    from uvmgr.tools.runner import ProcessRunner

    real_uv = ProcessRunner.uv
    audits = []

    def uv(self, args, cwd, **kwargs):  # the process runner at its seam: Ctrl+C at the re-audit
        if args[:1] == ["audit"]:
            audits.append(args)
            if len(audits) == 2:
                raise KeyboardInterrupt
        return real_uv(self, args, cwd, **kwargs)

    monkeypatch.setattr(ProcessRunner, "uv", uv)
    before = demo_project.snapshot()
    r = cli("audit", "--fix", "--no-tests", "--db", fixture_advisories,
            "--project", demo_project.root)
    assert r.code == 130
    assert demo_project.snapshot() != before  # the fix was committed before the interrupt
    assert "kept" in r.err and "rolled back" not in r.err
    assert not (demo_project.root / ".uvmgr/journal").exists()


def test_an_interrupt_before_anything_changed_says_nothing_was_kept(cli, demo_project,
                                                                     fixture_advisories,
                                                                     monkeypatch):
    from uvmgr.tools.runner import ProcessRunner

    def uv(self, args, cwd, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(ProcessRunner, "uv", uv)
    before = demo_project.snapshot()
    r = cli("audit", "--fix", "--db", fixture_advisories, "--project", demo_project.root)
    assert r.code == 130
    assert demo_project.snapshot() == before
    assert "kept" not in r.err


def test_a_read_only_file_system_gets_a_clear_message_not_a_bug(cli, app, monkeypatch):
    """The same as the chmod test, at the seam, for a run as root (where chmod has no effect)."""
    real_mkdir, real_open = os.mkdir, os.open
    root = str(app.root)

    def refuse(path):
        return str(path).startswith(root)

    def mkdir(path, *a, **k):
        if refuse(path):
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_mkdir(path, *a, **k)

    def open_(path, flags, *a, **k):
        if refuse(path) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_open(path, flags, *a, **k)

    monkeypatch.setattr(os, "mkdir", mkdir)
    monkeypatch.setattr(os, "open", open_)
    before = app.snapshot()
    listed = cli("deps", "list", "--project", app.root)
    added = cli("deps", "add", "demo-json", "--project", app.root)
    assert listed.code == 0, listed.err
    assert added.code == 2 and "this is a bug" not in added.err
    assert "read-only file system" in added.err.lower()
    assert app.snapshot() == before


def test_autopilot_holds_the_project_lock_for_the_whole_run(cli, project_factory):
    """Another command between AutoPilot's steps would be lost at its rollback or counted as
    AutoPilot's own change: it is refused for as long as the run lasts."""
    import signal
    import sys
    import time

    app = project_factory(["demo-http>=1.0,<1.1"], {"demo-http": "1.0.0"}, tests="slow")
    before = app.snapshot()
    proc = subprocess.Popen([sys.executable, "-m", "uvmgr.cli", "autopilot", "--project",
                             str(app.root)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        lock = app.root / ".uvmgr/lock"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (
                lock.exists() and lock.read_text().strip() == str(proc.pid)):
            time.sleep(0.05)
        time.sleep(2.0)  # auditing, listing candidates, or running the baseline tests
        r = cli("deps", "add", "demo-json", "--project", app.root)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert r.code == 1, r.err
    assert "another uvmgr is running" in r.err
    cli("deps", "list", "--project", app.root)  # recovers the killed run
    assert app.snapshot() == before


def test_a_lock_uv_wrote_before_uvmgr_could_record_it_is_restored_and_saved(cli, app):
    original = app.snapshot()
    Journal(Project(app.root)).write("upgrade")
    _uv(app.root, "lock", "--upgrade-package", "demo-http")  # killed before it was recorded
    stray = app.lock.read_bytes()
    r = cli("deps", "list", "--project", app.root)
    assert r.code == 0, r.err
    assert app.snapshot() == original
    saved = list((app.root / ".uvmgr/recovered").glob("*/uv.lock"))
    assert [p.read_bytes() for p in saved] == [stray]
    assert "restored uv.lock" in r.err and "cp .uvmgr/recovered/" in r.err
