"""Copies kept before uvmgr restores over files: `.uvmgr/recovered/<time>/`.

A rollback (in the same process, `tools/transaction.py`) or a recovery at the next start
(`tools/recovery.py`) puts pyproject.toml and uv.lock back to the bytes from before a change.
Someone else may have written meanwhile: an editor, another tool, the person. Recovery only
undoes what uvmgr applied; any other bytes it would overwrite are saved here first, and the
message names the folder and the `cp` that takes them back.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from uvmgr.tools.journal import Journal, copy_name, file_hashes, incomplete
from uvmgr.tools.project import Project
from uvmgr.tools.state_files import DISK_ERRORS, real_dir, write_atomic

from uvmgr.errors import UvmgrError

RECOVERED_DIR = "recovered"


def save_copies(project: Project, journal: Journal, blobs: dict[str, bytes | None]) -> Path:
    """Write the given files' bytes under a new `.uvmgr/recovered/<time>-<random>/` folder."""
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    real_dir(project.state_dir / RECOVERED_DIR)
    target = real_dir(project.state_dir / RECOVERED_DIR / f"{stamp}-{secrets.token_hex(3)}")
    try:
        for name, data in blobs.items():
            if data is not None:
                write_atomic(target / copy_name(name), data)
    except OSError as exc:
        if exc.errno not in DISK_ERRORS:
            raise
        raise incomplete(journal, exc, []) from exc
    return target


@dataclass(frozen=True)
class SavedEdit:
    """Someone else's edit to pyproject.toml files, saved before a rollback restored them."""

    project: Project
    folder: Path
    names: tuple[str, ...]

    def text(self) -> str:
        return (f"{' and '.join(self.names)} changed while the change ran, not by uvmgr: the "
                f"files from before the change were restored and that version is saved in "
                f"{self._rel()}/")

    def steps(self) -> str:
        rel = self._rel()
        return " && ".join(f"cp {rel}/{copy_name(n)} {n if '/' in n else '.'}"
                           for n in self.names)

    def tell(self, exc: BaseException | None) -> None:
        """Say it in the error that ends the change (its message and hint), or as a note on
        an interrupt, which the CLI prints."""
        if isinstance(exc, UvmgrError):
            exc.message = f"{exc.message}; {self.text()}"
            take_back = f"to take your edit back: `{self.steps()}`"
            exc.hint = f"{exc.hint}; {take_back}" if exc.hint else take_back
        elif exc is not None:
            exc.add_note(f"{self.text()} (to take it back: `{self.steps()}`)")

    def _rel(self) -> str:
        try:
            return self.folder.relative_to(self.project.root).as_posix()
        except ValueError:
            return str(self.folder)


def save_foreign_edits(project: Project, journal: Journal) -> SavedEdit | None:
    """Save each pyproject.toml that is neither its original nor a state uvmgr recorded
    writing; None when there is none. uv.lock is left to the caller: an unknown lock is most
    likely uv's own unrecorded write, not a person's."""
    originals = journal.originals()
    now, states = file_hashes(project), journal.states()
    foreign: dict[str, bytes | None] = {}
    for name, data in originals.items():
        if not name.endswith("pyproject.toml") or now[name] is None:
            continue
        before = hashlib.sha256(data).hexdigest() if data is not None else None
        if now[name] != before and now[name] not in states[name]:
            foreign[name] = (project.root / name).read_bytes()
    if not foreign:
        return None
    return SavedEdit(project, save_copies(project, journal, foreign), tuple(foreign))
