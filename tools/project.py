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
class DirectDependency:
    name: str  # normalised
    requirement: str  # as written in pyproject.toml
    group: str  # "main", a dependency group, or "extra:NAME"
    locked: str | None = None

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
    version: str
    source: str  # registry | editable | virtual | path | git | url | directory


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

    def locked_packages(self) -> dict[str, LockedPackage]:
        """Locked packages by normalised name (the highest version if a name is forked)."""
        self.require_lock()
        try:
            data = tomllib.loads(self.lock_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ProjectError(
                f"uv.lock cannot be read: {exc}",
                hint="recreate it with `uvmgr deps lock` (runs `uv lock`)",
            ) from exc
        packages: dict[str, LockedPackage] = {}
        for entry in data.get("package", []):
            name = normalize_name(entry.get("name", ""))
            source = next(iter(entry.get("source", {}) or {"registry": ""}), "registry")
            version = str(entry.get("version", ""))
            current = packages.get(name)
            if current is None or version_key(version) > version_key(current.version):
                packages[name] = LockedPackage(name, version, source)
        return packages

    def direct_dependencies(self, locked: dict[str, LockedPackage] | None = None,
                            ) -> list[DirectDependency]:
        """Every requirement the project declares, in file order, with its locked version."""
        project = self.data.get("project", {})
        rows: list[tuple[str, str]] = [(MAIN_GROUP, r) for r in project.get("dependencies", [])]
        for extra, reqs in (project.get("optional-dependencies") or {}).items():
            rows += [(f"extra:{extra}", r) for r in reqs]
        for group, reqs in (self.data.get("dependency-groups") or {}).items():
            rows += [(group, r) for r in reqs if isinstance(r, str)]
        legacy = self.data.get("tool", {}).get("uv", {}).get("dev-dependencies") or []
        rows += [("dev", r) for r in legacy]
        deps = []
        for group, req in rows:
            name = requirement_name(req)
            if not name:
                continue
            version = locked[name].version if locked and name in locked else None
            deps.append(DirectDependency(name, req, group, version))
        return deps


def version_key(version: str) -> tuple:
    """A sort key for versions without `packaging` (stdlib only on this path): release numbers
    compared as numbers."""
    return tuple(int(p) if p.isdigit() else 0 for p in re.split(r"[.+-]", version))
