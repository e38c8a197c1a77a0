"""`Pack` and `Intent`: what a pack's entry point names (re-exported by `uvmgr.packs`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from uvmgr.tools.spec import ToolSpec


@dataclass(frozen=True)
class Intent:
    """How the offline planner (no model) recognises a request for one of the pack's
    read-only tools: a clause of the request that says one of `phrases` and asks for no change
    plans `tool` with `args` (a pack's phrase wins over the built-in read-only readings, such
    as a docs question; never over a change, and never in what `--yes` approves). A phrase is
    words matched whole, in order, in any case; `...` between words lets up to four other
    words stand there ("test ... slow"). `thought` says what the call does (the offline
    answer's "Task:" line). An intent for a mutating tool is a bad spec."""

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
    and `docs`: "package:folder" (a folder inside the package, shipped as package data) of eval
    scenarios (YAML, the evals' format; `uvmgr eval` runs them under the pack's name) and of
    Markdown for the docs index (quoted to the model as untrusted, cited as the pack's)."""

    name: str
    version: str
    description: str
    api_version: str
    tools: tuple[ToolSpec, ...]
    intents: tuple[Intent, ...] = ()
    scenarios: str | None = None
    docs: str | None = None

