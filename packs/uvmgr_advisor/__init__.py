"""The performance advisor, written as a uvmgr pack: slow tests, import time, heavy
dependencies, and unused or undeclared dependencies, each finding with its evidence and a
recommendation. It only reads: nothing in the project changes (it records its own last run
under `.uvmgr/advisor/` to show regressions).

It imports from uvmgr only what a pack may use (see `PACK_API` and tests/test_advisor.py):
the tool context and runner, `Arg` and `Targets`, the state-file helpers, `Project`/`normalize_name`,
the pytest root arguments and the error types.
"""

from __future__ import annotations

# The uvmgr modules this pack imports; a test checks it imports nothing else from uvmgr.
PACK_API = (
    "uvmgr.packs",
    "uvmgr.tools.context",
    "uvmgr.tools.spec",
    "uvmgr.tools.targets",
    "uvmgr.tools.state_files",
    "uvmgr.tools.project",
    "uvmgr.tools.pytest_root",
    "uvmgr.errors",
)
CHECKS = ("tests", "imports", "sizes", "deps")
