"""A transposed name ("remove pulggy" in a project with pluggy): the reader reads it as the
dependency and the person confirms it (the README: "a corrected name is always confirmed with
you, never approved by --yes"). Before, the safety layer refused it as "not named in your
request", even in a terminal, and told the person to run it again in a terminal."""

from __future__ import annotations

from uvmgr.agent.planner import AgentOptions, run_agent

from uvmgr.config import Settings
from uvmgr.session import open_session


class Answers:
    def __init__(self, *answers: bool):
        self.answers, self.asked = list(answers), []

    def __call__(self, ask):
        self.asked.append(ask)
        return self.answers.pop(0)


def _run(app, request, **options):
    ctx = open_session(app.root, settings=Settings(), recover=False).ctx
    return run_agent(ctx, request, AgentOptions(model="offline", **options))


def test_a_corrected_name_is_confirmed_and_applied_when_the_person_says_yes(project_factory):
    app = project_factory(["demo-http>=1.0,<1.1", "pluggy"], {"demo-http": "1.0.0"})
    confirm = Answers(True)
    summary = _run(app, "remove pulggy", confirmer=confirm)
    assert summary.exit_code == 0, [s.observation for s in summary.steps]
    assert "pluggy" in confirm.asked[0].preview
    assert [(d.approved, d.by) for d in summary.decisions] == [(True, "person")]
    assert "pluggy" not in app.pyproject.read_text()


def test_a_corrected_name_is_never_approved_by_yes(project_factory):
    app = project_factory(["demo-http>=1.0,<1.1", "pluggy"], {"demo-http": "1.0.0"})
    before = app.snapshot()
    summary = _run(app, "remove pulggy", mode="yes")
    assert summary.exit_code == 3
    assert [d.approved for d in summary.decisions] == [False]
    assert app.snapshot() == before


def test_a_declined_change_is_not_told_to_run_again_in_a_terminal(project_factory):
    app = project_factory(["demo-http>=1.0,<1.1", "pluggy"], {"demo-http": "1.0.0"})
    summary = _run(app, "remove pluggy", confirmer=Answers(False))
    assert summary.exit_code == 3
    assert "as you answered" in summary.answer
    assert "in a terminal" not in summary.answer
