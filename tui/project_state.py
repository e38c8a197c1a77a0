"""What the chat's worker threads read from the project: the tools' context for one request,
and the side panel's rows. Runs off the UI thread; reports through `say` (a message post)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

Rows = list[tuple[str, str, str]]  # (dependency, locked version, newer version or "")


def open_context(project_dir: Path, cancel: threading.Event | None, say: Callable[[str], None]):
    """The `ToolContext` of one request; settings notices and a recovery are said."""
    from uvmgr.tools.context import ToolContext
    from uvmgr.tools.project import Project
    from uvmgr.tools.recovery import recover_interrupted
    from uvmgr.tools.runner import ProcessRunner
    from uvmgr.tools.state_files import trace_dir

    from uvmgr.config import Settings
    from uvmgr.telemetry import Tracer

    project = Project(project_dir)
    tracer = Tracer(trace_dir(project))
    settings = Settings.for_project(project.tool_settings, project.root)
    for notice in settings.notices:
        say(notice)
    runner = ProcessRunner(tracer, default_timeout=settings.timeout, cancel=cancel)
    recovered = recover_interrupted(project, runner)
    if recovered:
        say(recovered)
    return ToolContext(project, runner, tracer, settings)


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
        from uvmgr.tools.deps import outdated_packages

        newer = {o.name: o.latest for o in outdated_packages(ctx)}
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
