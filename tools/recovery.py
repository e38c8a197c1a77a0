"""Repairing what a killed uvmgr left behind, at the next start, under the project lock.

For each journal (`.uvmgr/journal/`, then `.uvmgr/run-journal/`):

1. One that uvmgr did not create on this machine for this project (`tools/identity.py`), or
   whose meta cannot be read, is moved to `.uvmgr/ignored/` and reported in one line. It is
   never replayed.
2. The dead run's surviving children are killed first (`tools/children.py`, when present), so
   nothing of it can still write.
3. The files decide. Each one equal to its original, or to a state uvmgr recorded writing,
   is uvmgr's: both files are put back. If pyproject.toml matches neither, someone else edited
   it after the kill: both files are kept as they are, and the originals saved under
   `.uvmgr/recovered/<time>/` with the command that brings them back. If only uv.lock is
   unknown, it is most likely uv finishing the interrupted lock just before uvmgr could record
   it: both are restored, and that uv.lock saved under `.uvmgr/recovered/<time>/` first.
4. The environment is re-synced (`uv sync --frozen`, not cancellable), then the journal is
   dropped: in that order, and each step idempotent (the journal records its phase), so an
   interrupt at any point is finished by the next start, `.venv` included. A re-sync that
   fails, or that the credential guard refuses, does not stop the command: the journal stays
   in `resyncing` and the notice says why and what finishes it (`uvmgr recover`).

A reader that starts while another uvmgr holds the lock is told that a change is in flight.
Leftover `undo-pending-*` folders of dead processes and temporary files are removed.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import time
from pathlib import Path

from uvmgr.tools.children import sweep
from uvmgr.tools.journal import (
    JOURNAL_DIR,
    RUN_JOURNAL,
    TRACKED,
    Journal,
    copy_name,
    file_hashes,
)
from uvmgr.tools.project import Project
from uvmgr.tools.runner import Runner
from uvmgr.tools.saved_edits import save_copies
from uvmgr.tools.state_files import (
    DISK_ERRORS,
    TEMP_PREFIX,
    real_dir,
    reject_link,
    remove_tree,
    state_dir_if_writable,
)
from uvmgr.tools.transaction import ProjectLock, Unsynced, resync_restored

from uvmgr.errors import ProjectBusy, ProjectError, UnsafeStatePath

IGNORED_DIR = "ignored"
_OLD_TEMP_NAMES = tuple(f".{name}.uvmgr-tmp" for name in TRACKED)
_PENDING = re.compile(r"^undo-pending-(\d+)-\d+$")


def recover_interrupted(project: Project, runner: Runner) -> str | None:
    """At every start: repair what a killed run left. Returns what was done, in words, or a
    notice that another uvmgr's change is in flight; None when there was nothing."""
    if state_dir_if_writable(project) is None:
        return None  # a read-only checkout: nothing of uvmgr's can be in it to repair
    lock = ProjectLock(project)
    try:
        lock.acquire()
    except ProjectBusy:
        return _in_flight(project)
    except ProjectError as exc:
        if isinstance(exc.__cause__, OSError) and exc.__cause__.errno in DISK_ERRORS:
            return None
        raise
    try:
        _remove_leftovers(project)
        return recover_locked(project, runner, (JOURNAL_DIR, RUN_JOURNAL))
    finally:
        lock.release()


def recover_locked(project: Project, runner: Runner, names: tuple[str, ...]) -> str | None:
    """Recover these journals; the caller holds the project lock."""
    open_dirs = {j.dir for j in project.open_journals}
    messages = [m for name in names if (project.state_dir / name) not in open_dirs
                and (m := _recover(project, runner, Journal(project, name)))]
    return "; ".join(messages) or None


def _recover(project: Project, runner: Runner, journal: Journal) -> str | None:
    reject_link(journal.dir)
    if not journal.dir.exists():
        return None
    if not journal.exists():  # the run died before its journal was complete: nothing changed
        journal.discard()
        return None
    from uvmgr.tools.identity import is_ours

    try:
        meta = journal.meta()
        ours = is_ours(meta.get("identity"), project)
    except (OSError, ValueError, TypeError, UnsafeStatePath):  # unreadable: not uvmgr's
        meta, ours = {}, False
    if not ours:
        aside = _move_aside(project, journal, "foreign")
        return (f"ignored a journal in .uvmgr/{journal.name} that uvmgr did not create on this "
                f"machine for this project (it may have come with a clone); moved it to "
                f"{_rel(project, aside)}; nothing was restored")
    _sweep_children(journal)
    what = f"an interrupted '{meta.get('operation', '?')}' (pid {meta.get('pid', '?')})"
    try:
        originals = journal.originals()
    except (OSError, ValueError, TypeError) as exc:
        aside = _move_aside(project, journal, "damaged")
        raise ProjectError(
            f"the journal of {what} is damaged ({exc}); pyproject.toml and uv.lock were not "
            "restored automatically",
            hint=f"check both files (e.g. `git diff`); the journal was moved to {aside}",
        ) from exc
    phase = journal.phase()
    restored: list[str] = []
    kept: list[str] = []
    saved: Path | None = None
    stray: Path | None = None
    if phase != "resyncing":
        before = {n: hashlib.sha256(d).hexdigest() if d is not None else None
                  for n, d in originals.items()}
        now, states = file_hashes(project), journal.states()
        kept = [n for n in originals if now[n] != before[n] and now[n] not in states[n]]
        # A pyproject.toml about to be restored over may hold an edit the person made while the
        # change ran (a state uvmgr recorded takes it in): its bytes are saved first.
        edited = {n: (project.root / n).read_bytes() for n in originals
                  if n.endswith("pyproject.toml") and n not in kept and now[n] is not None
                  and now[n] != before[n]}
        if kept == ["uv.lock"]:
            # pyproject.toml is uvmgr's, only the lock is unknown: most likely uv finishing the
            # interrupted `uv lock` before uvmgr could record it. Restore, keeping a copy.
            lock_now = (project.root / "uv.lock").read_bytes() if now["uv.lock"] else None
            stray = save_copies(project, journal, {"uv.lock": lock_now, **edited})
            kept = []
            restored = journal.restore()
        elif kept:
            saved = save_copies(project, journal, originals)
            journal.set_phase("resyncing")
        else:
            stray = save_copies(project, journal, edited) if edited else None
            restored = journal.restore()
    project.reload()
    unsynced = None
    if project.has_lock() and (restored or kept or phase != "applying"
                               or journal.wrote_anything()):
        # never raises: the files are right; a refused or failed re-sync is what is left
        unsynced = resync_restored(project, runner)
    if unsynced is None:
        journal.discard()
    text = _message(project, what, restored, kept, saved, originals, unsynced,
                    restored_before=phase == "resyncing")
    if stray is not None:
        rel = _rel(project, stray)
        if (stray / "uv.lock").exists():
            text += (f"; uv.lock had changed after the last state uvmgr recorded (most likely "
                     f"uv finishing the interrupted lock): that version is saved as "
                     f"{rel}/uv.lock (`cp {rel}/uv.lock . && uv sync --frozen` to use it)")
        for name in (n for n in originals if n.endswith("pyproject.toml")):
            if (stray / copy_name(name)).exists():
                text += (f"; {name} as the interrupted run left it (with any edit made while "
                         f"it ran) is saved as {rel}/{copy_name(name)} (`cp {rel}/"
                         f"{copy_name(name)} {name if '/' in name else '.'}` to take it back)")
    return text


