"""Settings: the project's `[tool.uvmgr]` (harmless keys only), then the person's user config,
then `UVMGR_*` environment, then flags.

A cloned repository is untrusted: its `[tool.uvmgr]` may not choose where project data is
sent or what is spent (`PERSONAL`), unless the person allowed that project by path in their
user config. A frozen dataclass rather than pydantic-settings: pydantic costs ~250 ms to
import, more than a plain command's whole budget.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path, PurePath

from uvmgr.user_config import UserConfig, setting_name

# Settings that send project data somewhere or spend money (or time on a paid model): honoured
# only from the person's user config, UVMGR_* variables and flags, or from the [tool.uvmgr]
# of a project the person allowed by path.
PERSONAL = frozenset({
    "audit_service_url", "audit_offline", "advisory_db_url", "model", "fallbacks", "embedding_model", "api_base", "max_cost",
    "max_tokens", "model_timeout", "model_retries", "max_steps", "max_seconds",
    "max_request_chars", "max_observation_chars", "max_index_bytes", "max_index_chunks",
})


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
    audit_offline: bool = False
    """Audit against the cached advisory database (`uvmgr advisories update`) instead of the OSV
    service. Personal: a repository may not make your audits use old data."""
    advisory_db_url: str | None = None
    """Where `uvmgr advisories update` downloads the OSV zip (a mirror); default the public OSV
    bucket for PyPI. Personal: a repository may not choose what you download."""
    cooldown_days: float = 7.0
    """`upgrade_safely` ignores releases younger than this (like Renovate's minimumReleaseAge)."""
    model: str | None = None
    """A litellm model string for `uvmgr ask`; unset means the offline planner."""
    fallbacks: tuple[str, ...] = ()
    """Models tried in order when `model` fails; the offline planner is always the last."""
    api_base: str | None = None
    """Base URL for an OpenAI-compatible server (e.g. a local llama.cpp server). Personal: a
    cloned repository must not redirect your API key."""
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
    max_request_chars: int = 4000
    """Longest request `uvmgr ask` accepts (a longer one is an input error, exit 2)."""
    max_observation_chars: int = 8000
    """Most characters of one tool result the model is shown; the rest is cut with a note."""
    max_index_bytes: int = 20_000_000
    """Most text (bytes) the docs index holds per project; later sources are left out."""
    max_index_chunks: int = 20_000
    """Most chunks the docs index holds per project."""
    notices: tuple[str, ...] = field(default=(), compare=False)
    """What the person should know about how these settings were read (ignored keys)."""

    @classmethod
    def load(cls, tool_table: Mapping[str, object], env: Mapping[str, str] | None = None, *,
             user: UserConfig | None = None, project_root: Path | None = None,
             **flags: object) -> Settings:
        """Project (harmless keys, and personal ones the user config allows for this project)
        < user config < `UVMGR_*` environment < flags."""
        env = os.environ if env is None else env
        user = UserConfig() if user is None else user
        allowed = user.allowed_for(project_root)
        values: dict[str, object] = {}
        known = {f.name for f in fields(cls)} - {"notices"}
        ignored = []
        from_project: set[str] = set()
        for key, value in tool_table.items():
            name = setting_name(key)
            if name not in known:
                continue
            if name in PERSONAL and name not in allowed:
                ignored.append(key)
                continue
            if name == "audit_db" and name not in allowed:
                _check_inside(value, project_root)
            values[name] = value
            from_project.add(name)
        for key, value in user.settings.items():
            name = setting_name(key)
            if name not in known:
                from uvmgr.errors import UsageError

                raise UsageError(f"unknown setting `{key}` in {user.path}",
                                 hint="see the README's configuration table for the names")
            values[name] = value
            from_project.discard(name)
        for name in known:
            env_value = env.get(f"UVMGR_{name.upper()}")
            if env_value is not None:
                values[name] = env_value
                from_project.discard(name)
        given = {k: v for k, v in flags.items() if v is not None and k in known}
        values.update(given)
        from_project -= set(given)
        try:
            settings = replace(cls(), **_coerce(values))
        except (TypeError, ValueError) as exc:
            from uvmgr.errors import UsageError

            raise UsageError(f"invalid uvmgr setting: {exc}",
                             hint="check [tool.uvmgr] in pyproject.toml, your user config and "
                                  "UVMGR_* variables (see the README's configuration table)"
                             ) from exc
        notices = [_ignored_notice(ignored, project_root, user)] if ignored else []
        if "audit_db" in from_project and (settings.audit_offline or settings.audit_service_url):
            # The person chose where advisories come from; a repository's own database may
            # not stand in for that choice (it could be one that finds nothing).
            settings = replace(settings, audit_db=None)
            chosen = "audit-offline" if settings.audit_offline else "audit-service-url"
            notices.append(f"ignored audit-db from this project's [tool.uvmgr]: you chose "
                           f"{chosen}, and a repository's own advisories may not replace it")
        return replace(settings, notices=tuple(notices)) if notices else settings

    @classmethod
    def for_project(cls, tool_table: Mapping[str, object], project_root: Path,
                    env: Mapping[str, str] | None = None, **flags: object) -> Settings:
        """The settings for one project, with the person's user config read from disk."""
        return cls.load(tool_table, env, user=UserConfig.load(env), project_root=project_root,
                        **flags)


def _ignored_notice(keys: list[str], project_root: Path | None, user: UserConfig) -> str:
    where = f'[projects."{project_root.resolve()}"]' if project_root else '[projects."<path>"]'
    allow = ", ".join(f'"{k}"' for k in keys)
    config = user.path or "~/.config/uvmgr/config.toml"
    return (f"ignored {', '.join(keys)} from this project's [tool.uvmgr]: a repository may not "
            f"choose where data goes or what is spent; to allow it for this project add "
            f"{where} allow = [{allow}] to {config}")


def _check_inside(value: object, project_root: Path | None) -> None:
    """`audit-db` from a project's own config must name a path inside the project."""
    from uvmgr.errors import UsageError

    text = str(value)
    hint = ("use a relative path inside the project, or set audit-db in your user config or "
            "UVMGR_AUDIT_DB (or pass `uvmgr audit --db PATH`)")
    if PurePath(text).is_absolute() or text.startswith("~") or ".." in PurePath(text).parts:
        raise UsageError(f"audit-db in [tool.uvmgr] must be a path inside the project, not "
                         f"'{text}'", hint=hint)
    if project_root is not None:
        root = project_root.resolve()
        target = (root / text).resolve()
        if target != root and root not in target.parents:
            raise UsageError(f"audit-db in [tool.uvmgr] must be a path inside the project: "
                             f"'{text}' leads to {target}", hint=hint)


# Lowest sound value of each numeric setting (inclusive unless in _POSITIVE); every one must
# be finite: a NaN timeout compares false with everything, so it disabled the timeout.
_FLOATS = {"timeout": 0.0, "cooldown_days": 0.0, "model_timeout": 0.0, "max_seconds": 0.0,
           "max_cost": 0.0}
_INTS = {"model_retries": 0, "max_steps": 1, "max_tokens": 1, "max_request_chars": 1,
         "max_observation_chars": 1, "max_index_bytes": 1, "max_index_chunks": 1}
_POSITIVE = frozenset({"timeout", "model_timeout", "max_seconds"})
MAX_COOLDOWN_DAYS = 36_500  # a century: more is no cooldown a date can express
_TEXTS = ("audit_db", "audit_service_url", "advisory_db_url", "model", "api_base",
          "embedding_model")


def _number(name: str, value: object, kind: type) -> float | int:
    import math

    shown = name.replace("_", "-")
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise TypeError(f"{shown} must be a number, not {value!r}")
    try:
        number = kind(float(value)) if kind is int and not isinstance(value, int) else kind(value)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"{shown} must be a number, not {value!r}") from None
    low = _FLOATS.get(name, _INTS.get(name, 0))
    if not math.isfinite(number) or number < low or (name in _POSITIVE and number <= low):
        bound = "above" if name in _POSITIVE else "at least"
        raise ValueError(f"{shown} must be a finite number {bound} {low:g}, not {value!r}")
    if name == "cooldown_days" and number > MAX_COOLDOWN_DAYS:
        raise ValueError(f"cooldown-days must be at most {MAX_COOLDOWN_DAYS}, not {value!r}")
    return number


