"""A hostile `.uvmgr/` (and hostile files around it) committed or packed into a repository: no
uvmgr command may write, truncate or delete a file outside the project's own files through it,
hang on it, or crash with an internal error."""

from __future__ import annotations

import json
import os
import signal
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from uvmgr.tools.project import Project
from uvmgr.tools.runner import ProcessRunner
from uvmgr.tools.transaction import Journal, Transaction

from uvmgr.errors import UnsafeStatePath
from uvmgr.telemetry import Tracer


@pytest.fixture
def app(project_factory):
    return project_factory(["demo-http>=1.0,<1.1"], {"demo-http": "1.0.0"}, sync=False)


@pytest.fixture
def victim(tmp_path) -> Path:
    """A file of the person's outside the project (same file system, so it can be hard-linked)."""
    path = tmp_path / "victim.txt"
    path.write_bytes(b"precious")
    return path


@contextmanager
def deadline(seconds: int) -> Iterator[None]:
    """Fail (instead of hanging the suite) when the block blocks, e.g. on a planted FIFO."""
    def expire(signum, frame):
        raise TimeoutError(f"blocked for more than {seconds} s")

    old = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def test_a_hard_linked_lock_is_refused_and_the_victim_is_not_truncated(cli, app, victim):
    (app.root / ".uvmgr").mkdir()
    os.link(victim, app.root / ".uvmgr/lock")
    r = cli("deps", "list", "--project", app.root)
    assert r.code == 2, r.err
    assert ".uvmgr/lock" in r.err and "link" in r.err
    assert victim.read_bytes() == b"precious"


def test_a_hard_linked_trace_file_is_not_appended_to(cli, app, victim):
    (app.root / ".uvmgr/traces").mkdir(parents=True)
    os.link(victim, app.root / ".uvmgr/traces/traces.jsonl")
    r = cli("deps", "list", "--project", app.root)
    assert r.code == 2, r.err
    assert "traces.jsonl" in r.err
    assert victim.read_bytes() == b"precious"


def test_a_folder_named_like_a_temporary_file_is_no_internal_error(cli, app):
    (app.root / ".uvmgr/.uvmgr-tmp-planted").mkdir(parents=True)
    r = cli("deps", "list", "--project", app.root)
    assert r.code == 0, r.err
    assert "internal error" not in r.err


def test_a_file_in_the_project_that_only_looks_temporary_is_not_deleted(cli, app):
    mine = app.root / ".notes-uvmgr-tmp"
    mine.write_bytes(b"the person's file")
    r = cli("deps", "list", "--project", app.root)
    assert r.code == 0, r.err
    assert mine.read_bytes() == b"the person's file"


def test_a_huge_meta_file_is_not_read_into_memory(cli, app):
    journal = Journal(Project(app.root))
    journal.dir.mkdir(parents=True)
    with open(journal.dir / "meta.json", "wb") as fh:
        fh.truncate(1 << 30)  # 1 GiB, sparse: costs nothing to plant (and packs to nothing)
    tracemalloc.start()
    try:
        r = cli("deps", "list", "--project", app.root)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert r.code == 0, r.err
    assert "ignored a journal" in r.err
    assert peak < 64 << 20, f"peak {peak >> 20} MiB"


def test_a_fifo_as_uv_lock_does_not_hang_a_change(cli, app):
    (app.root / "uv.lock").unlink()
    os.mkfifo(app.root / "uv.lock")
    with deadline(20):
        r = cli("deps", "upgrade", "--level", "patch", "--project", app.root)
    assert r.code == 2, r.err
    assert "uv.lock" in r.err and "internal error" not in r.err


def test_a_fifo_as_pyproject_does_not_hang(cli, app):
    (app.root / "pyproject.toml").unlink()
    os.mkfifo(app.root / "pyproject.toml")
    with deadline(20):
        r = cli("deps", "list", "--project", app.root)
    assert r.code == 2, r.err
    assert "pyproject.toml" in r.err


@pytest.mark.parametrize("name", ["pyproject.toml", "uv.lock"])
@pytest.mark.parametrize("how", ["symlink", "hardlink"])
def test_a_change_refuses_a_linked_project_file(app, tmp_path, name, how):
    """uv writes these files in place: a link would carry the change (and a failed rollback)
    into a file outside the project."""
    outside = tmp_path / f"outside-{name}"
    target = app.root / name
    outside.write_bytes(target.read_bytes())
    target.unlink()
    if how == "symlink":
        target.symlink_to(outside)
    else:
        os.link(outside, target)
    before = outside.read_bytes()
    ran = False
    with pytest.raises(UnsafeStatePath, match=name), \
            Transaction(Project(app.root), ProcessRunner(Tracer()), "add"):
        ran = True
        outside.write_bytes(before + b"\n# uv wrote this through the link\n")
        raise RuntimeError("verification failed")
    assert not ran
    assert outside.read_bytes() == before


def _plant_traces(app, lines: list[str]) -> None:
    (app.root / ".uvmgr/traces").mkdir(parents=True)
    (app.root / ".uvmgr/traces/traces.jsonl").write_text("".join(f"{x}\n" for x in lines))


