"""Helpers for driving the chat with Textual's pilot: type a request, wait for a condition,
read the transcript."""

from __future__ import annotations

import time


async def submit(pilot, text: str) -> None:
    await pilot.click("#prompt")
    await pilot.press(*text, "enter")


async def until(pilot, predicate, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        await pilot.pause(0.05)
        if predicate():
            return
    raise AssertionError("timed out waiting for the app")


def transcript_text(app) -> str:
    parts = []
    for widget in app.query("#transcript *"):
        render = getattr(widget, "content", None) or getattr(widget, "source", None)
        if render is not None:
            parts.append(str(render))
        title = getattr(widget, "title", None)
        if isinstance(title, str):
            parts.append(title)
    return "\n".join(parts)
