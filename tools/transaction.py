"""Transactions around every change to `pyproject.toml` and `uv.lock`.

Before a change, the exact bytes of both files go into a journal under `.uvmgr/`; the change
is made and verified; then the journal is dropped (commit) or the files are put back, the
environment re-synced, and only then the journal dropped (rollback). A journal left by a killed
run is repaired by the next uvmgr that starts (`tools/recovery.py`). A `flock` on `.uvmgr/lock`
keeps two uvmgr processes from interleaving changes; the kernel releases it when a process dies.
A `RunTransaction` (a whole AutoPilot run, `--safe` with its bisection) holds that one lock for
every step; the `Transaction`s inside it share it.

Journal format (`.uvmgr/journal/` for one change, `.uvmgr/run-journal/` for a run):

    pyproject.toml, uv.lock  the original bytes (a file that did not exist has no copy)
    meta.json                {"format": 2, "operation", "pid", "started",
                              "identity": {"host", "user", "project", "token"},
                              "files": {"pyproject.toml": {"exists", "sha256"},
                                        "uv.lock": {"exists", "sha256"}}}
                             written last: its presence means the journal is complete
    states.jsonl             one {"pyproject.toml": sha256|null, "uv.lock": sha256|null} per
                             line: every state uvmgr or its uv child wrote, appended after each
                             write and before verification
    phase                    "applying" (also when absent), "restoring" or "resyncing"
    children.jsonl           the uv/pytest children started during the change (pids and start
                             times, written by the runner; swept by `tools/children.py`)

Only the two tracked names are ever read from or written to: nothing in `meta.json` names a
file. The identity (`tools/identity.py`) proves uvmgr made the journal here; any other journal
is ignored. Nothing in `.uvmgr/` is followed if it is a symbolic link (`tools/state_files.py`).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import time

from uvmgr.tools.project import Project
from uvmgr.tools.runner import Runner
from uvmgr.tools.state_files import (
    DISK_ERRORS,
    append_text,
    check_space,
    ensure_state_dir,
    open_nofollow,
    read_bytes,
    real_dir,
    reject_link,
    remove_tree,
    unwritable,
    write_atomic,
)

from uvmgr.errors import ProjectBusy, ProjectError, RecoveryIncomplete

JOURNAL_DIR = "journal"
RUN_JOURNAL = "run-journal"  # spans a whole multi-step run (AutoPilot, --safe), until it is kept
LOCK = "lock"
META = "meta.json"
STATES = "states.jsonl"
PHASE = "phase"
CHILDREN = "children.jsonl"
TRACKED = ("pyproject.toml", "uv.lock")
PHASES = ("applying", "restoring", "resyncing")

__all__ = ["TRACKED", "Journal", "ProjectLock", "RunTransaction", "Transaction",
           "ensure_state_dir", "file_hashes", "put_back", "record_state", "sync_environment",
           "write_atomic"]


class ProjectLock:
    """An exclusive, non-blocking lock on the project, held for a whole change."""

    def __init__(self, project: Project, name: str = LOCK):
        self.path = ensure_state_dir(project) / name
        self._fd: int | None = None

    def acquire(self) -> None:
        try:
            fd = open_nofollow(self.path, os.O_RDWR | os.O_CREAT)
        except OSError as exc:
            raise unwritable(exc, self.path) from exc
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


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def put_back(project: Project, blobs: dict[str, bytes | None]) -> list[str]:
    """Make each tracked file hold exactly these bytes (None: absent), atomically; returns the
    names that had to change. Names other than the two tracked ones are ignored."""
    changed = []
    for name in TRACKED:
        if name not in blobs:
            continue
        data, path = blobs[name], project.root / name
        if data is not None:
            if not path.exists() or path.read_bytes() != data:
                write_atomic(path, data)
                changed.append(name)
        elif path.exists() or path.is_symlink():
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
    """The on-disk record of a change: the files before it, the states uvmgr wrote, the phase."""

    def __init__(self, project: Project, name: str = JOURNAL_DIR):
        self.project = project
        self.name = name
        self.dir = project.state_dir / name

    def exists(self) -> bool:
        reject_link(self.dir)
        return (self.dir / META).exists() or (self.dir / META).is_symlink()

    def write(self, operation: str) -> None:
        from uvmgr.tools.identity import identity

        state = ensure_state_dir(self.project)
        originals = {n: (self.project.root / n).read_bytes() if (self.project.root / n).exists()
                     else None for n in TRACKED}
        check_space(state, 3 * sum(len(d) for d in originals.values() if d) + 4096)
        remove_tree(self.dir)
        real_dir(self.dir)
        files = {}
        for name, data in originals.items():
            if data is not None:
                write_atomic(self.dir / name, data)
            files[name] = {"exists": data is not None, "sha256": _sha256(data) if data else ""}
        meta = {"format": 2, "operation": operation, "pid": os.getpid(), "started": time.time(),
                "identity": identity(self.project), "files": files}
        # The meta file is written last: its presence means the journal is complete.
        write_atomic(self.dir / META, json.dumps(meta, indent=2).encode())

    def meta(self) -> dict:
        meta = json.loads(read_bytes(self.dir / META))
        if not isinstance(meta, dict):
            raise ValueError("meta.json is not an object")
        return meta

    def originals(self) -> dict[str, bytes | None]:
        """The saved bytes of both files, each checked against its hash (ValueError if not)."""
        files = self.meta().get("files")
        if not isinstance(files, dict):
            raise ValueError("meta.json lists no files")
        blobs: dict[str, bytes | None] = {}
        for name in TRACKED:
            snap = files.get(name)
            if not isinstance(snap, dict):
                raise ValueError(f"meta.json does not describe {name}")
            if not snap.get("exists"):
                blobs[name] = None
                continue
            data = read_bytes(self.dir / name)
            if _sha256(data) != snap.get("sha256"):
                raise ValueError(f"the saved copy of {name} does not match its hash")
            blobs[name] = data
        return blobs

    def record_state(self) -> None:
        """Append the files' current hashes: a state uvmgr (or its uv child) wrote."""
        append_text(self.dir / STATES, json.dumps(file_hashes(self.project)) + "\n")

    def states(self) -> dict[str, set[str | None]]:
        """Every hash each file had in a state uvmgr recorded."""
        seen: dict[str, set[str | None]] = {name: set() for name in TRACKED}
        try:
            text = read_bytes(self.dir / STATES).decode("utf-8", errors="replace")
        except FileNotFoundError:
            return seen
        for line in text.splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue  # a line torn by a kill
            if isinstance(entry, dict):
                for name in TRACKED:
                    if name in entry and isinstance(entry[name], (str, type(None))):
                        seen[name].add(entry[name])
        return seen

    def wrote_anything(self) -> bool:
        return any(self.states().values())

    def phase(self) -> str:
        try:
            phase = read_bytes(self.dir / PHASE).decode("ascii", errors="replace").strip()
        except FileNotFoundError:
            return "applying"
        return phase if phase in PHASES else "restoring"

    def set_phase(self, phase: str) -> None:
        write_atomic(self.dir / PHASE, phase.encode())

    def restore(self) -> list[str]:
        """Put both files back byte for byte (phase `restoring`, then `resyncing`); returns the
        names whose bytes changed. A write that fails keeps the journal and raises
        `RecoveryIncomplete` naming what is left."""
        try:
            blobs = self.originals()
        except (OSError, ValueError) as exc:
            raise ProjectError(
                f"the journal of an interrupted change is damaged ({exc}); pyproject.toml and "
                "uv.lock were not restored automatically",
                hint=f"check both files (e.g. `git diff`); the journal is in {self.dir}",
            ) from exc
        changed: list[str] = []
        try:
            self.set_phase("restoring")
            for name in TRACKED:
                changed += put_back(self.project, {name: blobs[name]})
            self.set_phase("resyncing")
        except OSError as exc:
            if exc.errno not in DISK_ERRORS:
                raise
            raise incomplete(self, exc, changed) from exc
        return changed

    def discard(self) -> None:
        remove_tree(self.dir)


