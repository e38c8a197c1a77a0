"""The DSPy engine protocol (`complete`, `stream`, `close`) around one text function, shared by
the engines that stand in for a model at the DSPy seam: the scripted LM of the tests and the
offline planner as the optimiser's teacher (`evals/scripted_lm.py`). The offline planner
itself is a `Planner` and speaks no prompt text."""

from __future__ import annotations

import re


class TextEngine:
    """Subclasses set `model` and implement `respond(system, user) -> text`, where `user` is
    the last user message of the prompt DSPy built."""

    model = "engine"

    def respond(self, system: str, user: str) -> str:
        raise NotImplementedError

    def complete(self, request):
        from dspy.lm15 import Message, Response, TextPart, Usage

        system = request.system if isinstance(request.system, str) else "".join(
            p.text for p in (request.system or ()))
        users = [m.text or "" for m in request.messages if m.role == "user"]
        text = self.respond(system or "", users[-1] if users else "")
        return Response(id=None, model=self.model, message=Message.assistant([TextPart(text)]),
                        finish_reason="stop",
                        usage=Usage(input_tokens=0, output_tokens=0, total_tokens=0))

    def stream(self, request):
        from dspy.lm15 import response_to_events

        return response_to_events(self.complete(request))

    def close(self) -> None:
        pass


_FIELD = re.compile(r"\[\[ ## (\w+) ## \]\]\n(.*?)(?=\n\n\[\[ ## |\Z)", re.DOTALL)


def format_fields(fields: dict[str, str]) -> str:
    """A reply in DSPy's ChatAdapter format: `[[ ## name ## ]]` fields, then `completed`."""
    parts = [f"[[ ## {k} ## ]]\n{v}" for k, v in fields.items()]
    return "\n\n".join(parts + ["[[ ## completed ## ]]"])


def read_fields(text: str) -> dict[str, str]:
    """The `[[ ## name ## ]]` fields of a prompt. The first occurrence wins, so text inside an
    observation cannot replace the person's request."""
    out: dict[str, str] = {}
    for match in _FIELD.finditer(text):
        out.setdefault(match.group(1), match.group(2).strip())
    return out
