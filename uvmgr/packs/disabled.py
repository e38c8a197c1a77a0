"""Packs uvmgr disabled itself, because a "read-only" tool of theirs changed the project:
`$XDG_STATE_HOME/uvmgr/disabled-packs.json` (else `~/.local/state/...`), the person's own state,
never the project's. A pack stays off until `uvmgr packs enable NAME`, or until another version
of it is installed."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path


def state_path(env: Mapping[str, str] | None = None) -> Path:
    from uvmgr.user_dirs import user_dir

    return user_dir("XDG_STATE_HOME", env) / "disabled-packs.json"


def disabled_packs(env: Mapping[str, str] | None = None) -> dict[str, dict[str, str]]:
    """{pack: {"version", "reason"}}; an unreadable file disables nothing (and is rewritten)."""
    try:
        data = json.loads(state_path(env).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, dict)}


def _write(data: dict, env: Mapping[str, str] | None) -> None:
    from uvmgr.tools.state_files import write_atomic

    path = state_path(env)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps(data, indent=2, sort_keys=True).encode())


def record_disabled(pack: str, version: str, reason: str,
                    env: Mapping[str, str] | None = None) -> None:
    data = disabled_packs(env)
    data[pack] = {"version": version, "reason": reason}
    _write(data, env)


def enable(pack: str, env: Mapping[str, str] | None = None) -> bool:
    """Forget that uvmgr disabled `pack`; False when it had not."""
    data = disabled_packs(env)
    if data.pop(pack, None) is None:
        return False
    _write(data, env)
    return True
