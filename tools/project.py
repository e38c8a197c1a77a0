"""Reading a uv project: `pyproject.toml`, `uv.lock` and the direct dependencies.

Only the standard library on this path: `deps list` must stay fast.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from uvmgr.errors import LockMissing, ProjectError

_NAME = re.compile(r"^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)")
MAIN_GROUP = "main"


def normalize_name(name: str) -> str:
    """PEP 503 normalisation: `Demo_HTTP` -> `demo-http`."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(spec: str) -> str:
    match = _NAME.match(spec)
    return normalize_name(match.group(1)) if match else ""


@dataclass(frozen=True)
class Fork:
    """One of several versions a package is locked at, and where (a marker) it applies."""

    version: str
    marker: str


@dataclass(frozen=True)
class DirectDependency:
    name: str  # normalised
    requirement: str  # as written in pyproject.toml
    group: str  # "main", a dependency group, or "extra:NAME"
    locked: str | None = None
    # `dynamic = ["dependencies"]`: not written in pyproject.toml but filled by the build
    # backend; read from the root package's metadata in uv.lock, and never edited by uvmgr
    dynamic: bool = False
    forks: tuple[Fork, ...] = ()  # one per locked version when the lock splits the package

    @property
    def specifier(self) -> str:
        """The version part of the requirement (`>=1.0,<2`), markers dropped."""
        rest = self.requirement[len(_NAME.match(self.requirement).group(0)):] if _NAME.match(
            self.requirement) else ""
        rest = rest.split(";", 1)[0]
        rest = re.sub(r"^\s*\[[^\]]*\]", "", rest)
        return rest.strip().strip("()").strip()


@dataclass(frozen=True)
class LockedPackage:
    name: str
    version: str  # the highest, when the lock splits the package into forks
    source: str  # registry | editable | virtual | path | git | url | directory
    forks: tuple[Fork, ...] = ()  # every locked version, lowest first, when there are several

    @property
    def versions(self) -> tuple[str, ...]:
        return tuple(f.version for f in self.forks) or (self.version,)

    @property
    def lowest(self) -> str:
        return self.versions[0]


