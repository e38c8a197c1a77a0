"""Settings: `[tool.uvmgr]` in pyproject.toml, then `UVMGR_*` environment, then flags.

A frozen dataclass rather than pydantic-settings: pydantic costs ~250 ms to import,
more than a plain command's whole budget.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace


# Settings a project's own pyproject.toml may not set (they would let a repository redirect
# credentials): environment variables and flags only.
ENV_ONLY = frozenset({"api_base"})


@dataclass(frozen=True)
class Settings:
    timeout: float = 600.0
    """Seconds before a uv or test process is killed (with its whole process group)."""
    test_args: tuple[str, ...] = ()
    """Extra arguments for pytest, used by `uvmgr test` and by verification after a change."""
    audit_db: str | None = None
    """An offline OSV advisory database (folder or zip) for `uvmgr audit`."""
    audit_service_url: str | None = None
    """An OSV-compatible service URL for `uvmgr audit` (default: uv's, the public OSV API)."""
    cooldown_days: float = 7.0
    """`upgrade_safely` ignores releases younger than this (like Renovate's minimumReleaseAge)."""
    model: str | None = None
    """A litellm model string for `uvmgr ask`; unset means the offline planner."""
    fallbacks: tuple[str, ...] = ()
    """Models tried in order when `model` fails; the offline planner is always the last."""
    api_base: str | None = None
    """Base URL for an OpenAI-compatible server (e.g. a local llama.cpp server). Read from the
    environment or flags only: a cloned repository must not redirect your API key."""
    model_timeout: float = 60.0
    """Seconds before one model call is abandoned (then retried or the next model is used)."""
    model_retries: int = 2
    """Retries of the same model on a transient error (timeout, 429, 5xx, connection)."""
    max_tokens: int = 1024
    """Most tokens one model answer may produce (a runaway answer costs time and money)."""
    max_steps: int = 8
    """Most tool calls in one `uvmgr ask` run."""
    max_seconds: float = 600.0
    """Longest wall time of one run; checked between steps, never inside a change."""
    max_cost: float = 1.0
    """Most money (USD, as litellm prices it) one run may spend on model calls."""
    embedding_model: str | None = None
    """A litellm embedding model for the docs index; unset means the offline hashed
    embedding (no download)."""

    @classmethod
    def load(cls, tool_table: Mapping[str, object], env: Mapping[str, str] | None = None,
             **flags: object) -> Settings:
        env = os.environ if env is None else env
        values: dict[str, object] = {}
        known = {f.name for f in fields(cls)}
        for key, value in tool_table.items():
            name = key.replace("-", "_")
            if name in known and name not in ENV_ONLY:
                values[name] = value
        for name in known:
            env_value = env.get(f"UVMGR_{name.upper()}")
            if env_value is not None:
                values[name] = env_value
        values.update({k: v for k, v in flags.items() if v is not None and k in known})
        try:
            return replace(cls(), **_coerce(values))
        except (TypeError, ValueError) as exc:
            from uvmgr.errors import UsageError

            raise UsageError(f"invalid uvmgr setting: {exc}",
                             hint="check [tool.uvmgr] in pyproject.toml and UVMGR_* variables "
                                  "(see the README's configuration table)") from exc


def _coerce(values: dict[str, object]) -> dict[str, object]:
    out = dict(values)
    for name in ("timeout", "cooldown_days", "model_timeout", "max_seconds", "max_cost"):
        if name in out:
            out[name] = float(out[name])  # type: ignore[arg-type]
    for name in ("model_retries", "max_steps", "max_tokens"):
        if name in out:
            out[name] = int(out[name])  # type: ignore[arg-type]
    if isinstance(out.get("fallbacks"), str):
        out["fallbacks"] = tuple(m.strip() for m in out["fallbacks"].split(",") if m.strip())
    elif "fallbacks" in out:
        out["fallbacks"] = tuple(out["fallbacks"])  # type: ignore[arg-type]
    if "test_args" in out:
        value = out["test_args"]
        out["test_args"] = tuple(value.split() if isinstance(value, str) else value)  # type: ignore[union-attr]
    return out
