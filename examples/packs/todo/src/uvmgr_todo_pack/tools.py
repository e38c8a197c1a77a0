"""The todo pack's tools: typed functions whose docstrings the model reads, like the built-ins."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Annotated

from uvmgr.packs import TARGET_FREE, Arg, Targets

MAX_FILES = 5000


@dataclass(frozen=True)
class TodoCount:
    total: int
    per_marker: dict[str, int]
    files: list[str] = field(default_factory=list)

    exit_status = 0

    def summary(self) -> str:
        counts = ", ".join(f"{m}: {n}" for m, n in self.per_marker.items())
        where = f" in {', '.join(self.files[:10])}" if self.files else ""
        return f"{self.total} marker comment(s) ({counts}){where}"


def count_todos(
    ctx,
    markers: Annotated[list[str] | None, Arg("Markers to count; default TODO and FIXME.")] = None,
) -> TodoCount:
    """Count TODO and FIXME comments in the project's Python files (outside .venv). Reads
    only; use it when the person asks how many TODOs or FIXMEs are left."""
    wanted = markers or ["TODO", "FIXME"]
    counts = dict.fromkeys(wanted, 0)
    files = []
    root = ctx.project.root
    for path in sorted(root.rglob("*.py"))[:MAX_FILES]:
        if any(part.startswith(".") for part in path.relative_to(root).parts):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        found = False
        for line in text.splitlines():
            comment = line.partition("#")[2]
            for marker in wanted:
                if marker in comment:
                    counts[marker] += 1
                    found = True
        if found:
            files.append(str(path.relative_to(root)))
    return TodoCount(sum(counts.values()), counts, files)


count_todos_targets = Targets("count_todos", {"markers": TARGET_FREE})


@dataclass(frozen=True)
class DescriptionChange:
    """A `ChangeSet` (uvmgr.packs.ChangeSet): what a mutating tool returns, so the safety layer
    can show its dry run and ask before the real call."""

    before: str
    after: str
    dry_run: bool
    operation: str = "set_description"
    changes: list = field(default_factory=list)  # no package moves
    constraint_edits: list = field(default_factory=list)  # no requirement edits

    exit_status = 0

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def summary(self) -> str:
        verb = "would change" if self.dry_run else "changed"
        return f"[project] description {verb}: {self.before!r} -> {self.after!r}"


def set_description(
    ctx,
    description: Annotated[str, Arg("The new one-line description of the project.")],
    dry_run: Annotated[bool, Arg("Only report what would change.")] = False,
) -> DescriptionChange:
    """Set the `description` in pyproject.toml's [project] table. Mutates pyproject.toml
    (uvmgr runs it inside a transaction and asks first); use it only when the person asks to
    change the project's description."""
    import tomlkit

    path = ctx.project.pyproject_path
    doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    before = str(doc["project"].get("description", ""))
    change = DescriptionChange(before, description, dry_run)
    if ctx.approved is not None and ctx.approved.summary() != replace(change, dry_run=True
                                                                      ).summary():
        raise ValueError("the change differs from the preview that was approved")
    if not dry_run and change.changed:
        doc["project"]["description"] = description
        path.write_text(tomlkit.dumps(doc), encoding="utf-8")
    return change


set_description_targets = Targets("set_description", {"description": TARGET_FREE,
                                                      "dry_run": TARGET_FREE})
