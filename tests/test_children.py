"""No orphans, signals held around spawning, honest results for killed test runs (issue 17).

Each test here failed on the code before the fix (see the report of branch wave2-orphans).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from uvmgr.tools.children import CHILDREN_LOG, RUN_ENV, start_time, survivors, sweep
from uvmgr.tools.project import Project
from uvmgr.tools.recovery import recover_interrupted
from uvmgr.tools.runner import ProcessRunner
from uvmgr.tools.transaction import Journal

from uvmgr.telemetry import Tracer

REPO = Path(__file__).resolve().parents[1]


def alive(pid: int) -> bool:
    return start_time(pid) is not None  # zombies count as dead


def wait_dead(pids: list[int], seconds: float = 5.0) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        left = [p for p in pids if alive(p)]
        if not left:
            return []
        time.sleep(0.05)
    return [p for p in pids if alive(p)]


def wait_file(path: Path, seconds: float = 10.0) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.exists() and path.read_text().strip():
            return path.read_text().strip()
        time.sleep(0.02)
    raise AssertionError(f"{path} never appeared")


def test_a_killed_uvmgr_takes_its_child_and_grandchild_with_it(tmp_path):
    """SIGKILL of the process that runs the runner: the child (parent-death signal) and the
    grandchild (the supervisor kills the group) both die."""
    pids = tmp_path / "pids"
    child = (f"import subprocess, sys, time; g = subprocess.Popen([sys.executable, '-c', "
             f"'import time; time.sleep(60)']); open({str(pids)!r}, 'w').write("
             f"f'{{__import__(\"os\").getpid()}} {{g.pid}}'); time.sleep(60)")
    host = (f"import sys; sys.path.insert(0, {str(REPO)!r})\n"
            "from pathlib import Path\n"
            "from uvmgr.telemetry import Tracer\n"
            "from uvmgr.tools.runner import ProcessRunner\n"
            f"ProcessRunner(Tracer()).run([sys.executable, '-c', {child!r}], Path('.'))\n")
    uvmgr = subprocess.Popen([sys.executable, "-c", host], cwd=tmp_path)
    try:
        victims = [int(p) for p in wait_file(pids).split()]
        os.kill(uvmgr.pid, signal.SIGKILL)
        uvmgr.wait()
        assert wait_dead(victims) == [], "a child outlived the uvmgr that started it"
    finally:
        uvmgr.kill()


CTRL_C_DURING_SPAWN = """
import os, signal, subprocess, sys
from pathlib import Path
# A fresh interpreter as a person's shell starts it: an ignored or blocked SIGINT is inherited
# across exec from whatever started it (a test runner's worker may have either), and Python
# keeps SIGINT ignored when it starts ignored.
signal.pthread_sigmask(signal.SIG_SETMASK, set())
signal.signal(signal.SIGINT, signal.default_int_handler)
from uvmgr.telemetry import Tracer
from uvmgr.tools.runner import ProcessRunner

runner = ProcessRunner(Tracer())
real_popen = subprocess.Popen

class CtrlCDuringSpawn(real_popen):
    def __init__(self, args, *rest, **kwargs):
        super().__init__(args, *rest, **kwargs)
        if "spawned-by-test" in " ".join(map(str, args)):
            print(self.pid, flush=True)
            os.kill(os.getpid(), signal.SIGINT)  # the person's Ctrl+C, at the worst moment

subprocess.Popen = CtrlCDuringSpawn
try:
    runner.run([sys.executable, "-c", "import time; time.sleep(60)  # spawned-by-test"], Path("."))
except KeyboardInterrupt:
    print("interrupted", flush=True)
"""


def test_ctrl_c_landing_inside_popen_kills_the_child(tmp_path):
    """A SIGINT delivered while `Popen()` is still returning: held until the child is known,
    then the child is killed and the interrupt goes on. In a fresh interpreter, so SIGINT has
    Python's default handler whatever the test runner installed."""
    env = {**os.environ}
    proc = subprocess.run([sys.executable, "-c", CTRL_C_DURING_SPAWN], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60, check=False)
    lines = proc.stdout.split()
    assert lines and lines[-1] == "interrupted", proc.stdout + proc.stderr
    child = int(lines[0])
    assert wait_dead([child], 6.0) == [], "the child started during the Ctrl+C lives"


def test_every_child_carries_the_run_token(tmp_path):
    runner = ProcessRunner(Tracer())
    result = runner.run([sys.executable, "-c", f"import os; print(os.environ['{RUN_ENV}'])"],
                        tmp_path)
    assert result.stdout.strip() == runner.token
    assert runner.token.startswith(f"{os.getpid()}.")


def _orphan(tmp_path: Path, token: str, target: Path | None = None) -> subprocess.Popen:
    """A process left behind by a killed run: it keeps writing to `target` if given."""
    body = ("import time\n"
            "while True:\n"
            + (f"    open({str(target)!r}, 'w').write('written by an orphan\\n')\n" if target
               else "")
            + "    time.sleep(0.02)\n")
    env = {**os.environ, RUN_ENV: token}
    return subprocess.Popen([sys.executable, "-c", body], env=env, start_new_session=True)


