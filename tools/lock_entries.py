"""Reading the project's own entries in `uv.lock`: where each fork of a direct dependency
applies, and the dynamic requirements a build backend reported when uv locked.

Only the standard library on this path: `deps list` must stay fast.
"""

from __future__ import annotations

import re

from uvmgr.tools.project import MAIN_GROUP, normalize_name


def dynamic_fields(data: dict) -> set[str]:
    """`dynamic = [...]` of a pyproject.toml's [project]: the fields a build backend fills."""
    dynamic = data.get("project", {}).get("dynamic") or []
    return {str(d) for d in dynamic} if isinstance(dynamic, list) else set()


def dynamic_requirements(data: dict, lock: dict | None) -> list[tuple[str, str]]:
    """(group, requirement) for the dynamic dependencies and extras of one pyproject.toml (a
    project's or a workspace member's), from its package's metadata in uv.lock, found by name."""
    dynamic = dynamic_fields(data) & {"dependencies", "optional-dependencies"}
    name = data.get("project", {}).get("name")
    if not dynamic or lock is None or not name:
        return []
    root = own_entry(lock, normalize_name(str(name)))
    rows = []
    for item in (root or {}).get("metadata", {}).get("requires-dist", []):
        requirement, extra = requirement_from_lock(item)
        group = f"extra:{extra}" if extra else MAIN_GROUP
        if ("optional-dependencies" if extra else "dependencies") in dynamic:
            rows.append((group, requirement))
    return rows


def own_entry(lock: dict, name: str) -> dict | None:
    """The lock's entry for the project (or a workspace member) itself: editable or virtual."""
    for entry in lock.get("package", []):
        source = entry.get("source", {}) or {}
        if normalize_name(entry.get("name", "")) == name and ("virtual" in source
                                                              or "editable" in source):
            return entry
    return None


def own_markers(lock: dict, names: list[str]) -> dict[tuple[str, str], str]:
    """{(dependency, version): marker} from the entries of the project (or of each workspace
    member): where each fork of a direct dependency applies, as the person would read it."""
    out = {}
    for name in names:
        root = own_entry(lock, name) or {}
        lists = [root.get("dependencies", [])]
        lists += list((root.get("optional-dependencies") or {}).values())
        lists += list((root.get("dev-dependencies") or {}).values())
        for items in lists:
            for item in items:
                if "version" in item and "marker" in item:
                    out.setdefault((normalize_name(item["name"]), str(item["version"])),
                                   item["marker"])
    return out


def requirement_from_lock(item: dict) -> tuple[str, str]:
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
