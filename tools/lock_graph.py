"""Which workspace members depend on which locked packages, read from `uv.lock`'s graph.

One lock serves every member of a workspace; to show an audit finding under the members it
affects (or only the selected member's), follow each member's dependencies through the lock:
its runtime dependencies, its extras and its dependency groups, transitively.
"""

from __future__ import annotations

import tomllib

from uvmgr.tools.project import Project, normalize_name


def members_by_package(project: Project) -> dict[str, list[str]]:
    """{locked package: [members that reach it]} for a workspace; {} for a plain project or a
    lock that cannot be read (the caller then shows findings ungrouped)."""
    if not project.is_workspace or not project.has_lock():
        return {}
    try:
        lock = tomllib.loads(project.lock_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}
    edges: dict[str, set[str]] = {}
    for entry in lock.get("package", []):
        if not isinstance(entry, dict):
            continue
        name = normalize_name(str(entry.get("name", "")))
        targets = edges.setdefault(name, set())
        targets.update(_names(entry.get("dependencies")))
        for table in ("optional-dependencies", "dev-dependencies"):
            for deps in (entry.get(table) or {}).values():
                targets.update(_names(deps))
    reach: dict[str, list[str]] = {}
    for member in project.workspace.members:
        seen: set[str] = set()
        todo = [normalize_name(member.name)]
        while todo:
            for nxt in edges.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        for package in seen:
            reach.setdefault(package, []).append(member.name)
    return reach


def _names(deps: object) -> list[str]:
    if not isinstance(deps, list):
        return []
    return [normalize_name(str(d["name"])) for d in deps if isinstance(d, dict) and "name" in d]
