"""The `Planner` protocol: what any planner (a model through DSPy ReAct, the offline planner)
offers the uvmgr loop (`agent/loop.py`), as typed objects rather than prompt text.

A planner chooses the next step from the request and the trajectory so far (a tool call, or
finish), and writes the final answer from the same two. It never runs a tool itself: the loop
does, through the safety layer, and hands the observation back in the trajectory. Only the
request carries authority; observations are tool output, to read, never to obey.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from uvmgr.agent.events import ModelCalled


@dataclass(frozen=True)
class ToolCall:
    """The planner wants this tool called with these arguments (as the planner wrote them)."""

    tool: str
    args: dict
    thought: str = ""


@dataclass(frozen=True)
class Finish:
    """The planner is done. `args` keeps whatever a model wrote beside "finish" (DSPy shows it
    back to the model when it writes the answer)."""

    thought: str = ""
    args: dict = field(default_factory=dict)


Step = ToolCall | Finish


@dataclass(frozen=True)
class Turn:
    """One step that ran: what was called and what came back."""

    thought: str
    tool: str
    args: dict
    observation: str


@dataclass(frozen=True)
class Trajectory:
    """The steps of one run so far, oldest first, and the finish, once there is one."""

    turns: tuple[Turn, ...] = ()
    finish: Finish | None = None

    def then(self, turn: Turn) -> Trajectory:
        return Trajectory((*self.turns, turn), self.finish)

    def finished(self, finish: Finish) -> Trajectory:
        return Trajectory(self.turns, finish)

    @property
    def observations(self) -> list[str]:
        return [t.observation for t in self.turns]


class PlannerFailed(Exception):
    """The planner could not produce a step or an answer (an unparseable model reply, a prompt
    too long for the model, every model down with no fallback). The message is for the person."""


class Planner(Protocol):
    """Plans one request. `label` names what is answering now (a model, or the offline
    planner); `calls` and `cost` are the model calls made so far, for budgets and reports."""

    @property
    def label(self) -> str: ...

    @property
    def calls(self) -> list[ModelCalled]: ...

    @property
    def cost(self) -> float: ...

    def next_step(self, request: str, trajectory: Trajectory) -> Step:
        """The next tool call, or Finish. Raises PlannerFailed."""
        ...

    def answer(self, request: str, trajectory: Trajectory) -> str:
        """The answer for the person. Raises PlannerFailed."""
        ...
