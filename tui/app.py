"""`uvmgr chat`: the Textual front end of the same agent `uvmgr ask` runs.

The agent runs in a thread worker and talks to the UI through `ui()` (call_from_thread that gives up once the app stops); the
confirmer is a modal. Heavy imports (DSPy, the tools) wait for the first request, so the
window opens at once. Esc or Ctrl+C cancels a run: the process in flight is killed and its
transaction rolled back, never left half done.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Footer, Header, Static

from uvmgr.tui.confirm import APPROVE, APPROVE_ALL, ConfirmScreen
from uvmgr.tui.widgets import HistoryInput, ProjectPanel, StatusBar, StepBlock

HELP = """\
Ask in plain words: "what's outdated?", "upgrade safely", "any CVEs in my deps?",
"add httpx>=0.27 to the dev group". Changes are previewed and wait for your approval.
/model NAME   use a litellm model (/model offline for the offline planner)
/dry-run on|off   plan without changing anything
/undo   restore the files changed by the last approved change
/clear  clear the transcript     /help  this text     /quit  leave (Ctrl+Q)
Esc or Ctrl+C cancels a running request safely."""


class ChatApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "uvmgr chat"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel run"),
        Binding("ctrl+c", "cancel", "Cancel run", priority=True, show=False),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    def __init__(self, project_dir: Path, *, model: str | None = None, dry_run: bool = False,
                 engine=None, refresh_outdated: bool = True):
        super().__init__()
        self.project_dir = project_dir
        self.model = model
        self.dry_run = dry_run
        self.engine = engine  # a scripted engine in tests; None means the model chain
        self.refresh_outdated = refresh_outdated
        self.running = False
        self.cancel_event = threading.Event()
        self.approve_all = False
        self.step_blocks: dict[int, StepBlock] = {}
        self.last_audit = "not audited yet"
        self.counters = {"tokens": 0, "cost": 0.0, "fell_back": False, "model": "",
                         "trace": "", "started": 0.0, "elapsed": 0.0}
        self.project_name = project_dir.name

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="main"):
            yield VerticalScroll(id="transcript")
            yield ProjectPanel(id="side")
        yield StatusBar(id="status")
        yield HistoryInput(placeholder="Ask uvmgr… (/help for commands)", id="prompt")
        yield Footer()

    def on_mount(self) -> None:
        from uvmgr.errors import UvmgrError
        from uvmgr.tools.project import Project

        try:
            project = Project(self.project_dir)
            self.project_name = project.name
            self.sub_title = project.name
        except UvmgrError as exc:
            self.note(f"{exc.message}" + (f" ({exc.hint})" if exc.hint else ""))
        self.note(HELP)
        self.counters["model"] = self.model or "offline planner"
        self.update_status()
        self.refresh_panel()
        self.query_one("#prompt", HistoryInput).focus()

    # -- transcript --------------------------------------------------------------------------
    def transcript(self) -> VerticalScroll:
        return self.query_one("#transcript", VerticalScroll)

    def note(self, text: str, classes: str = "notice") -> None:
        from rich.markup import escape

        self.transcript().mount(Static(escape(text), classes=classes))
        self.transcript().scroll_end(animate=False)

    def update_status(self) -> None:
        c = self.counters
        if self.running:
            c["elapsed"] = time.monotonic() - c["started"]
        self.query_one("#status", StatusBar).show(c["model"], c["fell_back"], c["tokens"],
                                                  c["cost"], c["elapsed"], c["trace"][:12],
                                                  self.dry_run)

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
            self.note("A request is still running; Esc cancels it.")
        else:
            self.start(text)

    def slash(self, text: str) -> None:
        command, _, arg = text.partition(" ")
        arg = arg.strip()
        if command == "/model":
            self.model = None if arg in ("", "offline") else arg
            self.counters["model"] = self.model or "offline planner"
            self.note(f"model: {self.counters['model']}")
        elif command == "/dry-run":
            self.dry_run = arg.lower() not in ("off", "false", "no", "0")
            self.note(f"dry run {'on: nothing will change' if self.dry_run else 'off'}")
        elif command == "/undo":
            if self.running:
                self.note("Wait for the running request to finish (or Esc) before /undo.")
            else:
                self.undo()
        elif command == "/clear":
            self.transcript().remove_children()
        elif command == "/help":
            self.note(HELP)
        elif command == "/quit":
            self.leave()
        else:
            self.note(f"unknown command {command}; /help lists them")
        self.update_status()

    # -- the agent run (worker thread) -------------------------------------------------------
    def ui(self, callback, *args):
        """Run `callback` on the UI thread from a worker and return its result; gives up
        (returns None) once the app has stopped, so a worker never waits on a dead loop."""
        import asyncio
        import concurrent.futures
        loop = self._loop
        if loop is None or loop.is_closed():
            return None

        async def run():
            from functools import partial

            from textual._callback import invoke

            from textual.css.query import NoMatches
            from textual.widget import MountError

            with self._context():  # what call_from_thread does, minus waiting forever
                try:
                    return await invoke(partial(callback, *args))
                except (MountError, NoMatches):
                    # The person quit while this update was on its way: the transcript is
                    # already gone, and the run is being cancelled.
                    if self.cancel_event.is_set() or not self.is_running:
                        return None
                    raise

        try:
            future = asyncio.run_coroutine_threadsafe(run(), loop)
        except RuntimeError:
            return None
        while True:
            try:
                return future.result(timeout=0.2)
            except concurrent.futures.TimeoutError:
                if not self.is_running or loop.is_closed():
                    future.cancel()
                    return None

    def start(self, text: str) -> None:
        self.transcript().mount(Static(f"you: {text}", classes="you", markup=False))
        self.running = True
        self.approve_all = False
        self.cancel_event.clear()
        self.step_blocks = {}
        self.counters.update(tokens=0, cost=0.0, fell_back=False, started=time.monotonic())
        self.update_status()
        self.ticker = self.set_interval(0.5, self.update_status)
        self.run_request(text)

    def tool_context(self, cancellable: bool = True):
        from uvmgr.session import open_session

        session = open_session(self.project_dir,
                               cancel=self.cancel_event if cancellable else None)
        for notice in session.notices:
            self.ui(self.note, notice)
        if session.recovered:
            self.ui(self.note, session.recovered)
        return session.ctx

    @work(thread=True, exclusive=True, group="agent")
    def run_request(self, text: str) -> None:
        from uvmgr.errors import UvmgrError

        summary, error, tracer = None, None, None
        try:
            ctx = self.tool_context()
            tracer = ctx.tracer
            self.ui(lambda: self.counters.update(trace=tracer.trace_id))
            from uvmgr.agent.planner import AgentOptions, run_agent

            with tracer.span("uvmgr chat request", command="uvmgr chat"):
                summary = run_agent(ctx, text, AgentOptions(
                    mode="dry-run" if self.dry_run else "confirm",
                    confirmer=self.confirm_from_thread, model=self.model,
                    observer=lambda e: self.ui(self.on_agent_event, e),
                    engine=self.engine, cancel=self.cancel_event))
        except UvmgrError as exc:
            error = exc.message + (f" ({exc.hint})" if exc.hint else "")
        except Exception as exc:  # noqa: BLE001 - the UI must survive a bug in a run
            error = f"internal error: {type(exc).__name__}: {exc}"
        finally:
            if tracer is not None:
                tracer.finish()
        self.ui(self.finish_run, summary, error)

    def confirm_from_thread(self, ask) -> bool:
        """The confirmer: show the modal and wait (in the worker thread) for the answer."""
        if self.approve_all:
            return True
        answered = threading.Event()
        choice: dict[str, str] = {}

        def on_answer(value: str | None) -> None:
            choice["value"] = value or "reject"
            answered.set()

        self.ui(self.push_screen, ConfirmScreen(ask.tool, ask.preview), on_answer)
        while not answered.wait(0.1):
            if self.cancel_event.is_set() or not self.is_running:
                self.ui(self._dismiss_confirm)
                return False
        if choice["value"] == APPROVE_ALL:
            self.approve_all = True
        return choice["value"] in (APPROVE, APPROVE_ALL)

    def _dismiss_confirm(self) -> None:
        if isinstance(self.screen, ConfirmScreen):
            self.screen.dismiss("reject")

    def on_agent_event(self, event) -> None:
        from uvmgr.agent.events import ModelCalled, Notice, StepFinished, StepStarted

        if isinstance(event, StepStarted):
            from uvmgr.tools.registry import TOOLS

            spec = TOOLS.get(event.tool)
            block = StepBlock(event.index, event.tool, event.args, event.thought,
                              bool(spec and spec.mutates))
            self.step_blocks[event.index] = block
            self.transcript().mount(block)
        elif isinstance(event, StepFinished):
            block = self.step_blocks.get(event.index)
            if block is not None:
                block.finish(event.observation, event.duration, event.outcome)
            if event.tool == "audit_dependencies" and event.outcome == "ok":
                self.last_audit = event.observation.splitlines()[0]
        elif isinstance(event, Notice):
            self.note(event.text)
        elif isinstance(event, ModelCalled):
            self.counters["tokens"] += event.input_tokens + event.output_tokens
            self.counters["cost"] += event.cost
            if not event.ok:
                self.counters["fell_back"] = True
            else:
                self.counters["model"] = event.model
        self.transcript().scroll_end(animate=False)
        self.update_status()

    def finish_run(self, summary, error: str | None) -> None:
        self.running = False
        if getattr(self, "ticker", None) is not None:
            self.ticker.stop()
        if error:
            self.note(f"error: {error}")
        if summary is not None:
            from textual.widgets import Markdown  # markdown-it loads on the first answer

            self.transcript().mount(Markdown(summary.answer.replace("\n", "  \n"),
                                             classes="answer"))
            if any(s.mutates and s.outcome == "ok" for s in summary.steps):
                self.refresh_panel()
        self.update_status()
        self.transcript().scroll_end(animate=False)

    def action_cancel(self) -> None:
        if self.running:
            self.cancel_event.set()
            self.note("cancelling… (a change in flight is rolled back)")
            self._dismiss_confirm()

    async def action_quit(self) -> None:
        self.leave()

    def on_unmount(self) -> None:
        # However the app ends, a run still going is cancelled (and its change rolled back).
        self.cancel_event.set()

    def leave(self) -> None:
        """Leaving mid-run cancels it first, so nothing is finished after the window closes
        and the worker does not wait forever on a dialog."""
        self.cancel_event.set()
        self._dismiss_confirm()
        self.exit()

    # -- undo and the project panel (worker threads) -----------------------------------------
    @work(thread=True, group="undo")
    def undo(self) -> None:
        from uvmgr.errors import UvmgrError
        from uvmgr.tools.undo import undo_last_change

        self.ui(lambda: setattr(self, "running", True))  # no request meanwhile
        try:
            ctx = self.tool_context(cancellable=False)
            try:
                result = undo_last_change(ctx.project, ctx.runner)
            finally:
                ctx.tracer.finish()
            restored = ", ".join(result.restored) or "nothing needed restoring"
            self.ui(self.note, f"undid '{result.operation}': {restored}")
            self.ui(self.refresh_panel)
        except UvmgrError as exc:
            self.ui(self.note, exc.message + (f" ({exc.hint})" if exc.hint else ""))
        except Exception as exc:  # noqa: BLE001 - the UI must survive a bug in undo
            self.ui(self.note, f"undo failed: {type(exc).__name__}: {exc}")
        finally:
            self.ui(lambda: setattr(self, "running", False))

    @work(thread=True, exclusive=True, group="panel")
    def refresh_panel(self) -> None:
        from uvmgr.errors import UvmgrError

        try:
            ctx = self.tool_context(cancellable=False)
        except UvmgrError:
            return
        project = ctx.project
        python = _python_version(project.root)
        try:
            locked = project.locked_packages()
        except UvmgrError:
            locked = {}
        deps = project.direct_dependencies(locked)
        rows = [(d.name, d.locked or "-", "") for d in deps]
        self.ui(self.query_one(ProjectPanel).show, project.name, python, rows,
                              self.last_audit)
        if not self.refresh_outdated or not locked:
            return
        try:
            from uvmgr.tools.registry import TOOLS, invoke

            newer = {o.name: o.latest for o in invoke(TOOLS["outdated_packages"], ctx)}
        except UvmgrError:
            return
        finally:
            ctx.tracer.finish()
        rows = [(d.name, d.locked or "-", newer.get(d.name, "")) for d in deps]
        self.ui(self.query_one(ProjectPanel).show, project.name, python, rows,
                              self.last_audit)


def _python_version(root: Path) -> str:
    cfg = root / ".venv" / "pyvenv.cfg"
    try:
        for line in cfg.read_text(encoding="utf-8").splitlines():
            key, _, value = line.partition("=")
            if key.strip() in ("version_info", "version"):
                return value.strip()
    except OSError:
        pass
    return "(no environment yet)"


def run(project_dir: Path, model: str | None = None, dry_run: bool = False) -> int:
    ChatApp(project_dir, model=model, dry_run=dry_run).run()
    return 0
