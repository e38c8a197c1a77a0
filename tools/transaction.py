"""Transactions around every change to `pyproject.toml` and `uv.lock`.

Before a change, the exact bytes of both files go into a journal under `.uvmgr/`
(`tools/journal.py`, which documents its format); the change is made, each state uvmgr writes
is recorded, and the change verified; then the journal is dropped (commit) or the files are put
back, the environment re-synced, and only then the journal dropped (rollback). A journal left
by a killed run is repaired by the next uvmgr that starts (`tools/recovery.py`). A `flock` on
`.uvmgr/lock` keeps two uvmgr processes from interleaving changes; the kernel releases it when a
process dies. A `RunTransaction` (a whole AutoPilot run, `--safe` with its bisection) holds that
one lock for every step; the `Transaction`s inside it share it.
"""

from __future__ import annotations

import fcntl
import os
from dataclasses import dataclass
from typing import Self

from uvmgr.tools.journal import (
    CHILDREN,
    JOURNAL_DIR,
    LOCK,
    RUN_JOURNAL,
    TRACKED,
    Journal,
    file_hashes,
    incomplete,
    put_back,
)
from uvmgr.tools.project import Project
from uvmgr.tools.runner import Runner
from uvmgr.tools.saved_edits import SavedEdit, save_foreign_edits
from uvmgr.tools.state_files import (
    DISK_ERRORS,
    ensure_state_dir,
    open_nofollow,
    unwritable,
    write_atomic,
)

from uvmgr.errors import EXIT_REFUSED, ProjectBusy, UvmgrError

