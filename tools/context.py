"""What every tool receives besides its own arguments: the project, the runner, the tracer,
and where to report progress."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from uvmgr.tools.progress import ProgressObserver, no_progress
from uvmgr.tools.project import Project
from uvmgr.tools.runner import Runner

from uvmgr.config import Settings
from uvmgr.telemetry import Tracer

if TYPE_CHECKING:
    from uvmgr.tools.changes import ChangeSet


@dataclass
class ToolContext:
    project: Project
    runner: Runner
    tracer: Tracer
    settings: Settings = field(default_factory=Settings)
    # The dry run the person (or --yes, or the policy) approved, set by the safety layer for
    # the real call only: the tool commits nothing that differs from it (tools/binding.py).
    # Not a tool argument, so a model cannot set it.
    approved: ChangeSet | None = None
    # Where tools report slow work (`tools/progress.py`); the front end sets it (the CLI's
    # status line, the chat's running step, AutoPilot's log). The default shows nothing.
    progress: ProgressObserver = no_progress