def incomplete(journal: Journal, exc: OSError, done: list[str]) -> RecoveryIncomplete:
    """The one message for a rollback that could not write: what is left and how to finish."""
    left = [n for n in TRACKED if n not in done]
    return RecoveryIncomplete(
        f"could not restore {', '.join(left)} ({exc.strerror or exc}): "
        + (f"{', '.join(done)} restored; " if done else "")
        + f"{', '.join(left)} still hold the rejected change; the journal is kept in "
          f"{journal.dir}",
        hint="free space or fix the permission, then run `uvmgr recover` (any uvmgr command "
             "finishes the recovery when it starts)")


def record_state(project: Project) -> None:
    """Record the files as they are now in every journal of this process's changes in flight
    (call after uvmgr or its uv child wrote them, before verifying)."""
    for journal in project.open_journals:
        journal.record_state()


def sync_environment(project: Project, runner: Runner, *, cancellable: bool = True) -> bool:
    """Make the environment match the lock exactly; False when uv could not. The files are
    recorded as a state uvmgr wrote first, so recovery knows them."""
    record_state(project)
    return runner.uv(["sync", "--frozen"], project.root, cancellable=cancellable).ok


class Transaction:
    """`with Transaction(project, runner, "upgrade") as tx: ...; tx.commit()`.

    Leaving the block without `commit()` (an exception, a failed verification, Ctrl+C,
    SIGTERM) restores both files, re-syncs the environment, then drops the journal. Inside a
    `RunTransaction` it shares the run's lock instead of taking its own.
    """

    journal_name = JOURNAL_DIR

    def __init__(self, project: Project, runner: Runner, operation: str, *, resync: bool = True):
        self.project = project
        self.runner = runner
        self.operation = operation
        self.resync = resync
        self.journal = Journal(project, self.journal_name)
        self.lock: ProjectLock | None = None
        self.committed = False
        self.rolled_back = False
        self.restored: list[str] = []

    def __enter__(self) -> Transaction:
        if not self.project.open_journals:  # not inside a run: take the project lock
            self.lock = ProjectLock(self.project)
            self.lock.acquire()
        try:
            from uvmgr.tools.recovery import recover_locked

            recover_locked(self.project, self.runner,
                           (JOURNAL_DIR, RUN_JOURNAL) if self.lock else (JOURNAL_DIR,))
            try:
                self.journal.write(self.operation)
            except OSError as exc:
                self.journal.discard()
                raise unwritable(exc, self.journal.dir) from exc
        except BaseException:
            self._release()
            raise
        self.project.open_journals.append(self.journal)
        return self

    def commit(self) -> None:
        self.journal.discard()
        self.committed = True

    def rollback(self) -> list[str]:
        """Restore the files, re-sync (not cancellable), then drop the journal: in that order,
        so an interrupt anywhere leaves a journal the next start finishes."""
        if self.committed or self.rolled_back:
            return self.restored
        self._record_current()
        self.restored = self.journal.restore()
        self.project.reload()
        if self.resync and self.project.has_lock() and (
                self.restored or self.journal.wrote_anything()):
            if not sync_environment(self.project, self.runner, cancellable=False):
                self.rolled_back = True
                return self.restored  # journal kept in `resyncing`: the next start re-syncs
        self.journal.discard()
        self.rolled_back = True
        return self.restored

    def _record_current(self) -> None:
        """The files as the change left them are uvmgr's (it held the lock): recorded, so a
        recovery that has to finish this rollback restores them rather than keeping them."""
        try:
            self.journal.record_state()
        except OSError as exc:
            if exc.errno not in DISK_ERRORS:
                raise

    def _release(self) -> None:
        if self.journal in self.project.open_journals:
            self.project.open_journals.remove(self.journal)
        if self.lock is not None:
            self.lock.release()

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if not self.committed:
                self.rollback()
        finally:
            self._release()


class RunTransaction(Transaction):
    """One lock and one journal for a whole multi-step change (an AutoPilot run, `--safe`
    with its bisection): no other uvmgr can change the project between the steps, and an
    interrupt restores the project to before the run. Nested in another run it joins it."""

    journal_name = RUN_JOURNAL

    def __init__(self, project: Project, runner: Runner, operation: str, *, resync: bool = True):
        super().__init__(project, runner, operation, resync=resync)
        self.joined = bool(project.open_journals)

    def __enter__(self) -> RunTransaction:
        if self.joined:
            return self
        super().__enter__()
        return self

    def restore(self) -> list[str]:
        """Put the files back to before the run and re-sync, keeping the run (and its lock)."""
        self._record_current()
        restored = self.journal.restore()
        self.project.reload()
        if self.project.has_lock():
            sync_environment(self.project, self.runner, cancellable=False)
        self.journal.set_phase("applying")
        return restored

    def commit(self) -> None:
        if not self.joined:
            super().commit()
        self.committed = True

    def rollback(self) -> list[str]:
        return [] if self.joined else super().rollback()

    def __exit__(self, exc_type, exc, tb) -> None:
        if not self.joined:
            super().__exit__(exc_type, exc, tb)
