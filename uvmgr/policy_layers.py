"""The effective policy: every layer that says something, in order, merged with the source of
each value and the settings each layer locked.

Layers, each overriding the ones before (`extends` entries first, in their order, then the
table that names them):
1. the person's own: `[policy]` in their user config (its `extends` may name any path, or an
   https URL with its `#sha256=`);
2. `--policy FILE` when given (the person's flag: it replaces the project's tables), else the
   project's `[tool.uvmgr.autopilot]` and `[tool.uvmgr.policy]`, whose `extends` may name an
   https URL with its `#sha256=` or a path inside the project.

A layer's `locked = ["max-severity", ...]` keeps every later layer from loosening those settings
(tightening is allowed); trying is an error naming the setting and the layer that locked it.
`banned` adds up across layers: a later one can add a ban, never lift one.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from uvmgr.agent.policy import Policy
from uvmgr.policy_rules import RULE_KEYS, Ban, Rules, at_least_as_strict, rule_value
from uvmgr.policy_sources import (
    PolicyError,
    inside,
    parse_entry,
    read_local,
    read_verified,
    remote_policy,
)

AUTOPILOT_KEYS = frozenset(f.name for f in fields(Policy))
MAX_DEPTH = 8


@dataclass(frozen=True)
class Setting:
    value: object
    source: str  # "default", or the layer that set it
    locked_by: str = ""


@dataclass(frozen=True)
class EffectivePolicy:
    autopilot: Policy
    rules: Rules
    settings: dict[str, Setting]  # every AutoPilot and rule setting, by its name
    layers: tuple[str, ...]  # the layers that applied, first to last

    def to_dict(self) -> dict[str, Any]:
        from uvmgr.render import to_jsonable

        shown = {}
        for name, s in self.settings.items():
            value = [{"name": b.name, "reason": b.reason, "source": b.source}
                     for b in s.value] if name == "banned" else to_jsonable(s.value)  # type: ignore[union-attr]
            shown[dashed(name)] = {"value": value, "source": s.source,
                                   "locked_by": s.locked_by or None}
        return {"layers": list(self.layers), "settings": shown}


def dashed(name: str) -> str:
    return name.replace("_", "-")


@dataclass(frozen=True)
class _Doc:
    name: str  # what messages and `policy show` call it
    table: dict
    base: Path | None  # the folder its relative paths start from; None: a remote policy
    project_root: Path | None  # a project's: its paths must stay inside the project


def load_effective(project_data: dict, project_root: Path, policy_file: Path | None = None,
                   user_policy: dict | None = None, user_path: Path | None = None,
                   ) -> EffectivePolicy:
    """The merged policy for one project (`project_data`: its pyproject.toml)."""
    docs: list[_Doc] = []
    if user_policy:
        where = f"[policy] in {user_path or 'your user config'}"
        docs.append(_Doc(where, dict(user_policy), user_path.parent if user_path else None,
                         None))
    if policy_file is not None:
        docs.append(_Doc(str(policy_file), _read_doc(policy_file, str(policy_file)),
                         policy_file.resolve().parent, None))
    else:
        tool = project_data.get("tool", {}).get("uvmgr", {})
        for table in ("autopilot", "policy"):
            value = tool.get(table) if isinstance(tool, dict) else None
            if value is None:
                continue
            if not isinstance(value, dict):
                raise PolicyError(f"[tool.uvmgr.{table}] in pyproject.toml must be a table")
            docs.append(_Doc(f"[tool.uvmgr.{table}]", dict(value), project_root, project_root))
    layers: list[tuple[str, dict]] = []
    for doc in docs:
        layers += _expand(doc, set(), 0)
    return _merge(layers)


def _read_doc(path: Path, name: str, data: bytes | None = None) -> dict:
    """A policy file: its own top-level keys, or the tables [tool.uvmgr.autopilot] and
    [tool.uvmgr.policy] (a pyproject.toml can be shared as a policy)."""
    try:
        text = (read_local(path, name) if data is None else data).decode("utf-8")
        table = tomllib.loads(text)
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise PolicyError(f"the policy {name} is not valid TOML: {exc}") from exc
    nested = table.get("tool", {}).get("uvmgr") if isinstance(table.get("tool"), dict) else None
    if not isinstance(nested, dict):
        return table
    out: dict = {}
    for part in ("autopilot", "policy"):
        table = nested.get(part) or {}
        if not isinstance(table, dict):
            raise PolicyError(f"[tool.uvmgr.{part}] in {name} must be a table")
        for key, value in table.items():
            if key == "extends" and isinstance(value, list):
                out[key] = out.get(key, []) + value
                continue
            if key in out:
                raise PolicyError(f"{key!r} is set in both [tool.uvmgr.autopilot] and "
                                  f"[tool.uvmgr.policy] of {name}")
            out[key] = value
    return out


def _expand(doc: _Doc, seen: set[str], depth: int) -> list[tuple[str, dict]]:
    """The layers `doc` brings in: each `extends` entry's (recursively), then its own."""
    if depth > MAX_DEPTH:
        raise PolicyError(f"`extends` nests deeper than {MAX_DEPTH} policies at {doc.name}",
                          hint="flatten the chain of policies")
    entries = doc.table.get("extends", [])
    if not isinstance(entries, list):
        raise PolicyError(f"`extends` in {doc.name} must be a list",
                          hint='e.g. extends = ["https://example.org/policy.toml#sha256=<hex>"]')
    layers: list[tuple[str, dict]] = []
    for entry in entries:
        source = parse_entry(entry, doc.name)
        if source.remote:
            key = source.sha256
            child = _Doc(source.text, _read_doc(Path(source.text), source.text,
                                                remote_policy(source)), None, doc.project_root)
        else:
            if doc.base is None:
                raise PolicyError(f"the remote policy {doc.name} extends a local path "
                                  f"({source.text!r})",
                                  hint="a remote policy may only extend https URLs")
            path = doc.base / Path(source.text).expanduser()
            if doc.project_root is not None:
                path = inside(doc.project_root, path, source.text, doc.name)
                name = str(path.relative_to(doc.project_root.resolve()))
            else:
                path, name = path.resolve(), str(path.resolve())
            key = str(path)
            child = _Doc(name, _read_doc(path, name, read_verified(path, source.sha256, name)),
                         path.parent, doc.project_root)
        if key in seen:
            raise PolicyError(f"`extends` in {doc.name} loops back to {child.name}")
        layers += _expand(child, seen | {key}, depth + 1)
    own = {k: v for k, v in doc.table.items() if k != "extends"}
    return [*layers, (doc.name, own)]


