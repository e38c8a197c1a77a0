"""A scripted DSPy engine: plays back ReAct steps, for tests and evals (the seam where a
real model would be). Unlike the offline planner it obeys whatever it is told, which is
what an attacked model would do."""

from __future__ import annotations

import json


class ScriptedEngine:
    model = "scripted"

    def __init__(self, steps: list[tuple[str, dict]], answer: str = "Done."):
        self.steps = list(steps)
        self.answer = answer
        self.prompts: list[tuple[str, str]] = []
        self.active = "scripted"
        self.calls: list = []
        self.cost = 0.0

    def complete(self, request):
        from dspy.lm15 import Message, Response, TextPart, Usage

        system = request.system if isinstance(request.system, str) else "".join(
            p.text for p in (request.system or ()))
        user = [m.text or "" for m in request.messages if m.role == "user"][-1]
        self.prompts.append((system or "", user))
        if "next_tool_name" in (system or ""):
            tool, args = self.steps.pop(0) if self.steps else ("finish", {})
            fields = {"next_thought": f"call {tool}", "next_tool_name": tool,
                      "next_tool_args": json.dumps(args)}
        else:
            fields = {"reasoning": "scripted", "answer": self.answer}
        text = "\n\n".join(f"[[ ## {k} ## ]]\n{v}" for k, v in fields.items())
        text += "\n\n[[ ## completed ## ]]"
        return Response(id=None, model=self.model, message=Message.assistant([TextPart(text)]),
                        finish_reason="stop", usage=Usage(input_tokens=0, output_tokens=0,
                                                          total_tokens=0))

    def stream(self, request):
        from dspy.lm15 import response_to_events

        return response_to_events(self.complete(request))

    def close(self) -> None:
        pass
