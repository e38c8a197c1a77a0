"""The uvmgr loop: drives any `Planner` one step at a time, every tool call through the
safety layer, with budgets checked between steps (never inside a tool call) and an event per
step for the front end."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from uvmgr.agent.events import Notice, Observer, RunSummary, StepFinished, StepStarted
from uvmgr.agent.planning import Finish, Planner, PlannerFailed, Trajectory, Turn
from uvmgr.agent.safety import SafetyLayer


@dataclass
class Budget:
    max_steps: int
    max_seconds: float
    max_cost: float
    started: float = 0.0
    cancel: threading.Event | None = None  # the front end sets it to stop between steps
    max_observation_chars: int = 8000  # of one tool result, shown to the planner

    def exhausted(self, cost: float) -> str:
        if self.cancel is not None and self.cancel.is_set():
            return "cancelled"
        if time.monotonic() - self.started > self.max_seconds:
            return "max_seconds"
        if cost > self.max_cost:
            return "max_cost"
        return ""


def bounded_observation(text: str, limit: int) -> str:
    """What the planner is shown of one tool result: secrets masked, and at most `limit`
    characters, with a note saying it was cut and by how much."""
    from uvmgr.telemetry import redact_text

    text = redact_text(text)
    if len(text) <= limit:
        return text
    return (text[:limit] + f"\n[... cut: {len(text) - limit} more characters not shown; one "
            f"observation is limited to {limit} characters (max-observation-chars)]")


def drive(planner: Planner, request: str, safety: SafetyLayer, budget: Budget,
          summary: RunSummary, observer: Observer) -> str:
    """Carry out the planner's steps until it finishes, fails or a budget is spent; the
    steps land in `summary` and the planner's answer is returned."""
    trajectory = Trajectory()
    tools = safety.ctx.tools  # the built-ins and the active packs' tools
    while True:
        stop = budget.exhausted(planner.cost)
        if len(trajectory.turns) >= budget.max_steps:
            stop = "max_steps"
        if stop:
            summary.stopped_by = stop
            observer(Notice("stopped: cancelled" if stop == "cancelled" else
                            f"stopped: the {stop.replace('_', ' ')} budget is spent"))
            break
        try:
            step = planner.next_step(request, trajectory)
            if not isinstance(step, Finish) and step.tool not in tools.agent_tools:
                raise PlannerFailed(f"the planner chose {step.tool!r}, which is not one of its "
                                    "tools; ending the run")
        except PlannerFailed as err:
            observer(Notice(str(err)))
            break
        if isinstance(step, Finish):
            trajectory = trajectory.finished(step)
            break
        index = len(trajectory.turns)
        observer(StepStarted(index, step.thought, step.tool, step.args))
        started = time.monotonic()
        spec = tools[step.tool]
        observation, outcome = safety.run(spec, step.args)
        observation = bounded_observation(observation, budget.max_observation_chars)
        finished = StepFinished(index, step.tool, step.args, observation,
                                time.monotonic() - started, spec.mutates, outcome)
        summary.steps.append(finished)
        observer(finished)
        trajectory = trajectory.then(Turn(step.thought, step.tool, step.args, observation))
    try:
        return planner.answer(request, trajectory)
    except PlannerFailed as err:  # the steps still deserve a report
        observer(Notice(str(err)))
        return "What happened:\n" + ("\n".join(trajectory.observations) or "no tool ran.")