def _normalised(name: str, table: dict) -> dict[str, object]:
    """A layer's settings checked and normalised, by setting name."""
    keys = {k.replace("-", "_"): k for k in table}
    unknown = set(keys) - AUTOPILOT_KEYS - RULE_KEYS - {"locked"}
    if unknown:
        known = sorted(dashed(k) for k in AUTOPILOT_KEYS | RULE_KEYS | {"extends", "locked"})
        raise PolicyError(f"unknown policy key {min(keys[k] for k in unknown)!r} in "
                          f"{name}", hint="known keys: " + ", ".join(known))
    autopilot = {keys[k]: table[keys[k]] for k in keys if k in AUTOPILOT_KEYS}
    checked = Policy.from_table(autopilot, name)
    out: dict[str, object] = {k: getattr(checked, k) for k in keys if k in AUTOPILOT_KEYS}
    out.update({k: rule_value(k, table[keys[k]], name) for k in keys if k in RULE_KEYS})
    return out


def _locked_names(name: str, table: dict) -> list[str]:
    value = table.get("locked", [])
    names = [v.replace("-", "_") for v in value] if isinstance(value, list) and all(
        isinstance(v, str) for v in value) else None
    if names is None or set(names) - AUTOPILOT_KEYS - RULE_KEYS:
        raise PolicyError(f"`locked` in {name} must list policy settings, not {value!r}",
                          hint='e.g. locked = ["max-severity", "licenses"]')
    return names


def _merge(layers: list[tuple[str, dict]]) -> EffectivePolicy:
    defaults = {**{f.name: getattr(Policy(), f.name) for f in fields(Policy)},
                **{f.name: getattr(Rules(), f.name) for f in fields(Rules)}}
    settings = {name: Setting(value, "default") for name, value in defaults.items()}
    bans: dict[str, Ban] = {}
    for name, table in layers:
        for key, new in _normalised(name, table).items():
            old = settings[key]
            if key == "banned":
                bans.update({b.name: b for b in new})  # type: ignore[attr-defined]
                settings[key] = replace(old, value=tuple(bans.values()), source=name)
                continue
            if old.locked_by and not at_least_as_strict(key, old.value, new):
                raise PolicyError(
                    f"{name} may not loosen {dashed(key)} (to {_shown(new)}): {old.locked_by} "
                    f"locked it at {_shown(old.value)}",
                    hint=f"a locked setting can only be made stricter; drop {dashed(key)} from "
                         f"{name}, or ask whoever maintains {old.locked_by}")
            settings[key] = replace(old, value=new, source=name)
        for key in _locked_names(name, table):
            if not settings[key].locked_by:
                settings[key] = replace(settings[key], locked_by=name)
    autopilot = replace(Policy(), **{k: settings[k].value for k in AUTOPILOT_KEYS})
    rules = replace(Rules(), **{k: settings[k].value for k in RULE_KEYS})
    return EffectivePolicy(autopilot, rules, settings, tuple(name for name, _ in layers))


def _shown(value: object) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(map(str, value)) + "]"
    return "unset" if value is None else str(value).lower() if isinstance(value, bool) else str(
        value)


def for_project(project, policy_file: Path | None = None) -> EffectivePolicy:
    """The effective policy of a `Project`, with the person's user config read from disk."""
    from uvmgr.user_config import UserConfig

    user = UserConfig.load()
    return load_effective(project.data, project.root, policy_file, dict(user.policy),
                          user.path)
