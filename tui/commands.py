"""The chat's slash commands and /undo, mixed into `ChatApp` (`tui/app.py`)."""

from __future__ import annotations

from textual import work
from uvmgr.tui.messages import UndoFinished

HELP = """\
Ask in plain words: "what's outdated?", "upgrade safely", "any CVEs?",
"add httpx>=0.27 to the dev group". Every change is previewed and waits:
y/a approve, n/r reject, A approve all (keys typed ahead are ignored).
/model [NAME]  show or set the model (/model offline: offline planner)
/dry-run on|off  plan only     /undo  restore the last approved change
/clear  clear   /help  this text   /quit  leave (Ctrl+Q)   F2  panel
Esc or Ctrl+C cancels a run safely (and drops queued requests); a
request sent while one runs is queued and runs next."""


class ChatCommands:
    """`/model`, `/dry-run`, `/undo`, `/clear`, `/help`, `/quit`; the app provides `note`,
    `post`, `leave`, `transcript`, `refresh_panel`, `start_next` and the reactive state."""

    def slash(self, text: str) -> None:
        command, _, arg = text.partition(" ")
        arg = arg.strip()
        if command == "/model" and not arg:
            self.note(f"model: {self.model_label} (/model NAME changes it; /model offline "
                      "uses the offline planner)")
        elif command == "/model":
            self.model = None if arg == "offline" else arg
            self.model_label = self.model or "offline planner"
            self.note(f"model: {self.model_label}")
        elif command == "/dry-run":
            self.dry_run = arg.lower() not in ("off", "false", "no", "0")
            self.note(f"dry run {'on: nothing will change' if self.dry_run else 'off'}")
        elif command == "/undo":
            if self.running:
                self.note("Wait for the running request to finish (or Esc) before /undo.")
            else:
                self.running = True  # no request meanwhile
                self.undo()
        elif command == "/clear":
            self.transcript().remove_children()
        elif command == "/help":
            self.note(HELP)
        elif command == "/quit":
            self.leave()
        else:
            self.note(f"unknown command {command}; /help lists them")

    @work(thread=True, group="undo")
    def undo(self) -> None:
        from uvmgr.tools.undo import undo_last_change

        from uvmgr.errors import UvmgrError

        try:
            ctx = self.tool_context(cancellable=False)
            try:
                result = undo_last_change(ctx.project, ctx.runner)
            finally:
                ctx.tracer.finish()
            restored = ", ".join(result.restored) or "nothing needed restoring"
            self.post(UndoFinished(f"undid '{result.operation}': {restored}", True))
        except UvmgrError as exc:
            self.post(UndoFinished(exc.message + (f" ({exc.hint})" if exc.hint else ""), False))
        except Exception as exc:  # noqa: BLE001 - the UI must survive a bug in undo
            self.post(UndoFinished(f"undo failed: {type(exc).__name__}: {exc}", False))

    def on_undo_finished(self, message: UndoFinished) -> None:
        if not self.alive():
            return
        self.running = False
        self.note(message.text)
        if message.changed:
            self.refresh_panel()
        self.start_next()

