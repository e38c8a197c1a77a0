"""The process runner: typed results, timeouts that kill the whole group, spans."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from uvmgr.tools.runner import ProcessRunner, parse_uv_version

from uvmgr.telemetry import Tracer


def test_nonzero_exit_is_a_result(tmp_path):
    runner = ProcessRunner(Tracer())
    result = runner.run([sys.executable, "-c", "import sys; print('out'); sys.exit(3)"], tmp_path)
    assert (result.returncode, result.stdout.strip(), result.ok) == (3, "out", False)


def test_timeout_kills_the_process_group(tmp_path):
    pid_file = tmp_path / "child.pid"
    script = (
        "import subprocess, sys, time\n"
        f"child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        f"open({str(pid_file)!r}, 'w').write(str(child.pid))\n"
        "time.sleep(60)\n"
    )
    tracer = Tracer()
    start = time.monotonic()
    result = ProcessRunner(tracer).run([sys.executable, "-c", script], tmp_path, timeout=1.5)
    assert result.timed_out and time.monotonic() - start < 15
    child = int(pid_file.read_text())
    time.sleep(0.2)
    status = Path(f"/proc/{child}/status")
    alive = status.exists() and "State:\tZ" not in status.read_text()  # zombies are dead
    assert not alive, "the grandchild survived the timeout"
    [span] = tracer.spans
    assert span.attributes["timed_out"] is True and span.status == "error"


def test_missing_program(tmp_path):
    result = ProcessRunner(Tracer()).run(["definitely-not-a-program-xyz"], tmp_path)
    assert result.returncode == 127


def test_parse_uv_version():
    assert parse_uv_version("uv 0.13.9 (abc 2026-01-01)") == (0, 13, 9)
    assert parse_uv_version("garbage") == ()


def test_the_first_uv_lookup_in_many_threads_at_once_finds_uv_in_each(monkeypatch):
    """`find_uv` reads `sysconfig`, whose config cache is filled lazily and not under a lock:
    a thread that arrives while another fills it reads a half-filled dict (`"uv" + None`, a
    TypeError). Made reproducible at the seam: a fresh cache and a slow fill, N threads
    released together."""
    import sysconfig
    import threading

    from uvmgr.tools.runner import find_uv

    monkeypatch.delenv("UVMGR_UV", raising=False)
    expected = find_uv()
    real_init = sysconfig._init_posix

    def slow_init(variables):
        time.sleep(0.2)  # the fill takes a while; the other threads arrive meanwhile
        real_init(variables)

    monkeypatch.setattr(sysconfig, "_CONFIG_VARS", None)
    monkeypatch.setattr(sysconfig, "_init_posix", slow_init)
    threads_n = 8
    barrier = threading.Barrier(threads_n)
    found: list[object] = []

    def look_up():
        barrier.wait()
        try:
            found.append(find_uv())
        except TypeError as exc:  # the race being tested
            found.append(exc)

    threads = [threading.Thread(target=look_up) for _ in range(threads_n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert found == [expected] * threads_n