def test_sweep_kills_recorded_children_and_their_descendants_only(tmp_path):
    token = "999999.123"
    recorded = _orphan(tmp_path, token)
    stranger = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        time.sleep(0.1)
        log = tmp_path / CHILDREN_LOG
        lines = [{"pid": recorded.pid, "start": start_time(recorded.pid), "run": token},
                 # the stranger's pid with another start time: a recycled pid, never killed
                 {"pid": stranger.pid, "start": (start_time(stranger.pid) or 0) - 1, "run": token}]
        log.write_text("".join(json.dumps(e) + "\n" for e in lines) + '{"pid": 1, "cut', "utf-8")
        assert survivors(tmp_path) == [recorded.pid]
        assert sweep(tmp_path) == [recorded.pid]
        assert recorded.wait(5) == -signal.SIGKILL
        assert stranger.poll() is None
    finally:
        for proc in (recorded, stranger):
            proc.kill()
            proc.wait()


def test_recovery_waits_for_the_dead_runs_child_before_restoring(demo_project):
    """A child of the killed run still writing uv.lock: recovery kills it first, so the restored
    bytes stay restored."""
    project = Project(demo_project.root)
    original = demo_project.snapshot()
    journal = Journal(project)
    journal.write("add")
    token = "888888.456"
    orphan = _orphan(demo_project.root, token, target=demo_project.lock)
    try:
        (journal.dir / CHILDREN_LOG).write_text(json.dumps(
            {"pid": orphan.pid, "start": None, "run": token}) + "\n", "utf-8")
        wait_until = time.monotonic() + 5
        while demo_project.lock.read_bytes() == original[1] and time.monotonic() < wait_until:
            time.sleep(0.02)
        message = recover_interrupted(project, ProcessRunner(Tracer()))
        assert message and "uv.lock" in message
        time.sleep(0.3)
        assert demo_project.snapshot() == original
        assert orphan.poll() == -signal.SIGKILL
    finally:
        orphan.kill()
        orphan.wait()


def _suite(project, body: str) -> None:
    (project.root / "tests" / "test_app.py").write_text(body, encoding="utf-8")


# Killed or hung only after the upgrade (demo-http leaves 1.0.0): `--test` first checks that the
# tests pass before the change, and these tests are about the run that verifies the change.
_UPGRADED = "from importlib.metadata import version\n\nUPGRADED = version('demo-http') != '1.0.0'\n"
KILLED_SUITE = ("import os, signal\n" + _UPGRADED + "\n\ndef test_killed():\n"
                "    if UPGRADED:\n        os.kill(os.getpid(), signal.SIGKILL)\n")
HUNG_SUITE = ("import time\n" + _UPGRADED + "\n\ndef test_hangs():\n"
              "    if UPGRADED:\n        time.sleep(120)\n")


def test_a_killed_pytest_is_interrupted_and_the_upgrade_rolled_back(demo_project, cli):
    _suite(demo_project, KILLED_SUITE)
    before = demo_project.snapshot()
    result = cli("deps", "upgrade", "--test", "--project", demo_project.root)
    assert result.code == 4, result.err
    assert "interrupted (pytest was killed by SIGKILL)" in result.err
    assert "tests failed" not in result.err and "could not run: \n" not in result.err
    assert demo_project.snapshot() == before


def test_hung_tests_killed_at_the_timeout_roll_back_with_exit_4(demo_project, cli, monkeypatch):
    _suite(demo_project, HUNG_SUITE)
    monkeypatch.setenv("UVMGR_TIMEOUT", "8")
    before = demo_project.snapshot()
    result = cli("deps", "upgrade", "--test", "--project", demo_project.root)
    assert result.code == 4, result.err
    assert "did not finish within 8 s" in result.err
    assert demo_project.snapshot() == before


def test_sigterm_rolls_back_says_so_and_exits_143(demo_project, tmp_path):
    _suite(demo_project, HUNG_SUITE)
    before = demo_project.snapshot()
    proc = subprocess.Popen([sys.executable, "-m", "uvmgr.cli", "deps", "upgrade", "--test",
                             "--project", str(demo_project.root)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and demo_project.snapshot() == before:
        time.sleep(0.05)  # the upgrade is applied; the hung tests are running
    time.sleep(1.0)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert "SIGTERM received" in err
    assert demo_project.snapshot() == before


def test_the_runner_leaves_the_callers_signal_mask_as_it_was(tmp_path):
    """Ctrl+C and SIGTERM are blocked only around `Popen()`, on the spawning thread: after a
    run (and after parallel runs on threads) the caller's mask is what it was."""
    from uvmgr.tools.resolve import in_parallel
    from uvmgr.tools.runner import ProcessRunner

    from uvmgr.telemetry import Tracer

    before = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    runner = ProcessRunner(Tracer())
    runner.run([sys.executable, "-c", "pass"], tmp_path)
    in_parallel(*[lambda: runner.run([sys.executable, "-c", "pass"], tmp_path) for _ in range(3)])
    assert signal.pthread_sigmask(signal.SIG_BLOCK, []) == before