def _message(project: Project, what: str, restored: list[str], kept: list[str],
             saved: Path | None, originals: dict[str, bytes | None],
             unsynced: Unsynced | None, *, restored_before: bool = False) -> str:
    if kept and saved is not None:
        rel = _rel(project, saved)
        steps = [f"cp {rel}/{copy_name(n)} {n if '/' in n else '.'}" for n in originals
                 if originals[n] is not None]
        steps += [f"rm {n}" for n in originals if originals[n] is None]
        text = (f"{what} left a journal, but {' and '.join(kept)} changed since, not by uvmgr: "
                f"kept your version; the files from before it are saved in {rel}/ (to restore "
                f"them instead: `{' && '.join([*steps, 'uv sync --frozen'])}`)")
    elif restored:
        text = f"recovered {what}: restored {', '.join(restored)} to the bytes from before it"
    elif restored_before:  # its rollback restored them, then could not re-sync
        text = f"recovered {what}: pyproject.toml and uv.lock were already restored"
    else:
        text = (f"recovered {what}: pyproject.toml and uv.lock were unchanged, nothing to "
                "restore")
    if unsynced is not None:
        text += f"; {unsynced.what_is_left()}: {unsynced.hint()}"
    return text


def _move_aside(project: Project, journal: Journal, why: str) -> Path:
    real_dir(project.state_dir / IGNORED_DIR)
    aside = project.state_dir / IGNORED_DIR / f"{journal.name}-{why}-{int(time.time())}-" \
                                              f"{secrets.token_hex(3)}"
    try:
        os.rename(journal.dir, aside)
    except OSError:
        journal.discard()
    return aside


def _sweep_children(journal: Journal) -> None:
    """Kill what survives of the dead run before any file is touched (the process side of
    recovery, `tools/children.py`; only for a journal proven to be ours)."""
    sweep(journal.dir)


def _in_flight(project: Project) -> str:
    from uvmgr.tools.identity import is_ours

    for name in (RUN_JOURNAL, JOURNAL_DIR):
        journal = Journal(project, name)
        try:
            meta = journal.meta() if journal.exists() else None
        except (OSError, ValueError, TypeError, ProjectError):
            meta = None
        if meta is not None and is_ours(meta.get("identity"), project):
            return (f"another uvmgr (pid {meta.get('pid', '?')}) is making a change "
                    f"('{meta.get('operation', '?')}'): it is in flight, so what follows shows "
                    "files that are not yet verified and may still be rolled back")
    return ("another uvmgr holds this project's lock: a change may be in flight, so what "
            "follows may show files that are not yet verified")


def _remove_leftovers(project: Project) -> None:
    """Pending undo copies of dead processes and temporary files of killed writes."""
    for entry in os.scandir(project.state_dir):
        match = _PENDING.match(entry.name)
        if (match and not _alive(int(match.group(1)))) or entry.name.startswith(TEMP_PREFIX):
            remove_tree(Path(entry.path))  # whatever it is: a link is unlinked, not followed
    # In the project folder only the names uvmgr gives its temporary files (`write_atomic`'s,
    # and the fixed ones of earlier versions): the folder is the person's, a file that merely
    # mentions uvmgr is theirs; never a folder.
    for entry in os.scandir(project.root):
        if (entry.name.startswith(TEMP_PREFIX) or entry.name in _OLD_TEMP_NAMES) \
                and not entry.is_dir(follow_symlinks=False):
            os.unlink(entry.path)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if pid <= 0:  # a planted name: 0 would ask about our own process group
        return False
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):  # no such process; a pid no system can have
        return False
    except PermissionError:
        return True
    return True


def _rel(project: Project, path: Path) -> str:
    try:
        return str(path.relative_to(project.root))
    except ValueError:
        return str(path)
