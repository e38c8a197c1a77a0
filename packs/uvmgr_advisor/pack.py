"""The advisor's `Pack`: what its entry point (`uvmgr.packs`, in uvmgr's own pyproject.toml)
names. Plain data: the tool is imported on first use.

A plain command and an AutoPilot section for now (agent=False): offering it to the planners
changes their prompt, so tests/test_eval_llm.py's Gemma cassettes (matched on the request
body) must be re-recorded first (`uv sync --group llm`).
"""

from __future__ import annotations

from uvmgr.packs import API_VERSION, Cli, Pack, ToolSpec, flag

PACK = Pack(
    name="advisor",
    version="0.1.0",
    description="Performance advice: slow tests, import time, heavy, unused and undeclared "
                "dependencies. Reads only.",
    api_version=API_VERSION,
    tools=(
        ToolSpec(function="uvmgr_advisor.advise:advise", family="advise", mutates=False,
                 agent=False, targets="uvmgr_advisor.advise:advise_targets",
                 cli=Cli("advise", "performance advice: slow tests, import time, heavy, unused and "
                         "undeclared dependencies", (
                             flag("--check", arg="checks", action="append",
                                  choices=("tests", "imports", "sizes", "deps"),
                                  help="run only this check (repeatable)"),
                             flag("--markdown", arg=None, action="store_true",
                                  help="print the report as a Markdown section (for a CI report)")))),
    ),
)
