"""Files under `.uvmgr/`, handled as untrusted: the folder can arrive with a clone.

`.uvmgr` itself must be a real directory, and no symbolic link inside it is ever followed:
reads and writes open with `O_NOFOLLOW`, folders and `os.replace` targets are checked with
`lstat` first, and temporary files get fresh names (`mkstemp`, `O_EXCL`), so a link planted
under a predictable name cannot redirect a write. A link is an `UnsafeStatePath` error that
names the path (exit 2); nothing is truncated or written through it.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import tempfile
from pathlib import Path

from uvmgr.tools.project import Project

from uvmgr.errors import InsufficientSpace, ProjectError, UnsafeStatePath

TEMP_PREFIX = ".uvmgr-tmp-"
DISK_ERRORS = (errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EPERM, errno.EROFS)
SPACE_MARGIN = 1 << 20  # 1 MiB beyond the journal and the files' temporary copies


def _refuse(path: Path, what: str) -> UnsafeStatePath:
    return UnsafeStatePath(
        f"{path} is {what}; uvmgr never reads or writes through a link in .uvmgr/ or over the "
        "project's own files",
        hint=f"remove it (`rm {path}`) if you did not make it: a cloned repository may have "
             "planted it; nothing was written through it")


def reject_link(path: Path) -> None:
    """Raise if `path` is a symbolic link (a missing path is fine)."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    if stat.S_ISLNK(mode):
        raise _refuse(path, "a symbolic link")


def real_dir(path: Path) -> Path:
    """Make sure `path` is a real directory (created if missing), never a link."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        try:
            os.mkdir(path, 0o755)
        except FileExistsError:  # created meanwhile: check what it is
            return real_dir(path)
        return path
    if stat.S_ISLNK(mode):
        raise _refuse(path, "a symbolic link")
    if not stat.S_ISDIR(mode):
        raise _refuse(path, "not a directory")
    return path


def ensure_state_dir(project: Project) -> Path:
    """Create `.uvmgr/` (a real directory) with a .gitignore so its contents are not committed."""
    try:
        state = real_dir(project.state_dir)
        ignore = state / ".gitignore"
        reject_link(ignore)
        if not ignore.exists():
            write_atomic(ignore, b"*\n")
    except OSError as exc:
        raise unwritable(exc, project.state_dir) from exc
    return state


def state_dir_if_writable(project: Project) -> Path | None:
    """`ensure_state_dir` for commands that only read: None when the project folder cannot be
    written (read-only checkout, full disk); a planted link is still an error."""
    try:
        return ensure_state_dir(project)
    except UnsafeStatePath:
        raise
    except ProjectError as exc:
        if isinstance(exc.__cause__, OSError) and exc.__cause__.errno in DISK_ERRORS:
            return None
        raise


def trace_dir(project: Project) -> Path | None:
    """Where this project's traces go (`.uvmgr/traces/`, a real folder whose trace file is not a
    link); None when the project folder cannot be written."""
    from uvmgr.telemetry import TRACE_FILE

    state = state_dir_if_writable(project)
    if state is None:
        return None
    try:
        traces = real_dir(state / "traces")
    except OSError:
        return None
    for name in (TRACE_FILE, "traces.1.jsonl"):
        reject_link(traces / name)
    return traces


def reject_links_under(folder: Path) -> None:
    """Refuse a folder uvmgr made (e.g. the docs index) if anything in it is a link: a library
    writing there (sqlite) would follow it."""
    reject_link(folder)
    for top, dirs, files in os.walk(folder, followlinks=False):
        for name in dirs + files:
            reject_link(Path(top) / name)


def open_nofollow(path: Path, flags: int, mode: int = 0o644) -> int:
    """`os.open` that refuses a symbolic link at the last component (and never blocks on a
    planted FIFO); the result must be a regular file."""
    try:
        fd = os.open(path, flags | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK, mode)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise _refuse(path, "a symbolic link") from None
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise _refuse(path, "not a regular file")
    return fd


def read_bytes(path: Path) -> bytes:
    """The bytes of a state file, refusing a link."""
    fd = open_nofollow(path, os.O_RDONLY)
    with os.fdopen(fd, "rb") as fh:
        return fh.read()


def append_text(path: Path, text: str) -> None:
    """Append to a state file (created if missing), refusing a link."""
    fd = open_nofollow(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with exactly `data`: a fresh temporary file beside it, fsync, `os.replace`.
    A link at `path` is refused, not followed (nor replaced)."""
    reject_link(path)
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def remove_tree(path: Path) -> None:
    """Remove a folder uvmgr made; a link in its place is removed, never followed."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    if stat.S_ISDIR(mode):
        shutil.rmtree(path, ignore_errors=True)
    else:
        os.unlink(path)


def check_space(folder: Path, need: int) -> None:
    """Refuse a change when the disk cannot hold its journal and temporary copies."""
    free = shutil.disk_usage(folder).free
    if free < need + SPACE_MARGIN:
        raise InsufficientSpace(
            f"not enough free space in {folder} for a safe change: {free // 1024} KiB free, "
            f"{(need + SPACE_MARGIN) // 1024} KiB needed for the journal and temporary copies",
            hint="free some disk space, then retry; nothing was changed")


def unwritable(exc: OSError, path: Path | str) -> ProjectError:
    """The one message for a file uvmgr cannot write (disk full, no permission, read-only)."""
    where = exc.filename or path
    return ProjectError(
        f"cannot write {where}: {exc.strerror or exc}",
        hint="free disk space or make the project folder writable, then retry"
             if exc.errno in (errno.ENOSPC, errno.EDQUOT) else
             "make the project folder writable (or work on a writable copy), then retry")
