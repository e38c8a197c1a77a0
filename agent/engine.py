"""The DSPy engine protocol (`complete`, `stream`, `close`) around one text function, shared by
the engines that answer without a model: the offline planner and the scripted ones."""

from __future__ import annotations


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
