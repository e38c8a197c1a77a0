"""Another writer during a change that then rolls back in the same process (a failed check,
tests failing, Ctrl+C): the person's edit to pyproject.toml, made while the change ran, is not
a state uvmgr wrote. The rollback restores the files from before the change (what was applied
is undone) but saves the person's bytes first and says where, with the command to take them
back. Before, the rollback restored over the edit with no copy anywhere."""

from __future__ import annotations

import pytest
from uvmgr.errors import RolledBack
from uvmgr.telemetry import Tracer
from uvmgr.tools.project import Project
from uvmgr.tools.runner import ProcessRunner
from uvmgr.tools.transaction import RunTransaction, Transaction, record_state


@pytest.fixture
def app(project_factory):
    return project_factory(["demo-http>=1.0,<1.1"], {"demo-http": "1.0.0"}, sync=False)


def _saved(app) -> list[bytes]:
    return [p.read_bytes() for p in (app.root / ".uvmgr").rglob("recovered/*/pyproject.toml")]


def _edit(app) -> bytes:
    app.pyproject.write_text(app.pyproject.read_text() + "\n# the person's edit\n")
    return app.pyproject.read_bytes()


def test_an_edit_during_a_change_is_saved_before_the_rollback_restores(app):
    original = app.snapshot()
    with pytest.raises(RolledBack) as caught, \
            Transaction(Project(app.root), ProcessRunner(Tracer()), "add"):
        mine = _edit(app)
        raise RolledBack("add: the change failed its verification")
    assert app.snapshot() == original  # what was applied is undone
    assert _saved(app) == [mine]  # and the person's bytes are kept
    assert "changed while the change ran" in caught.value.message
    assert "cp .uvmgr/recovered/" in (caught.value.hint or "")


def test_an_interrupt_keeps_the_edit_too_and_says_so(app):
    with pytest.raises(KeyboardInterrupt) as caught, \
            Transaction(Project(app.root), ProcessRunner(Tracer()), "add"):
        mine = _edit(app)
        raise KeyboardInterrupt
    assert _saved(app) == [mine]
    assert any(".uvmgr/recovered/" in n for n in getattr(caught.value, "__notes__", []))


def test_uvmgrs_own_recorded_write_is_not_saved(app):
    original = app.snapshot()
    project = Project(app.root)
    with pytest.raises(RolledBack), Transaction(project, ProcessRunner(Tracer()), "add"):
        _edit(app)
        record_state(project)  # uvmgr's own write, recorded
        raise RolledBack("add: failed")
    assert app.snapshot() == original
    assert _saved(app) == []


def test_a_run_restoring_between_trials_keeps_the_edit(app):
    project = Project(app.root)
    with RunTransaction(project, ProcessRunner(Tracer()), "upgrade --safe") as run:
        mine = _edit(app)
        run.restore()
        run.commit()
    assert _saved(app) == [mine]


def test_end_to_end_another_writer_during_deps_upgrade_test(cli, project_factory):
    """No seam: while `deps upgrade --test` verifies, the project's own test (another process)
    appends to pyproject.toml, then fails. The upgrade is rolled back (exit 4), and the other
    writer's bytes are saved and named, with the `cp` that takes them back."""
    app = project_factory(["demo-http>=1.0,<1.1"], {"demo-http": "1.0.0"})
    (app.root / "tests" / "test_app.py").write_text(
        "import pathlib\nfrom importlib.metadata import version\n\n\n"
        "def test_edits_the_project_then_fails():\n"
        "    if version('demo-http') == '1.0.0':\n"
        "        return\n"
        "    p = pathlib.Path(__file__).resolve().parents[1] / 'pyproject.toml'\n"
        "    p.write_text(p.read_text() + '\\n# edited by someone else\\n')\n"
        "    assert False\n", encoding="utf-8")
    original = app.snapshot()
    r = cli("deps", "upgrade", "demo-http", "--test", "--project", app.root)
    assert r.code == 4, r.err
    assert app.snapshot() == original
    saved = _saved(app)
    assert len(saved) == 1 and saved[0].endswith(b"# edited by someone else\n")
    assert "changed while the change ran" in r.err and "cp .uvmgr/recovered/" in r.err
