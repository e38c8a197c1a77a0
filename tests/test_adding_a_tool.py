"""The README's "Adding a tool" example, run for real: the module it shows is
`examples/tools/lock_sources.py` byte for byte, and its registry line makes a tool the checks
accept, the safety layer runs, `invoke` traces, and the CLI generator turns into a command."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "tools" / "lock_sources.py"


def _section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return text[text.index("### Adding a tool"):]


def _blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", _section(), re.DOTALL)


@pytest.fixture
def spec(monkeypatch):
    from uvmgr.tools.spec import Cli, ToolSpec, flag

    monkeypatch.syspath_prepend(str(EXAMPLE.parent))
    line = _blocks()[1].strip().rstrip(",")
    return eval(line, {"ToolSpec": ToolSpec, "Cli": Cli, "flag": flag})  # the README's own line


def test_the_readme_shows_the_example_module_as_it_is():
    assert _blocks()[0] == EXAMPLE.read_text(encoding="utf-8")


def test_the_example_spec_has_no_problem(spec):
    from uvmgr.tools.spec_check import problems

    assert problems(spec) == []
    assert spec.name == "lock_sources" and not spec.mutates and spec.agent


def test_a_spec_check_names_what_a_new_tool_got_wrong(spec):
    from uvmgr.tools.spec_check import problems

    wrong = spec.replace(targets="lock_sources:LockSources", mutates=True)
    found = "\n".join(problems(wrong))
    assert "takes `dry_run`" in found and "not a Targets" in found


def test_the_example_runs_through_the_safety_layer_and_invoke(spec, demo_project):
    from uvmgr.agent.safety import Authority, SafetyLayer

    from uvmgr.config import Settings
    from uvmgr.session import open_session

    ctx = open_session(demo_project.root, settings=Settings(), recover=False).ctx
    observation, outcome = SafetyLayer(ctx, Authority("where do my packages come from?")).run(
        spec, {"kind": "registry"})
    assert outcome == "ok" and observation.startswith("registry: ")
    assert "demo-http" in observation
    [span] = [s for s in ctx.tracer.spans if s.name == "tool lock_sources"]
    assert json.loads(span.attributes["args"]) == {"kind": "registry"}
    # An argument the tool did not declare is refused, not run.
    observation, outcome = SafetyLayer(ctx, Authority("x")).run(spec, {"index": "https://e/"})
    assert outcome == "error"


def test_the_example_gets_its_command_line(spec):
    import argparse

    from uvmgr.tool_commands import add_tool_parsers, tool_call

    parser = argparse.ArgumentParser(prog="uvmgr")
    sub = parser.add_subparsers(dest="command")
    add_tool_parsers(sub, lambda p: p.add_argument("--json", action="store_true"), (spec,))
    args = parser.parse_args(["deps", "sources", "--kind", "git"])
    assert tool_call(args, [], (spec,)) == (spec, {"kind": "git"})
