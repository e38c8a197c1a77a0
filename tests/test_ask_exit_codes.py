"""`uvmgr ask` exits 3 whenever a change it planned was not made because it was refused, by the
safety layer as much as by the person: a script that runs `uvmgr ask --yes "remove pulggy" &&
deploy` must not read "done" (0) when nothing was removed."""

from __future__ import annotations


def test_a_change_the_safety_layer_refused_exits_3(cli, project_factory):
    app = project_factory(["demo-http>=1.0,<1.1", "pluggy"], {"demo-http": "1.0.0"})
    before = app.snapshot()
    # the reader corrects the transposed name; the safety layer refuses a name not typed
    r = cli("ask", "remove pulggy", "--yes", "--project", app.root, "--json")
    summary = r.json()
    assert [d["by"] for d in summary["decisions"]] == ["safety"], summary["decisions"]
    assert r.code == 3, summary["answer"]
    assert app.snapshot() == before


def test_a_question_still_exits_0(cli, demo_project):
    r = cli("ask", "which dependencies are outdated?", "--yes", "--project", demo_project.root)
    assert r.code == 0, r.out + r.err
