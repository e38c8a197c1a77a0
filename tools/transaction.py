"""Transactions around every change to `pyproject.toml` and `uv.lock`.

Before a change, the exact bytes of both files go into a journal under
`.uvmgr/journal/`; the change is made and verified; then the journal is dropped
(commit) or both files are restored atomically with `os.replace` and the
environment re-synced (rollback). A journal left behind by a killed run is rolled
back by the next uvmgr that starts. A `flock` on `.uvmgr/lock` keeps two uvmgr
processes from interleaving changes; the kernel releases it when a process dies.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from uvmgr.errors import ProjectBusy, ProjectError
from uvmgr.tools.children import sweep
from uvmgr.tools.project import Project
from uvmgr.tools.runner import Runner

JOURNAL_DIR = "journal"
AUTOPILOT_JOURNAL = "autopilot-journal"  # spans a whole AutoPilot run, until its gates pass
AUTOPILOT_LOCK = "autopilot.lock"
META = "meta.json"
TRACKED = ("pyproject.toml", "uv.lock")


def ensure_state_dir(project: Project) -> Path:
    """Create `.uvmgr/` with a .gitignore so its contents never get committed."""
    state = project.state_dir
    state.mkdir(exist_ok=True)
    ignore = state / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n", encoding="utf-8")
    return state


class ProjectLock:
    """An exclusive, non-blocking lock on the project, held for a whole change."""

    def __init__(self, project: Project, name: str = "lock"):
        self.path = ensure_state_dir(project) / name
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise ProjectBusy(
                f"another uvmgr is running on this project (pid {holder})",
                hint="wait for it to finish, then retry",
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> ProjectLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


@dataclass(frozen=True)
class FileSnapshot:
    name: str
    exists: bool
    sha256: str


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.uvmgr-tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def put_back(project: Project, blobs: dict[str, bytes | None]) -> list[str]:
    """Make each tracked file hold exactly these bytes (None: absent), atomically; returns the
    names that had to change."""
    changed = []
    for name, data in blobs.items():
        path = project.root / name
        if data is not None:
            if not path.exists() or path.read_bytes() != data:
                write_atomic(path, data)
                changed.append(name)
        elif path.exists():
            path.unlink()
            changed.append(name)
    return changed


def file_hashes(project: Project) -> dict[str, str | None]:
    """sha256 of each tracked file, None when absent (for byte-identity checks)."""
    out = {}
    for name in TRACKED:
        path = project.root / name
        out[name] = _sha256(path.read_bytes()) if path.exists() else None
    return out


class Journal:
    """The on-disk record of the files as they were before a change."""

    def __init__(self, project: Project, name: str = JOURNAL_DIR):
        self.project = project
        self.dir = project.state_dir / name

    def exists(self) -> bool:
        return (self.dir / META).exists()

    def write(self, operation: str) -> list[FileSnapshot]:
        ensure_state_dir(self.project)
        if self.dir.exists():
            shutil.rmtree(self.dir)
        self.dir.mkdir()
        snapshots = []
        for name in TRACKED:
            path = self.project.root / name
            if path.exists():
                data = path.read_bytes()
                write_atomic(self.dir / name, data)
                snapshots.append(FileSnapshot(name, True, _sha256(data)))
            else:
                snapshots.append(FileSnapshot(name, False, ""))
        meta = {
            "operation": operation,
            "pid": os.getpid(),
            "started": time.time(),
            "files": [s.__dict__ for s in snapshots],
        }
        # The meta file is written last: its presence means the journal is complete.
        write_atomic(self.dir / META, json.dumps(meta, indent=2).encode())
        return snapshots

    def meta(self) -> dict:
        return json.loads((self.dir / META).read_text(encoding="utf-8"))

    def restore(self) -> list[str]:
        """Put both files back byte for byte; returns the names that differed. Every copy is
        checked before anything is written, so a damaged journal restores nothing."""
        try:
            meta = self.meta()
            blobs: dict[str, bytes | None] = {}
            for snap in meta["files"]:
                if snap["exists"]:
                    data = (self.dir / snap["name"]).read_bytes()
                    if _sha256(data) != snap["sha256"]:
                        raise ValueError(f"the saved copy of {snap['name']} does not match its hash")
                    blobs[snap["name"]] = data
                else:
                    blobs[snap["name"]] = None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            aside = self.dir.with_name(f"journal.damaged-{int(time.time())}")
            os.replace(self.dir, aside)
            raise ProjectError(
                f"the journal of an interrupted change is damaged ({exc}); pyproject.toml and "
                "uv.lock were not restored automatically",
                hint=f"check both files (e.g. `git diff`); the journal was moved to {aside}",
            ) from exc
        return put_back(self.project, blobs)

    def discard(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


class Transaction:
    """`with Transaction(project, runner, "upgrade") as tx: ...; tx.commit()`.

    Leaving the block without `commit()` (an exception, a failed verification,
    Ctrl+C, SIGTERM) restores both files and re-syncs the environment.
    """

    def __init__(self, project: Project, runner: Runner, operation: str, *, resync: bool = True):
        self.project = project
        self.runner = runner
        self.operation = operation
        self.resync = resync
        self.journal = Journal(project)
        self.lock = ProjectLock(project)
        self.committed = False
        self.rolled_back = False
        self.restored: list[str] = []
        self._recording = runner.recording_children(self.journal.dir)

    def __enter__(self) -> Transaction:
        self.lock.acquire()
        try:
            if self.journal.dir.exists():  # a killed run's journal: restore before anything else
                sweep(self.journal.dir)
            if self.journal.exists():
                self.journal.restore()
            self.journal.write(self.operation)
            self._recording.__enter__()
        except BaseException:
            self.lock.release()
            raise
        return self

    def commit(self) -> None:
        self.journal.discard()
        self.committed = True

    def rollback(self) -> list[str]:
        if self.committed or self.rolled_back:
            return self.restored
        self.restored = self.journal.restore()
        self.journal.discard()
        self.rolled_back = True
        self.project.reload()
        if self.resync and self.restored and self.project.has_lock():
            sync_environment(self.project, self.runner, cancellable=False)
        return self.restored

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if not self.committed:
                self.rollback()
        finally:
            self._recording.__exit__(None, None, None)
            self.lock.release()


def sync_environment(project: Project, runner: Runner, *, cancellable: bool = True) -> bool:
    """Make the environment match the lock exactly; False when uv could not."""
    return runner.uv(["sync", "--frozen"], project.root, cancellable=cancellable).ok


def recover_interrupted(project: Project, runner: Runner) -> str | None:
    """Roll back journals left by runs that were killed: a change's, then an AutoPilot run's
    (whose gates never passed). Returns a message if anything was done."""
    messages = []
    for name, lock_name in ((JOURNAL_DIR, "lock"), (AUTOPILOT_JOURNAL, AUTOPILOT_LOCK)):
        message = _recover(project, runner, name, lock_name)
        if message:
            messages.append(message)
    return "; ".join(messages) or None


def _recover(project: Project, runner: Runner, name: str, lock_name: str) -> str | None:
    journal = Journal(project, name)
    if not journal.dir.exists():
        return None
    try:
        lock = ProjectLock(project, lock_name)
        lock.acquire()
    except ProjectBusy:
        return None  # a live uvmgr owns that journal
    try:
        # Nothing is restored while a process of the dead run can still write.
        sweep(journal.dir)
        if not journal.exists():  # the run died before its journal was complete: nothing changed
            journal.discard()
            return None
        operation = journal.meta().get("operation", "?") if _readable(journal) else "?"
        pid = journal.meta().get("pid", "?") if _readable(journal) else "?"
        restored = journal.restore()
        journal.discard()
        if restored and project.has_lock():
            sync_environment(project, runner, cancellable=False)
    finally:
        lock.release()
    what = ", ".join(restored) if restored else "no file needed restoring"
    return f"recovered an interrupted '{operation}' (pid {pid}): restored {what}"


def _readable(journal: Journal) -> bool:
    try:
        journal.meta()
    except (OSError, ValueError):
        return False
    return True
