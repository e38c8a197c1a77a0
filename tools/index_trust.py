"""The credential guard: a cloned repository must not redirect the person's index credentials.

uv sends an index the credentials it finds for the index's NAME (`UV_INDEX_<NAME>_USERNAME` /
`_PASSWORD`), wherever the index's URL points. So a repository that declares
`[[tool.uv.index]] name = "internal", url = "https://attacker.example/simple"` would receive
the credentials a person keeps for their company's `internal` index. Before every uv call
(`ProcessRunner.uv`), each index the project declares that would carry credentials (its
variables are set, or its URL embeds userinfo) must point at an origin (scheme, host, port)
the person trusts: listed in their uvmgr config (`trusted-indexes = ["https://host"]`), or
declared under the same name in their own uv config (`UV_CONFIG_FILE`, else
`~/.config/uv/uv.toml` and the system's `/etc/uv/uv.toml`). Otherwise uv does not run.

Netrc and keyring credentials are looked up by host, not by name: out of this guard's reach.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from uvmgr.tools.indexes import credential_key, credential_variables, shown_url

from uvmgr.errors import UntrustedIndex, UsageError

_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class DeclaredIndex:
    """An index as a configuration file declares it (name may be empty: uv reads no variables
    for an unnamed index)."""

    name: str
    url: str
    source: Path


def origin(url: str) -> str:
    """`scheme://host[:port]` of an http(s) URL, lower-cased, userinfo dropped and the default
    port left out; "" for anything else (a path, a file URL: nothing is sent anywhere)."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return ""
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if scheme not in _DEFAULT_PORTS or not host:
        return ""
    shown = f"[{host}]" if ":" in host else host
    return f"{scheme}://{shown}" + (f":{port}" if port and port != _DEFAULT_PORTS[scheme] else "")


def _has_userinfo(url: str) -> bool:
    return shown_url(url) != url


def _read_toml(path: Path, needle: str = "") -> dict:
    """The file parsed ({} when unreadable: uv reports a malformed file itself, and then runs
    nothing); not parsed when it does not contain `needle` (parsing is most of the cost)."""
    import tomllib

    try:
        text = path.read_text(encoding="utf-8")
        return tomllib.loads(text) if needle in text else {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}


def _entries(table: object, source: Path) -> Iterator[DeclaredIndex]:
    for entry in table if isinstance(table, list) else ():
        if isinstance(entry, dict) and isinstance(entry.get("url"), str):
            name = entry.get("name")
            yield DeclaredIndex(name if isinstance(name, str) else "", entry["url"], source)


def indexes_in(path: Path, needle: str = "") -> list[DeclaredIndex]:
    """The indexes one file declares: `[[tool.uv.index]]` of a pyproject.toml, `[[index]]` of
    a uv.toml (none when the file does not contain `needle`)."""
    data = _read_toml(path, needle)
    if path.name == "uv.toml":
        return list(_entries(data.get("index"), path))
    tool = data.get("tool")
    uv = tool.get("uv") if isinstance(tool, dict) else None
    return list(_entries(uv.get("index"), path)) if isinstance(uv, dict) else []


def project_indexes(cwd: Path, args: Iterable[str], needle: str = "") -> list[DeclaredIndex]:
    """Every index a uv call in `cwd` may read from the repository: the pyproject.toml and
    uv.toml in `cwd` and each folder above it (uv takes the nearest; every one is checked), and
    every workspace member's pyproject.toml of a workspace root among them (uv reads a member's
    `[[tool.uv.index]]` too: a member's package pinned to it gets the credentials of its name),
    and a pyproject.toml or uv.toml named in the arguments (a lookup file uvmgr writes). Files
    without `needle` are skipped unparsed."""
    files: list[Path] = []
    folder = cwd.resolve()
    for place in (folder, *folder.parents):
        files += [place / "uv.toml", place / "pyproject.toml"]
        files += _member_files(place / "pyproject.toml")
    for arg in args:
        if arg.endswith(("pyproject.toml", "uv.toml")):
            files.append(Path(arg) if Path(arg).is_absolute() else folder / arg)
    files += _path_dependency_files(files)
    return [i for path in files if path.is_file() for i in indexes_in(path, needle)]


_MAX_PATH_DEPENDENCIES = 200  # a guard that reads more than uv would is fine; one that never ends is not


def _path_dependency_files(files: list[Path]) -> list[Path]:
    """The pyproject.toml of every local folder a `[tool.uv.sources]` entry names by `path`,
    and of theirs in turn: uv reads a path dependency's own `[[tool.uv.index]]` and sources
    when it resolves it (a vendored package pinned to its own `internal` index gets the
    credentials of that name)."""
    queue = [f for f in files if f.name == "pyproject.toml" and f.is_file()]
    seen = {f.resolve() for f in queue}
    found: list[Path] = []
    while queue and len(seen) < _MAX_PATH_DEPENDENCIES:
        pyproject = queue.pop()
        for folder in _path_sources(pyproject):
            candidate = (folder / "pyproject.toml").resolve()  # named as it is in messages
            if not candidate.is_file() or candidate in seen:
                continue
            seen.add(candidate)
            found.append(candidate)
            queue.append(candidate)
    return found


