"""The person's own folders, by the XDG base-directory rules: `$XDG_CONFIG_HOME`,
`$XDG_CACHE_HOME`, `$XDG_STATE_HOME`, each with `uvmgr/` under it, else the usual default under
`$HOME`. A relative value is ignored (as XDG says), so the folder uvmgr runs in (a cloned
repository) never stands in for the person's own."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

_DEFAULTS = {
    "XDG_CONFIG_HOME": (".config",),
    "XDG_CACHE_HOME": (".cache",),
    "XDG_STATE_HOME": (".local", "state"),
}


def user_dir(variable: str, env: Mapping[str, str] | None = None) -> Path:
    """uvmgr's folder of one kind (`variable`: one of the three XDG variables)."""
    env = os.environ if env is None else env
    base = Path(env.get(variable, ""))
    if not base.is_absolute():
        base = Path(env.get("HOME") or Path.home()).joinpath(*_DEFAULTS[variable])
    return base / "uvmgr"
