"""A session: what one run needs, opened once for the CLI, the TUI, the evals and the tests.

`open_session(dir)` loads and checks the project, reads its settings (the person's config
over the repository's, see `uvmgr/config.py`), points the traces at the project, builds the
one process runner, and finishes the recovery of a change an earlier run left half done.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from uvmgr.config import Settings
from uvmgr.telemetry import Tracer
from uvmgr.tools.context import ToolContext
from uvmgr.tools.project import Project


@dataclass
class Session:
    ctx: ToolContext
    recovered: str | None = None
    """What the recovery of an interrupted change did (a message for the person), if anything."""

    @property
    def project(self) -> Project:
        return self.ctx.project

    @property
    def settings(self) -> Settings:
        return self.ctx.settings

    @property
    def tracer(self) -> Tracer:
        return self.ctx.tracer

    @property
    def notices(self) -> tuple[str, ...]:
        """Settings that were ignored, and why (shown once, at the start)."""
        return tuple(self.ctx.settings.notices)


def open_session(directory: Path | str, *, tracer: Tracer | None = None,
                 settings: Settings | None = None, cancel: threading.Event | None = None,
                 timeout: float | None = None, recover: bool = True,
                 packs: bool = False, flags: dict[str, object] | None = None,
                 package: str | None = None) -> Session:
    """Open the project in `directory`. `tracer`: one already recording (the CLI's root span),
    else a new one; traces go to the project's `.uvmgr/traces/` unless it has a folder. `settings`: given as they
    are (tests, evals), else read for the project. `cancel`: stops the runner's processes
    (the TUI's Stop). `timeout`: the runner's default, else the settings'. `recover`: finish
    an interrupted change first, as every command does (raises when that is refused).
    `packs`: offer the tools of the packs the person activated (the CLI and the TUI do; tests
    and evals see the built-ins only unless they ask), each skipped pack a notice. `flags`:
    the person's command-line settings (e.g. `audit_offline`), over every other source.
    `package`: the workspace member to work on (`--package`; see tools/project.py)."""
    from uvmgr.tools.runner import ProcessRunner
    from uvmgr.tools.state_files import trace_dir

    project = Project(Path(directory), package)
    if tracer is None:
        tracer = Tracer(trace_dir(project))
    elif tracer.trace_dir is None:
        tracer.trace_dir = trace_dir(project)
    user = None
    if settings is None:
        from uvmgr.user_config import UserConfig

        user = UserConfig.load()
        settings = Settings.load(project.tool_settings, user=user, project_root=project.root,
                                 **(flags or {}))
    tools = None
    if packs:
        tools, settings = _pack_tools(settings, user)
    runner = ProcessRunner(tracer, default_timeout=timeout or settings.timeout, cancel=cancel)
    recovered = None
    if recover:
        from uvmgr.tools.recovery import recover_interrupted

        recovered = recover_interrupted(project, runner) or None
    ctx = ToolContext(project, runner, tracer, settings)
    if tools is not None:
        ctx.tools = tools
    return Session(ctx, recovered)


def _pack_tools(settings: Settings, user):
    """The built-in tools and the active packs' (`uvmgr/packs/loading.py`); a warning per pack
    skipped joins the settings' notices."""
    from dataclasses import replace

    from uvmgr.packs.loading import load_packs, toolset
    from uvmgr.user_config import UserConfig

    loaded, warnings = load_packs(user if user is not None else UserConfig.load())
    if warnings:
        settings = replace(settings, notices=(*settings.notices, *warnings))
    return toolset(loaded), settings
