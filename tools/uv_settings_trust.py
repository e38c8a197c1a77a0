"""uv settings a repository may not choose: where uv writes, and where it fetches interpreters.

uv reads settings from the project (`[tool.uv]` in pyproject.toml, a uv.toml in the project or
a folder above it). By the trust model a repository may inform but never redirect, widen or
spend, so before every uv call (`ProcessRunner.uv`) the settings below, when the repository sets
them, are overridden with the person's own value through the matching `UV_*` variable (uv's
environment wins over every configuration file). A variable the person set is never touched.

| setting | kind | what uvmgr does |
|---|---|---|
| cache-dir | (a) writes anywhere the person can | `UV_CACHE_DIR` = the person's cache dir |
| python-install-dir | (a) writes anywhere | `UV_PYTHON_INSTALL_DIR` = the person's |
| python-install-mirror, pypy-install-mirror, python-downloads-json-url | (c) fetches and runs an interpreter from a URL the repository picks | `UV_PYTHON_DOWNLOADS=never` unless the person allows downloads (`trusted-python-downloads = true`) |
| python-downloads, python-preference | (c) widen when an interpreter is fetched | covered by the line above only when a mirror is set; otherwise uv downloads from its own source (python-build-standalone) |
| keyring-provider | (b)+(c) runs the `keyring` program found on PATH with the index URL | `UV_KEYRING_PROVIDER=disabled` |
| tool-dir, tool-bin-dir | (a) | not overridden: uvmgr never runs `uv tool` |
| allow-insecure-host | (b) turns certificate checks off for hosts the repository names (an attacker on the network then reads credentials sent there, or serves packages); not undone through the environment (an empty `UV_INSECURE_HOST` is not documented to clear it) | refused (exit 3) unless every host is in the person's `UV_INSECURE_HOST` or their own uv.toml |
| native-tls | (d) the system's certificate store, which is the person's | left alone |
| preview, concurrent-*, no-build-isolation, config-settings, extra-build-dependencies, required-environments | (d) change how the project's own code builds, which the project controls anyway | left alone |
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

# setting -> (the UV_* variable that overrides it)
_REDIRECTS = {"cache-dir": "UV_CACHE_DIR", "python-install-dir": "UV_PYTHON_INSTALL_DIR",
              "keyring-provider": "UV_KEYRING_PROVIDER"}
# setting -> the variable by which the person's own value replaces it
_MIRRORS = {"python-install-mirror": "UV_PYTHON_INSTALL_MIRROR",
            "pypy-install-mirror": "UV_PYPY_INSTALL_MIRROR",
            "python-downloads-json-url": "UV_PYTHON_DOWNLOADS_JSON_URL"}
_INSECURE = "allow-insecure-host"
_NEEDLES = (*_REDIRECTS, *_MIRRORS, _INSECURE)


def _project_settings(cwd: Path) -> dict[str, tuple[object, Path]]:
    """The guarded settings the repository sets for a uv call in `cwd` (uv.toml beside or above
    it, `[tool.uv]` of each pyproject.toml on the way; the nearest wins as in uv). Files that do
    not mention any of them are not parsed."""
    import tomllib

    found: dict[str, tuple[object, Path]] = {}
    folder = cwd.resolve()
    for place in (folder, *folder.parents):
        for path in (place / "uv.toml", place / "pyproject.toml"):
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            if not any(n in text for n in _NEEDLES):
                continue
            try:
                data = tomllib.loads(text)
            except tomllib.TOMLDecodeError:
                continue
            if path.name == "pyproject.toml":
                tool = data.get("tool")
                data = tool.get("uv") if isinstance(tool, dict) else None
                data = data if isinstance(data, dict) else {}
            for key in _NEEDLES:
                if key in data:
                    found.setdefault(key, (data[key], path))
    return found


def _user_value(env: Mapping[str, str], key: str) -> object:
    """`key` from the person's own uv config (the files `index_trust` finds), None if unset."""
    import tomllib

    from uvmgr.tools.index_trust import _user_uv_configs

    for path in _user_uv_configs(env):
        try:
            value = tomllib.loads(path.read_text(encoding="utf-8")).get(key)
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue
        if value is not None:
            return value
    return None


def _user_setting(env: Mapping[str, str], key: str) -> str | None:
    value = _user_value(env, key)
    return str(Path(value).expanduser()) if isinstance(value, str) else None


def _default(env: Mapping[str, str], variable: str) -> str:
    home = Path(env.get("HOME") or Path.home())
    if variable == "UV_CACHE_DIR":
        base = Path(env["XDG_CACHE_HOME"]) if env.get("XDG_CACHE_HOME") else home / ".cache"
        return str(base / "uv")
    base = Path(env["XDG_DATA_HOME"]) if env.get("XDG_DATA_HOME") else home / ".local" / "share"
    return str(base / "uv" / "python")


DOWNLOADS_OFF = ("uvmgr ran uv with interpreter downloads off, because the project sets an "
                 "interpreter mirror (python-install-mirror, pypy-install-mirror or "
                 "python-downloads-json-url); install that Python yourself, or allow downloads "
                 "from it with `trusted-python-downloads = true` in ~/.config/uvmgr/config.toml")


def overrides_for(cwd: Path, args: Iterable[str], env: Mapping[str, str]) -> dict[str, str]:
    """The `UV_*` variables that undo the repository's choice of the guarded settings for a uv
    call in `cwd` ({} when it chooses none, the common case). `env` is what uv would inherit.
    Raises `UntrustedUvSetting` for a setting no variable can undo (allow-insecure-host)."""
    chosen = _project_settings(cwd)
    if not chosen:
        return {}
    if _INSECURE in chosen:
        _check_insecure_hosts(*chosen[_INSECURE], env)
    out: dict[str, str] = {}
    for key, variable in _REDIRECTS.items():
        if key not in chosen or env.get(variable):
            continue
        if variable == "UV_KEYRING_PROVIDER":
            out[variable] = _user_setting(env, key) or "disabled"
        else:
            out[variable] = _user_setting(env, key) or _default(env, variable)
    mirrors = [k for k, variable in _MIRRORS.items() if k in chosen and not env.get(variable)]
    if mirrors and not _downloads_trusted(env):
        out["UV_PYTHON_DOWNLOADS"] = "never"
    return out


def _downloads_trusted(env: Mapping[str, str]) -> bool:
    """The person allows a repository's interpreter mirror: `trusted-python-downloads = true` in
    their uvmgr config."""
    from uvmgr.user_config import UserConfig

    return UserConfig.load(env).trusted_python_downloads


def _check_insecure_hosts(value: object, source: Path, env: Mapping[str, str]) -> None:
    from uvmgr.errors import UntrustedUvSetting

    hosts = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    mine = set(env.get("UV_INSECURE_HOST", "").split())
    own = _user_value(env, _INSECURE)
    mine |= {own} if isinstance(own, str) else set(own) if isinstance(own, list) else set()
    theirs = [h for h in hosts if isinstance(h, str) and h not in mine]
    if theirs:
        listed = ", ".join(f'"{h}"' for h in theirs)
        raise UntrustedUvSetting(
            f"refused to run uv: {source} sets allow-insecure-host = [{listed}], which turns off "
            "certificate checks for those hosts (anyone on the network could then serve "
            "packages or read credentials sent there)",
            hint="remove it from the project's configuration, or, if you mean it, add "
                 f"allow-insecure-host = [{listed}] to your own ~/.config/uv/uv.toml; "
                 "nothing was run or changed")
