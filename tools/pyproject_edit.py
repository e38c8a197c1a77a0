"""Editing requirement strings in pyproject.toml without losing its formatting (tomlkit)."""

from __future__ import annotations

import re
from pathlib import Path

from uvmgr.errors import PackageNotFound
from uvmgr.tools.project import MAIN_GROUP, requirement_name

_HEAD = re.compile(r"^\s*[A-Za-z0-9][A-Za-z0-9._-]*\s*(\[[^\]]*\])?")


def with_specifier(requirement: str, specifier: str) -> str:
    """`demo-http[x]>=1.0,<1.1; python_version>'3'` with `>=1.0,<1.3` -> same name, extras and
    marker, new version part."""
    head = _HEAD.match(requirement)
    if not head:
        return requirement
    rest = requirement[head.end():]
    marker = ""
    if ";" in rest:
        rest, marker = rest.split(";", 1)
        marker = "; " + marker.strip()
    return f"{head.group(0).strip()}{specifier}{marker}"


def _requirement_array(doc, group: str):
    if group == MAIN_GROUP:
        return doc["project"]["dependencies"]
    if group.startswith("extra:"):
        return doc["project"]["optional-dependencies"][group.split(":", 1)[1]]
    if "dependency-groups" in doc and group in doc["dependency-groups"]:
        return doc["dependency-groups"][group]
    return doc["tool"]["uv"]["dev-dependencies"]


def replace_requirements(path: Path, edits: list[tuple[str, str, str]]) -> None:
    """Apply `(group, name, new_requirement)` edits to the file at `path` in place."""
    import tomlkit

    doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    for group, name, new in edits:
        array = _requirement_array(doc, group)
        for i, item in enumerate(array):
            if isinstance(item, str) and requirement_name(item) == name:
                array[i] = new
                break
        else:
            raise PackageNotFound(f"{name} is not in the {group} dependencies")
    # Atomic: a kill mid-write must leave the old bytes or the new, never a torn file that
    # recovery could not recognise as uvmgr's.
    from uvmgr.tools.state_files import write_atomic

    write_atomic(path, tomlkit.dumps(doc).encode("utf-8"))


def apply_constraint_edits(project, edits) -> None:
    """Write `ConstraintEdit`s, each into the pyproject.toml of its workspace member (the
    project's own for a plain project), then re-read the project."""
    by_file: dict = {}
    for edit in edits:
        by_file.setdefault(project.pyproject_of(edit.member), []).append(
            (edit.group, edit.name, edit.after))
    for path, changes in by_file.items():
        replace_requirements(path, changes)
    project.reload()
