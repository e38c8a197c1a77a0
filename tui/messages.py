"""What the chat's worker threads tell the UI, as Textual messages.

A worker never touches a widget: it posts one of these to the app (`post_message` is
thread-safe) and the app's handlers, on the UI thread, change the screen."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.message import Message


class AgentEvent(Message):
    """One event of the agent run (`uvmgr.agent.events`), as it happens."""

    def __init__(self, event: Any) -> None:
        super().__init__()
        self.event = event


class ChatNote(Message):
    """A line for the transcript (a settings notice, a recovery, an undo result)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class TraceOpened(Message):
    def __init__(self, trace_id: str) -> None:
        super().__init__()
        self.trace_id = trace_id


class ApprovalNeeded(Message):
    """The safety layer asks the person: show the dialog, then call `reply` with the answer
    (`None` when the dialog went away unanswered)."""

    def __init__(self, ask: Any, reply: Callable[[str | None], None]) -> None:
        super().__init__()
        self.ask = ask
        self.reply = reply


class RunFinished(Message):
    def __init__(self, summary: Any, error: str | None) -> None:
        super().__init__()
        self.summary = summary
        self.error = error


class UndoFinished(Message):
    def __init__(self, text: str, changed: bool) -> None:
        super().__init__()
        self.text = text
        self.changed = changed


class PanelLoaded(Message):
    """What the side panel shows: the project, its Python, (name, locked, newer) rows."""

    def __init__(self, name: str, python: str, rows: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.name = name
        self.python = python
        self.rows = rows
