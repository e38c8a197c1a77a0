"""Progress on a terminal: one rich status line on stderr that shows the phase a tool is in
(`resolving`, `testing: 12/40 (11 passed, 1 failed)`, ...), replaced as it changes and gone
when the command ends. Nothing at all when stderr is not a terminal or with `--json`."""

from __future__ import annotations

import threading

from uvmgr.tools.progress import Progress


class StatusLine:
    """An observer for `ToolContext.progress`; call `close()` when the command ends. Safe to
    call from the test-progress thread."""

    def __init__(self, console=None):
        if console is None:
            from uvmgr.terminal_text import safe_console

            console = safe_console(stderr=True, highlight=False)
        self.console = console
        self.enabled = console.is_terminal
        self._status = None
        self._lock = threading.Lock()

    def __call__(self, event: object) -> None:
        if not self.enabled or not isinstance(event, Progress):
            return
        from rich.markup import escape

        line = event.line()
        room = max(20, self.console.width - 3)  # one line: the spinner, a space, the text
        if len(line) > room:
            line = line[: room - 1] + "…"
        text = f"[cyan]{escape(line)}[/]"
        with self._lock:
            if self._status is None:
                self._status = self.console.status(text, spinner="dots")
                self._status.start()
            else:
                self._status.update(text)

    def close(self) -> None:
        """Take the line away (before the result is printed, and at the end)."""
        with self._lock:
            if self._status is not None:
                self._status.stop()
                self._status = None
