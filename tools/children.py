"""Every process uvmgr starts dies with uvmgr.

Three layers, each covering the gaps of the one before:

- On Linux each child gets a parent-death signal (`PR_SET_PDEATHSIG`, SIGKILL) before it
  execs: if uvmgr is killed, so is the child it was waiting on. The signal fires when the
  *thread* that spawned the child exits; the runner waits for its child on the spawning
  thread (the TUI's workers and `in_parallel`'s threads included), so that thread outlives it.
- A supervisor, one small process per runner, holds the read end of a pipe whose only
  writer is uvmgr. Each child registers its process group on the pipe before it execs;
  when uvmgr dies the pipe reads EOF and the supervisor SIGKILLs every group still
  registered: the grandchildren (`uv run` -> python -> pytest) that the parent-death
  signal does not reach. This part works on any POSIX system.
- Every child carries `UVMGR_RUN=<pid>.<start time>` of the uvmgr that started it, and
  while a transaction is open each child's pid and start time go into `children.jsonl`
  in the journal. At the next start, before recovery touches a file, `sweep` kills what
  survives of the dead run (a pid is killed only if its start time or its `UVMGR_RUN`
  still matches, so a recycled pid is never hit) and waits until it is gone.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from uvmgr.errors import ProjectBusy

RUN_ENV = "UVMGR_RUN"
CHILDREN_LOG = "children.jsonl"
PR_SET_PDEATHSIG = 1
SWEEP_WAIT = 5.0

# Runs as `python -I -S -c SUPERVISOR` with the pipe on stdin: "+pgid" registers a group,
# "-pgid" forgets it, EOF (uvmgr is gone) kills what is left.
SUPERVISOR = """
import os, signal
signal.signal(signal.SIGINT, signal.SIG_IGN)
groups, buf = set(), b""
while True:
    try:
        chunk = os.read(0, 4096)
    except InterruptedError:
        continue
    if not chunk:
        break
    buf += chunk
    *lines, buf = buf.split(b"\\n")
    for line in lines:
        if line[:1] == b"+":
            groups.add(int(line[1:]))
        elif line[:1] == b"-":
            groups.discard(int(line[1:]))
for group in groups:
    try:
        os.killpg(group, signal.SIGKILL)
    except OSError:
        pass
"""


def start_time(pid: int) -> int | None:
    """The process's start time in clock ticks since boot (field 22 of /proc/<pid>/stat), None
    when it is gone or a zombie. Together with the pid it names one process for good."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read()
    except OSError:
        return None
    fields = stat[stat.rfind(b")") + 2:].split()
    if not fields or fields[0] == b"Z":
        return None
    return int(fields[19])


def run_token() -> str:
    """This uvmgr process's identity, put in every child's environment."""
    pid = os.getpid()
    return f"{pid}.{start_time(pid) or int(time.time())}"


def parent_death_hook(supervisor_fd: int | None):
    """The `preexec_fn` for every child: unblock the signals the parent blocked around
    `Popen`, ask the kernel for SIGKILL when the parent dies, and register the child's group
    with the supervisor. Runs between fork and exec, so it only makes system calls."""
    prctl = None
    if sys.platform.startswith("linux"):
        import ctypes

        prctl = ctypes.CDLL(None, use_errno=True).prctl
    parent = os.getpid()

    def hook() -> None:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
        if prctl is not None:
            prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the signal was armed
            os._exit(137)
        if supervisor_fd is not None:
            os.write(supervisor_fd, b"+%d\n" % os.getpid())

    return hook


class ChildLog:
    """`children.jsonl` in a journal folder: one line per child started while it is open."""

    def __init__(self, folder: Path):
        self.path = folder / CHILDREN_LOG

    def record(self, pid: int, token: str) -> None:
        line = json.dumps({"pid": pid, "start": start_time(pid), "run": token}) + "\n"
        try:
            from uvmgr.tools.state_files import open_nofollow

            # Never through a planted link: the journal folder is inside the repository.
            fd = open_nofollow(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        except FileNotFoundError:  # the journal was dropped meanwhile: nothing to protect
            return
        try:
            os.write(fd, line.encode())
        finally:
            os.close(fd)

    def entries(self) -> list[dict]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except OSError:
            return []
        out = []
        for line in text.splitlines():
            try:
                entry = json.loads(line)
            except ValueError:  # a line cut short by the kill
                continue
            if isinstance(entry, dict) and isinstance(entry.get("pid"), int):
                out.append(entry)
        return out


def _environ_has(pid: int, marker: bytes) -> bool:
    try:
        with open(f"/proc/{pid}/environ", "rb") as fh:
            return marker in fh.read().split(b"\0")
    except OSError:
        return False


def _pids() -> Iterator[int]:
    try:
        names = os.listdir("/proc")
    except OSError:
        return
    for name in names:
        if name.isdigit():
            yield int(name)


def survivors(folder: Path) -> list[int]:
    """Live processes of the run that wrote this journal: each recorded child whose start time
    still matches, and every process whose environment carries a recorded run's token."""
    entries = ChildLog(folder).entries()
    if not entries:
        return []
    me = os.getpid()
    found = {e["pid"] for e in entries
             if e["pid"] != me and e.get("start") is not None and start_time(e["pid"]) == e["start"]}
    markers = {f"{RUN_ENV}={e['run']}".encode() for e in entries if isinstance(e.get("run"), str)}
    if markers:
        for pid in _pids():
            if pid != me and pid not in found and start_time(pid) is not None and any(
                    _environ_has(pid, m) for m in markers):
                found.add(pid)
    return sorted(found)


def sweep(folder: Path, *, wait: float = SWEEP_WAIT) -> list[int]:
    """Kill what survives of the dead run recorded in `folder` and wait until it is gone;
    returns the pids killed. Raises ProjectBusy if one will not die, so recovery never runs
    while a child of the dead run can still write."""
    killed = survivors(folder)
    for pid in killed:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    deadline = time.monotonic() + wait
    left = killed
    while left:
        left = [pid for pid in left if start_time(pid) is not None]
        if not left:
            break
        if time.monotonic() >= deadline:
            raise ProjectBusy(
                f"a process left by an interrupted uvmgr run is still running (pid {left[0]}); "
                "the interrupted change was not recovered yet",
                hint=f"stop it (`kill -9 {left[0]}`), then run uvmgr again",
            )
        time.sleep(0.02)
    return killed