def _path_sources(pyproject: Path) -> list[Path]:
    """Folders `[tool.uv.sources]` of `pyproject` names by `path` (a source may be one table or
    a list of them, split by markers)."""
    tool = _read_toml(pyproject, "path").get("tool")
    uv = tool.get("uv") if isinstance(tool, dict) else None
    sources = uv.get("sources") if isinstance(uv, dict) else None
    folders = []
    for value in sources.values() if isinstance(sources, dict) else ():
        for entry in value if isinstance(value, list) else [value]:
            if isinstance(entry, dict) and isinstance(entry.get("path"), str):
                folder = pyproject.parent / entry["path"]
                if folder.is_dir():
                    folders.append(folder)
    return folders


def _member_files(pyproject: Path) -> list[Path]:
    """The members' pyproject.toml files when `pyproject` is a workspace root's, every folder
    its `members` globs name (uv's own reading; `exclude` is not subtracted, and a member
    outside the root counts too: a guard may look at more than uv reads, never at less)."""
    import glob

    from uvmgr.tools.workspace import workspace_table

    table = workspace_table(_read_toml(pyproject, "workspace")) if pyproject.is_file() else None
    members = table.get("members") if table is not None else None
    if not isinstance(members, list):
        return []
    root = pyproject.parent
    return [root / match / "pyproject.toml" for pattern in members if isinstance(pattern, str)
            for match in sorted(glob.glob(pattern, root_dir=root))
            if (root / match / "pyproject.toml") != pyproject]


def _user_uv_configs(env: Mapping[str, str]) -> list[Path]:
    """The person's own uv config files, as uv finds them: `UV_CONFIG_FILE` alone when set,
    none with `UV_NO_CONFIG`, else the user's and the system's uv.toml."""
    if env.get("UV_CONFIG_FILE"):
        return [Path(env["UV_CONFIG_FILE"]).expanduser()]
    if env.get("UV_NO_CONFIG", "").lower() in ("1", "true", "yes", "on"):
        return []
    home = Path(env.get("HOME") or Path.home())
    user = Path(env["XDG_CONFIG_HOME"]) if env.get("XDG_CONFIG_HOME") else home / ".config"
    system = [Path(d) for d in env.get("XDG_CONFIG_DIRS", "").split(":") if d]
    return [user / "uv" / "uv.toml", *(d / "uv" / "uv.toml" for d in system),
            Path("/etc/uv/uv.toml")]


@dataclass(frozen=True)
class Trust:
    """What the person trusts: origins from their uvmgr config, and (name key, origin) pairs
    their own uv config declares."""

    origins: frozenset[str]
    named: frozenset[tuple[str, str]]
    config_path: Path | None
    listed: tuple[str, ...]  # trusted-indexes as written, for the hint

    def allows(self, index: DeclaredIndex) -> bool:
        where = origin(index.url)
        return where in self.origins or (credential_key(index.name), where) in self.named

    @classmethod
    def load(cls, env: Mapping[str, str]) -> Trust:
        from uvmgr.user_config import UserConfig

        user = UserConfig.load(env)
        for url in user.trusted_indexes:
            if not origin(url):
                raise UsageError(f"trusted-indexes in {user.path}: {shown_url(url)!r} is not an "
                                 "http(s) URL with a host",
                                 hint='write trusted-indexes = ["https://pkgs.example.com"]')
        named = {(credential_key(i.name), origin(i.url))
                 for path in _user_uv_configs(env) if path.is_file()
                 for i in indexes_in(path) if i.name}
        return cls(frozenset(map(origin, user.trusted_indexes)),
                   frozenset(named), user.path, user.trusted_indexes)


def _credential_variables(index: DeclaredIndex, env: Mapping[str, str]) -> list[str]:
    if not index.name:
        return []
    return [v for v in credential_variables(index.name) if env.get(v)]


def check_index_credentials(cwd: Path, args: Iterable[str], env: Mapping[str, str]) -> None:
    """Raise `UntrustedIndex` when a uv call in `cwd` would send credentials to an index the
    repository points at a host the person does not trust. Reads the person's configs only when
    some index would carry credentials."""
    named = any(k.startswith("UV_INDEX_") and k.endswith(("_USERNAME", "_PASSWORD")) and v
                for k, v in env.items())
    # With no index credentials in the environment only a URL's userinfo can carry any: a file
    # without an `@` declares none, and is not parsed.
    carrying = []
    for index in project_indexes(cwd, args, "" if named else "@"):
        variables = _credential_variables(index, env)
        if (variables or _has_userinfo(index.url)) and origin(index.url):
            carrying.append((index, variables))
    if not carrying:
        return
    trust = Trust.load(env)
    for index, variables in carrying:
        if not trust.allows(index):
            raise _refusal(index, variables, trust)


def _refusal(index: DeclaredIndex, variables: list[str], trust: Trust) -> UntrustedIndex:
    where = origin(index.url)
    name = f"`{index.name}`" if index.name else "(unnamed)"
    sent = (" and ".join(variables) if variables else "the user name and password in its URL")
    listed = (*map(shown_url, trust.listed), where)  # what the person has, and this host
    line = "trusted-indexes = [" + ", ".join(f'"{o}"' for o in listed) + "]"
    config = trust.config_path or "~/.config/uvmgr/config.toml"
    return UntrustedIndex(
        f"refused to run uv: the package index {name} declared in {index.source} points at "
        f"{where}, a host you have not trusted, and uv would send it your credentials from "
        f"{sent}",
        hint=f"if {where} is your index, add `{line}` to {config} (or declare the index "
             f"with that name and URL in your own ~/.config/uv/uv.toml); otherwise "
             + (f"unset {' and '.join(variables)} for this project or " if variables else "")
             + "remove the index from the project's configuration; nothing was run or changed")
