"""Reading a uv project: `pyproject.toml`, `uv.lock` and the direct dependencies.

Only the standard library on this path: `deps list` must stay fast.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from uvmgr.errors import LockMissing, ProjectError, UsageError

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
    # backend; read from the package's metadata in uv.lock, and never edited by uvmgr
    dynamic: bool = False
    forks: tuple[Fork, ...] = ()  # one per locked version when the lock splits the package
    member: str = ""  # the workspace member declaring it ("": the project, or a workspace root)
    # the index it is locked from when that is not the default one (a private index's name)
    index: str = field(default="", metadata={"json": "omit-empty"})

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
    index: str = ""  # where it is locked from, when not the default index (tools/indexes.py)
    registry: str = ""  # the index URL the lock names for it ("" when not from an index)

    @property
    def versions(self) -> tuple[str, ...]:
        return tuple(f.version for f in self.forks) or (self.version,)

    @property
    def lowest(self) -> str:
        return self.versions[0]


class Project:
    """A uv project on disk, or a uv workspace (tools/workspace.py). Construction validates;
    file reads are explicit.

    In a workspace `root` is the workspace root (its `uv.lock`, its `.uvmgr/`, where uv runs),
    `data` its pyproject.toml, and `package` the member selected (by `--package`, or by starting
    in a member's folder); None at the root means every member.
    """

    def __init__(self, root: Path, package: str | None = None):
        start = root.resolve()
        if not start.is_dir():
            raise ProjectError(f"{root} is not a directory", hint="pass --project DIR")
        if not (start / "pyproject.toml").is_file():
            raise ProjectError(
                f"not a uv project: no pyproject.toml in {start}",
                hint="run uvmgr inside a project, pass --project DIR, or create one with `uv init`",
            )
        from uvmgr.tools.workspace import find_workspace

        self.workspace = find_workspace(start)
        self.root = self.workspace.root if self.workspace else start
        self.pyproject_path = self.root / "pyproject.toml"
        self.lock_path = self.root / "uv.lock"
        self.state_dir = self.root / ".uvmgr"
        # The journals of this process's changes in flight, outermost first (filled by
        # tools/transaction.py): a change inside a run shares the run's lock and records
        # every state it writes in all of them.
        self.open_journals: list = []
        # uv.lock as last parsed: its text and the parse (a big lock takes tens of ms to parse,
        # and one command reads it several times; any change of the text parses it again).
        self._parsed_lock: tuple[tuple[str, bool], dict] | None = None
        self.reload()
        self.package = self._select(package, start)
        if self.workspace is None:
            project = self.data.get("project")
            if not isinstance(project, dict) or "name" not in project:
                raise ProjectError(
                    f"{self.pyproject_path} has no [project] table with a name",
                    hint="uv projects declare [project] name, version and dependencies (see "
                         "`uv init`); a workspace root declares [tool.uv.workspace] members",
                )
        self.name: str = self.package or self._root_name()

    def _root_name(self) -> str:
        project = self.data.get("project")
        if isinstance(project, dict) and "name" in project:
            return str(project["name"])
        return f"workspace {self.root.name}"

    def _select(self, package: str | None, start: Path) -> str | None:
        if self.workspace is None:
            if package:
                raise UsageError(f"--package {package}: {self.root} is not a uv workspace",
                                 hint="--package selects a member of a workspace; drop it here")
            return None
        by_name = {normalize_name(m.name): m for m in self.workspace.members}
        if package:
            member = by_name.get(normalize_name(package))
            if member is None:
                known = ", ".join(sorted(m.name for m in self.workspace.members)) or "none"
                raise UsageError(f"--package {package}: no such member in the workspace at "
                                 f"{self.root}", hint=f"its members: {known}")
            return member.name
        here = next((m for m in self.workspace.members if m.folder == start), None)
        return here.name if here is not None and start != self.root else None

    def reload(self) -> None:
        """Re-read pyproject.toml, and each member's (after uv or a rollback changed them)."""
        from uvmgr.tools.workspace import read_toml

        self.data = read_toml(self.pyproject_path)
        self.member_data = {m.name: read_toml(m.folder / "pyproject.toml")
                            for m in (self.workspace.members if self.workspace else ())}

    # -- workspace ------------------------------------------------------------------------------

    @property
    def is_workspace(self) -> bool:
        return self.workspace is not None

    def selected_members(self) -> list:
        """The members a command works on: the selected one, or every member at the root."""
        if self.workspace is None:
            return []
        members = list(self.workspace.members)
        if self.package:
            return [m for m in members if m.name == self.package]
        return members

    def member_folder(self, member: str) -> Path:
        """The folder of a member by name ("" is the root)."""
        for m in self.workspace.members if self.workspace else ():
            if m.name == member:
                return m.folder
        return self.root

    def pyproject_of(self, member: str) -> Path:
        """The pyproject.toml declaring a member's requirements ("" is the root's)."""
        return self.member_folder(member) / "pyproject.toml"

    @property
    def package_data(self) -> dict:
        """The pyproject.toml of the package a command builds: the selected member's, else
        the root's."""
        return self.member_data[self.package] if self.package else self.data

    def own_dependencies(self) -> list[DirectDependency]:
        """The requirements of the one pyproject.toml `uv add` / `uv remove` edit here: the
        selected member's, else the root's (all of a plain project's)."""
        deps = self.direct_dependencies()
        if self.workspace is None or self.package:
            return deps
        root = "" if self.workspace.virtual else self._root_name()
        return [d for d in deps if d.member == root]

    def members_declaring(self, name: str) -> list[str]:
        """The workspace members (selected or not) whose pyproject.toml declares `name`."""
        if self.workspace is None:
            return []
        return [m.name for m in self.workspace.members
                if any(d.name == name
                       for d in _declared(self.member_data[m.name], m.name, None, None))]

    def tracked_files(self) -> tuple[str, ...]:
        """The files a change may write, relative to the root: pyproject.toml and uv.lock, and
        in a workspace every member's pyproject.toml (one lock, many members)."""
        members = [m.rel for m in self.workspace.members] if self.workspace else []
        return ("pyproject.toml", "uv.lock", *[r for r in members if r != "pyproject.toml"])

    def uv_package_args(self) -> list[str]:
        """uv's own selection flag for the selected member (`uv add/remove/run --package`)."""
        return ["--package", self.package] if self.package else []

    def uv_sync_args(self) -> list[str]:
        """A sync installs every member of a workspace, so each member's tests can run."""
        return ["--all-packages"] if self.workspace else []

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

    def _lock_data(self, files: bool = False) -> dict:
        """uv.lock parsed (read-only: callers share it). The file is read every time; the
        parse is reused while its text is the same. Without `files`, each package's `sdist`
        and `wheels` lines (URLs, hashes, sizes: nine tenths of a big lock) are left out
        before parsing: 113 ms -> 22 ms for pydantic-ai's 1.5 MB lock, on every command."""
        self.require_lock()
        try:
            text = self.lock_path.read_text(encoding="utf-8")
            parsed = self._parsed_lock
            if parsed is not None and parsed[0] == (text, files):
                return parsed[1]
            try:
                data = tomllib.loads(text if files else _without_files(text))
            except tomllib.TOMLDecodeError:  # not as uv writes it: read it all, as it is
                data = tomllib.loads(text)
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ProjectError(
                f"uv.lock cannot be read: {exc}",
                hint="recreate it with `uvmgr deps lock` (runs `uv lock`)",
            ) from exc
        self._parsed_lock = ((text, files), data)
        return data

    def locked_packages(self) -> dict[str, LockedPackage]:
        """Locked packages by normalised name: the highest version, and every fork when the
        lock holds a name at several versions (split by Python version or platform)."""
        data = self._lock_data()
        entries: dict[str, list[dict]] = {}
        for entry in data.get("package", []):
            entries.setdefault(normalize_name(entry.get("name", "")), []).append(entry)
        from uvmgr.tools.lock_entries import own_markers

        names = [m.name for m in self.workspace.members] if self.workspace else [self.name]
        markers = own_markers(data, [normalize_name(n) for n in names])
        from uvmgr.tools.indexes import configured_indexes, index_label

        indexes = configured_indexes(self.data)
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
            registry = (top.get("source") or {}).get("registry", "")
            packages[name] = LockedPackage(name, str(top.get("version", "")), source, forks,
                                           index_label(str(registry), indexes), str(registry))
        return packages

    def locked_upload_times(self) -> dict[str, str]:
        """{name: when its locked release was uploaded} (RFC 3339; the newest fork's, each
        release dated by its first file), for the packages whose index reports upload times
        (find-links folders do not)."""
        out: dict[str, str] = {}
        for entry in self._lock_data(files=True).get("package", []):
            files = [entry.get("sdist") or {}, *(entry.get("wheels") or [])]
            times = [str(f["upload-time"]) for f in files if "upload-time" in f]
            name = normalize_name(entry.get("name", ""))
            if times and (name not in out or min(times) > out[name]):
                out[name] = min(times)
        return out

    @property
    def dynamic_fields(self) -> set[str]:
        """`dynamic = [...]` of the package a command edits (the selected member's, else the
        root's [project]): the fields a build backend fills."""
        from uvmgr.tools.lock_entries import dynamic_fields

        return dynamic_fields(self.package_data)

    def direct_dependencies(self, locked: dict[str, LockedPackage] | None = None,
                            ) -> list[DirectDependency]:
        """Every requirement the project declares, in file order, with its locked version
        (dynamic ones as the lock's metadata lists them). In a workspace: the selected
        member's, or at the root every member's (and the root's own groups), each marked with
        its member."""
        lock = self._lock_data() if self.has_lock() else None
        if self.workspace is None:
            return _declared(self.data, "", locked, lock)
        deps: list[DirectDependency] = []
        members = self.selected_members()
        if self.package is None and self.workspace.virtual:
            deps += _declared(self.data, "", locked, lock)  # a virtual root's own groups
        for member in members:
            data = self.data if member.rel == "pyproject.toml" else self.member_data[member.name]
            deps += _declared(data, member.name, locked, lock)
        return deps


def _declared(data: dict, member: str, locked: dict[str, LockedPackage] | None,
              lock: dict | None) -> list[DirectDependency]:
    """The requirements one pyproject.toml declares, in file order; its dynamic ones from its
    package's entry in the lock (`lock`, None: not read)."""
    from uvmgr.tools.lock_entries import dynamic_requirements

    project = data.get("project", {})
    rows: list[tuple[str, str]] = [(MAIN_GROUP, r) for r in project.get("dependencies", [])]
    for extra, reqs in (project.get("optional-dependencies") or {}).items():
        rows += [(f"extra:{extra}", r) for r in reqs]
    dynamic_rows = dynamic_requirements(data, lock)
    rows += dynamic_rows
    for group, reqs in (data.get("dependency-groups") or {}).items():
        rows += [(group, r) for r in reqs if isinstance(r, str)]
    legacy = data.get("tool", {}).get("uv", {}).get("dev-dependencies") or []
    rows += [("dev", r) for r in legacy]
    deps = []
    for group, req in rows:
        name = requirement_name(req)
        if not name:
            continue
        found = locked.get(name) if locked else None
        deps.append(DirectDependency(name, req, group, found.version if found else None,
                                     (group, req) in dynamic_rows,
                                     found.forks if found else (), member,
                                     found.index if found else ""))
    return deps


_FILE_LINE = re.compile(r"^(?:sdist = \{ .* \}|    \{ (?:url|path|filename) = \".*\" \},?)$",
                        re.MULTILINE)


def _without_files(lock_text: str) -> str:
    """uv.lock without its `sdist = { url = ... }` lines and the `{ url = ..., hash = ... }`
    entries (`path` or `filename` for local files) of its `wheels = [...]` arrays (left
    empty), one line each as uv writes them."""
    return _FILE_LINE.sub("", lock_text)


def version_key(version: str) -> tuple:
    """A sort key for versions without `packaging` (stdlib only on this path): release numbers
    compared as numbers."""
    return tuple(int(p) if p.isdigit() else 0 for p in re.split(r"[.+-]", version))
