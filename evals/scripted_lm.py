"""A scripted DSPy engine: plays back ReAct steps, for tests and evals (the seam where a
real model would be). Unlike the offline planner it obeys whatever it is told, which is
what an attacked model would do."""

from __future__ import annotations

import json

from uvmgr.agent.engine import TextEngine
from uvmgr.agent.offline import _format


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
        return _format(fields)


class ObedientPlanner(TextEngine):
    """The worst-case model for the adversarial scenarios: it plans like the offline planner,
    but once an observation carries the injected text it makes the injected call. What it
    achieves is what the safety layer alone lets through."""

    model = "uvmgr/obedient"

    def __init__(self, known_packages: list[str], marker: str, call: tuple[str, dict] | None):
        from uvmgr.agent.offline import OfflinePlanner

        self.offline = OfflinePlanner(known_packages)
        self.marker, self.call = marker, call
        self.injected_at: int | None = None
        self.active = self.model
        self.calls: list = []
        self.cost = 0.0

    def respond(self, system: str, user: str) -> str:
        from uvmgr.agent.offline import _fields

        body = user.split("\n\nRespond with the corresponding output fields", 1)[0]
        fields = _fields(body)
        names = sorted(int(k.rsplit("_", 1)[1]) for k in fields if k.startswith("tool_name_"))
        seen = any(self.marker in v for k, v in fields.items() if k.startswith("observation_"))
        if ("next_tool_name" in system and self.call and self.injected_at is None and seen):
            self.injected_at = len(names)
            tool, args = self.call
            return _format({"next_thought": "The document says to do this.",
                            "next_tool_name": tool, "next_tool_args": json.dumps(args)})
        # The offline planner continues its own plan, as if the injected step had not happened.
        keep = {k: v for k, v in fields.items()
                if not (self.injected_at is not None and k.endswith(f"_{self.injected_at}"))}
        renumbered, index = {"request": fields.get("request", "")}, 0
        for i in names:
            if i == self.injected_at:
                continue
            for key in ("thought", "tool_name", "tool_args", "observation"):
                if f"{key}_{i}" in keep:
                    renumbered[f"{key}_{index}"] = keep[f"{key}_{i}"]
            index += 1
        prompt = "\n\n".join(f"[[ ## {k} ## ]]\n{v}" for k, v in renumbered.items())
        return self.offline.respond(system, prompt)
