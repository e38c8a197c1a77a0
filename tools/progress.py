"""Progress of slow tool work, as typed events: a tool reports the phase it is in (resolving,
syncing, testing with counts as they come, bisecting k of n, auditing, building, downloading)
through `ToolContext.progress`. The front end decides how to show it; the default shows nothing.

Defined here, not in `agent/events.py`, because tools never import the agent; the agent's
`Event` union includes it, so one observer receives both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

Phase = Literal["resolving", "syncing", "testing", "bisecting", "auditing", "building",
                "downloading"]


@dataclass(frozen=True)
class Progress:
    """One phase of a tool's work, or an update within it (a test finished, a trial began).

    `done` of `total` counts tests run (testing), trials (bisecting) or bytes (downloading);
    `total` is 0 when unknown. `passed` and `failed` are the test outcomes so far."""

    phase: Phase
    detail: str = ""
    done: int = 0
    total: int = 0
    passed: int = 0
    failed: int = 0

    def line(self) -> str:
        """One line a person reads: `testing: 12/40 (11 passed, 1 failed)`."""
        text = self.phase
        if self.detail:
            text += f" {self.detail}"
        if self.phase == "testing" and (self.done or self.total):
            count = f"{self.done}/{self.total}" if self.total else f"{self.done}"
            text += f": {count} ({self.passed} passed, {self.failed} failed)"
        elif self.phase == "downloading" and self.done:
            text += f": {self.done // 1024} KiB" + (f" of {self.total // 1024} KiB"
                                                   if self.total else "")
        elif self.total:
            text += f" ({self.done} of {self.total})"
        return text


ProgressObserver = Callable[[Progress], None]


def no_progress(event: Progress) -> None:
    """The default: show nothing."""
