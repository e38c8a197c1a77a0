"""The package indexes a project names in `[[tool.uv.index]]`, read the way uv reads them, so
uvmgr asks the same index uv would, under the same name (and so with the same credentials:
uv reads `UV_INDEX_<NAME>_USERNAME` / `_PASSWORD` by the index's name), and says which index a
package comes from.

uvmgr never holds a credential itself: uv reads the environment, its keyring provider or the
netrc file. Every URL shown here has its userinfo removed first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_USERINFO = re.compile(r"(?<=://)[^/@\s]*@")


@dataclass(frozen=True)
class PackageIndex:
    name: str
    url: str  # as configured (may carry `user:pass@`: never print it, see `shown_url`)
    default: bool = False  # replaces PyPI as the index of last resort
    explicit: bool = False  # only packages pinned to it in [tool.uv.sources] come from it

    @property
    def credential_variables(self) -> tuple[str, str]:
        """The variables uv reads this index's credentials from."""
        return credential_variables(self.name)


def credential_key(name: str) -> str:
    """The part of uv's variable names for an index name: ASCII letters and digits upper-cased,
    everything else `_` (`my-corp.idx` -> `MY_CORP_IDX`), as uv's `IndexName::to_env_var`."""
    return "".join(c.upper() if c.isascii() and c.isalnum() else "_" for c in name)


def credential_variables(name: str) -> tuple[str, str]:
    """`UV_INDEX_<NAME>_USERNAME`, `UV_INDEX_<NAME>_PASSWORD` for an index named `name`."""
    key = credential_key(name)
    return f"UV_INDEX_{key}_USERNAME", f"UV_INDEX_{key}_PASSWORD"


def shown_url(url: str) -> str:
    """`url` without any `user:password@` in it."""
    return _USERINFO.sub("", url)


def _same(a: str, b: str) -> bool:
    def key(url: str) -> str:
        return shown_url(url).rstrip("/").lower()

    return key(a) == key(b) or key(b).startswith(key(a) + "/")


def configured_indexes(data: dict) -> tuple[PackageIndex, ...]:
    """The `[[tool.uv.index]]` entries of a parsed pyproject.toml, in order (malformed ones
    skipped: uv reports those itself)."""
    table = data.get("tool", {}).get("uv", {}) if isinstance(data.get("tool"), dict) else {}
    entries = table.get("index", []) if isinstance(table, dict) else []
    found = []
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("url"), str):
            found.append(PackageIndex(str(entry.get("name") or shown_url(entry["url"])),
                                      entry["url"], entry.get("default") is True,
                                      entry.get("explicit") is True))
    return tuple(found)


def index_tables(data: dict, root: Path) -> list[dict]:
    """The `[[tool.uv.index]]` tables of a parsed pyproject.toml as written (every key: `format`,
    `authenticate`, `ignore-error-codes`...), an index given as a relative path made absolute
    against `root`, for a lookup whose pyproject.toml lives elsewhere."""
    table = data.get("tool", {}).get("uv", {}) if isinstance(data.get("tool"), dict) else {}
    entries = table.get("index", []) if isinstance(table, dict) else []
    tables = []
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("url"), str):
            url = entry["url"]
            tables.append({**entry, "url": url if "://" in url else str((root / url).resolve())})
    return tables


def indexes_at(root: Path) -> tuple[PackageIndex, ...]:
    """The indexes the pyproject.toml in `root` declares (none when it cannot be read)."""
    import tomllib

    try:
        return configured_indexes(tomllib.loads((root / "pyproject.toml").read_text("utf-8")))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return ()


def _origin(url: str) -> str:
    found = re.match(r"[a-z+]+://[^/]+", shown_url(url).lower())
    return found.group(0) if found else ""


def index_for_url(url: str, indexes: tuple[PackageIndex, ...]) -> PackageIndex | None:
    """The configured index `url` belongs to: a page under its URL, else (a file the index
    serves from another path, such as pypiserver's /packages/) the one index on that host."""
    found = next((i for i in indexes if _same(i.url, url)), None)
    if found is None:
        on_host = [i for i in indexes if _origin(i.url) == _origin(url)]
        found = on_host[0] if len(on_host) == 1 else None
    return found


def index_label(registry_url: str, indexes: tuple[PackageIndex, ...]) -> str:
    """How to say where a package locked from `registry_url` comes from: the name of the
    `[[tool.uv.index]]` it belongs to, unless that is the index every package comes from by
    default (`default = true`); "" for PyPI, find-links folders and any other location."""
    found = index_for_url(registry_url, indexes) if registry_url else None
    return found.name if found is not None and not found.default else ""


def pinned_sources(data: dict, names: set[str]) -> dict[str, object]:
    """The `[tool.uv.sources]` entries that pin one of `names` to a named index
    (`{ index = "internal" }`, or a list of such entries with markers), as written."""
    from uvmgr.tools.project import normalize_name

    table = data.get("tool", {}).get("uv", {}) if isinstance(data.get("tool"), dict) else {}
    sources = table.get("sources", {}) if isinstance(table, dict) else {}
    pinned: dict[str, object] = {}
    for name, entry in (sources.items() if isinstance(sources, dict) else ()):
        entries = entry if isinstance(entry, list) else [entry]
        if normalize_name(name) in names and entries and all(
                isinstance(e, dict) and set(e) <= {"index", "marker", "extra", "group"}
                and "index" in e for e in entries):
            pinned[name] = entry
    return pinned
