"""Typed events of an agent run. Front ends render them: the CLI with rich, the TUI as
messages, AutoPilot as JSONL. The default observer does nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from uvmgr.tools.progress import Progress


@dataclass(frozen=True)
class RunStarted:
    request: str
    model: str
    mode: str


@dataclass(frozen=True)
class StepStarted:
    index: int
    thought: str
    tool: str
    args: dict


@dataclass(frozen=True)
class ApprovalAsked:
    tool: str
    args: dict
    preview: str  # what a person reads
    result: object = None  # the dry run's typed result, for a policy to check


@dataclass(frozen=True)
class Decision:
    """The outcome of the safety layer for one mutating call."""

    tool: str
    args: dict
    approved: bool
    by: str  # person | yes-flag | dry-run | policy | no-terminal | safety
    reason: str = ""


@dataclass(frozen=True)
class StepFinished:
    index: int
    tool: str
    args: dict
    observation: str
    duration: float
    mutates: bool
    outcome: str  # ok | error | refused | dry-run | rolled-back


@dataclass(frozen=True)
class ModelCalled:
    model: str
    ok: bool
    latency: float
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float = 0.0
    error: str = ""
    attempt: int = 1


@dataclass(frozen=True)
class Notice:
    text: str


@dataclass
class RunSummary:
    request: str
    answer: str = ""
    steps: list[StepFinished] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    model_calls: list[ModelCalled] = field(default_factory=list)
    duration: float = 0.0
    stopped_by: str = ""  # "" | max_steps | max_seconds | max_cost
    exit_code: int = 0
    results: list[tuple[str, object]] = field(default_factory=list)  # changes actually made

    @property
    def models_used(self) -> list[str]:
        return sorted({c.model for c in self.model_calls if c.ok})

    @property
    def tokens(self) -> int:
        return sum(c.input_tokens + c.output_tokens for c in self.model_calls)

    @property
    def cost(self) -> float:
        return round(sum(c.cost for c in self.model_calls), 6)


# `Progress` (tools/progress.py) is a tool's phase within a step: a front end passing its
# observer as `ToolContext.progress` receives it here too.
Event = (RunStarted | StepStarted | ApprovalAsked | Decision | StepFinished | ModelCalled | Notice
         | Progress)


class Observer(Protocol):
    def __call__(self, event: Event) -> None: ...


def ignore(event: Event) -> None:
    """The default observer."""
