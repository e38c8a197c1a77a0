"""The build family: `uv build` and a check that the wheel's metadata is readable."""

from __future__ import annotations

import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from uvmgr.tools.context import ToolContext
from uvmgr.tools.progress import Progress
from uvmgr.tools.spec import Arg
from uvmgr.tools.targets import Targets, location
from uvmgr.tools.uv_errors import uv_message

from uvmgr.errors import EXIT_FAILED, EXIT_OK, OperationFailed, ProjectError


@dataclass(frozen=True)
class Artifact:
    path: str
    kind: str  # wheel | sdist
    size: int


@dataclass(frozen=True)
class WheelMetadata:
    name: str
    version: str
    requires_dist: list[str]
    requires_python: str | None


@dataclass(frozen=True)
class BuildReport:
    out_dir: str  # empty: built in a temporary folder, removed after the checks
    artifacts: list[Artifact]
    metadata: WheelMetadata | None
    problems: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # build leftovers this build made

    @property
    def ok(self) -> bool:
        return bool(self.artifacts) and not self.problems

    @property
    def exit_status(self) -> int:
        return EXIT_OK if self.ok else EXIT_FAILED

    def summary(self) -> str:
        lines = [f"built {a.kind} {a.path} ({a.size} bytes)" for a in self.artifacts]
        if self.metadata:
            lines.append(f"wheel metadata: {self.metadata.name} {self.metadata.version}")
        lines += [f"problem: {p}" for p in self.problems]
        return "\n".join(lines) or "nothing was built"


def read_wheel_metadata(wheel: Path) -> WheelMetadata:
    from email.parser import Parser

    with zipfile.ZipFile(wheel) as zf:
        meta_name = next((n for n in zf.namelist()
                          if n.endswith(".dist-info/METADATA") and n.count("/") == 1), None)
        if meta_name is None:
            raise OperationFailed(f"{wheel.name} has no .dist-info/METADATA")
        message = Parser().parsestr(zf.read(meta_name).decode("utf-8"))
    return WheelMetadata(message.get("Name", ""), message.get("Version", ""),
                         message.get_all("Requires-Dist") or [], message.get("Requires-Python"))


def build_package(
    ctx: ToolContext,
    out_dir: Annotated[str | None, Arg("Folder for the built files; empty for a temporary "
                                       "folder.")] = None,
) -> BuildReport:
    """Build the project's sdist and wheel with `uv build`, list the files with their sizes, and
    check the wheel's metadata (name, version, dependencies) can be read and matches
    pyproject.toml. Changes no project file."""
    project = ctx.project
    if "build-system" not in project.package_data:
        members = ", ".join(m.name for m in project.workspace.members) if project.is_workspace \
            and not project.package else ""
        raise ProjectError(f"{project.name} has no [build-system] table, so it cannot be built",
                           hint=f"build a member with --package NAME (members: {members})"
                           if members else "add one (e.g. `uv init --package` shows a working "
                           "setup)")
    if out_dir:
        return _build(ctx, Path(out_dir).resolve())
    # No folder asked for: build, check and report, then remove the files (the report keeps
    # their names and sizes). `--out-dir` keeps them.
    with tempfile.TemporaryDirectory(prefix="uvmgr-build-") as tmp:
        report = _build(ctx, Path(tmp))
    return BuildReport("", [Artifact(Path(a.path).name, a.kind, a.size) for a in report.artifacts],
                       report.metadata, report.problems, report.removed)


# What a build backend leaves in the project (setuptools' build/ and egg-info): removed when
# this build made it, kept when it was there before.
LEFTOVERS = ("build", "*.egg-info", "src/*.egg-info")


def _leftovers(root: Path) -> set[Path]:
    return {p for pattern in LEFTOVERS for p in root.glob(pattern)
            if p.is_dir() and not p.is_symlink()}


def _build(ctx: ToolContext, target: Path) -> BuildReport:
    project = ctx.project
    ctx.progress(Progress("building", project.name))
    before = _leftovers(project.root)
    try:
        result = ctx.runner.uv(["build", *project.uv_package_args(), "--out-dir", str(target)],
                               project.root,
                               timeout=ctx.settings.timeout)
    finally:
        made = sorted(_leftovers(project.root) - before)
        from uvmgr.tools.state_files import remove_tree

        for path in made:
            remove_tree(path)
    removed = [str(p.relative_to(project.root)) for p in made]
    if not result.ok:
        raise OperationFailed(f"uv build failed: {uv_message(result)}",
                              details=result.stderr[-4000:])
    artifacts = []
    for file in sorted(target.iterdir()):
        if file.suffix == ".whl":
            artifacts.append(Artifact(str(file), "wheel", file.stat().st_size))
        elif file.name.endswith(".tar.gz"):
            artifacts.append(Artifact(str(file), "sdist", file.stat().st_size))
    problems: list[str] = []
    metadata = None
    wheels = [a for a in artifacts if a.kind == "wheel"]
    if not wheels:
        problems.append("no wheel was built")
    else:
        metadata = read_wheel_metadata(Path(wheels[0].path))
        from uvmgr.tools.project import normalize_name

        if normalize_name(metadata.name) != normalize_name(project.name):
            problems.append(f"wheel name {metadata.name} differs from project name {project.name}")
        declared = project.package_data["project"].get("version")
        if declared and metadata.version != declared:
            problems.append(f"wheel version {metadata.version} differs from {declared}")
    return BuildReport(str(target), artifacts, metadata, problems, removed)


build_package_targets = Targets("build_package", {"out_dir": location("path")})
