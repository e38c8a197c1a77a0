"""What the plain read-only commands import: a built-in tool's command loads no pack and none
of the modules only a change, a test run or another command needs (their start-up budget is
in DESIGN.md; the figures come from `benchmarks/bench_cli.py`, never from a timed test)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

# Runs the CLI in a fresh interpreter and prints, after its output, the modules it imported.
PROBE = """
import json, sys
from uvmgr.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:  # --help
    code = exc.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""

# Loaded only by what needs them: the packs and their checks (`ask`, `chat`, `autopilot`, a
# pack's command), the test runner, a did-you-mean's matcher, the agent.
NOT_ON_A_READ_ONLY_COMMAND = (
    "uvmgr.packs.loading", "uvmgr.packs.discovery", "uvmgr.packs.activation",
    "uvmgr.packs.api", "uvmgr.tools.spec_check", "uvmgr_advisor", "uvmgr.tools.testing",
    "uvmgr.tools.undo", "uvmgr.agent", "difflib",
    "packaging.specifiers", "rich", "pydantic", "concurrent.futures", "logging",
)


def _imported(project, *args: str) -> tuple[int, set[str], str]:
    proc = subprocess.run([sys.executable, "-c", PROBE, *args, "--project", str(project.root)], capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL, check=False)
    probe = json.loads(proc.stderr.strip().splitlines()[-1])
    return probe["code"], set(probe["modules"]), proc.stdout


@pytest.mark.parametrize("command", [("deps", "list"), ("deps", "outdated")])
def test_a_read_only_command_imports_no_pack_and_nothing_a_change_needs(demo_project, command):
    code, modules, out = _imported(demo_project, *command, "--json")
    assert code == 0, out
    loaded = sorted(m for m in modules
                    if any(m == name or m.startswith(f"{name}.")
                           for name in NOT_ON_A_READ_ONLY_COMMAND))
    assert loaded == []
    if command[1] == "list":  # no version arithmetic: the level names come without packaging
        assert "packaging" not in modules
    names = {row["name"] for row in (json.loads(out) if command[1] == "outdated"
                                     else json.loads(out)["dependencies"])}
    assert "demo-http" in names  # the command did its work


def test_a_table_for_a_person_loads_no_other_tools_module(demo_project):
    """Drawing `deps outdated` as a table registers the renderers of loaded result types only."""
    code, modules, out = _imported(demo_project, "deps", "outdated")
    assert code == 0 and "demo-http" in out and "2.1.0" in out
    others = ("uvmgr.tools.audit", "uvmgr.tools.audit_fix", "uvmgr.tools.build",
              "uvmgr.tools.quality", "uvmgr.tools.docs", "uvmgr.tools.docs_index",
              "uvmgr.tools.testing", "uvmgr.tools.advisory_db")
    assert sorted(modules.intersection(others)) == []


def test_a_pack_command_still_loads_the_packs(demo_project):
    """The advisor pack (installed with uvmgr) brings its command: loading stays where it is
    needed."""
    code, modules, _ = _imported(demo_project, "advise", "--help")
    assert code == 0 and "uvmgr.packs.loading" in modules and "uvmgr_advisor" in modules
