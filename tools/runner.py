"""The one way uvmgr runs a process: no shell, a timeout, the whole process group
killed on timeout or interrupt, output captured, a span per call. Children never outlive
uvmgr (see `tools/children.py`), and a Ctrl+C or SIGTERM that lands while a child is being
spawned is held until the child is known, then kills it.

A non-zero exit is a `ProcessResult`, not an exception; callers decide what it means.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from uvmgr.tools.children import RUN_ENV, SUPERVISOR, ChildLog, parent_death_hook, run_token

from uvmgr.errors import Cancelled, UvNotFound
from uvmgr.telemetry import Tracer

DEFAULT_TIMEOUT = 600.0
MIN_UV_VERSION = (0, 9, 0)
STOP_SIGNALS = frozenset({signal.SIGINT, signal.SIGTERM})
# The lookup reads `sysconfig`, whose config cache is filled lazily and not under a lock: a
# thread arriving while another fills it would read a half-filled cache (`"uv" + None`).
_LOOKUP_LOCK = threading.Lock()


@dataclass(frozen=True)
class ProcessResult:
    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    duration: float
    timed_out: bool = False
    cwd: str = ""  # where it ran: uv's errors name an index by the name configured there
    note: str = ""  # what uvmgr changed about the call that may explain a failure

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out


class Runner(Protocol):
    """What tools need from a process runner (unit tests substitute a scripted one)."""

    def run(self, args: Sequence[str], cwd: Path, *, timeout: float | None = None,
            env: Mapping[str, str] | None = None) -> ProcessResult: ...

    def uv(self, args: Sequence[str], cwd: Path, *, timeout: float | None = None,
           env: Mapping[str, str] | None = None, cancellable: bool = True) -> ProcessResult: ...

    def recording_children(self, folder: Path) -> contextlib.AbstractContextManager[None]: ...


def find_uv() -> str:
    """The uv binary: `UVMGR_UV` if set, else the one shipped by the `uv` package, else PATH.
    Safe to call from several threads at once (one lookup at a time)."""
    with _LOOKUP_LOCK:
        return _find_uv()


def _find_uv() -> str:
    override = os.environ.get("UVMGR_UV")
    if override:
        if not (shutil.which(override) or Path(override).is_file()):
            raise UvNotFound(f"UVMGR_UV points at {override}, which does not exist",
                             hint="unset UVMGR_UV or point it at a uv binary")
        return override
    try:
        from uv import find_uv_bin

        return find_uv_bin()
    except (ImportError, FileNotFoundError):
        pass
    found = shutil.which("uv")
    if not found:
        raise UvNotFound("uv is not installed", hint="install it with `pip install uv`")
    return found


def parse_uv_version(text: str) -> tuple[int, ...]:
    """`uv 0.13.9 (abc 2026-01-01)` -> (0, 13, 9)."""
    parts = text.split()
    if len(parts) < 2:
        return ()
    numbers = []
    for piece in parts[1].split(".")[:3]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        numbers.append(int(digits or 0))
    return tuple(numbers)


class ProcessRunner:
    """Runs real processes. One instance per uvmgr run, holding the tracer."""

    def __init__(self, tracer: Tracer, *, default_timeout: float = DEFAULT_TIMEOUT,
                 uv_bin: str | None = None, cancel: threading.Event | None = None):
        self.tracer = tracer
        self.default_timeout = default_timeout
        # Set from another thread (the TUI's Esc): the running process group is killed and
        # Cancelled raised, so the transaction around it rolls back.
        self.cancel = cancel
        self._uv_bin = uv_bin
        self._uv_checked = False
        self.token = run_token()
        self.child_log: ChildLog | None = None
        self._supervisor_fd: int | None = None
        self._supervisor_lock = threading.Lock()
        self._hook = None

    @property
    def uv_bin(self) -> str:
        if self._uv_bin is None:
            self._uv_bin = find_uv()
        return self._uv_bin

    def check_uv_version(self, cwd: Path) -> tuple[int, ...]:
        result = self.run([self.uv_bin, "--version"], cwd, timeout=30)
        version = parse_uv_version(result.stdout)
        if not result.ok or not version:
            raise UvNotFound(f"could not run {self.uv_bin} --version: {result.stderr.strip()}",
                             hint="reinstall uv with `pip install -U uv`")
        if version < MIN_UV_VERSION:
            need = ".".join(map(str, MIN_UV_VERSION))
            raise UvNotFound(f"uv {'.'.join(map(str, version))} is too old (uvmgr needs {need}+)",
                             hint="upgrade it with `pip install -U uv`")
        return version

    def uv(self, args: Sequence[str], cwd: Path, *, timeout: float | None = None,
           env: Mapping[str, str] | None = None, cancellable: bool = True) -> ProcessResult:
        extra = {"UV_NO_PROGRESS": "1", "NO_COLOR": "1", "UV_COLOR": "never"}
        if list(args[:1]) != ["run"]:
            # uv wraps its messages at COLUMNS; they are read and re-printed here, so one
            # sentence stays one line (`uv run`'s child prints for a person and keeps its width).
            extra["COLUMNS"] = "4096"
        # A uvmgr run inside `uv run` inherits VIRTUAL_ENV of uvmgr's own venv; the
        # project's commands must use the project's environment instead.
        merged = {**extra, **(env or {})}
        # A repository may not point an index named like the person's at another host and so
        # receive their credentials: checked before every uv call (tools/index_trust.py).
        from uvmgr.tools.index_trust import check_index_credentials

        check_index_credentials(Path(cwd), [str(a) for a in args], {**os.environ, **merged})
        # Nor choose where uv writes or fetches an interpreter from (tools/uv_settings_trust.py).
        from uvmgr.tools.uv_settings_trust import DOWNLOADS_OFF, overrides_for

        overrides = overrides_for(Path(cwd), [str(a) for a in args], {**os.environ, **merged})
        merged.update(overrides)
        result = self.run([self.uv_bin, *args], cwd, timeout=timeout, env=merged,
                          drop_env=("VIRTUAL_ENV",), cancellable=cancellable)
        if not result.ok and overrides.get("UV_PYTHON_DOWNLOADS") == "never":
            result = replace(result, note=DOWNLOADS_OFF)
        if not result.ok and not self._uv_checked and (
            "unrecognized subcommand" in result.stderr or "unexpected argument" in result.stderr
        ):
            # Only a failing call pays for the version check: an old uv gets a clear message.
            self._uv_checked = True
            self.check_uv_version(cwd)
        return result

    @contextmanager
    def recording_children(self, folder: Path) -> Iterator[None]:
        """Record each child's pid and start time in `folder` (an open journal) meanwhile, so
        the next start can kill survivors of a killed run before it recovers the files."""
        previous, self.child_log = self.child_log, ChildLog(folder)
        try:
            yield
        finally:
            self.child_log = previous

    def _supervisor(self) -> int | None:
        """The write end of the supervisor's pipe, starting the supervisor on first use."""
        with self._supervisor_lock:
            if self._supervisor_fd is None and os.name == "posix":
                read_fd, write_fd = os.pipe()  # both close-on-exec: no child keeps it open
                try:
                    subprocess.Popen([sys.executable, "-I", "-S", "-c", SUPERVISOR],
                                     stdin=read_fd, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)
                except OSError:
                    os.close(write_fd)
                    return None
                finally:
                    os.close(read_fd)
                self._supervisor_fd = write_fd
                # Closing the write end (this runner is gone, or uvmgr died) ends the supervisor.
                weakref.finalize(self, os.close, write_fd)
            return self._supervisor_fd

    def _forget(self, pid: int) -> None:
        if self._supervisor_fd is not None:
            try:
                os.write(self._supervisor_fd, b"-%d\n" % pid)
            except OSError:
                pass

    def cancelled(self) -> bool:
        return self.cancel is not None and self.cancel.is_set()

    def run(self, args: Sequence[str], cwd: Path, *, timeout: float | None = None,
            env: Mapping[str, str] | None = None, drop_env: Sequence[str] = (),
            cancellable: bool = True) -> ProcessResult:
        """`cancellable=False` for the calls that put things back (a rollback's sync), which
        must finish even after the person pressed Esc."""
        timeout = self.default_timeout if timeout is None else timeout
        watch = self.cancel if cancellable else None
        full_env = {k: v for k, v in os.environ.items() if k not in drop_env}
        full_env.update(env or {})
        full_env[RUN_ENV] = self.token
        argv = tuple(str(a) for a in args)
        shown = " ".join([Path(argv[0]).name, *argv[1:]])
        if watch is not None and watch.is_set():
            raise Cancelled(f"cancelled before running {shown}")
        with self.tracer.span("process", command=shown, cwd=str(cwd)) as span:
            start = time.monotonic()
            if self._hook is None:
                self._hook = parent_death_hook(self._supervisor())
            hook = self._hook
            proc: subprocess.Popen | None = None
            try:
                try:
                    # A Ctrl+C or SIGTERM arriving now is held until `proc` is known; it is
                    # delivered when the mask is restored, and the handler below kills the child.
                    with _signals_held():
                        proc = subprocess.Popen(
                            argv, cwd=cwd, env=full_env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            encoding="utf-8", errors="replace", start_new_session=True,
                            # Only system calls between fork and exec (see children.py).
                            preexec_fn=hook,  # noqa: PLW1509
                        )
                except FileNotFoundError as exc:
                    span.fail(str(exc))
                    if Path(argv[0]).name == "uv":
                        raise UvNotFound(f"uv not found at {argv[0]}",
                                         hint="install it with `pip install uv`") from exc
                    return ProcessResult(argv, 127, "", f"{argv[0]}: command not found",
                                         time.monotonic() - start)
                if self.child_log is not None:
                    self.child_log.record(proc.pid, self.token)
                if watch is not None and watch.is_set():
                    raise Cancelled(f"cancelled while starting {shown}")
                stdout, stderr, timed_out = self._wait(proc, watch, start + timeout, timeout,
                                                       shown, span)
            except BaseException:
                if proc is not None:
                    _kill_group(proc)
                    _drain(proc)
                raise
            finally:
                if proc is not None:
                    self._forget(proc.pid)
            duration = time.monotonic() - start
            span.set("exit_code", proc.returncode)
            span.set("duration_ms", round(duration * 1000, 1))
            if timed_out:
                span.set("timed_out", True)
            if proc.returncode != 0:
                span.fail(stderr.strip().splitlines()[-1] if stderr.strip() else "non-zero exit")
            if watch is not None and watch.is_set():
                # Finished, but the person cancelled meanwhile: let the transaction undo it.
                raise Cancelled(f"cancelled after running {shown}")
            return ProcessResult(argv, proc.returncode, stdout, stderr, duration, timed_out,
                                 str(cwd))

    @staticmethod
    def _wait(proc: subprocess.Popen, watch: threading.Event | None, deadline: float,
              timeout: float, shown: str, span) -> tuple[str, str, bool]:
        """Collect the output; kill the group at the deadline or on cancel. The wait wakes at
        least every half second even with nothing to watch: a Ctrl+C that the kernel handed to
        another thread does not interrupt this thread's select(), and is raised here only when
        this thread runs Python code again."""
        while True:
            left = max(0.0, deadline - time.monotonic())
            try:
                stdout, stderr = proc.communicate(
                    timeout=min(0.2 if watch is not None else 0.5, left))
                return stdout, stderr, False
            except subprocess.TimeoutExpired:
                if watch is not None and watch.is_set():
                    span.fail("cancelled")
                    raise Cancelled(f"cancelled while running {shown}") from None
                if time.monotonic() >= deadline and proc.poll() is None:
                    _kill_group(proc)
                    stdout, stderr = _drain(proc)
                    return stdout, stderr + f"\nuvmgr: killed after {timeout:g} s timeout", True


@contextmanager
def _signals_held() -> Iterator[None]:
    """Block SIGINT and SIGTERM on this thread meanwhile; pending ones arrive on exit."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _drain(proc: subprocess.Popen) -> tuple[str, str]:
    """Collect what a killed process wrote, without waiting on children that hold its pipes."""
    try:
        return proc.communicate(timeout=5)
    except subprocess.TimeoutExpired:
        for pipe in (proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()
        proc.wait()
        return "", ""


def _kill_group(proc: subprocess.Popen) -> None:
    """SIGTERM the process group, give it 3 s, then SIGKILL whatever is left of the group
    (children that ignore SIGTERM too, even when the leader already exited)."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=3.0)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        proc.wait(timeout=5.0)
    except subprocess.TimeoutExpired:
        pass
