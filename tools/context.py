"""What every tool receives besides its own arguments: the project, the runner, the tracer."""

from __future__ import annotations

from dataclasses import dataclass, field

from uvmgr.config import Settings
from uvmgr.telemetry import Tracer
from uvmgr.tools.project import Project
from uvmgr.tools.runner import Runner


@dataclass
class ToolContext:
    project: Project
    runner: Runner
    tracer: Tracer
    settings: Settings = field(default_factory=Settings)