def test_planted_trace_lines_are_skipped_not_an_internal_error(cli, app):
    span = {"trace_id": "t", "span_id": "a", "parent_span_id": None, "name": "ok",
            "start_time_unix_nano": 1, "end_time_unix_nano": 2, "duration_ms": 0.1, "attributes": {},
            "status": "ok"}
    _plant_traces(app, ["{}", "[1, 2]", '{"trace_id": 5}', json.dumps({**span, "span_id": 7}),
                        json.dumps({**span, "start_time_unix_nano": "x"}),
                        json.dumps(span),
                        json.dumps({**span, "parent_span_id": "a"}),  # a's child is itself
                        json.dumps({**span, "trace_id": "u", "name": "[/] [bold]x[/bold"})])
    with deadline(20):
        r = cli("traces", "--project", app.root)
    assert r.code == 0, r.err
    assert "internal error" not in r.err
    assert "[/] [bold]x[/bold" in r.out  # shown as text, not read as markup


def test_a_huge_planted_trace_file_is_not_read_whole(cli, app):
    _plant_traces(app, [])
    with open(app.root / ".uvmgr/traces/traces.jsonl", "wb") as fh:
        fh.truncate(1 << 30)  # sparse, one "line" of a GiB
    tracemalloc.start()
    try:
        r = cli("traces", "--project", app.root)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert r.code == 0, r.err
    assert peak < 64 << 20, f"peak {peak >> 20} MiB"


@pytest.mark.parametrize("pid", ["99999999999999999999999", "0"])
def test_a_pending_undo_folder_with_an_impossible_pid_is_no_internal_error(cli, app, pid):
    (app.root / f".uvmgr/undo-pending-{pid}-1").mkdir(parents=True)
    r = cli("deps", "list", "--project", app.root)
    assert r.code == 0, r.err


def test_a_folder_in_place_of_the_lock_file_is_named_as_such(cli, app):
    (app.root / ".uvmgr/lock").mkdir(parents=True)
    r = cli("deps", "list", "--project", app.root)
    assert r.code == 2, r.err
    assert ".uvmgr/lock" in r.err and "writable" not in r.err


def test_a_hard_link_in_the_docs_index_is_refused(cli, app, victim):
    """sqlite writes its database in place: a hard-linked one would change the other file."""
    index = app.root / ".uvmgr/index"
    index.mkdir(parents=True)
    os.link(victim, index / "chroma.sqlite3")
    r = cli("index", "--project", app.root)
    assert r.code == 2, r.err
    assert "chroma.sqlite3" in r.err and "hard link" in r.err
    assert victim.read_bytes() == b"precious"


@pytest.mark.parametrize("plant", ["folder", "fifo"])
def test_a_trace_file_that_is_no_file_shows_no_runs(cli, app, plant):
    path = app.root / ".uvmgr/traces/traces.jsonl"
    path.parent.mkdir(parents=True)
    path.mkdir() if plant == "folder" else os.mkfifo(path)
    with deadline(20):
        r = cli("traces", "--project", app.root)
    assert r.code == 0, r.err
    assert "No runs recorded yet" in r.out


def test_eval_results_are_not_written_through_a_planted_link(cli, tmp_path, monkeypatch):
    """`uvmgr eval` writes under ./.uvmgr/evals/ by default: the folder may come with a clone."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    work = tmp_path / "work"
    (work / ".uvmgr").mkdir(parents=True)
    (work / ".uvmgr/evals").symlink_to(elsewhere)
    monkeypatch.chdir(work)
    r = cli("eval", "--requests", "--split", "dev")
    assert r.code == 2, r.err
    assert ".uvmgr/evals" in r.err and "symbolic link" in r.err
    assert list(elsewhere.iterdir()) == []


def test_the_children_log_is_never_written_through_a_link(tmp_path):
    from uvmgr.tools.children import ChildLog

    from uvmgr.errors import UvmgrError

    victim = tmp_path / "victim"
    victim.write_text("mine\n")
    folder = tmp_path / "journal"
    folder.mkdir()
    log = ChildLog(folder)
    log.path.symlink_to(victim)
    with pytest.raises(UvmgrError):
        log.record(os.getpid(), "token")
    assert victim.read_text() == "mine\n"


def test_a_linked_undo_folder_refuses_the_change_before_it_is_made(cli, app, tmp_path):
    """The undo point is written after a change is kept: a planted `.uvmgr/undo` link used to
    stop the command there, exit 2 "nothing was written through it", with the change applied
    and no word that it was kept."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (app.root / ".uvmgr").mkdir()
    (app.root / ".uvmgr/undo").symlink_to(elsewhere)
    before = app.snapshot()
    r = cli("deps", "upgrade", "demo-http", "--project", app.root)
    assert r.code == 2, r.out + r.err
    assert ".uvmgr/undo" in r.err and "symbolic link" in r.err
    assert app.snapshot() == before
    assert list(elsewhere.iterdir()) == []


def test_a_linked_reports_folder_stops_autopilot_before_any_change(cli, project_factory, tmp_path):
    app = project_factory(["demo-http>=1.0,<2"], {"demo-http": "1.0.0"})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (app.root / ".uvmgr").mkdir()
    (app.root / ".uvmgr/reports").symlink_to(elsewhere)
    before = app.snapshot()
    r = cli("autopilot", "--project", app.root, "--offline")
    assert r.code == 2, r.out + r.err
    assert "reports" in r.err and "symbolic link" in r.err
    assert app.snapshot() == before  # it used to upgrade demo-http, then fail on the report
    assert list(elsewhere.iterdir()) == []
