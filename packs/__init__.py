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

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from uvmgr.tools.spec import Arg, Cli, ToolSpec, flag, passthrough
from uvmgr.tools.targets import TARGET_FREE, Target, Targets

API_VERSION = "1"

__all__ = ["API_VERSION", "TARGET_FREE", "Arg", "ChangeSet", "Cli", "ConstraintEdit", "Intent",
           "Pack", "PackageChange", "Target", "Targets", "ToolSpec", "flag", "passthrough"]


@dataclass(frozen=True)
class Intent:
    """How the offline planner (no model) recognises a request for one of the pack's tools:
    a request that says one of `phrases` (whole words, any case) and that the built-in reader
    does not understand plans `tool` with `args`."""

    tool: str
    phrases: tuple[str, ...]
    args: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    thought: str = ""


@dataclass(frozen=True)
class Pack:
    """What a pack's entry point names.

    `tools`: its `ToolSpec`s, checked like the built-ins' (`tools/spec_check.py`); a tool
    with a `cli` is also a command (`uvmgr <command>`). A mutating tool takes `dry_run` and
    returns a `ChangeSet`: the safety layer shows the dry run and asks before the real call
    (a result that is not a ChangeSet reads as "nothing to change", and the call never runs);
    uvmgr runs the real call inside a transaction, so the tool opens none itself. A tool's `intent` stays None: `--yes`
    approves built-in changes only, so a pack's change is always confirmed. `scenarios`
    and `docs`: "package:folder" of eval scenarios (YAML, the evals' format) and of Markdown
    for the docs index, reserved in API 1 (declared and checked, not yet read)."""

    name: str
    version: str
    description: str
    api_version: str
    tools: tuple[ToolSpec, ...]
    intents: tuple[Intent, ...] = ()
    scenarios: str | None = None
    docs: str | None = None


def __getattr__(name: str) -> object:
    """The result types of mutating tools, loaded on first use: `uvmgr packs list` imports
    this package and stays light."""
    if name in ("ChangeSet", "ConstraintEdit", "PackageChange"):
        from uvmgr.tools import changes

        return getattr(changes, name)
    raise AttributeError(f"module 'uvmgr.packs' has no attribute {name!r}")
