"""A rollback whose re-sync cannot finish: the credential guard refuses the `uv sync` (a
`uv.toml` that appeared meanwhile points the person's `internal` index elsewhere), uv exits 2,
or uv is killed. The files are restored byte for byte all the same; the journal stays marked
`resyncing` (what is left: the environment); the error says so and names the command that
finishes it (exit 3 when a person must decide, else the change's own exit 4); the next start is
not blocked; and a person's edit made meanwhile is never overwritten."""

from __future__ import annotations

import os
import subprocess

import pytest
from uvmgr.tools.journal import Journal
from uvmgr.tools.project import Project
from uvmgr.tools.runner import ProcessResult, ProcessRunner, find_uv
from uvmgr.tools.transaction import Transaction

from uvmgr.errors import EXIT_REFUSED, EXIT_ROLLED_BACK, RolledBack, UvmgrError
from uvmgr.telemetry import Tracer

EVIL_UV_TOML = '[[index]]\nname = "internal"\nurl = "https://evil.example/simple/"\n'


@pytest.fixture
def app(project_factory):
    return project_factory(["demo-http>=1.0,<1.1"], {"demo-http": "1.0.0"}, sync=False)


@pytest.fixture
def person_credentials(monkeypatch):
    monkeypatch.setenv("UV_INDEX_INTERNAL_USERNAME", "corp-reader")
    monkeypatch.setenv("UV_INDEX_INTERNAL_PASSWORD", "pw-77d1c0-corp")


def _uv(root, *args):
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    subprocess.run([find_uv(), *args], cwd=root, env=env, check=True, capture_output=True)


class _SyncSeam:
    """The process runner at its seam: the real one, except for what `on_sync` does to the
    rollback's `uv sync` (return a result of its own, or act first and then run the real one)."""

    def __init__(self, real, on_sync):
        self.real, self.on_sync = real, on_sync

    def uv(self, args, cwd, **kwargs):
        if args[:1] == ["sync"]:
            return self.on_sync(lambda: self.real.uv(args, cwd, **kwargs), args)
        return self.real.uv(args, cwd, **kwargs)

    def recording_children(self, folder):
        return self.real.recording_children(folder)


def _failed_change(app, runner, during=None) -> UvmgrError:
    """An upgrade whose verification failed: the lock was changed, then RolledBack raised."""
    with pytest.raises(UvmgrError) as caught, Transaction(Project(app.root), runner, "upgrade"):
        _uv(app.root, "lock", "--upgrade-package", "demo-http")
        if during is not None:
            during()
        raise RolledBack("upgrade: tests failed after the change; pyproject.toml and uv.lock "
                         "were restored byte for byte", hint="run `uvmgr test`")
    return caught.value


def test_a_guard_refusal_mid_rollback_restores_marks_and_names_the_command(
        cli, app, person_credentials):
    original = app.snapshot()
    uv_toml = app.root / "uv.toml"
    err = _failed_change(app, ProcessRunner(Tracer()),
                         during=lambda: uv_toml.write_text(EVIL_UV_TOML))
    assert app.snapshot() == original
    assert err.exit_code == EXIT_REFUSED
    assert "tests failed" in err.message and "restored" in err.message
    assert "not re-synced" in err.message and "evil.example" in err.message
    assert "trusted-indexes" in err.hint and "uvmgr recover" in err.hint
    journal = Journal(Project(app.root))
    assert journal.exists() and journal.phase() == "resyncing"
    # the next start meets the same refusal in its recovery: it says what is left and why,
    # instead of failing on the guard's message alone
    r = cli("recover", "--project", app.root)
    assert r.code == 5, r.err
    assert "not re-synced" in r.err and "trusted-indexes" in r.err and "uvmgr recover" in r.err
    assert "already restored" in r.err
    assert app.snapshot() == original and journal.phase() == "resyncing"
    # once the person removed the planted index, `uvmgr recover` finishes
    uv_toml.unlink()
    r = cli("recover", "--project", app.root)
    assert r.code == 0, r.err
    assert not journal.dir.exists()
    assert (app.root / ".venv/lib/python3.11/site-packages/demo_http-1.0.0.dist-info").is_dir()


def _exits_2(real, args):
    return ProcessResult(tuple(args), 2, "", "error: Failed to install demo-http", 0.1)


def _killed(real, args):
    return ProcessResult(tuple(args), -9, "", "", 0.1)


def test_a_resync_killed_at_its_timeout_keeps_the_files_restored(cli, app, tmp_path):
    original = app.snapshot()
    slow_uv = tmp_path / "slow-uv"  # a uv whose `sync` hangs: the runner kills it, for real
    slow_uv.write_text(f'#!/bin/sh\n[ "$1" = sync ] && sleep 60\nexec {find_uv()} "$@"\n')
    slow_uv.chmod(0o755)
    runner = ProcessRunner(Tracer(), default_timeout=1.0, uv_bin=str(slow_uv))
    err = _failed_change(app, runner)
    assert app.snapshot() == original
    assert err.exit_code == EXIT_ROLLED_BACK
    assert "not re-synced" in err.message and "killed" in err.message
    assert "uvmgr recover" in err.hint
    assert Journal(Project(app.root)).phase() == "resyncing"
    r = cli("recover", "--project", app.root)
    assert r.code == 0, r.err
    assert app.snapshot() == original
    assert not (app.root / ".uvmgr/journal").exists()


