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


def repository_file(root: Path, rel: Path | str, *, create: bool = False) -> Path:
    """`root/rel` for a file uvmgr writes into a repository (a CI workflow), checked so that no
    link a cloned repository planted carries the write elsewhere: every folder on the way is a
    real folder (made when `create`), and the file itself is no link."""
    parts = Path(rel).parts
    folder = root
    for part in parts[:-1]:
        folder = folder / part
        if create:
            real_dir(folder)
        else:
            reject_link(folder)
    target = folder / parts[-1]
    reject_link(target)
    return target


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
        reject_hard_link(traces / name)
    return traces


def reject_hard_link(path: Path) -> None:
    """Raise if `path` is a file with a second hard link (uvmgr would append to or truncate the
    other name's file too); a missing path is fine."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISREG(info.st_mode) and info.st_nlink > 1:
        raise _refuse(path, "a hard link to another file")


def reject_links_under(folder: Path) -> None:
    """Refuse a folder uvmgr made (e.g. the docs index) if anything in it is a link: a library
    writing there (sqlite) would follow it."""
    reject_link(folder)
    for top, dirs, files in os.walk(folder, followlinks=False):
        for name in dirs + files:
            reject_link(Path(top) / name)
            reject_hard_link(Path(top) / name)


def check_regular(fd: int, path: Path, *, writing: bool) -> None:
    """Refuse (closing `fd`) anything but a regular file; when writing, also a file with a second
    hard link: `O_NOFOLLOW` does not see one, and writing (truncating, appending) would change
    the other name's file too, which may be anywhere on the same file system."""
    info = os.fstat(fd)
    what = ("not a regular file" if not stat.S_ISREG(info.st_mode) else
            "a hard link to another file" if writing and info.st_nlink > 1 else None)
    if what is not None:
        os.close(fd)
        raise _refuse(path, what)


def open_nofollow(path: Path, flags: int, mode: int = 0o644) -> int:
    """`os.open` that refuses a symbolic link at the last component (and never blocks on a
    planted FIFO); the result must be a regular file, with no other hard link if opened for
    writing."""
    try:
        fd = os.open(path, flags | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK, mode)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise _refuse(path, "a symbolic link") from None
        if exc.errno == errno.EISDIR:
            raise _refuse(path, "a folder, not a regular file") from None
        raise
    check_regular(fd, path, writing=bool(flags & (os.O_WRONLY | os.O_RDWR)))
    return fd


def read_bytes(path: Path, limit: int | None = None) -> bytes:
    """The bytes of a state file, refusing a link; a file over `limit` bytes is refused unread
    (a planted multi-gigabyte file costs nothing to pack: it must not be read into memory)."""
    fd = open_nofollow(path, os.O_RDONLY)
    with os.fdopen(fd, "rb") as fh:
        if limit is not None and os.fstat(fd).st_size > limit:
            raise _refuse(path, f"larger than uvmgr ever writes it ({limit} bytes)")
        return fh.read()


def read_regular(path: Path) -> bytes | None:
    """The bytes of a project file for a check (a link is followed), None when absent; a FIFO
    or device in its place is refused, never read (it would block or never end)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    check_regular(fd, path, writing=False)
    with os.fdopen(fd, "rb") as fh:
        return fh.read()


def read_project_file(path: Path) -> bytes | None:
    """The bytes of `pyproject.toml` or `uv.lock` before a change (None when absent). uv writes
    both in place, so a change refuses either one when it is a symbolic or a hard link (the
    change, and a rollback that cannot write through a link, would land in the other file),
    a FIFO (reading it would hang) or a device."""
    try:
        fd = open_nofollow(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    except UnsafeStatePath:
        if os.path.islink(path):
            raise _linked_project_file(path, "a symbolic link") from None
        raise
    with os.fdopen(fd, "rb") as fh:
        if os.fstat(fd).st_nlink > 1:
            raise _linked_project_file(path, "a hard link to another file")
        return fh.read()


def _linked_project_file(path: Path, what: str) -> UnsafeStatePath:
    return UnsafeStatePath(
        f"{path} is {what}: uv would write the change through it, to a file outside the "
        "project; nothing was changed",
        hint=f"if it should be a file of this project, make it a plain copy "
             f"(`cp {path} {path}.copy && mv {path}.copy {path}`), then retry")


def append_text(path: Path, text: str) -> None:
    """Append to a state file (created if missing), refusing a link."""
    fd = open_nofollow(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())


def _umask() -> int:
    """The process umask, read without changing it (other threads may be creating files)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return 0o022


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with exactly `data`, keeping its permissions: a fresh temporary file
    beside it, fsync, `os.replace`. A link at `path` is refused, not followed (nor replaced)."""
    reject_link(path)
    try:
        mode = stat.S_IMODE(os.lstat(path).st_mode)  # keep the file's permissions
    except FileNotFoundError:
        mode = 0o666 & ~_umask()  # as a plain open() would create it
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=path.parent)
    try:
        os.fchmod(fd, mode)  # mkstemp makes 0600
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


def unwritable(exc: OSError, path: Path | str, *, before_change: bool = True) -> ProjectError:
    """The one message for a file uvmgr cannot write (disk full, no permission, read-only).
    `before_change`: raised before a change touched anything (the state folder, the lock, the
    journal), so the message can promise that nothing was changed."""
    where = exc.filename or path
    return ProjectError(
        f"cannot write to {where} ({exc.strerror or exc})"
        + ("; nothing was changed" if before_change else ""),
        hint="free disk space or make the project folder writable, then retry"
             if exc.errno in (errno.ENOSPC, errno.EDQUOT) else
             "make the project folder writable (or work on a writable copy), then retry")
