"""The person's own configuration file: `$XDG_CONFIG_HOME/uvmgr/config.toml`, else
`~/.config/uvmgr/config.toml`.

Top-level keys are settings spelled as in `[tool.uvmgr]` (`model = "openai/gpt-4o-mini"`).
A `[projects."<path>"]` table lets one project, keyed by its resolved path, set personal
settings from its own `[tool.uvmgr]`: `allow = ["model", "audit-service-url"]`. A `[packs]`
table chooses among the installed packs: `enabled = ["todo"]` (only these; default: every
installed pack) and `disabled = ["other"]`. A `[policy]` table is the person's own policy
layer (rules, AutoPilot settings, `extends`, `locked`; see `uvmgr/policy_layers.py`).
`trusted-indexes = ["https://pkgs.example.com"]` lists the package index hosts a project may
send the person's index credentials to (`tools/index_trust.py`). Only the
person writes this file; a cloned repository cannot, which is why a project can never activate
a pack or loosen what this file locks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from uvmgr.errors import UsageError


def user_config_path(env: Mapping[str, str] | None = None) -> Path:
    from uvmgr.user_dirs import user_dir

    return user_dir("XDG_CONFIG_HOME", env) / "config.toml"


def setting_name(key: str) -> str:
    return key.strip().replace("-", "_")


def _read(path: Path) -> dict:
    import tomllib

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read your uvmgr config {path}: {exc}",
                         hint="fix its permissions or move it aside") from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"malformed uvmgr config {path}: {exc}",
                         hint=f"fix the TOML syntax in {path} (see the README's configuration "
                              "table)") from exc


@dataclass(frozen=True)
class UserConfig:
    path: Path | None = None
    settings: Mapping[str, object] = field(default_factory=dict)
    """Top-level settings, keys as in [tool.uvmgr]."""
    allow: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Per resolved project path: personal settings its own [tool.uvmgr] may set."""
    packs_enabled: frozenset[str] | None = None
    """[packs] enabled: only these installed packs are active; None: every installed one."""
    packs_disabled: frozenset[str] = frozenset()
    """[packs] disabled: installed packs that stay off."""
    policy: Mapping[str, object] = field(default_factory=dict)
    """[policy]: the person's own policy layer, applied before any project's."""
    trusted_indexes: tuple[str, ...] = ()
    """trusted-indexes: index URLs (their scheme, host and port count) a project's index may
    point at and still receive the person's credentials (tools/index_trust.py)."""
    trusted_python_downloads: bool = False
    """trusted-python-downloads: a project's `python-install-mirror` (and the like) may fetch an
    interpreter; otherwise uv runs with downloads off (tools/uv_settings_trust.py)."""

    @classmethod
    def load(cls, env: Mapping[str, str] | None = None) -> UserConfig:
        path = user_config_path(env)
        data = _read(path)
        projects = data.pop("projects", {})
        enabled, disabled = _packs_table(data.pop("packs", {}), path)
        policy = data.pop("policy", {})
        trusted = data.pop("trusted-indexes", data.pop("trusted_indexes", []))
        if not isinstance(trusted, list) or not all(isinstance(u, str) for u in trusted):
            raise UsageError(f"`trusted-indexes` in {path} must be a list of index URLs",
                             hint='write trusted-indexes = ["https://pkgs.example.com"]')
        downloads = data.pop("trusted-python-downloads", False)
        if not isinstance(downloads, bool):
            raise UsageError(f"`trusted-python-downloads` in {path} must be true or false",
                             hint="write trusted-python-downloads = true")
        if not isinstance(policy, dict):
            raise UsageError(f"`policy` in {path} must be a table",
                             hint='write [policy] extends = ["https://…#sha256=…"]')
        if not isinstance(projects, dict):
            raise UsageError(f"`projects` in {path} must be a table",
                             hint='write [projects."/path/to/project"] allow = ["model"]')
        allow: dict[str, frozenset[str]] = {}
        for key, table in projects.items():
            names = table.get("allow", []) if isinstance(table, dict) else None
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                raise UsageError(f'[projects."{key}"] in {path} needs allow = ["setting", ...]',
                                 hint='e.g. [projects."/home/me/src/app"] allow = ["model"]')
            allow[_project_key(Path(key).expanduser())] = frozenset(setting_name(n) for n in names)
        return cls(path, data, allow, enabled, disabled, policy, tuple(trusted), downloads)

    def allowed_for(self, project_root: Path | None) -> frozenset[str]:
        if project_root is None:
            return frozenset()
        return self.allow.get(_project_key(project_root), frozenset())


def _packs_table(table: object, path: Path) -> tuple[frozenset[str] | None, frozenset[str]]:
    hint = 'write [packs] enabled = ["name", ...] and/or disabled = ["name", ...]'
    if not isinstance(table, dict) or set(table) - {"enabled", "disabled"}:
        raise UsageError(f"[packs] in {path} takes only `enabled` and `disabled`", hint=hint)
    lists = []
    for key in ("enabled", "disabled"):
        names = table.get(key)
        if names is not None and (not isinstance(names, list)
                                  or not all(isinstance(n, str) for n in names)):
            raise UsageError(f"[packs] {key} in {path} must be a list of pack names", hint=hint)
        lists.append(None if names is None else frozenset(names))
    return lists[0], lists[1] or frozenset()


def _project_key(path: Path) -> str:
    try:
        return str(path.resolve())
    except OSError:
        return str(path.absolute())


def secret_settings(path: Path) -> list[tuple[str, str]]:
    """(name, value) of every string setting in the user config, for redaction by value (it
    keeps the ones whose name says secret, or that carry credentials in a URL). A config that
    cannot be read holds nothing to mask; loading it reports the problem."""
    try:
        data = _read(path)
    except UsageError:
        return []
    out = []

    def walk(table: Mapping, prefix: str) -> None:
        for key, value in table.items():
            if isinstance(value, str):
                out.append((f"{prefix}{key}", value))
            elif isinstance(value, dict):
                walk(value, f"{prefix}{key}.")
            elif isinstance(value, list):
                out.extend((f"{prefix}{key}", v) for v in value if isinstance(v, str))

    walk(data, "")
    return out