__all__ = ["CHILDREN", "JOURNAL_DIR", "RUN_JOURNAL", "TRACKED", "Journal", "ProjectLock",
           "RunTransaction", "Transaction", "Unsynced", "ensure_state_dir", "file_hashes",
           "incomplete", "put_back", "record_state", "resync_restored", "sync_environment",
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

    def __enter__(self) -> Self:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def record_state(project: Project) -> None:
    """Record the files as they are now in every journal of this process's changes in flight
    (call after uvmgr or its uv child wrote them, before verifying)."""
    for journal in project.open_journals:
        journal.record_state()


def sync_environment(project: Project, runner: Runner, *, cancellable: bool = True) -> bool:
    """Make the environment match the lock exactly; False when uv could not. The files are
    recorded as a state uvmgr wrote first, so recovery knows them."""
    record_state(project)
    return runner.uv(["sync", "--frozen", *project.uv_sync_args()], project.root,
                     cancellable=cancellable).ok


@dataclass(frozen=True)
class Unsynced:
    """Why the environment could not be re-synced to restored files: uv failed or was killed,
    or was not run at all (`refusal`: the credential guard refused, uv is missing)."""

    reason: str
    refusal: UvmgrError | None = None

    def needs_person(self) -> bool:
        return self.refusal is not None and self.refusal.exit_code == EXIT_REFUSED

    def what_is_left(self) -> str:
        return (f"the environment was not re-synced to the restored uv.lock ({self.reason}); "
                "the journal is kept to finish it")

    def hint(self) -> str:
        first = f"{self.refusal.hint}; then " if self.refusal is not None and self.refusal.hint \
            else ""
        return (f"{first}run `uvmgr recover` to re-sync the environment (every uvmgr command "
                "tries when it starts)")


def resync_restored(project: Project, runner: Runner) -> Unsynced | None:
    """Re-sync the environment to files a rollback or a recovery restored (not cancellable);
    None when it matches them, else why not. Never raises for uv's failure or refusal: the
    files are already right, and only the environment is left to do."""
    try:
        record_state(project)
        result = runner.uv(["sync", "--frozen", *project.uv_sync_args()], project.root,
                           cancellable=False)
    except UvmgrError as exc:  # uv was not run (the credential guard, uv missing)
        return Unsynced(exc.message, exc)
    if result.ok:
        return None
    if result.timed_out or result.returncode < 0:
        return Unsynced("`uv sync --frozen` was killed" + (" at its timeout"
                                                          if result.timed_out else ""))
    said = result.stderr.strip().splitlines()
    return Unsynced(f"`uv sync --frozen` exited {result.returncode}"
                    + (f": {said[-1]}" if said else ""))


def _add_what_is_left(exc: UvmgrError, left: Unsynced) -> None:
    """The error that ends a change whose rollback could not re-sync keeps its type, its
    explanation and its result, and says what is left and the command that finishes it; exit 3
    when a person must decide first (the credential guard refused), else its own code."""
    exc.message = f"{exc.message}; {left.what_is_left()}"
    hints = (left.hint(), exc.hint) if left.needs_person() else (exc.hint, left.hint())
    exc.hint = "; ".join(h for h in hints if h)
    if left.needs_person():
        exc.exit_code = EXIT_REFUSED


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
        self.unsynced: Unsynced | None = None  # a rollback whose re-sync could not finish
        # copies of an edit someone else made while the change ran, saved before restoring
        self.saved_edits: list[SavedEdit] = []
        # Each child started meanwhile is recorded in the journal, so the next start can kill
        # what survives a killed run before it recovers the files (`tools/children.py`).
        self._recording = runner.recording_children(self.journal.dir)

    def __enter__(self) -> Self:
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
        self._recording.__enter__()
        return self

    def commit(self) -> None:
        self.journal.discard()
        self.committed = True

    def rollback(self) -> list[str]:
        """Restore the files, re-sync (not cancellable), then drop the journal: in that order,
        so an interrupt anywhere leaves a journal the next start finishes. A re-sync that
        fails or is refused leaves the journal in `resyncing` (what is left) and `unsynced`
        set; the error leaving the block then says so."""
        if self.committed or self.rolled_back:
            return self.restored
        self._save_foreign_edits()
        self._record_current()
        self.restored = self.journal.restore()
        self.project.reload()
        needs_sync = self.resync and self.project.has_lock() and bool(
            self.restored or self.journal.left_the_originals())
        if needs_sync:
            self.unsynced = resync_restored(self.project, self.runner)
        if self.unsynced is not None:
            self.rolled_back = True
            return self.restored  # journal kept in `resyncing`: `uvmgr recover` re-syncs
        self.journal.discard()
        self.rolled_back = True
        return self.restored

    def _save_foreign_edits(self) -> None:
        """A pyproject.toml that is neither its original nor a state uvmgr recorded writing was
        edited by someone else while the change ran: its bytes are saved before the files are
        restored (what was applied is undone; the person's edit is never lost)."""
        saved = save_foreign_edits(self.project, self.journal)
        if saved is not None:
            self.saved_edits.append(saved)

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
            self._recording.__exit__(None, None, None)
        if self.lock is not None:
            self.lock.release()

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if not self.committed:
                self.rollback()
        finally:
            self._release()
        if self.unsynced is not None and isinstance(exc, UvmgrError):
            _add_what_is_left(exc, self.unsynced)  # and it goes on up
        for saved in self.saved_edits:
            saved.tell(exc)


class RunTransaction(Transaction):
    """One lock and one journal for a whole multi-step change (an AutoPilot run, `--safe`
    with its bisection): no other uvmgr can change the project between the steps, and an
    interrupt restores the project to before the run. Nested in another run it joins it."""

    journal_name = RUN_JOURNAL

    def __init__(self, project: Project, runner: Runner, operation: str, *, resync: bool = True):
        super().__init__(project, runner, operation, resync=resync)
        self.joined = bool(project.open_journals)

    def __enter__(self) -> Self:
        if self.joined:
            return self
        super().__enter__()
        return self

    def restore(self) -> list[str]:
        """Put the files back to before the run and re-sync, keeping the run (and its lock)."""
        self._save_foreign_edits()
        self._record_current()
        restored = self.journal.restore()
        self.project.reload()
        if self.project.has_lock():
            # a failure is for the run's next step to meet (it syncs again, or fails there)
            resync_restored(self.project, self.runner)
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
