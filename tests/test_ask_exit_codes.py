"""`uvmgr ask` exits 3 whenever a change it planned was not made because it was refused, by the
safety layer as much as by the person: a script that runs `uvmgr ask --yes "remove pulggy" &&
deploy` must not read "done" (0) when nothing was removed."""

from __future__ import annotations


def test_a_change_the_safety_layer_refused_exits_3(project_factory):
    from uvmgr.agent.planner import AgentOptions, run_agent
    from uvmgr.evals.scripted_lm import ScriptedEngine

    from uvmgr.config import Settings
    from uvmgr.session import open_session

    app = project_factory(["demo-http>=1.0,<1.1", "pluggy"], {"demo-http": "1.0.0"})
    before = app.snapshot()
    # a model plans the removal of a package the request never named: refused by the safety
    # layer whatever the mode
    ctx = open_session(app.root, settings=Settings(), recover=False).ctx
    engine = ScriptedEngine([("remove_dependency", {"names": ["pluggy"]})])
    summary = run_agent(ctx, "tidy up the project", AgentOptions(mode="yes", engine=engine))
    assert [d.by for d in summary.decisions] == ["safety"], summary.decisions
    assert summary.exit_code == 3
    assert app.snapshot() == before


def test_a_corrected_name_under_yes_exits_3(cli, project_factory):
    app = project_factory(["demo-http>=1.0,<1.1", "pluggy"], {"demo-http": "1.0.0"})
    before = app.snapshot()
    # the reader corrects the transposed name; --yes never approves a corrected name
    r = cli("ask", "remove pulggy", "--yes", "--project", app.root, "--json")
    summary = r.json()
    assert [d["approved"] for d in summary["decisions"]] == [False], summary["decisions"]
    assert r.code == 3, summary["answer"]
    assert app.snapshot() == before


def test_a_question_still_exits_0(cli, demo_project):
    r = cli("ask", "which dependencies are outdated?", "--yes", "--project", demo_project.root)
    assert r.code == 0, r.out + r.err
