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


class ConsoleObserver:
    """Agent events as lines on stderr; a tool's progress (pass it as `ToolContext.progress`
    too) as a status line that the next printed line replaces."""

    def __init__(self) -> None:
        from rich.console import Console

        from uvmgr.status_line import StatusLine

        self.console = Console(stderr=True, highlight=False)
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
    """Shows the exact preview and waits for y/N on the terminal."""

    def __init__(self):
        from rich.console import Console

        self.console = Console(stderr=True, highlight=False)

    def __call__(self, ask: ApprovalAsked) -> bool:
        from rich.markup import escape
        from rich.panel import Panel

        self.console.print(Panel(escape(ask.preview), title=f"{ask.tool} wants to change files",
                                 border_style="yellow"))
        try:
            self.console.print("Apply this change? \\[y/N] ", end="")
            answer = input()
        except (EOFError, KeyboardInterrupt):
            return False
        return answer.strip().lower() in ("y", "yes")


def has_terminal() -> bool:
    return sys.stdin.isatty() and sys.stderr.isatty()
