"""Undo for the last change that was kept.

Every mutating tool call that is not a dry run records the bytes of `pyproject.toml` and
`uv.lock` before it ran; when it keeps a change, that record becomes the undo point
(`.uvmgr/undo/`) together with the hashes of the files after it. `undo_last_change`
restores the "before" bytes, inside a transaction, only if the files are still exactly as
the change left them: it never overwrites later edits.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from uvmgr.errors import ProjectError
from uvmgr.tools.project import Project
from uvmgr.tools.runner import Runner
from uvmgr.tools.transaction import (
    TRACKED,
    Transaction,
    ensure_state_dir,
    file_hashes,
    put_back,
    sync_environment,
    write_atomic,
)

UNDO_DIR = "undo"
PENDING_DIR = "undo-pending"


@dataclass(frozen=True)
class UndoResult:
    operation: str
    restored: list[str]
    when: float


def begin(project: Project) -> Path:
    """Save the files as they are now, before a change that may be kept. Each call has its
    own folder, so a second uvmgr (refused by the project lock) cannot disturb it."""
    import os

    pending = ensure_state_dir(project) / f"{PENDING_DIR}-{os.getpid()}-{time.monotonic_ns()}"
    pending.mkdir()
    for name in TRACKED:
        path = project.root / name
        if path.exists():
            write_atomic(pending / name, path.read_bytes())
    return pending


def finish(project: Project, pending: Path, operation: str) -> None:
    """Make the saved files the undo point if the change kept something; else drop them."""
    before = {name: (file_hashes_of(pending / name)) for name in TRACKED}
    after = file_hashes(project)
    if before == after:
        shutil.rmtree(pending, ignore_errors=True)
        return
    meta = {"operation": operation, "when": time.time(), "after": after,
            "existed": {name: (pending / name).exists() for name in TRACKED}}
    write_atomic(pending / "meta.json", json.dumps(meta, indent=2).encode())
    target = project.state_dir / UNDO_DIR
    shutil.rmtree(target, ignore_errors=True)
    pending.rename(target)


def file_hashes_of(path: Path) -> str | None:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def undo_last_change(project: Project, runner: Runner) -> UndoResult:
    """Restore pyproject.toml and uv.lock to before the last kept change, and re-sync."""
    point = project.state_dir / UNDO_DIR
    try:
        meta = json.loads((point / "meta.json").read_text(encoding="utf-8"))
        if not {"existed", "operation", "after", "when"} <= set(meta):
            raise ValueError("incomplete undo point")
    except (OSError, ValueError, KeyError, TypeError):
        raise ProjectError("there is no change to undo",
                           hint="uvmgr keeps the last change made by uvmgr itself") from None
    with Transaction(project, runner, f"undo {meta['operation']}") as tx:
        # Checked under the project lock, so nothing can change the files in between.
        if file_hashes(project) != meta.get("after"):
            raise ProjectError(
                f"pyproject.toml or uv.lock changed after the last uvmgr change "
                f"('{meta.get('operation')}'), so undoing it would lose those edits",
                hint="restore by hand (e.g. with git), or re-apply your edits after undoing")
        restored = put_back(project, {name: (point / name).read_bytes()
                                      if meta["existed"][name] else None for name in TRACKED})
        if project.has_lock() and not sync_environment(project, runner):
            raise ProjectError("the restored uv.lock could not be installed (uv sync failed)")
        tx.commit()
    project.reload()
    shutil.rmtree(point, ignore_errors=True)
    return UndoResult(meta["operation"], restored, meta["when"])