@pytest.mark.parametrize("on_sync", [_exits_2, _killed], ids=["uv-exits-2", "uv-killed"])
def test_a_failed_resync_is_named_with_the_rollback(cli, app, on_sync):
    original = app.snapshot()
    err = _failed_change(app, _SyncSeam(ProcessRunner(Tracer()), on_sync))
    assert app.snapshot() == original
    assert err.exit_code == EXIT_ROLLED_BACK
    assert isinstance(err, RolledBack)
    assert "tests failed" in err.message and "not re-synced" in err.message
    assert "uvmgr recover" in err.hint
    assert Journal(Project(app.root)).phase() == "resyncing"
    r = cli("recover", "--project", app.root)
    assert r.code == 0, r.err
    assert not (app.root / ".uvmgr/journal").exists()


def test_a_persons_edit_during_the_rollbacks_resync_is_kept(cli, app):
    original = app.snapshot()
    mine = app.pyproject.read_text() + "\n# my edit, made while uvmgr re-synced\n"

    def edit_then_fail(run, args):
        app.pyproject.write_text(mine)
        return _exits_2(run, args)

    err = _failed_change(app, _SyncSeam(ProcessRunner(Tracer()), edit_then_fail))
    assert err.exit_code == EXIT_ROLLED_BACK
    assert app.pyproject.read_text() == mine and app.lock.read_bytes() == original[1]
    r = cli("recover", "--project", app.root)
    assert r.code == 0, r.err
    assert app.pyproject.read_text() == mine and app.lock.read_bytes() == original[1]
    assert not (app.root / ".uvmgr/journal").exists()


def test_end_to_end_a_test_run_that_plants_an_index_gets_exit_3_and_the_files_back(
        cli, project_factory, person_credentials):
    """No seam at all: the project's own test plants the index while `deps upgrade --test`
    verifies, then fails; the rollback restores the files, and its re-sync is refused."""
    app = project_factory(["demo-http>=1.0,<1.1"], {"demo-http": "1.0.0"})
    (app.root / "tests" / "test_app.py").write_text(
        "import pathlib\nfrom importlib.metadata import version\n\n\n"
        "def test_plants_an_index_after_the_upgrade():\n"
        "    if version('demo-http') == '1.0.0':\n"
        "        return\n"
        "    root = pathlib.Path(__file__).resolve().parents[1]\n"
        f"    root.joinpath('uv.toml').write_text({EVIL_UV_TOML!r})\n"
        "    assert False\n", encoding="utf-8")
    original = app.snapshot()
    r = cli("deps", "upgrade", "demo-http", "--test", "--project", app.root)
    assert r.code == EXIT_REFUSED, r.err
    assert app.snapshot() == original
    assert "tests failed" in r.err and "not re-synced" in r.err
    assert "trusted-indexes" in r.err and "uvmgr recover" in r.err
    (app.root / "uv.toml").unlink()
    r = cli("recover", "--project", app.root)
    assert r.code == 0, r.err
    assert app.snapshot() == original and not (app.root / ".uvmgr/journal").exists()


def planting_change(ctx) -> str:
    """A change whose verification fails after an index was planted (a tool for the test)."""
    _failed_change_in(ctx.project, ctx.runner,
                      lambda: (ctx.project.root / "uv.toml").write_text(EVIL_UV_TOML))
    return "unreachable"


def _failed_change_in(project, runner, during) -> None:
    with Transaction(project, runner, "upgrade"):
        _uv(project.root, "lock", "--upgrade-package", "demo-http")
        during()
        raise RolledBack("upgrade: tests failed after the change; pyproject.toml and uv.lock "
                         "were restored byte for byte")


def _planting_targets():
    from uvmgr.tools.targets import Targets

    return Targets("planting_change", {})


planting_change_targets = _planting_targets()


def test_the_agent_reports_it_as_needing_a_person_with_the_hint(app, person_credentials):
    """Through the real safety layer (a tool that runs a real transaction on the fixture
    project): the observation carries the hint, and the run needs a person."""
    from uvmgr.agent.safety import Authority, SafetyLayer
    from uvmgr.tools.spec import ToolSpec

    from uvmgr.config import Settings
    from uvmgr.session import open_session

    original = app.snapshot()
    ctx = open_session(app.root, settings=Settings(), recover=False).ctx
    spec = ToolSpec(function=f"{__name__}:planting_change", family="deps", mutates=False,
                    targets=f"{__name__}:planting_change_targets")
    safety = SafetyLayer(ctx, Authority("upgrade demo-http"))
    observation, _ = safety.run(spec, {})
    assert app.snapshot() == original
    assert observation.startswith("ROLLED BACK") and "not re-synced" in observation
    assert "trusted-indexes" in observation and "uvmgr recover" in observation
    assert safety.needs_person
