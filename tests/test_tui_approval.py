"""The chat's approval dialog can't be fat-fingered: keys typed ahead (while the agent works,
before the dialog appears, and during its grace period) never answer it; it opens with no
answer selected; the change comes first and the buttons stay on screen at 80x24."""

from __future__ import annotations

import time

from textual.widgets import Button
from tui_pilot import submit, until
from uvmgr.tui.app import ChatApp
from uvmgr.tui.confirm import ConfirmScreen


async def _open_dialog(pilot, app, request: str = "apply patch updates") -> ConfirmScreen:
    await submit(pilot, request)
    await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
    return app.screen


async def test_typing_ahead_never_answers_the_dialog(demo_project, monkeypatch):
    """The person keeps typing a sentence while the agent works; the dialog appears in the
    middle of it. Not one of those letters ('a' and 'n' among them) answers it."""
    monkeypatch.setattr(ConfirmScreen, "GRACE", 2.0)  # a loaded CI machine types slowly
    before = demo_project.snapshot()
    app = ChatApp(demo_project.root, refresh_outdated=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await submit(pilot, "apply patch updates")
        await pilot.click("#prompt")
        sentence = "and can you also say what changed in each package and why "
        typed = 0
        while not isinstance(app.screen, ConfirmScreen):
            await pilot.press(sentence[typed % len(sentence)])
            typed += 1
            assert typed < 5000, "the dialog never appeared"
        await pilot.press(*"a yankee and an ant ran anyway")  # right after it appeared
        assert isinstance(app.screen, ConfirmScreen), "a typed-ahead key answered the dialog"
        assert app.screen.ignored >= len("a yankee and an ant ran anyway")
        assert app.running
        assert demo_project.snapshot() == before
        # Once the person stops typing, the dialog takes an explicit answer.
        await until(pilot, lambda: app.screen.armed, timeout=10)
        await pilot.press("n")
        await until(pilot, lambda: not app.running)
    assert demo_project.snapshot() == before


async def test_the_dialog_opens_with_no_answer_and_a_grace_period(demo_project, monkeypatch):
    """A key right after the dialog appeared is ignored and restarts the wait; then nothing
    is selected (Enter and Space answer nothing) until the person picks a choice."""
    monkeypatch.setattr(ConfirmScreen, "GRACE", 2.0)  # a loaded CI machine types slowly
    app = ChatApp(demo_project.root, refresh_outdated=False)
    async with app.run_test(size=(120, 40)) as pilot:
        dialog = await _open_dialog(pilot, app)
        await pilot.press("y")
        pressed = time.monotonic()
        assert app.screen is dialog and not dialog.armed
        assert all(b.disabled for b in dialog.query(Button))
        await until(pilot, lambda: dialog.armed, timeout=10)
        assert time.monotonic() - pressed >= ConfirmScreen.GRACE  # the key restarted the wait
        assert not any(b.disabled for b in dialog.query(Button))
        assert not isinstance(app.focused, Button)
        await pilot.press("enter", "space")  # nothing is selected: no answer
        assert app.screen is dialog
        for _ in range(5):  # Enter answers only on a button the person focused with Tab
            await pilot.press("tab")
            if isinstance(app.focused, Button):
                break
        assert app.focused.id == "reject"  # the first button Tab reaches is the safe one
        await pilot.press("y")
        await until(pilot, lambda: not app.running)
    assert demo_project.locked_version("demo-http") == "1.0.3"


async def test_at_80x24_the_change_and_the_buttons_are_on_screen(demo_project,
                                                                fixture_advisories,
                                                                monkeypatch):
    """A fix: the version moves come first, the advisories are folded one line per package,
    and the change and the buttons fit in an 80x24 terminal."""
    from textual.geometry import Region
    from textual.widgets import Collapsible, Static

    monkeypatch.setenv("UVMGR_AUDIT_DB", str(fixture_advisories))
    app = ChatApp(demo_project.root, refresh_outdated=False)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await _open_dialog(pilot, app, "fix the vulnerabilities")
        await until(pilot, lambda: dialog.armed, timeout=10)
        view = dialog.view
        assert view.change and view.change[0].startswith("demo-")
        assert " -> " in view.change[0]
        assert view.advisories and all(": " in line for line in view.advisories)
        packages = [line.split(" ")[0] for line in view.advisories]
        assert len(packages) == len(set(packages))  # one line per package
        folded = dialog.query_one("#confirm-advisories", Collapsible)
        assert folded.collapsed
        above_footer = Region(0, 0, 80, 23)
        change = dialog.query_one("#confirm-change", Static)
        assert change.region.height >= len(view.change)
        assert above_footer.contains_region(change.region)
        for button in dialog.query(Button):
            assert above_footer.contains_region(button.region), button.id
        await pilot.press("y")
        await until(pilot, lambda: not app.running)
        # the side panel (folded away at 80 columns) was read again after the fix
        await until(pilot, lambda: "vulnerabilities remain" in str(
            app.query_one("#project-summary", Static).content), timeout=30)
