"""The journal of a change: the files before it, the states uvmgr wrote, the phase.

Format (`.uvmgr/journal/` for one change, `.uvmgr/run-journal/` for a run):

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

In a workspace the member pyproject.toml files are tracked too (`Project.tracked_files()`: the
root's `[tool.uv.workspace]` globs name them), each saved under its relative path quoted into one
file name (`packages%2Fapi%2Fpyproject.toml`). Only the files the project itself tracks are ever
read from or written to: nothing in `meta.json` names a file, a name it lists that the project
does not track is ignored. The identity (`tools/identity.py`) proves uvmgr made the journal here; any other journal
is ignored. Nothing in `.uvmgr/` is followed if it is a symbolic link (`tools/state_files.py`).
"""

from __future__ import annotations

import hashlib
import json
import os
import time

from uvmgr.tools.project import Project
from uvmgr.tools.state_files import (
    DISK_ERRORS,
    append_text,
    check_space,
    ensure_state_dir,
    read_bytes,
    read_project_file,
    read_regular,
    real_dir,
    reject_link,
    remove_tree,
    write_atomic,
)

from uvmgr.errors import ProjectError, RecoveryIncomplete

JOURNAL_DIR = "journal"
RUN_JOURNAL = "run-journal"  # spans a whole multi-step run (AutoPilot, --safe), until it is kept
LOCK = "lock"
META = "meta.json"
STATES = "states.jsonl"
PHASE = "phase"
CHILDREN = "children.jsonl"
TRACKED = ("pyproject.toml", "uv.lock")  # a plain project's; see `Project.tracked_files()`
PHASES = ("applying", "restoring", "resyncing")
META_LIMIT = 1 << 20  # a meta file uvmgr writes is a few hundred bytes; a bigger one is planted


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def copy_name(rel: str) -> str:
    """The flat file name a tracked file's copy has in a journal or an undo point."""
    from urllib.parse import quote

    return quote(rel, safe="")


def put_back(project: Project, blobs: dict[str, bytes | None]) -> list[str]:
    """Make each tracked file hold exactly these bytes (None: absent), atomically; returns the
    names that had to change. Names the project does not track are ignored."""
    changed = []
    for name in project.tracked_files():
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
    for name in project.tracked_files():
        data = read_regular(project.root / name)
        out[name] = _sha256(data) if data is not None else None
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
        originals = {n: read_project_file(self.project.root / n)
                     for n in self.project.tracked_files()}
        check_space(state, 3 * sum(len(d) for d in originals.values() if d) + 4096)
        remove_tree(self.dir)
        real_dir(self.dir)
        files = {}
        for name, data in originals.items():
            if data is not None:
                write_atomic(self.dir / copy_name(name), data)
            files[name] = {"exists": data is not None, "sha256": _sha256(data) if data else ""}
        meta = {"format": 2, "operation": operation, "pid": os.getpid(), "started": time.time(),
                "identity": identity(self.project), "files": files}
        # The meta file is written last: its presence means the journal is complete.
        write_atomic(self.dir / META, json.dumps(meta, indent=2).encode())

    def meta(self) -> dict:
        meta = json.loads(read_bytes(self.dir / META, META_LIMIT))
        if not isinstance(meta, dict):
            raise TypeError("meta.json is not an object")
        return meta

    def originals(self) -> dict[str, bytes | None]:
        """The saved bytes of both files, each checked against its hash (ValueError if not)."""
        files = self.meta().get("files")
        if not isinstance(files, dict):
            raise TypeError("meta.json lists no files")
        blobs: dict[str, bytes | None] = {}
        for name in self.project.tracked_files():
            snap = files.get(name)
            if snap is None and name not in TRACKED:
                continue  # a member added since the journal was written: not part of it
            if not isinstance(snap, dict):
                raise TypeError(f"meta.json does not describe {name}")
            if not snap.get("exists"):
                blobs[name] = None
                continue
            data = read_bytes(self.dir / copy_name(name))
            if _sha256(data) != snap.get("sha256"):
                raise ValueError(f"the saved copy of {name} does not match its hash")
            blobs[name] = data
        return blobs

    def record_state(self) -> None:
        """Append the files' current hashes: a state uvmgr (or its uv child) wrote."""
        append_text(self.dir / STATES, json.dumps(file_hashes(self.project)) + "\n")

    def states(self) -> dict[str, set[str | None]]:
        """Every hash each file had in a state uvmgr recorded."""
        tracked = self.project.tracked_files()
        seen: dict[str, set[str | None]] = {name: set() for name in tracked}
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
                for name in tracked:
                    if name in entry and isinstance(entry[name], (str, type(None))):
                        seen[name].add(entry[name])
        return seen

    def wrote_anything(self) -> bool:
        return any(self.states().values())

    def left_the_originals(self) -> bool:
        """Whether uvmgr recorded a state other than the files from before the change: only
        then can the environment have been synced away from them."""
        files = self.meta().get("files")
        files = files if isinstance(files, dict) else {}
        for name, hashes in self.states().items():
            snap = files.get(name)
            if not isinstance(snap, dict):
                return bool(hashes)
            original = snap.get("sha256") if snap.get("exists") else None
            if any(h != original for h in hashes):
                return True
        return False

    def phase(self) -> str:
        try:
            phase = read_bytes(self.dir / PHASE, META_LIMIT).decode("ascii", errors="replace").strip()
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
        except (OSError, ValueError, TypeError) as exc:
            raise ProjectError(
                f"the journal of an interrupted change is damaged ({exc}); pyproject.toml and "
                "uv.lock were not restored automatically",
                hint=f"check both files (e.g. `git diff`); the journal is in {self.dir}",
            ) from exc
        changed: list[str] = []
        try:
            self.set_phase("restoring")
            for name in blobs:
                changed += put_back(self.project, {name: blobs[name]})
            self.set_phase("resyncing")
        except OSError as exc:
            if exc.errno not in DISK_ERRORS:
                raise
            raise incomplete(self, exc, changed) from exc
        return changed

    def discard(self) -> None:
        """Drop the journal: the commit marker first, so a kill halfway through leaves an
        incomplete journal (nothing to restore), never a complete one missing its copies."""
        reject_link(self.dir)
        try:
            os.unlink(self.dir / META)
        except FileNotFoundError:
            pass
        except NotADirectoryError:
            pass
        remove_tree(self.dir)


def incomplete(journal: Journal, exc: OSError, done: list[str]) -> RecoveryIncomplete:
    """The one message for a rollback that could not write: what is left and how to finish."""
    left = [n for n in journal.project.tracked_files() if n not in done]
    return RecoveryIncomplete(
        f"could not restore {', '.join(left)} ({exc.strerror or exc}): "
        + (f"{', '.join(done)} restored; " if done else "")
        + f"{', '.join(left)} still hold the rejected change; the journal is kept in "
          f"{journal.dir}; the environment was not re-synced",
        hint="free space or fix the permission, then run `uvmgr recover` (any uvmgr command "
             "finishes the recovery when it starts)")
