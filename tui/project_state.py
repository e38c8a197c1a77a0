"""What the chat's side panel shows, read in a worker thread: the project, its Python, the
direct dependencies with their locked and newer versions."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

Rows = list[tuple[str, str, str]]  # (dependency, locked version, newer version or "")


def panel_rows(ctx, with_newer: bool) -> Iterator[tuple[str, str, Rows]]:
    """(project name, Python, rows): the locked versions at once, then (when asked and the
    project is locked) the same rows with the newer versions."""
    from uvmgr.errors import UvmgrError

    project = ctx.project
    python = python_version(project.root)
    try:
        locked = project.locked_packages()
    except UvmgrError:
        locked = {}
    deps = project.direct_dependencies(locked)
    yield project.name, python, [(d.name, d.locked or "-", "") for d in deps]
    if not with_newer or not locked:
        return
    try:
        from uvmgr.tools.registry import TOOLS, invoke

        newer = {o.name: o.latest for o in invoke(TOOLS["outdated_packages"], ctx)}
    except UvmgrError:
        return
    yield project.name, python, [(d.name, d.locked or "-", newer.get(d.name, "")) for d in deps]


def python_version(root: Path) -> str:
    cfg = root / ".venv" / "pyvenv.cfg"
    try:
        for line in cfg.read_text(encoding="utf-8").splitlines():
            key, _, value = line.partition("=")
            if key.strip() in ("version_info", "version"):
                return value.strip()
    except OSError:
        pass
    return "(no environment yet)"
