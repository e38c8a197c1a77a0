"""The pack API: what a third-party distribution imports to extend uvmgr with tools.

A pack is a distribution with an entry point in the group `uvmgr.packs` that names a `Pack`:

    [project.entry-points."uvmgr.packs"]
    todo = "uvmgr_todo_pack:PACK"

and, so that `uvmgr packs list` can show its tools without importing it, one entry per tool
in `uvmgr.packs.tools` (read-only) or `uvmgr.packs.mutating` (changes the project), named
`<pack>.<tool>` and pointing at the tool's function. A pack whose object disagrees with that
declaration is skipped.

Stability: this module's names are the API. `API_VERSION` changes only when a pack written
for the old version could break or could do something it was not allowed to; a pack declares
the version it targets and is skipped (with a one-line warning) when it differs.
"""

from __future__ import annotations

API_VERSION = "1"

__all__ = ["API_VERSION", "TARGET_FREE", "Arg", "ChangeSet", "Cli", "ConstraintEdit", "Intent",
           "Pack", "PackageChange", "Target", "Targets", "ToolSpec", "flag", "passthrough"]

# Where each name lives: loaded on first use, so `uvmgr packs list` (which imports this
# package for its discovery) stays light.
_HOMES = {
    "Pack": "uvmgr.packs.api", "Intent": "uvmgr.packs.api",
    "Arg": "uvmgr.tools.spec", "Cli": "uvmgr.tools.spec", "ToolSpec": "uvmgr.tools.spec",
    "flag": "uvmgr.tools.spec", "passthrough": "uvmgr.tools.spec",
    "TARGET_FREE": "uvmgr.tools.targets", "Target": "uvmgr.tools.targets",
    "Targets": "uvmgr.tools.targets", "ChangeSet": "uvmgr.tools.changes",
    "ConstraintEdit": "uvmgr.tools.changes", "PackageChange": "uvmgr.tools.changes",
}


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'uvmgr.packs' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(home), name)
