"""Finding a uv workspace the way uv does: its root and its members.

A workspace root is a `pyproject.toml` with `[tool.uv.workspace]`; its `members` globs (minus
its `exclude` globs) name the member folders, each with its own `pyproject.toml`, and the one
`uv.lock` lives at the root. A root with no `[project]` table is a virtual workspace: only its
members are packages. From a folder inside, uv walks up to the nearest root whose globs
include that folder.

Only the standard library: this is on the path of every command.
"""

from __future__ import annotations

import glob
import tomllib
from dataclasses import dataclass
from pathlib import Path

from uvmgr.errors import ProjectError

PYPROJECT = "pyproject.toml"


@dataclass(frozen=True)
class Member:
    name: str  # [project] name as written
    folder: Path  # resolved
    rel: str  # its pyproject.toml relative to the workspace root, POSIX ("pyproject.toml" for the root)


@dataclass(frozen=True)
class Workspace:
    root: Path  # resolved; holds uv.lock
    members: tuple[Member, ...]  # file order of the globs; the root first when it is a package
    virtual: bool  # the root has no [project]


def read_toml(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProjectError(f"cannot read {path}: {exc}") from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProjectError(f"malformed {path.name} in {path.parent}: {exc}",
                           hint=f"fix the TOML syntax in {path}; nothing was changed") from exc


def workspace_table(data: dict) -> dict | None:
    tool = data.get("tool")
    uv = tool.get("uv") if isinstance(tool, dict) else None
    table = uv.get("workspace") if isinstance(uv, dict) else None
    return table if isinstance(table, dict) else None


def find_workspace(start: Path) -> Workspace | None:
    """The workspace `start` (a resolved folder with a pyproject.toml) belongs to, or None for
    a plain project. `start` may be the root itself or one of its members."""
    data = read_toml(start / PYPROJECT)
    if workspace_table(data) is not None:
        return load_workspace(start, data)
    for parent in start.parents:
        candidate = parent / PYPROJECT
        if not candidate.is_file():
            continue
        root_data = read_toml(candidate)
        if workspace_table(root_data) is None:
            continue
        workspace = load_workspace(parent, root_data)
        if any(m.folder == start for m in workspace.members):
            return workspace
        return None  # uv stops at the nearest root: a folder it excludes is a project of its own
    return None


def load_workspace(root: Path, data: dict) -> Workspace:
    table = workspace_table(data) or {}
    includes = _globs(table.get("members"), root, "members")
    excludes = _globs(table.get("exclude"), root, "exclude")
    excluded = {folder for pattern in excludes for folder in _expand(root, pattern)}
    project = data.get("project")
    virtual = not (isinstance(project, dict) and "name" in project)
    members: list[Member] = []
    if not virtual:
        members.append(Member(str(project["name"]), root, PYPROJECT))
    seen = {root}
    for pattern in includes:
        for folder in _expand(root, pattern):
            if folder in seen or folder in excluded or not (folder / PYPROJECT).is_file():
                continue
            seen.add(folder)
            member_data = read_toml(folder / PYPROJECT)
            name = member_data.get("project", {}).get("name") if isinstance(
                member_data.get("project"), dict) else None
            if not name:
                raise ProjectError(
                    f"workspace member {folder.relative_to(root)} has no [project] name",
                    hint=f"give it one, or list it under exclude in {root / PYPROJECT}")
            members.append(Member(str(name), folder, (folder / PYPROJECT).relative_to(root).as_posix()))
    return Workspace(root, tuple(members), virtual)


def _globs(value: object, root: Path, key: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ProjectError(f"[tool.uv.workspace] {key} in {root / PYPROJECT} is not a list of globs",
                           hint='e.g. members = ["packages/*"]')
    return value


def _expand(root: Path, pattern: str) -> list[Path]:
    """Folders a glob names, resolved, inside the root only: a member outside it (`../x`, a
    link out) would put files elsewhere under uvmgr's transactions."""
    found = []
    for match in sorted(glob.glob(pattern, root_dir=root)):
        folder = (root / match).resolve()
        if folder.is_dir() and (folder == root or root in folder.parents):
            found.append(folder)
    return found
