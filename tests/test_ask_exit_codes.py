"""`uvmgr ask` exits 3 whenever a change it planned was not made because it was refused, by the
safety layer as much as by the person: a script that runs `uvmgr ask --yes "remove pulggy" &&
deploy` must not read "done" (0) when nothing was removed."""

from __future__ import annotations

import dataclasses


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


def test_ask_ending_on_an_environment_error_exits_as_the_plain_command_does(cli, project_factory):
    # field trial: a lock out of date made `deps list` exit 2 (input) but `ask` exit 1
    app = project_factory(["demo-json>=2.0,<3"], {"demo-json": "2.0.0"}, dev=[], sync=False)
    app.pyproject.write_text(app.pyproject.read_text().replace(
        "demo-json>=2.0,<3", "demo-json>=2.0.1,<3"))
    before = app.snapshot()
    plain = cli("deps", "outdated", "--project", app.root)
    assert plain.code == 2 and "out of date" in plain.err, plain.err
    r = cli("ask", "which dependencies are outdated?", "--project", app.root, "--json")
    assert r.code == plain.code, r.out + r.err
    assert app.snapshot() == before


RAISING_TOOL = """
from uvmgr.tools.targets import Targets
from uvmgr import errors


def raising_tool(ctx) -> object:
    \"\"\"Raise one of uvmgr's errors. Read-only.\"\"\"
    raise errors.{error}("it failed", hint="do something")


raising_tool_targets = Targets("raising_tool", {{}})
"""


def _error_classes() -> list[type]:
    from uvmgr import errors

    found = [c for c in vars(errors).values() if isinstance(c, type)
             and issubclass(c, errors.UvmgrError)]
    return sorted(found, key=lambda c: c.__name__)


def test_a_tool_error_keeps_its_exit_code_in_ask(demo_project, monkeypatch, tmp_path):
    # one table over every error class, on one project (a project per class costs ~1 s)
    from uvmgr.agent.planner import AgentOptions, run_agent
    from uvmgr.evals.scripted_lm import ScriptedEngine
    from uvmgr.tools.registry import REGISTRY
    from uvmgr.tools.spec import ToolSpec
    from uvmgr.tools.toolset import Toolset

    from uvmgr.config import Settings
    from uvmgr.session import open_session

    monkeypatch.syspath_prepend(str(tmp_path))
    session_ctx = open_session(demo_project.root, settings=Settings(), recover=False).ctx
    seen = {}
    for error in _error_classes():
        module = f"raises_{error.__name__.lower()}"  # one module per class: imports are cached
        (tmp_path / f"{module}.py").write_text(RAISING_TOOL.format(error=error.__name__))
        spec = ToolSpec(function=f"{module}:raising_tool", family="deps", mutates=False,
                        targets=f"{module}:raising_tool_targets")
        ctx = dataclasses.replace(session_ctx, tools=Toolset((*REGISTRY, spec)))
        engine = ScriptedEngine([("raising_tool", {})])
        summary = run_agent(ctx, "list the dependencies", AgentOptions(mode="yes", engine=engine))
        assert summary.steps[-1].outcome in ("error", "rolled-back"), error
        seen[error.__name__] = (summary.exit_code, error.exit_code)
    assert {k: v for k, v in seen.items() if v[0] != v[1]} == {}
    # the table covers what the field trial met: input errors 2, failures 1, refusals 3
    assert seen["PythonNotFound"][0] == seen["UvNotFound"][0] == seen["ProjectError"][0] == 2
    assert seen["OperationFailed"][0] == 1 and seen["UntrustedIndex"][0] == 3
