"""Undo for the last change that was kept.

Every mutating tool call that is not a dry run records the bytes of `pyproject.toml` and
`uv.lock` before it ran; when it keeps a change, that record becomes the undo point
(`.uvmgr/undo/`) together with the hashes of the files after it and the identity of who made
it (`tools/identity.py`). `undo_last_change` restores the "before" bytes, inside a transaction,
only if the undo point was made by uvmgr here for this project and the files are still exactly
as the change left them: it never overwrites later edits. Only the files the project tracks are
read (`Project.tracked_files()`: in a workspace, every member's pyproject.toml too); no link in
`.uvmgr/` is followed.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from uvmgr.tools.journal import META_LIMIT, copy_name
from uvmgr.tools.project import Project
from uvmgr.tools.runner import Runner
from uvmgr.tools.state_files import (
    read_bytes,
    read_project_file,
    real_dir,
    reject_link,
    remove_tree,
)
from uvmgr.tools.transaction import (
    Transaction,
    ensure_state_dir,
    file_hashes,
    put_back,
    sync_environment,
    write_atomic,
)

from uvmgr.errors import ProjectError

UNDO_DIR = "undo"
PENDING_DIR = "undo-pending"


@dataclass(frozen=True)
class UndoResult:
    operation: str
    restored: list[str]
    when: float


def begin(project: Project) -> Path:
    """Save the files as they are now, before a change that may be kept. Each call has its
    own folder, so a second uvmgr (refused by the project lock) cannot disturb it. A planted
    link where the undo point goes is refused here, before the change, not after it is kept."""
    state = ensure_state_dir(project)
    reject_link(state / UNDO_DIR)
    pending = state / f"{PENDING_DIR}-{os.getpid()}-{time.monotonic_ns()}"
    pending.mkdir()
    for name in project.tracked_files():
        data = read_project_file(project.root / name)
        if data is not None:
            write_atomic(pending / copy_name(name), data)
    return pending


def finish(project: Project, pending: Path, operation: str) -> None:
    """Make the saved files the undo point if the change kept something; else drop them."""
    from uvmgr.tools.identity import identity

    tracked = project.tracked_files()
    before = {name: file_hash_of(pending / copy_name(name)) for name in tracked}
    after = file_hashes(project)
    if before == after:
        remove_tree(pending)
        return
    meta = {"operation": operation, "when": time.time(), "after": after,
            "existed": {name: (pending / copy_name(name)).exists() for name in tracked},
            "identity": identity(project)}
    write_atomic(pending / "meta.json", json.dumps(meta, indent=2).encode())
    target = project.state_dir / UNDO_DIR
    reject_link(target)
    remove_tree(target)
    pending.rename(target)


def file_hash_of(path: Path) -> str | None:
    return hashlib.sha256(read_bytes(path)).hexdigest() if path.exists() else None


def _undo_point(project: Project) -> tuple[Path, dict]:
    from uvmgr.tools.identity import is_ours

    point = project.state_dir / UNDO_DIR
    reject_link(point)
    try:
        meta = json.loads(read_bytes(point / "meta.json", META_LIMIT))
        if not isinstance(meta, dict) or not {"existed", "operation", "after", "when"} <= set(meta):
            raise ValueError("incomplete undo point")
    except (OSError, ValueError):
        raise ProjectError("there is no change to undo",
                           hint="uvmgr keeps the last change made by uvmgr itself") from None
    if not is_ours(meta.get("identity"), project):
        real_dir(project.state_dir / "ignored")
        stamp = f"{int(time.time())}-{secrets.token_hex(3)}"
        aside = project.state_dir / "ignored" / f"undo-foreign-{stamp}"
        os.rename(point, aside)
        raise ProjectError(
            f"the undo point in .uvmgr/undo was not created by uvmgr on this machine for this "
            f"project (it may have come with a clone); it was not applied and was moved to "
            f"{aside}",
            hint="restore by hand (e.g. with git) if you need an earlier version")
    return point, meta


def undo_last_change(project: Project, runner: Runner) -> UndoResult:
    """Restore pyproject.toml and uv.lock to before the last kept change, and re-sync."""
    point, meta = _undo_point(project)
    existed = meta["existed"] if isinstance(meta["existed"], dict) else {}
    with Transaction(project, runner, f"undo {meta['operation']}") as tx:
        # Checked under the project lock, so nothing can change the files in between.
        if file_hashes(project) != meta.get("after"):
            raise ProjectError(
                f"pyproject.toml or uv.lock changed after the last uvmgr change "
                f"('{meta.get('operation')}'), so undoing it would lose those edits",
                hint="restore by hand (e.g. with git), or re-apply your edits after undoing")
        restored = put_back(project, {name: read_bytes(point / copy_name(name))
                                      if existed.get(name) else None
                                      for name in project.tracked_files() if name in existed})
        if project.has_lock() and not sync_environment(project, runner):
            raise ProjectError("the restored uv.lock could not be installed (uv sync failed)")
        tx.commit()
    project.reload()
    remove_tree(point)
    return UndoResult(meta["operation"], restored, meta["when"])
