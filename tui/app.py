"""`uvmgr chat`: the Textual front end of the same agent `uvmgr ask` runs.

The agent runs in a thread worker. It never touches a widget: it posts messages
(`tui/messages.py`) that the app's handlers turn into screen changes, and the confirmer waits
in the worker for the dialog's answer. Counters are reactive attributes bound to the status
bar. Heavy imports (DSPy, the tools) wait for the first request, so the window opens at once.
Esc or Ctrl+C cancels a run: the process in flight is killed and its transaction rolled back,
never left half done.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.reactive import reactive
from textual.widgets import Footer, Header, Static
from uvmgr.tui.commands import HELP, ChatCommands
from uvmgr.tui.confirm import APPROVE, APPROVE_ALL, REJECT, ConfirmScreen
from uvmgr.tui.messages import (
    AgentEvent,
    ApprovalNeeded,
    ChatNote,
    PanelLoaded,
    RunFinished,
    TraceOpened,
)
from uvmgr.tui.widgets import HistoryInput, ProjectPanel, StatusBar, StepBlock


class ChatApp(ChatCommands, App):
    CSS_PATH = "app.tcss"
    TITLE = "uvmgr chat"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel run"),
        Binding("ctrl+c", "cancel", "Cancel run", priority=True, show=False),
        Binding("ctrl+q", "quit", "Quit", priority=True),
        Binding("f2", "toggle_panel", "Panel"),
    ]
    # Below 100 columns the side panel folds away (F2 brings it back).
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-narrow"), (100, "-wide")]

    # What the status bar shows (bound to it in compose).
    model_label: reactive[str] = reactive("offline planner")
    fell_back: reactive[bool] = reactive(False)
    tokens: reactive[int] = reactive(0)
    cost: reactive[float] = reactive(0.0)
    elapsed: reactive[float] = reactive(0.0)
    trace_id: reactive[str] = reactive("")
    dry_run: reactive[bool] = reactive(False)
    running: reactive[bool] = reactive(False)
    queued: reactive[int] = reactive(0)

    def __init__(self, project_dir: Path, *, model: str | None = None, dry_run: bool = False,
                 engine=None, refresh_outdated: bool = True):
        super().__init__()
        self.project_dir = project_dir
        self.model = model
        self.set_reactive(ChatApp.dry_run, dry_run)
        self.set_reactive(ChatApp.model_label, model or "offline planner")
        self.engine = engine  # a scripted engine in tests; None means the model chain
        self.refresh_outdated = refresh_outdated
        self.cancel_event = threading.Event()
        self.waiting: list[str] = []  # requests typed during a run, in order
        self.approve_all = False
        self.step_blocks: dict[int, StepBlock] = {}
        self.current_step: StepBlock | None = None
        self.tools = None  # the run's Toolset (built-ins and active packs), once a run opens
        self.last_audit = "not audited yet"
        self.started = 0.0
        self.ticker = None
        self.closing = False
        self.transcript_view = VerticalScroll(id="transcript")
        self.panel = ProjectPanel(id="side")
        self.project_name = project_dir.name

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="main"):
            yield self.transcript_view
            yield self.panel
        yield StatusBar(id="status").data_bind(
            ChatApp.model_label, ChatApp.fell_back, ChatApp.tokens, ChatApp.cost,
            ChatApp.elapsed, ChatApp.trace_id, ChatApp.dry_run, ChatApp.queued)
        yield HistoryInput(placeholder="Ask uvmgr… (/help for commands)", id="prompt")
        yield Footer()

    def on_mount(self) -> None:
        from uvmgr.tools.project import Project

        from uvmgr.errors import UvmgrError

        try:
            project = Project(self.project_dir)
            self.project_name = project.name
            self.sub_title = project.name
        except UvmgrError as exc:
            self.note(f"{exc.message}" + (f" ({exc.hint})" if exc.hint else ""))
        self.note(HELP)
        self.refresh_panel()
        self.query_one("#prompt", HistoryInput).focus()

    # -- transcript --------------------------------------------------------------------------
    def transcript(self) -> VerticalScroll:
        return self.transcript_view

    def alive(self) -> bool:
        """False once the window is closing: a worker's news that arrives then is dropped."""
        return not self.closing and self.transcript_view.is_attached

    def note(self, text: str, classes: str = "notice") -> None:
        self.transcript().mount(Static(text, classes=classes, markup=False))
        self.transcript().scroll_end(animate=False)

    def tick(self) -> None:
        self.elapsed = time.monotonic() - self.started

    # -- input -------------------------------------------------------------------------------
    def on_input_submitted(self, event: HistoryInput.Submitted) -> None:
        prompt = self.query_one("#prompt", HistoryInput)
        text = event.value.strip()
        prompt.remember(text)
        prompt.value = ""
        if not text:
            return
        if text.startswith("/"):
            self.slash(text)
        elif self.running:
            self.waiting.append(text)
            self.queued = len(self.waiting)
            self.note(f"queued ({self.queued} waiting): \"{text}\" runs when the current "
                      "request is done. Esc cancels the current one and drops the queue.")
        else:
            self.start(text)

    def start_next(self) -> None:
        if self.waiting and not self.running:
            text = self.waiting.pop(0)
            self.queued = len(self.waiting)
            self.start(text)

    # -- the agent run -----------------------------------------------------------------------
    def start(self, text: str) -> None:
        self.transcript().mount(Static(f"you: {text}", classes="you", markup=False))
        self.running = True
        self.approve_all = False
        self.cancel_event.clear()
        self.step_blocks = {}
        self.tokens, self.cost, self.fell_back, self.elapsed = 0, 0.0, False, 0.0
        self.started = time.monotonic()
        self.ticker = self.set_interval(0.5, self.tick)
        self.run_request(text, "dry-run" if self.dry_run else "confirm", self.model)

    def post(self, message) -> None:
        """Post from a worker thread. Once the app has stopped there is nobody to tell, and
        the run is being cancelled anyway (see `on_unmount`)."""
        try:
            self.post_message(message)
        except RuntimeError:  # the event loop closed between the check and the post
            pass

    def tool_context(self, cancellable: bool = True, packs: bool = False):
        """Runs in a worker thread: the tools' context for one request, notices posted.
        `packs`: offer the active packs' tools (a request's run; the panel needs none)."""
        from uvmgr.session import open_session

        session = open_session(self.project_dir, packs=packs,
                               cancel=self.cancel_event if cancellable else None)
        if packs:
            self.tools = session.ctx.tools
        for notice in session.notices:
            self.post(ChatNote(notice))
        if session.recovered:
            self.post(ChatNote(session.recovered))
        return session.ctx

    @work(thread=True, exclusive=True, group="agent")
    def run_request(self, text: str, mode: str, model: str | None) -> None:
        from uvmgr.errors import UvmgrError

        summary, error, tracer = None, None, None
        try:
            ctx = self.tool_context(packs=True)
            tracer = ctx.tracer
            self.post(TraceOpened(tracer.trace_id))
            from uvmgr.agent.planner import AgentOptions, run_agent

            def observer(event) -> None:
                self.post(AgentEvent(event))

            ctx.progress = observer  # the tools' phases, shown in the running step
            with tracer.span("uvmgr chat request", command="uvmgr chat"):
                summary = run_agent(ctx, text, AgentOptions(
                    mode=mode, confirmer=self.confirm_from_thread, model=model,
                    observer=observer,
                    engine=self.engine, cancel=self.cancel_event, front_end="chat"))
        except UvmgrError as exc:
            error = exc.message + (f" ({exc.hint})" if exc.hint else "")
        except Exception as exc:  # noqa: BLE001 - the UI must survive a bug in a run
            error = f"internal error: {type(exc).__name__}: {exc}"
        finally:
            if tracer is not None:
                tracer.finish()
        self.post(RunFinished(summary, error))

    def confirm_from_thread(self, ask) -> bool:
        """The confirmer (in the worker thread): ask the UI for the dialog, wait for the answer.
        A cancelled run or a closed app answers no."""
        if self.approve_all:
            return True
        answered = threading.Event()
        choice: list[str] = []

        def reply(value: str | None) -> None:
            choice.append(value or REJECT)
            answered.set()

        self.post(ApprovalNeeded(ask, reply))
        while not answered.wait(0.1):
            if self.cancel_event.is_set() or not self.is_running:
                return False
        if choice[0] == APPROVE_ALL:
            self.approve_all = True
        return choice[0] in (APPROVE, APPROVE_ALL)

    @on(ApprovalNeeded)
    def show_approval(self, message: ApprovalNeeded) -> None:
        if self.cancel_event.is_set() or not self.alive():
            message.reply(None)
            return
        from uvmgr.approval import approval_view

        ask = message.ask
        self.push_screen(ConfirmScreen(approval_view(ask.tool, ask.preview, ask.result),
                                       ask.preview), message.reply)

    def dismiss_confirm(self) -> None:
        if isinstance(self.screen, ConfirmScreen):
            self.screen.dismiss(REJECT)

    @on(TraceOpened)
    def show_trace(self, message: TraceOpened) -> None:
        self.trace_id = message.trace_id

    @on(ChatNote)
    def show_note(self, message: ChatNote) -> None:
        if not self.alive():
            return
        self.note(message.text)

    @on(AgentEvent)
    def show_agent_event(self, message: AgentEvent) -> None:
        if not self.alive():
            return
        from uvmgr.agent.events import ModelCalled, Notice, Progress, StepFinished, StepStarted

        event = message.event
        if isinstance(event, Progress):
            if self.current_step is not None:
                self.current_step.progress(event.line())
            return
        if isinstance(event, StepStarted):
            from uvmgr.tools.toolset import Toolset

            spec = (self.tools or Toolset()).get(event.tool)
            block = StepBlock(event.index, event.tool, event.args, event.thought,
                              bool(spec and spec.mutates))
            self.step_blocks[event.index] = block
            self.current_step = block
            self.transcript().mount(block)
        elif isinstance(event, StepFinished):
            self.finish_step(event)
        elif isinstance(event, Notice):
            self.note(event.text)
        elif isinstance(event, ModelCalled):
            self.tokens += event.input_tokens + event.output_tokens
            self.cost += event.cost
            if not event.ok:
                self.fell_back = True
            else:
                self.model_label = event.model
        self.transcript().scroll_end(animate=False)

    def finish_step(self, event) -> None:
        """A step is done: its block shows the outcome; after a change or an audit the panel
        is read again (the locked versions, the last audit)."""
        from uvmgr.tools.toolset import Toolset
        from uvmgr.tui.answer_text import plain_quotes

        block = self.step_blocks.get(event.index)
        if block is not None:
            block.finish(plain_quotes(event.observation), event.duration, event.outcome)
        self.current_step = None
        spec = (self.tools or Toolset()).get(event.tool)
        if spec is None or event.outcome in ("refused", "dry-run"):
            return
        lines = event.observation.strip().splitlines()
        if spec.family == "audit" and event.outcome == "ok" and lines:
            # an audit's first line is its finding; a fix's last line what remains
            self.last_audit = lines[-1] if spec.mutates else lines[0]
        if spec.mutates or spec.family == "audit":
            self.refresh_panel()

    @on(RunFinished)
    def finish_run(self, message: RunFinished) -> None:
        if not self.alive():
            return
        self.running = False
        if self.ticker is not None:
            self.ticker.stop()
        if message.error:
            self.note(f"error: {message.error}")
        summary = message.summary
        if summary is not None:
            from textual.widgets import Markdown  # markdown-it loads on the first answer
            from uvmgr.tui.answer_text import answer_markdown

            self.transcript().mount(Markdown(answer_markdown(summary.answer), classes="answer",
                                             open_links=False))
        self.transcript().scroll_end(animate=False)
        self.start_next()

    def action_cancel(self) -> None:
        if self.running:
            self.cancel_event.set()
            dropped = f"; {len(self.waiting)} queued request(s) dropped" if self.waiting else ""
            self.waiting.clear()
            self.queued = 0
            self.note(f"cancelling… (a change in flight is rolled back){dropped}")
            self.dismiss_confirm()

    async def action_quit(self) -> None:
        self.leave()

    def on_unmount(self) -> None:
        # However the app ends, a run still going is cancelled (and its change rolled back).
        self.closing = True
        self.cancel_event.set()

    def leave(self) -> None:
        """Leaving mid-run cancels it first, so nothing is finished after the window closes
        and the worker does not wait forever on a dialog."""
        self.closing = True
        self.cancel_event.set()
        self.dismiss_confirm()
        self.exit()

    # -- the project panel (a worker thread) ------------------------------------------------
    @work(thread=True, exclusive=True, group="panel")
    def refresh_panel(self) -> None:
        from uvmgr.tui.project_state import panel_rows

        from uvmgr.errors import UvmgrError

        try:
            ctx = self.tool_context(cancellable=False)
        except UvmgrError:
            return
        try:
            for name, python, rows in panel_rows(ctx, self.refresh_outdated):
                self.post(PanelLoaded(name, python, rows))
        finally:
            ctx.tracer.finish()

    @on(PanelLoaded)
    def show_panel(self, message: PanelLoaded) -> None:
        if not self.alive() or not self.panel.is_attached:
            return
        self.panel.show(message.name, message.python, message.rows,
                                          self.last_audit)

    def action_toggle_panel(self) -> None:
        self.screen.toggle_class("-panel-toggled")


def run(project_dir: Path, model: str | None = None, dry_run: bool = False) -> int:
    ChatApp(project_dir, model=model, dry_run=dry_run).run()
    return 0
