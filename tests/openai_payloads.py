"""Payloads of an OpenAI-compatible chat server, shared by the loopback test servers."""

from __future__ import annotations


def completion(model: str, text: str) -> dict:
    """A chat completion answering `text`, with fixed token counts (11 in, 7 out)."""
    return {"id": "cmpl-1", "object": "chat.completion", "created": 0, "model": model,
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": text}}],
            "usage": {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18}}
