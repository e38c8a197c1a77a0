"""The chat's widgets: a step block, the project panel, the status bar, the prompt with
history. They only display what the app hands them; no agent logic here."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Collapsible, Input, Static


def _markup(text: str) -> str:
    from rich.markup import escape

    return escape(text)


class StepBlock(Collapsible):
    """One agent step: thought, tool and arguments; then the observation and duration."""

    OUTCOME_MARK: ClassVar[dict[str, str]] = {"ok": "✓", "dry-run": "○", "refused": "✗", "error": "!", "rolled-back": "↺"}

    def __init__(self, index: int, tool: str, args: dict, thought: str, mutates: bool):
        shown = ", ".join(f"{k}={v!r}" for k, v in args.items() if v not in (None, [], {}))
        self.tool_name = f"{'✎ ' if mutates else ''}{tool}"
        self.tool_label = f"{self.tool_name}({shown})"
        self.thought = thought
        self.progress_lines: list[str] = []  # what the tool reported while it ran
        self.body = Static(_markup(f"thought: {thought}\n\nrunning…"), classes="step-body")
        super().__init__(self.body, title=f"… {self.tool_label}", collapsed=True,
                         classes="step mutating" if mutates else "step")

    def progress(self, line: str) -> None:
        """Where the running tool is (resolving, testing 12/40, bisecting 2 of 3...)."""
        self.progress_lines.append(line)
        self.title = f"… {self.tool_name} · {line}"  # short: it must fit 80 columns
        self.body.update(_markup(f"thought: {self.thought}\n\nrunning: {line}"))

    def finish(self, observation: str, duration: float, outcome: str) -> None:
        mark = self.OUTCOME_MARK.get(outcome, "·")
        self.title = f"{mark} {self.tool_label}  {duration:.1f}s"
        self.add_class(f"outcome-{outcome}")
        self.body.update(_markup(f"thought: {self.thought}\n\n{observation}"))
        if outcome in ("refused", "error", "rolled-back"):
            self.collapsed = False


class ProjectPanel(VerticalScroll):
    """Project name, Python, direct dependencies with outdated markers, the last audit."""

    def compose(self):
        yield Static("", id="project-summary")

    def show(self, name: str, python: str, deps: list[tuple[str, str, str]],
             audit: str) -> None:
        lines = [f"[b]{_markup(name)}[/b]", f"Python {_markup(python)}", "", "[b]dependencies[/b]"]
        for dep, version, marker in deps:
            flag = f" [yellow]↑ {_markup(marker)}[/]" if marker else ""
            lines.append(f"{_markup(dep)} {_markup(version)}{flag}")
        lines += ["", "[b]audit[/b]", _markup(audit)]
        self.query_one("#project-summary", Static).update("\n".join(lines))


class StatusBar(Static):
    """The run's counters, bound to the app's reactive attributes. DRY RUN comes first, so
    no terminal width hides it."""

    model_label: reactive[str] = reactive("")
    fell_back: reactive[bool] = reactive(False)
    tokens: reactive[int] = reactive(0)
    cost: reactive[float] = reactive(0.0)
    elapsed: reactive[float] = reactive(0.0)
    trace_id: reactive[str] = reactive("")
    dry_run: reactive[bool] = reactive(False)
    queued: reactive[int] = reactive(0)

    def render(self) -> Content:
        parts = [f"model: {self.model_label}{' (fell back)' if self.fell_back else ''}",
                 f"tokens {self.tokens}", f"${self.cost:.4f}", f"{self.elapsed:.1f}s",
                 f"trace {self.trace_id[:12] or '-'}"]
        if self.queued:
            parts.insert(0, f"{self.queued} queued")
        line = Content("  │  ".join(parts))
        if self.dry_run:
            return Content.assemble(("DRY RUN", "bold reverse"), "  ", line)
        return line


class HistoryInput(Input):
    """The prompt: Up/Down walk through what was typed before."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("up", "older", show=False), Binding("down", "newer", show=False)]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.history: list[str] = []
        self.cursor = 0

    def remember(self, text: str) -> None:
        if text and (not self.history or self.history[-1] != text):
            self.history.append(text)
        self.cursor = len(self.history)

    def action_older(self) -> None:
        if self.history and self.cursor > 0:
            self.cursor -= 1
            self.value = self.history[self.cursor]
            self.cursor_position = len(self.value)

    def action_newer(self) -> None:
        if self.cursor < len(self.history) - 1:
            self.cursor += 1
            self.value = self.history[self.cursor]
        else:
            self.cursor = len(self.history)
            self.value = ""
        self.cursor_position = len(self.value)
