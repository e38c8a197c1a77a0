"""The confirm dialog: the exact preview of a change, and Approve / Reject / Approve all."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

APPROVE, REJECT, APPROVE_ALL = "approve", "reject", "approve-all"


class ConfirmScreen(ModalScreen[str]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "choose('approve')", "Approve"),
        Binding("r", "choose('reject')", "Reject"),
        Binding("escape", "choose('reject')", "Reject", show=False),
        Binding("A", "choose('approve-all')", "Approve all for this request"),
    ]

    def __init__(self, tool: str, preview: str):
        super().__init__()
        self.tool = tool
        self.preview = preview

    def compose(self) -> ComposeResult:
        from rich.markup import escape

        with Vertical(id="confirm-dialog"):
            yield Label(f"[b]{escape(self.tool)}[/b] wants to change files", id="confirm-title")
            with VerticalScroll(id="confirm-preview"):
                yield Static(escape(self.preview))
            with Horizontal(id="confirm-buttons"):
                yield Button("Approve (a)", id=APPROVE, variant="success")
                yield Button("Reject (r)", id=REJECT, variant="error")
                yield Button("Approve all for this request (A)", id=APPROVE_ALL)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id)

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)
