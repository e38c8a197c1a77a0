"""Another writer while uvmgr changes the project: the person edits pyproject.toml while a change
runs, uvmgr's next record of the files takes the edit in, and uvmgr is killed. Recovery rolls
the change back (the README's limit: an edit made *during* a change goes back with it), but the
person's bytes must never be lost: before, they were overwritten with no copy anywhere."""

from __future__ import annotations

import os
import subprocess

import pytest
from uvmgr.tools.project import Project
from uvmgr.tools.runner import find_uv
from uvmgr.tools.transaction import Journal


@pytest.fixture
def app(project_factory):
    return project_factory(["demo-http>=1.0,<1.1"], {"demo-http": "1.0.0"}, sync=False)


def test_an_edit_made_during_a_change_is_saved_before_recovery_restores(cli, app):
    original = app.snapshot()
    journal = Journal(Project(app.root))
    journal.write("upgrade")
    app.pyproject.write_text(app.pyproject.read_text() + "\n# the person's edit, mid-change\n")
    mine = app.pyproject.read_bytes()
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    subprocess.run([find_uv(), "lock", "--upgrade-package", "demo-http"], cwd=app.root, env=env,
                   check=True, capture_output=True)
    journal.record_state()  # uvmgr records after its uv call: the edit is in that state
    # killed here
    r = cli("deps", "list", "--project", app.root)
    assert r.code == 0, r.err
    assert app.snapshot() == original  # the change (and the edit in it) rolled back
    saved = list((app.root / ".uvmgr/recovered").glob("*/pyproject.toml"))
    assert [p.read_bytes() for p in saved] == [mine]
    rel = saved[0].parent.relative_to(app.root).as_posix()
    assert f"cp {rel}/pyproject.toml" in r.err, r.err

