"""`uvmgr ask` on a terminal: agent events rendered as they happen (on stderr, so `--json`
keeps stdout clean), and the terminal confirmer that asks before any change."""

from __future__ import annotations

import sys

from uvmgr.agent.events import (
    ApprovalAsked,
    Decision,
    ModelCalled,
    Notice,
    Progress,
    RunStarted,
    StepFinished,
    StepStarted,
)
from uvmgr.approval import answer_of


class ConsoleObserver:
    """Agent events as lines on stderr; a tool's progress (pass it as `ToolContext.progress`
    too) as a status line that the next printed line replaces."""

    def __init__(self) -> None:
        from uvmgr.status_line import StatusLine
        from uvmgr.terminal_text import safe_console

        self.console = safe_console(stderr=True, highlight=False)
        self.status = StatusLine(self.console)

    def __call__(self, event) -> None:
        from rich.markup import escape

        if isinstance(event, Progress):
            self.status(event)
            return
        self.status.close()
        c = self.console
        if isinstance(event, RunStarted):
            c.print(f"[dim]planning with {escape(event.model)} ({event.mode} mode)[/]")
        elif isinstance(event, StepStarted):
            args = ", ".join(f"{k}={v!r}" for k, v in event.args.items() if v not in (None, [], {}))
            c.print(f"[bold cyan]→ {escape(event.tool)}[/]({escape(args)})  "
                    f"[dim]{escape(event.thought[:120])}[/]")
        elif isinstance(event, StepFinished):
            mark = {"ok": "[green]✓[/]", "dry-run": "[yellow]○[/]", "refused": "[red]✗[/]",
                    "error": "[red]![/]", "rolled-back": "[red]↺[/]"}.get(event.outcome, "·")
            first = event.observation.strip().splitlines()[0] if event.observation.strip() else ""
            c.print(f"  {mark} {event.duration:.1f}s  {escape(first[:150])}")
        elif isinstance(event, Decision) and not event.approved and event.by not in ("dry-run",):
            c.print(f"  [red]refused[/] {escape(event.tool)} ({event.by}): {escape(event.reason)}")
        elif isinstance(event, Notice):
            c.print(f"[yellow]{escape(event.text)}[/]")
        elif isinstance(event, ModelCalled) and not event.ok:
            c.print(f"[dim]model {escape(event.model)} attempt {event.attempt}: "
                    f"{escape(event.error)}[/]")


class TerminalConfirmer:
    """Shows the change first (its context after it, shortened) and waits for an explicit
    answer with the chat's keys: y/a approve, n/r reject, Enter alone rejects. What was typed
    before the question, or within the grace period after it, is discarded unread."""

    CONTEXT_LINES = 5

    def __init__(self):
        from uvmgr.terminal_text import safe_console

        self.console = safe_console(stderr=True, highlight=False)

    def __call__(self, ask: ApprovalAsked) -> bool:
        from rich.markup import escape
        from rich.panel import Panel

        from uvmgr.approval import KEYS_HELP, approval_view

        view = approval_view(ask.tool, ask.preview, ask.result)
        self.console.print(Panel(escape("\n".join(view.change)), title=escape(view.title),
                                 border_style="yellow"))
        for label, lines in (("advisories", view.advisories), ("notes", view.notes)):
            if lines:
                more = len(lines) - self.CONTEXT_LINES
                shown = lines[:self.CONTEXT_LINES] + ([f"… and {more} more"] if more > 0 else [])
                self.console.print(f"[dim]{label}:[/]")
                for line in shown:
                    self.console.print(f"[dim]  {escape(line)}[/]")
        _discard_typeahead()
        for _ in range(3):
            try:
                self.console.print(f"Apply this change? \\[{KEYS_HELP}] ", end="")
                answer = answer_of(input())
            except (EOFError, KeyboardInterrupt):
                return False
            if answer is not None:
                return answer
            self.console.print("Type y or a to approve, n or r to reject.")
        return False


def _discard_typeahead() -> None:
    """Wait out the grace period, then drop every key typed so far (a line typed while the
    agent worked is not an answer to a question it had not seen)."""
    import time

    from uvmgr.approval import GRACE_SECONDS

    time.sleep(GRACE_SECONDS)
    try:
        import termios
    except ImportError:  # not a POSIX terminal: nothing buffered to drop
        return
    try:
        termios.tcflush(sys.stdin, termios.TCIFLUSH)
    except (termios.error, OSError, ValueError):  # stdin is not a terminal after all
        pass


def has_terminal() -> bool:
    return sys.stdin.isatty() and sys.stderr.isatty()