def _coerce(values: dict[str, object]) -> dict[str, object]:
    out = dict(values)
    for name in _FLOATS:
        if name in out:
            out[name] = _number(name, out[name], float)
    for name in _INTS:
        if name in out:
            out[name] = _number(name, out[name], int)
    for name in _TEXTS:
        if out.get(name) is not None and not isinstance(out[name], str):
            raise TypeError(f"{name.replace('_', '-')} must be a string, not {out[name]!r}")
    if isinstance(out.get("fallbacks"), str):
        out["fallbacks"] = tuple(m.strip() for m in out["fallbacks"].split(",") if m.strip())
    elif "fallbacks" in out:
        out["fallbacks"] = _strings("fallbacks", out["fallbacks"])
    if isinstance(out.get("audit_offline"), str):
        text = str(out["audit_offline"]).strip().lower()
        if text not in ("1", "0", "true", "false", "yes", "no", ""):
            raise ValueError(f"audit-offline must be true or false, not {out['audit_offline']!r}")
        out["audit_offline"] = text in ("1", "true", "yes")
    elif "audit_offline" in out and not isinstance(out["audit_offline"], bool):
        raise TypeError(f"audit-offline must be true or false, not {out['audit_offline']!r}")
    if "test_args" in out:
        value = out["test_args"]
        out["test_args"] = (tuple(value.split()) if isinstance(value, str)
                            else _strings("test-args", value))
    return out


def _strings(shown: str, value: object) -> tuple[str, ...]:
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise TypeError(f"{shown} must be a list of strings, not {value!r}")
    return tuple(value)