class Project:
    """A uv project on disk. Construction validates; file reads are explicit."""

    def __init__(self, root: Path):
        self.root = root.resolve()
        self.pyproject_path = self.root / "pyproject.toml"
        self.lock_path = self.root / "uv.lock"
        self.state_dir = self.root / ".uvmgr"
        # The journals of this process's changes in flight, outermost first (filled by
        # tools/transaction.py): a change inside a run shares the run's lock and records
        # every state it writes in all of them.
        self.open_journals: list = []
        if not self.root.is_dir():
            raise ProjectError(f"{root} is not a directory", hint="pass --project DIR")
        if not self.pyproject_path.is_file():
            raise ProjectError(
                f"not a uv project: no pyproject.toml in {self.root}",
                hint="run uvmgr inside a project, pass --project DIR, or create one with `uv init`",
            )
        self.reload()
        project = self.data.get("project")
        if not isinstance(project, dict) or "name" not in project:
            raise ProjectError(
                f"{self.pyproject_path} has no [project] table with a name",
                hint="uv projects declare [project] name, version and dependencies (see `uv init`)",
            )
        self.name: str = project["name"]

    def reload(self) -> None:
        """Re-read pyproject.toml (after uv or a rollback changed it)."""
        self.data = self._read_pyproject()

    def _read_pyproject(self) -> dict:
        try:
            text = self.pyproject_path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ProjectError(f"cannot read {self.pyproject_path}: {exc}") from exc
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ProjectError(
                f"malformed pyproject.toml: {exc}",
                hint=f"fix the TOML syntax in {self.pyproject_path}; nothing was changed",
            ) from exc

    @property
    def tool_settings(self) -> dict:
        tool = self.data.get("tool", {})
        settings = tool.get("uvmgr", {}) if isinstance(tool, dict) else {}
        return settings if isinstance(settings, dict) else {}

    def has_lock(self) -> bool:
        return self.lock_path.is_file()

    def require_lock(self) -> None:
        if not self.has_lock():
            raise LockMissing(
                f"uv.lock is missing in {self.root}",
                hint="create it with `uvmgr deps lock` (runs `uv lock`), then retry",
            )

    def _lock_data(self) -> dict:
        self.require_lock()
        try:
            return tomllib.loads(self.lock_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ProjectError(
                f"uv.lock cannot be read: {exc}",
                hint="recreate it with `uvmgr deps lock` (runs `uv lock`)",
            ) from exc

    def locked_packages(self) -> dict[str, LockedPackage]:
        """Locked packages by normalised name: the highest version, and every fork when the
        lock holds a name at several versions (split by Python version or platform)."""
        data = self._lock_data()
        entries: dict[str, list[dict]] = {}
        for entry in data.get("package", []):
            entries.setdefault(normalize_name(entry.get("name", "")), []).append(entry)
        markers = _root_markers(data, normalize_name(self.name))
        packages: dict[str, LockedPackage] = {}
        for name, found in entries.items():
            found.sort(key=lambda e: version_key(str(e.get("version", ""))))
            top = found[-1]
            source = next(iter(top.get("source", {}) or {"registry": ""}), "registry")
            forks: tuple[Fork, ...] = ()
            if len(found) > 1:
                forks = tuple(Fork(str(e.get("version", "")), markers.get(
                    (name, str(e.get("version", ""))),
                    " or ".join(e.get("resolution-markers", [])))) for e in found)
            packages[name] = LockedPackage(name, str(top.get("version", "")), source, forks)
        return packages

    def locked_upload_times(self) -> dict[str, str]:
        """{name: when its locked release was uploaded} (RFC 3339; the newest fork's, each
        release dated by its first file), for the packages whose index reports upload times
        (find-links folders do not)."""
        out: dict[str, str] = {}
        for entry in self._lock_data().get("package", []):
            files = [entry.get("sdist") or {}, *(entry.get("wheels") or [])]
            times = [str(f["upload-time"]) for f in files if "upload-time" in f]
            name = normalize_name(entry.get("name", ""))
            if times and (name not in out or min(times) > out[name]):
                out[name] = min(times)
        return out

    @property
    def dynamic_fields(self) -> set[str]:
        """`dynamic = [...]` of [project]: the fields a build backend fills."""
        dynamic = self.data.get("project", {}).get("dynamic") or []
        return {str(d) for d in dynamic} if isinstance(dynamic, list) else set()

    def dynamic_requirements(self) -> list[tuple[str, str]]:
        """(group, requirement) for dynamic dependencies and extras, from the root package's
        metadata in uv.lock (what the build backend reported when uv locked)."""
        dynamic = self.dynamic_fields & {"dependencies", "optional-dependencies"}
        if not dynamic or not self.has_lock():
            return []
        root = _root_package(self._lock_data(), normalize_name(self.name))
        rows = []
        for item in (root or {}).get("metadata", {}).get("requires-dist", []):
            requirement, extra = _requirement_from_lock(item)
            group = f"extra:{extra}" if extra else MAIN_GROUP
            if ("optional-dependencies" if extra else "dependencies") in dynamic:
                rows.append((group, requirement))
        return rows

    def direct_dependencies(self, locked: dict[str, LockedPackage] | None = None,
                            ) -> list[DirectDependency]:
        """Every requirement the project declares, in file order, with its locked version
        (dynamic ones as the lock's metadata lists them)."""
        project = self.data.get("project", {})
        rows: list[tuple[str, str]] = [(MAIN_GROUP, r) for r in project.get("dependencies", [])]
        for extra, reqs in (project.get("optional-dependencies") or {}).items():
            rows += [(f"extra:{extra}", r) for r in reqs]
        dynamic_rows = self.dynamic_requirements()
        rows += dynamic_rows
        for group, reqs in (self.data.get("dependency-groups") or {}).items():
            rows += [(group, r) for r in reqs if isinstance(r, str)]
        legacy = self.data.get("tool", {}).get("uv", {}).get("dev-dependencies") or []
        rows += [("dev", r) for r in legacy]
        deps = []
        for group, req in rows:
            name = requirement_name(req)
            if not name:
                continue
            found = locked.get(name) if locked else None
            deps.append(DirectDependency(name, req, group, found.version if found else None,
                                         (group, req) in dynamic_rows,
                                         found.forks if found else ()))
        return deps


def _root_package(data: dict, name: str) -> dict | None:
    for entry in data.get("package", []):
        source = entry.get("source", {}) or {}
        if normalize_name(entry.get("name", "")) == name and ("virtual" in source
                                                              or "editable" in source):
            return entry
    return None


def _root_markers(data: dict, name: str) -> dict[tuple[str, str], str]:
    """{(dependency, version): marker} from the project's own entry: where each fork of a
    direct dependency applies, as the person would read it."""
    root = _root_package(data, name) or {}
    lists = [root.get("dependencies", [])]
    lists += list((root.get("optional-dependencies") or {}).values())
    lists += list((root.get("dev-dependencies") or {}).values())
    out = {}
    for items in lists:
        for item in items:
            if "version" in item and "marker" in item:
                out[(normalize_name(item["name"]), str(item["version"]))] = item["marker"]
    return out


def _requirement_from_lock(item: dict) -> tuple[str, str]:
    """A `requires-dist` entry of uv.lock as a requirement string, and its extra ("" if
    none): `{ name = "x", extras = ["a"], specifier = ">=1", marker = "extra == 'b'" }`."""
    text = str(item.get("name", ""))
    if item.get("extras"):
        text += "[" + ",".join(item["extras"]) + "]"
    text += str(item.get("specifier", ""))
    marker = str(item.get("marker", ""))
    extra = ""
    match = re.fullmatch(r"extra == '([^']+)'", marker)
    if match:
        extra, marker = match.group(1), ""
    return (f"{text}; {marker}" if marker else text), extra


def version_key(version: str) -> tuple:
    """A sort key for versions without `packaging` (stdlib only on this path): release numbers
    compared as numbers."""
    return tuple(int(p) if p.isdigit() else 0 for p in re.split(r"[.+-]", version))
