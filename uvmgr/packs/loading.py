"""Turning the installed packs into the tools of a run: which are active (the person's choice
only), importing each one's `Pack`, and checking it like a built-in tool before any of its
tools is offered. A pack that fails any check is skipped with a one-line warning; uvmgr itself
goes on.

Only the person's own choices count here: what is installed in uvmgr's environment and their
user config (`[packs]`). Nothing in a project is read, so cloning a repository can never
activate a pack (that would be code execution on clone).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass

from uvmgr.packs import API_VERSION
from uvmgr.packs.activation import active
from uvmgr.packs.api import Intent, Pack
from uvmgr.packs.discovery import DeclaredPack, declared_packs
from uvmgr.tools.registry import REGISTRY
from uvmgr.tools.spec import ToolSpec
from uvmgr.tools.toolset import Toolset

from uvmgr.user_config import UserConfig


class PackRejected(Exception):
    """Why one pack is skipped (its message is the warning)."""


@dataclass(frozen=True)
class LoadedPack:
    declared: DeclaredPack
    pack: Pack


def builtin_commands() -> set[str]:
    """The first words of uvmgr's own commands: a pack's command may not take one."""
    from uvmgr.cli import OWN_COMMANDS
    from uvmgr.tool_commands import commands

    return {c.split()[0] for c in commands()} | set(OWN_COMMANDS)


def load(d: DeclaredPack, taken_tools: set[str], taken_commands: set[str]) -> Pack:
    """Import one pack and check it; raises PackRejected with the reason."""
    module, _, attr = d.reference.partition(":")
    try:
        pack = getattr(importlib.import_module(module), attr)
    except Exception as exc:
        raise PackRejected(f"cannot import {d.reference}: {type(exc).__name__}: {exc}") from exc
    if not isinstance(pack, Pack):
        raise PackRejected(f"{d.reference} is a {type(pack).__name__}, not a uvmgr.packs.Pack")
    if pack.api_version != API_VERSION:
        raise PackRejected(f"written for pack API {pack.api_version!r}; this uvmgr has "
                           f"{API_VERSION!r} (install a version of the pack made for it)")
    if pack.name != d.name:
        raise PackRejected(f"its entry point is named {d.name!r} but the Pack {pack.name!r}")
    problems = _tool_problems(pack, d, taken_tools, taken_commands)
    problems += _intent_problems(pack)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise PackRejected(f"bad spec: {problems[0]}{more}")
    return pack


def _tool_problems(pack: Pack, d: DeclaredPack, taken_tools: set[str],
                   taken_commands: set[str]) -> list[str]:
    from uvmgr.tools.spec_check import registry_problems

    if not isinstance(pack.tools, tuple) or not all(isinstance(t, ToolSpec) for t in pack.tools):
        return ["tools must be a tuple of ToolSpec"]
    try:
        out = registry_problems(pack.tools)
    except Exception as exc:  # noqa: BLE001 - a third party's code runs in the check
        return [f"checking its tools failed: {type(exc).__name__}: {exc}"]
    declared = {(t.name, t.function, t.mutates) for t in d.tools}
    actual = {(s.name, s.function, s.mutates) for s in pack.tools}
    if declared != actual:
        out.append("its tools differ from the distribution's entry points "
                   f"(uvmgr.packs.tools / uvmgr.packs.mutating): declared "
                   f"{sorted(declared)}, found {sorted(actual)}")
    for spec in pack.tools:
        if spec.name in taken_tools:
            out.append(f"a tool named {spec.name} already exists")
        if spec.intent is not None:
            out.append(f"{spec.name}: a pack's tool has no intent (`--yes` never approves a "
                       "pack's change)")
        if spec.cli is not None and spec.cli.command.split()[0] in taken_commands:
            out.append(f"{spec.name}: the command `uvmgr {spec.cli.command}` is taken")
    return out


def _intent_problems(pack: Pack) -> list[str]:
    names = {s.name for s in pack.tools}
    mutating = {s.name for s in pack.tools if s.mutates}
    out = []
    for intent in pack.intents:
        if not isinstance(intent, Intent) or intent.tool not in names:
            out.append(f"intent {intent!r} is not an Intent for one of the pack's tools")
        elif intent.tool in mutating:
            out.append(f"intent for {intent.tool}: only a read-only tool can have phrases (a "
                       "phrase never plans a change)")
        elif not intent.phrases or not all(isinstance(p, str) and p.strip()
                                           for p in intent.phrases):
            out.append(f"intent for {intent.tool}: phrases must be non-empty strings")
    for field_name in ("scenarios", "docs"):
        value = getattr(pack, field_name)
        if value is not None and ":" not in str(value):
            out.append(f"{field_name} must be 'package:folder', got {value!r}")
    return out


def load_packs(user: UserConfig, env: Mapping[str, str] | None = None,
               path: list[str] | None = None) -> tuple[list[LoadedPack], list[str]]:
    """The active packs, loaded and checked, and a one-line warning per pack skipped."""
    chosen, warnings = active(declared_packs(path), user, env)
    taken_tools = {s.name for s in REGISTRY}
    taken_commands = builtin_commands()
    loaded: list[LoadedPack] = []
    for d in chosen:
        if any(p.declared.name == d.name for p in loaded):
            warnings.append(f"pack {d.name!r} from {d.distribution} skipped: another "
                            "distribution already provides a pack of that name")
            continue
        try:
            pack = load(d, taken_tools, taken_commands)
        except PackRejected as exc:
            warnings.append(f"pack {d.name!r} ({d.distribution} {d.version}) skipped: {exc}")
            continue
        loaded.append(LoadedPack(d, pack))
        taken_tools |= {s.name for s in pack.tools}
        taken_commands |= {s.cli.command.split()[0] for s in pack.tools if s.cli}
    return loaded, warnings


def toolset(loaded: list[LoadedPack], env: Mapping[str, str] | None = None) -> Toolset:
    """The run's tools: the built-ins, then each pack's; a pack caught breaking its word is
    remembered as disabled (for this version of it) in the person's state."""
    from uvmgr.packs.disabled import record_disabled

    versions = {p.pack.name: p.declared.version for p in loaded}
    specs = REGISTRY + tuple(s for p in loaded for s in p.pack.tools)
    pack_of = {s.name: p.pack.name for p in loaded for s in p.pack.tools}

    def on_disable(pack: str, reason: str) -> None:
        try:
            record_disabled(pack, versions.get(pack, ""), reason, env)
        except OSError:
            pass  # an unwritable state folder: still off for this run, and the error says why

    return Toolset(specs, pack_of, on_disable, intents=tuple(
        i for p in loaded for i in p.pack.intents), docs=tuple(
        (p.pack.name, p.declared.version, p.pack.docs) for p in loaded if p.pack.docs))
