"""`.uvmgr/` is untrusted: it can arrive with a clone. Names are fixed, journals and undo points
must carry this machine's identity for this project, and no symlink inside it is ever followed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from uvmgr.tools.project import Project
from uvmgr.tools.transaction import Journal


@pytest.fixture
def app(project_factory):
    return project_factory(["demo-http>=1.0,<1.1"], {"demo-http": "1.0.0"}, sync=False)


def _edit_meta(journal_dir: Path, change) -> None:
    meta_path = journal_dir / "meta.json"
    meta = json.loads(meta_path.read_text())
    change(meta)
    meta_path.write_text(json.dumps(meta))


def test_recovery_never_takes_file_names_from_the_journal(cli, app, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious")
    outside = tmp_path / "outside.txt"
    journal = Journal(Project(app.root))
    journal.write("add")
    (journal.dir / "evil").write_bytes(b"owned")
    (journal.dir / "../outside.txt").write_bytes(b"owned")  # so an old reader finds a copy
    import hashlib

    owned = hashlib.sha256(b"owned").hexdigest()
    extra = [{"name": "../outside.txt", "exists": True, "sha256": owned},
             {"name": str(victim), "exists": False, "sha256": ""},
             {"name": "evil", "exists": True, "sha256": owned}]

    def add(meta):
        if isinstance(meta["files"], list):
            meta["files"] += extra
        else:
            meta["files"].update({e["name"]: e for e in extra})

    _edit_meta(journal.dir, add)
    before = app.snapshot()
    r = cli("deps", "list", "--project", app.root)
    assert r.code == 0, r.err
    assert victim.read_bytes() == b"precious"
    assert not outside.exists()
    assert not (app.root / "evil").exists()
    assert app.snapshot() == before


def test_a_journal_copied_from_another_project_is_ignored_not_replayed(cli, project_factory):
    other = project_factory(["demo-json==2.0.0"], {"demo-json": "2.0.0"}, sync=False)
    mine = project_factory(["demo-http>=1.0,<1.1"], {"demo-http": "1.0.0"}, sync=False)
    Journal(Project(other.root)).write("add")
    shutil.copytree(other.root / ".uvmgr", mine.root / ".uvmgr", dirs_exist_ok=True)
    (mine.root / ".uvmgr/lock").unlink(missing_ok=True)
    before = mine.snapshot()
    r = cli("deps", "list", "--project", mine.root)
    assert r.code == 0, r.err
    assert mine.snapshot() == before  # other's pyproject.toml was not written here
    assert "ignored" in r.err and "did not create" in r.err
    assert len([line for line in r.err.splitlines() if "ignored" in line]) == 1
    assert not (mine.root / ".uvmgr/journal").exists()
    assert list((mine.root / ".uvmgr/ignored").iterdir())


def test_a_journal_from_another_machine_or_user_state_is_ignored(cli, app, tmp_path,
                                                                 monkeypatch):
    Journal(Project(app.root)).write("add")
    app.pyproject.write_text(app.pyproject.read_text() + "\n# a commit after the journal\n")
    committed = app.snapshot()
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "elsewhere"))  # a fresh clone elsewhere
    r = cli("deps", "list", "--project", app.root)
    assert r.code == 0, r.err
    assert app.snapshot() == committed
    assert "ignored" in r.err


def test_a_hand_written_journal_without_identity_is_ignored(cli, app):
    journal = app.root / ".uvmgr/journal"
    journal.mkdir(parents=True)
    (journal / "pyproject.toml").write_text("[project]\nname='evil'\n")
    import hashlib

    digest = hashlib.sha256((journal / "pyproject.toml").read_bytes()).hexdigest()
    (journal / "meta.json").write_text(json.dumps({
        "operation": "add", "pid": 1, "started": 0,
        "files": [{"name": "pyproject.toml", "exists": True, "sha256": digest},
                  {"name": "uv.lock", "exists": False, "sha256": ""}]}))
    before = app.snapshot()
    r = cli("deps", "list", "--project", app.root)
    assert r.code == 0, r.err
    assert app.snapshot() == before
    assert app.lock.exists()


@pytest.mark.parametrize("args", [("deps", "list"), ("deps", "upgrade", "--level", "patch")])
def test_a_symlinked_lock_is_an_error_and_the_target_is_untouched(cli, app, tmp_path, args):
    victim = tmp_path / "victim"
    victim.write_bytes(b"keep me")
    (app.root / ".uvmgr").mkdir()
    (app.root / ".uvmgr/lock").symlink_to(victim)
    Journal(Project(app.root)).dir.mkdir()  # something for recovery to look at
    before = app.snapshot()
    r = cli(*args, "--project", app.root)
    assert r.code == 2, r.err
    assert ".uvmgr/lock" in r.err and "symbolic link" in r.err
    assert victim.read_bytes() == b"keep me"
    assert app.snapshot() == before


def test_a_symlinked_trace_file_is_an_error_and_the_target_is_untouched(cli, app, tmp_path):
    victim = tmp_path / "victim"
    victim.write_bytes(b"keep me")
    (app.root / ".uvmgr/traces").mkdir(parents=True)
    (app.root / ".uvmgr/traces/traces.jsonl").symlink_to(victim)
    r = cli("deps", "list", "--project", app.root)
    assert r.code == 2, r.err
    assert "traces.jsonl" in r.err
    assert victim.read_bytes() == b"keep me"


def test_a_symlinked_state_dir_is_an_error_and_nothing_is_written_there(cli, app, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (app.root / ".uvmgr").symlink_to(elsewhere)
    r = cli("deps", "list", "--project", app.root)
    assert r.code == 2, r.err
    assert ".uvmgr" in r.err
    assert list(elsewhere.iterdir()) == []


def test_a_dangling_gitignore_symlink_is_not_written_through(cli, app, tmp_path):
    target = tmp_path / "created-through-link"
    (app.root / ".uvmgr").mkdir()
    (app.root / ".uvmgr/.gitignore").symlink_to(target)
    r = cli("deps", "list", "--project", app.root)
    assert r.code == 2, r.err
    assert not target.exists()


def test_a_symlinked_temp_name_in_the_project_is_not_written_through(app, tmp_path):
    from uvmgr.tools.transaction import put_back

    victim = tmp_path / "victim"
    victim.write_bytes(b"keep me")
    (app.root / ".pyproject.toml.uvmgr-tmp").symlink_to(victim)
    put_back(Project(app.root), {"pyproject.toml": app.pyproject.read_bytes() + b"\n"})
    assert victim.read_bytes() == b"keep me"


def test_an_undo_point_from_another_machine_is_not_applied(cli, project_factory, tmp_path,
                                                           monkeypatch):
    app = project_factory(["demo-http>=1.0,<1.1"], {"demo-http": "1.0.0"})
    assert cli("deps", "upgrade", "--level", "patch", "--project", app.root).code == 0
    after = app.snapshot()
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "fresh-clone"))
    r = cli("undo", "--project", app.root)
    assert r.code == 2, r.err
    assert "not created by uvmgr" in r.err
    assert app.snapshot() == after


def test_a_symlinked_undo_point_is_not_read(cli, app, tmp_path):
    outside = tmp_path / "outside-undo"
    outside.mkdir()
    (outside / "pyproject.toml").write_text("[project]\nname = 'evil'\n")
    (outside / "meta.json").write_text(json.dumps({"operation": "x", "when": 0, "after": {},
                                                   "existed": {"pyproject.toml": True,
                                                               "uv.lock": False}}))
    (app.root / ".uvmgr").mkdir()
    (app.root / ".uvmgr/undo").symlink_to(outside)
    before = app.snapshot()
    r = cli("undo", "--project", app.root)
    assert r.code == 2, r.err
    assert app.snapshot() == before
    assert (outside / "meta.json").exists()


def test_a_symlinked_reports_folder_is_refused(cli, project_factory, tmp_path):
    app = project_factory(["demo-json==2.0.0"], {"demo-json": "2.0.0"})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (app.root / ".uvmgr").mkdir()
    (app.root / ".uvmgr/reports").symlink_to(elsewhere)
    r = cli("autopilot", "--project", app.root)
    assert r.code == 2, r.err
    assert "reports" in r.err and "symbolic link" in r.err
    assert list(elsewhere.iterdir()) == []


def test_a_symlink_in_the_docs_index_is_refused(cli, app, tmp_path):
    victim = tmp_path / "victim"
    victim.write_bytes(b"keep me")
    index = app.root / ".uvmgr/index"
    index.mkdir(parents=True)
    (index / "chroma.sqlite3").symlink_to(victim)
    (index / "manifest.json.tmp").symlink_to(victim)
    r = cli("index", "--project", app.root)
    assert r.code == 2, r.err
    assert "chroma.sqlite3" in r.err or "manifest.json.tmp" in r.err
    assert victim.read_bytes() == b"keep me"
