"""The uvmgr loop around any `Planner`: errors as observations in one place, typed
trajectories, budgets, DSPy's trajectory truncation kept, and an offline `ask` that stays light
(no DSPy, litellm or chromadb)."""

from __future__ import annotations

import pytest

from uvmgr.agent.planner import AgentOptions, run_agent
from uvmgr.config import Settings
from uvmgr.evals.scripted_lm import ScriptedEngine
from uvmgr.session import open_session
from uvmgr.tools.context import ToolContext


def make_ctx(project) -> ToolContext:
    return open_session(project.root, settings=Settings(), recover=False).ctx


def run(ctx: ToolContext, request: str, **options):
    return run_agent(ctx, request, AgentOptions(**options))


# -- errors become observations in one place ----------------------------------------------------

def broken_tool(ctx) -> str:
    """A tool with a bug in it (not in its arguments)."""
    return len(None)  # type: ignore[arg-type]


def _broken_targets():
    from uvmgr.tools.targets import Targets

    return Targets("broken_tool", {})


broken_tool_targets = _broken_targets()


def test_a_bug_inside_a_tool_is_an_internal_error_with_its_traceback_on_the_trace(demo_project):
    from uvmgr.agent.safety import Authority, SafetyLayer
    from uvmgr.tools.spec import ToolSpec

    ctx = make_ctx(demo_project)
    spec = ToolSpec(function=f"{__name__}:broken_tool", family="deps", mutates=False,
                    targets=f"{__name__}:broken_tool_targets")
    observation, outcome = SafetyLayer(ctx, Authority("list deps")).run(spec, {})
    assert outcome == "error"
    assert observation.startswith("INTERNAL ERROR in broken_tool: TypeError")
    assert "Check the arguments" not in observation  # it is not the planner's mistake
    [bug] = [s for s in ctx.tracer.spans if s.name == "internal error"]
    assert bug.status == "error" and "TypeError" in bug.status_message
    assert "len(None)" in str(bug.attributes["traceback"])  # where the bug is


def test_arguments_of_the_wrong_type_are_the_planners_to_fix(demo_project):
    engine = ScriptedEngine([("outdated_packages", {"packages": "demo-http"})])
    summary = run(make_ctx(demo_project), "is demo-http outdated?", engine=engine)
    observation = summary.steps[0].observation
    assert summary.steps[0].outcome == "error"
    assert "Arg packages is invalid" in observation and "Check the arguments" in observation


# -- the offline path stays light ---------------------------------------------------------------

PROBE = """
import json, sys
from uvmgr.cli import main
code = main(["ask", sys.argv[1], "--project", sys.argv[2], *sys.argv[3:]])
heavy = sorted(m for m in ("dspy", "litellm", "chromadb", "rich.markdown") if m in sys.modules)
print(json.dumps({"code": code, "heavy": heavy}), file=sys.stderr)
"""


def _probe(project, request: str, *args: str) -> tuple[dict, str]:
    import json
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-c", PROBE, request, str(project.root), *args],
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
                          check=False)
    return json.loads(proc.stderr.strip().splitlines()[-1]), proc.stdout


@pytest.mark.parametrize("request_text, tool", [("what's outdated?", "outdated_packages"),
                                                ("upgrade safely", "upgrade_safely")])
def test_an_offline_ask_imports_no_dspy_litellm_or_chromadb(demo_project, request_text, tool):
    import json

    before = demo_project.snapshot()
    probe, out = _probe(demo_project, request_text, "--json")
    assert probe["heavy"] == []
    run = json.loads(out)
    assert [s["tool"] for s in run["steps"]][:1] == [tool]
    assert run["models_used"] == ["uvmgr/offline-planner"]
    if tool == "upgrade_safely":  # no terminal, no --yes: refused, nothing changed
        assert probe["code"] == 3 and demo_project.snapshot() == before


def test_the_offline_answer_is_printed_as_the_plain_text_it_is(demo_project):
    probe, out = _probe(demo_project, "what's outdated?")
    assert probe["code"] == 0 and probe["heavy"] == []  # no Markdown renderer to load
    assert "offline planner" in out and "demo-http 1.0.0 -> 2.1.0" in out


class PlayedBack:
    """A `Planner` at the seam (no DSPy, no prompt text): plays back typed steps."""

    label, cost = "played-back", 0.0

    def __init__(self, *steps):
        self.steps, self.calls, self.seen = list(steps), [], []

    def next_step(self, request, trajectory):
        from uvmgr.agent.planning import Finish

        self.seen.append(trajectory)
        return self.steps.pop(0) if self.steps else Finish("done")

    def answer(self, request, trajectory):
        return f"{len(trajectory.turns)} steps: " + " | ".join(trajectory.observations)


def test_any_planner_is_driven_through_the_safety_layer_with_typed_trajectories(demo_project):
    from uvmgr.agent.planning import ToolCall

    before = demo_project.snapshot()
    planner = PlayedBack(ToolCall("list_dependencies", {}, "look first"),
                         ToolCall("remove_dependency", {"names": ["demo-cli"]}, "tidy"),
                         ToolCall("no_such_tool", {}, "?"))
    events = []
    summary = run(make_ctx(demo_project), "list my dependencies", planner=planner,
                  observer=events.append, mode="yes")
    assert [s.outcome for s in summary.steps] == ["ok", "refused"]  # not named: refused
    assert planner.seen[1].turns[0].observation.startswith("4 direct dependencies")
    assert any("not one of its tools" in getattr(e, "text", "") for e in events)
    assert summary.answer.startswith("2 steps: 4 direct dependencies")
    assert demo_project.snapshot() == before


def test_budgets_bind_any_planner(demo_project):
    from uvmgr.agent.planning import ToolCall

    planner = PlayedBack(*[ToolCall("list_dependencies", {})] * 5)
    summary = run(make_ctx(demo_project), "list deps", planner=planner, max_steps=2)
    assert len(summary.steps) == 2 and summary.stopped_by == "max_steps"


class SmallWindow(ScriptedEngine):
    """A scripted model whose context window holds one step of the trajectory."""

    overflows = 0

    def respond(self, system: str, user: str) -> str:
        if "next_tool_name" in system and user.count("[[ ## observation_") > 1:
            from dspy.utils.exceptions import ContextWindowExceededError

            self.overflows += 1
            raise ContextWindowExceededError(model="scripted")
        return super().respond(system, user)


def test_steps_dropped_to_fit_the_window_stay_dropped(demo_project):
    engine = SmallWindow([("list_dependencies", {})] * 4)
    summary = run(make_ctx(demo_project), "list deps", engine=engine, max_steps=4)
    assert len(summary.steps) == 4
    last = [u for s, u in engine.prompts if "next_tool_name" in s][-1]
    assert "observation_2" in last and "observation_1" not in last
    # One overflow at step 3 and one at step 4: a dropped step is not sent again.
    assert engine.overflows == 2
