"""The approval dialog: the change first, its context folded, and answers that take an
explicit key.

It opens with no answer selected (the change is focused, to scroll). Keys typed before it
appeared, or while the person is still typing (until `GRACE` seconds pass with no key), are
ignored and the buttons stay disabled; Esc (reject) and Ctrl+C (cancel the run) always work.
Then y/a approve, n/r reject, A approves every change of this request, and Enter presses the
button the person focused with Tab. The keys are in the dialog's footer, as in `uvmgr ask`."""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Collapsible, Footer, Label, Static

from uvmgr.approval import GRACE_SECONDS, KEYS_HELP, ApprovalView

APPROVE, REJECT, APPROVE_ALL = "approve", "reject", "approve-all"
WAIT_HINT = "Read the change first: keys typed now are ignored."
ANSWER_HINT = f"{KEYS_HELP} · A approve all for this request · Esc reject"


class ConfirmScreen(ModalScreen[str]):
    GRACE: ClassVar[float] = GRACE_SECONDS
    AUTO_FOCUS = "#confirm-preview"
    VERTICAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-short"), (32, "-tall")]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,a", "choose('approve')", "Approve", key_display="y/a"),
        Binding("n,r", "choose('reject')", "Reject", key_display="n/r"),
        Binding("A", "choose('approve-all')", "Approve all"),
        Binding("escape", "reject", "Reject", show=False),
    ]

    def __init__(self, view: ApprovalView, preview: str):
        super().__init__()
        self.view = view
        self.preview = preview  # the safety layer's text of the same dry run
        self.armed = False
        self.ignored = 0  # keys typed ahead and dropped
        self.shown_at = float("inf")
        self.arm_timer = None

    def compose(self) -> ComposeResult:
        view = self.view
        with Vertical(id="confirm-dialog"):
            yield Label(view.title, id="confirm-title", markup=False)
            with VerticalScroll(id="confirm-preview"):
                yield Static("\n".join(view.change), id="confirm-change", markup=False)
                if view.advisories:
                    with Collapsible(title=f"advisories: {len(view.advisories)} package(s)",
                                     collapsed=True, id="confirm-advisories"):
                        yield Static("\n".join(view.advisories), markup=False)
                if view.notes:
                    with Collapsible(title=f"notes ({len(view.notes)})", collapsed=True,
                                     id="confirm-notes"):
                        yield Static("\n".join(view.notes), markup=False)
            yield Static(WAIT_HINT, id="confirm-hint", markup=False)
            with Horizontal(id="confirm-buttons"):
                yield Button("Reject (n/r)", id=REJECT, variant="error", disabled=True)
                yield Button("Approve (y/a)", id=APPROVE, variant="success", disabled=True)
                yield Button("Approve all (A)", id=APPROVE_ALL, disabled=True)
        yield Footer()

    def on_mount(self, event: events.Mount) -> None:
        self.shown_at = event.time
        self.arm_timer = self.set_timer(self.GRACE, self.arm)

    def on_key(self, event: events.Key) -> None:
        """Runs before the bindings: a key typed ahead is swallowed, and restarts the wait."""
        if event.key == "escape":
            return
        if not self.armed or event.time < self.shown_at:
            event.stop()
            event.prevent_default()
            self.ignored += 1
            if not self.armed and self.arm_timer is not None:
                self.arm_timer.reset()
                self.query_one("#confirm-hint", Static).update(
                    f"{WAIT_HINT} ({self.ignored} ignored)")

    def arm(self) -> None:
        self.armed = True
        for button in self.query(Button):
            button.disabled = False
        self.query_one("#confirm-hint", Static).update(ANSWER_HINT)
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "choose" and not self.armed:
            return None  # shown, greyed out, until the grace period is over
        return True

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if self.armed:
            self.dismiss(event.button.id)

    def action_choose(self, choice: str) -> None:
        if self.armed:
            self.dismiss(choice)

    def action_reject(self) -> None:
        self.dismiss(REJECT)
