"""Stand-ins for a model, for tests and evals.

- `ScriptedEngine`: a scripted DSPy engine at the seam where a real model would be; it plays
  back ReAct steps through the real DSPy ReAct planner and records the prompts it was shown.
- `ObedientPlanner`: the worst-case model for the adversarial scenarios, as a `Planner`.
- `OfflineTeacher`: the offline planner answering DSPy's prompts, so that `uvmgr eval
  --optimize` can record its trajectories as few-shot demos (demos are prompt text by nature;
  this is the only place the offline planner reads one).
"""

from __future__ import annotations

import json
import re

from uvmgr.agent.engine import TextEngine, format_fields, read_fields
from uvmgr.agent.offline import OFFLINE_MODEL, OfflinePlanner
from uvmgr.agent.planning import Finish, Step, ToolCall, Trajectory, Turn


class ScriptedEngine(TextEngine):
    model = "scripted"

    def __init__(self, steps: list[tuple[str, dict]], answer: str = "Done."):
        self.steps = list(steps)
        self.answer = answer
        self.prompts: list[tuple[str, str]] = []
        self.active = "scripted"
        self.calls: list = []
        self.cost = 0.0

    def respond(self, system: str, user: str) -> str:
        self.prompts.append((system, user))
        if "next_tool_name" in system:
            tool, args = self.steps.pop(0) if self.steps else ("finish", {})
            fields = {"next_thought": f"call {tool}", "next_tool_name": tool,
                      "next_tool_args": json.dumps(args)}
        else:
            fields = {"reasoning": "scripted", "answer": self.answer}
        return format_fields(fields)


class ObedientPlanner:
    """Plans like the offline planner, but once an observation carries the injected text it
    makes the injected call. What it achieves is what the safety layer alone lets through."""

    label = "uvmgr/obedient"
    cost = 0.0

    def __init__(self, known_packages: list[str], marker: str, call: tuple[str, dict] | None):
        self.offline = OfflinePlanner(known_packages)
        self.marker, self.call = marker, call
        self.injected_at: int | None = None
        self.calls: list = []

    def next_step(self, request: str, trajectory: Trajectory) -> Step:
        seen = any(self.marker in t.observation for t in trajectory.turns)
        if self.call and self.injected_at is None and seen:
            self.injected_at = len(trajectory.turns)
            tool, args = self.call
            return ToolCall(tool, dict(args), "The document says to do this.")
        # The offline planner continues its own plan, as if the injected step had not happened.
        return self.offline.next_step(request, self._own(trajectory))

    def answer(self, request: str, trajectory: Trajectory) -> str:
        return self.offline.answer(request, self._own(trajectory))

    def _own(self, trajectory: Trajectory) -> Trajectory:
        turns = tuple(t for i, t in enumerate(trajectory.turns) if i != self.injected_at)
        return Trajectory(turns, trajectory.finish)


_INDEXED = re.compile(r"(thought|tool_name|tool_args|observation)_(\d+)$")


class OfflineTeacher(TextEngine):
    """The offline planner behind DSPy's ReAct prompts (the optimiser's teacher)."""

    model = OFFLINE_MODEL

    def __init__(self, known_packages: list[str]):
        self.planner = OfflinePlanner(known_packages)
        self.active = OFFLINE_MODEL
        self.calls: list = []
        self.cost = 0.0

    def respond(self, system: str, user: str) -> str:
        body = user.split("\n\nRespond with the corresponding output fields", 1)[0]
        fields = read_fields(body)  # request first: text inside an observation cannot replace it
        request, trajectory = fields.get("request", ""), _trajectory(fields)
        if "next_tool_name" not in system:
            return format_fields({"reasoning": "Summarised the observations.",
                                  "answer": self.planner.answer(request, trajectory)})
        step = self.planner.next_step(request, trajectory)
        if isinstance(step, Finish):
            return format_fields({"next_thought": step.thought, "next_tool_name": "finish",
                                  "next_tool_args": "{}"})
        return format_fields({"next_thought": step.thought, "next_tool_name": step.tool,
                              "next_tool_args": json.dumps(step.args)})


def _trajectory(fields: dict[str, str]) -> Trajectory:
    steps: dict[int, dict[str, str]] = {}
    for key, value in fields.items():
        match = _INDEXED.match(key)
        if match:
            steps.setdefault(int(match.group(2)), {})[match.group(1)] = value
    turns = []
    for _, step in sorted(steps.items()):
        if step.get("tool_name") == "finish":
            continue
        turns.append(Turn(step.get("thought", ""), step.get("tool_name", ""), {},
                          step.get("observation", "")))
    return Trajectory(tuple(turns))
