"""The chat TUI driven with Textual's pilot over real projects: answers, the confirm modal
(approve, reject), cancel mid-run, /undo, slash commands, history; plus snapshots."""

from __future__ import annotations

import time

from tui_pilot import submit as _submit
from tui_pilot import transcript_text as _text
from tui_pilot import until as _until
from uvmgr.evals.scripted_lm import ScriptedEngine
from uvmgr.tui.app import ChatApp
from uvmgr.tui.confirm import ConfirmScreen


async def _answer_modal(pilot, app, request: str, key: str) -> str:
    """Send a request that changes files, answer its confirm dialog, wait for the run."""
    await _submit(pilot, request)
    await _until(pilot, lambda: isinstance(app.screen, ConfirmScreen) and app.screen.armed)
    preview = app.screen.preview
    await pilot.press(key)
    await _until(pilot, lambda: not app.running)
    return preview


async def test_question_gets_an_answer(demo_project):
    app = ChatApp(demo_project.root, refresh_outdated=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await _submit(pilot, "what's outdated?")
        await _until(pilot, lambda: not app.running and app.query(".answer"))
        text = _text(app)
        assert "outdated_packages" in text and "offline planner" in text
        assert "demo-http 1.0.0 -> 2.1.0" in text


async def test_change_needs_the_modal_and_approve_applies_it(demo_project):
    app = ChatApp(demo_project.root, refresh_outdated=False)
    async with app.run_test(size=(120, 40)) as pilot:
        preview = await _answer_modal(pilot, app, "apply patch updates", "a")
        assert "demo-http: 1.0.0 -> 1.0.3" in preview
    assert demo_project.locked_version("demo-http") == "1.0.3"


async def test_reject_leaves_files_unchanged(demo_project):
    before = demo_project.snapshot()
    app = ChatApp(demo_project.root, refresh_outdated=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await _answer_modal(pilot, app, "upgrade safely", "r")
        text = _text(app)
        assert "DECLINED" in text
        # "Next:" advice fits the chat: ask again here, no command-line flags
        assert "Next: Nothing was changed, as you answered. Ask again" in text
        assert "--yes" not in text and "in a terminal" not in text
    assert demo_project.snapshot() == before


async def test_cancel_mid_change_rolls_back(project_factory):
    project = project_factory(["demo-http>=1.0,<1.1"], {"demo-http": "1.0.0"}, tests="slow")
    before = project.snapshot()
    # upgrade_safely runs the (60 s) test suite once it is approved: cancel during it
    engine = ScriptedEngine([("upgrade_safely", {"level": "minor"})])
    app = ChatApp(project.root, refresh_outdated=False, engine=engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await _submit(pilot, "upgrade safely")
        await _until(pilot, lambda: isinstance(app.screen, ConfirmScreen) and app.screen.armed)
        await pilot.press("a")
        await pilot.pause(1.0)  # the baseline test run (60 s) is under way
        assert app.running
        await pilot.click("#prompt")
        await pilot.press("h", "i")  # typing stays responsive while the agent works
        assert app.query_one("#prompt").value == "hi"
        started = time.monotonic()
        await pilot.press("escape")
        await _until(pilot, lambda: not app.running, timeout=30)
        assert time.monotonic() - started < 20
    assert project.snapshot() == before
    assert not (project.root / ".uvmgr/journal").exists()


async def test_undo_restores_the_last_approved_change(demo_project):
    before = demo_project.snapshot()
    app = ChatApp(demo_project.root, refresh_outdated=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await _answer_modal(pilot, app, "apply patch updates", "a")
        assert demo_project.snapshot() != before
        await _submit(pilot, "/undo")
        await _until(pilot, lambda: "undid 'upgrade_safely'" in _text(app))
    assert demo_project.snapshot() == before


async def test_slash_commands_and_history(demo_project):
    app = ChatApp(demo_project.root, refresh_outdated=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await _submit(pilot, "/dry-run on")
        assert app.dry_run
        await _submit(pilot, "/model openai/gpt-x")
        assert app.model == "openai/gpt-x"
        await _submit(pilot, "/model")  # alone: says which model, changes nothing
        assert app.model == "openai/gpt-x"
        assert "model: openai/gpt-x (/model NAME changes it" in _text(app)
        await _submit(pilot, "/model offline")
        assert app.model is None
        await pilot.press("up")
        assert app.query_one("#prompt").value == "/model offline"
        await pilot.press("up", "up", "up")
        assert app.query_one("#prompt").value == "/dry-run on"
        await pilot.press("down", "down", "down", "down")
        assert app.query_one("#prompt").value == ""
        await _submit(pilot, "/clear")
        assert not app.query("#transcript *")
        await _submit(pilot, "/quit")


async def test_dry_run_in_chat_changes_nothing(demo_project):
    before = demo_project.snapshot()
    app = ChatApp(demo_project.root, refresh_outdated=False, dry_run=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await _submit(pilot, "upgrade safely")
        await _until(pilot, lambda: not app.running and app.query(".answer"))
        assert "DRY RUN" in _text(app)
    assert demo_project.snapshot() == before


def test_main_screen_snapshot(snap_compare, demo_project):
    app = ChatApp(demo_project.root, refresh_outdated=False)

    async def settle(pilot):
        await _until(pilot, lambda: "demo-http" in str(
            app.query_one("#project-summary").content))

    assert snap_compare(app, terminal_size=(110, 30), run_before=settle)


def test_confirm_modal_snapshot(snap_compare):
    from textual.app import App

    from uvmgr.approval import ApprovalView

    class Host(App):
        CSS_PATH = "../tui/app.tcss"

        def on_mount(self):
            view = ApprovalView("upgrade_safely wants to change files", [
                "demo-http: 1.0.0 -> 1.0.3",
                "pyproject.toml [main]: 'demo-json==2.0.0' -> 'demo-json==2.0.1'"],
                notes=["tests: 3 passed"])
            self.push_screen(ConfirmScreen(view, ""))

    async def armed(pilot):
        await _until(pilot, lambda: getattr(pilot.app.screen, "armed", False))

    assert snap_compare(Host(), terminal_size=(100, 24), run_before=armed)


async def test_quitting_with_the_dialog_open_changes_nothing(demo_project):
    before = demo_project.snapshot()
    app = ChatApp(demo_project.root, refresh_outdated=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await _submit(pilot, "upgrade safely")
        await _until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("ctrl+q")
        await pilot.pause(0.5)
    for worker in app.workers:
        worker.cancel()
    time.sleep(0.5)
    assert demo_project.snapshot() == before
    assert app.cancel_event.is_set()
