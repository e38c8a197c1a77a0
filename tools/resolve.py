"""Asking uv about the project without changing it: is the lock current, which direct
dependencies a request names, the newest versions the indexes offer, and what a
`uv lock --dry-run` would move."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol, TypeVar

from uvmgr.tools.changes import PackageChange
from uvmgr.tools.context import ToolContext
from uvmgr.tools.progress import Progress
from uvmgr.tools.project import DirectDependency, LockedPackage, normalize_name, version_key
from uvmgr.tools.uv_errors import did_you_mean, raise_for_uv

from uvmgr.errors import PackageNotFound, ProjectError


def ensure_lock_current(ctx: ToolContext) -> None:
    """Fail with a clear error when uv.lock is missing or does not match pyproject.toml."""
    project = ctx.project
    project.require_lock()
    result = ctx.runner.uv(["lock", "--check", "--offline"], project.root, timeout=ctx.settings.timeout)
    if "No solution found" in result.stderr:
        # Offline, uv knows only what its cache holds: with a cold cache (a fresh CI runner) a
        # lock that needs re-resolving reads as "no version of X". Ask the index once.
        result = ctx.runner.uv(["lock", "--check"], project.root, timeout=ctx.settings.timeout)
    if result.ok:
        return
    if "needs to be updated" in result.stderr:
        if _behind_only_on_own_versions(ctx):
            return
        raise ProjectError("uv.lock is out of date with pyproject.toml",
                           hint="update it with `uvmgr deps lock` (runs `uv lock`)")
    if "Failed to parse" in result.stderr or "TOML parse error" in result.stderr:
        raise ProjectError(f"uv cannot read the project: {_first_error(result.stderr)}",
                           hint="fix pyproject.toml or recreate uv.lock with `uvmgr deps lock`")
    if "network" in result.stderr.lower() or "offline" in result.stderr.lower():
        return  # --offline could not decide; the lock will be checked by uv when it is used
    raise_for_uv(result, "checking uv.lock")


def _behind_only_on_own_versions(ctx: ToolContext) -> bool:
    """Would relocking change only the project's own version (or a workspace member's)? A
    release commit often bumps `version` without `uv lock` (anthropic-sdk-python): every
    dependency is still locked as declared, so reading the lock is right. Asked offline: what
    uv cannot decide from its cache counts as a real difference."""
    project = ctx.project
    result = ctx.runner.uv(["lock", "--dry-run", "--offline"], project.root,
                           timeout=ctx.settings.timeout)
    moves = parse_dry_run(result.stderr, set()) if result.ok else []
    own = {name for name, p in project.locked_packages().items()
           if p.source in ("editable", "virtual")}
    return bool(moves) and all(m.name in own and m.before and m.after for m in moves)


def _first_error(stderr: str) -> str:
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    return next((ln for ln in lines if ln.startswith("error")), lines[0] if lines else "")


def registry_dependencies(ctx: ToolContext, names: list[str] | None,
                          ) -> tuple[list[DirectDependency], dict[str, LockedPackage]]:
    """The direct dependencies locked from a registry (all, or those `names` asks for: an
    unknown name is an error with a did-you-mean), and the whole lock."""
    locked = ctx.project.locked_packages()
    deps = [d for d in ctx.project.direct_dependencies(locked)
            if d.locked and locked[d.name].source == "registry"]
    if names:
        wanted = [normalize_name(n) for n in names]
        known = {d.name for d in ctx.project.direct_dependencies(locked)}
        for name in wanted:
            if name not in known:
                elsewhere = ctx.project.members_declaring(name)
                raise PackageNotFound(f"{name} is not a direct dependency of {ctx.project.name}",
                                      hint=(f"workspace member {elsewhere[0]} declares it: pass "
                                            f"--package {elsewhere[0]}, or run at the workspace "
                                            "root" if elsewhere else did_you_mean(name, known))
                                      or "see `uvmgr deps list` for the project's dependencies")
        deps = [d for d in deps if d.name in wanted]
    return deps, locked


class _Named(Protocol):
    @property
    def name(self) -> str: ...


Named = TypeVar("Named", bound=_Named)


def unique_by_name(rows: Iterable[Named]) -> list[Named]:
    """The first row of each name, in order (a package can be declared in several groups)."""
    seen: dict[str, Named] = {}
    for row in rows:
        seen.setdefault(row.name, row)
    return list(seen.values())


def resolve_latest(ctx: ToolContext, requirements: dict[str, str],
                   exclude_newer: str | None = None) -> dict[str, str]:
    """{name: newest version satisfying its requirement} as uv sees the project's indexes
    (find-links, index URLs, exclude-newer), each package resolved on its own, for every
    Python the project supports (`--universal` from its `requires-python` floor, with each
    requirement's marker: a release that needs a newer Python than the one uv found still
    counts); the highest of the forks. `exclude_newer` (an RFC 3339 date) applies a cooldown:
    releases uploaded after it are ignored.

    A requirement with no release for part of the range (`sphinx>=9.1.0` needs Python 3.12 in
    a project that supports 3.10) is looked up from the lowest Python it names on, and
    reported through `ctx.progress`; it fails the lookup only when no supported Python has a
    release for it."""
    if not requirements:
        return {}
    markers = {d.name: d.requirement.partition(";")[2].strip()
               for d in ctx.project.direct_dependencies()}
    lines = {normalize_name(name): (f"{name}{spec}", markers.get(normalize_name(name), ""))
             for name, spec in requirements.items()}
    import tempfile

    from uvmgr.tools.results import plural
    from uvmgr.tools.upgrade_targets import highest

    ctx.progress(Progress("resolving", f"newest versions of {plural(len(requirements), 'package')}"))
    with tempfile.TemporaryDirectory(prefix="uvmgr-req-") as tmp:
        lookup = _Lookup(ctx, Path(tmp), exclude_newer)
        found = lookup.group(lines)
    return {name: highest(versions) or versions[-1] for name, versions in found.items()}


Line = tuple[str, str]  # (requirement, its marker or "")
_NEEDS_PYTHON = re.compile(r"\bPython>=\s*(\d+(?:\.\d+)+)")


class _Lookup:
    """One `resolve_latest` call's `uv pip compile` runs, in one scratch folder."""

    def __init__(self, ctx: ToolContext, folder: Path, exclude_newer: str | None):
        self.ctx, self.folder, self.exclude_newer = ctx, folder, exclude_newer
        self.floor = _python_floor(ctx)

    def group(self, lines: dict[str, Line]) -> dict[str, list[str]]:
        """Every forks' versions of `lines`, resolved together; when that has no solution,
        the packages uv's explanation names each on its own and the rest together again."""
        result = self.compile(lines, universal=True)
        if result.ok or "No solution found" not in result.stderr:
            raise_for_uv(result, "looking up versions", set(lines))
            return _pins(result.stdout)
        if len(lines) == 1:
            [(name, line)] = lines.items()
            return self.alone(name, line, result.stderr, own=True)
        # `--no-deps`: requirements cannot clash with each other, so a package uv's
        # explanation names has no solution on its own either
        named = sorted(n for n in lines if _mentions(result.stderr, n, lines[n][0]))
        if not named:
            named = sorted(lines)
        rest = {n: line for n, line in lines.items() if n not in named}
        # one after another: a few calls of ~0.1 s each, and uv runs started at the same
        # moment from threads were seen to stall 5 s (pallets/click: 5.4 s, not 0.8 s)
        found = self.group(rest) if rest else {}
        for name in named:
            found.update(self.alone(name, lines[name], result.stderr))
        return found

    def alone(self, name: str, line: Line, stderr: str, own: bool = False,
              ) -> dict[str, list[str]]:
        """One requirement with no solution for every supported Python: looked up from each
        Python floor uv's explanation names (`depends on Python>=3.12`), lowest first, and
        the first that resolves reported; else for the Python uv finds, as uv pip would.
        `own`: `stderr` explains this requirement alone (else it is asked for once)."""
        found = self.above_floor(name, line, stderr)
        if found is None and not own:
            result = self.compile({name: line}, universal=True)
            if result.ok:
                return _pins(result.stdout)
            found = self.above_floor(name, line, result.stderr)
        if found is not None:
            return found
        result = self.compile({name: line}, universal=False)
        raise_for_uv(result, "looking up versions", {name})
        return _pins(result.stdout)

    def above_floor(self, name: str, line: Line, stderr: str) -> dict[str, list[str]] | None:
        from packaging.version import Version

        requirement, marker = line
        floors = sorted({m.group(1) for m in _NEEDS_PYTHON.finditer(stderr)}, key=Version)
        for floor in floors:
            if self.floor and Version(floor) <= Version(self.floor):
                continue
            above = f"python_full_version >= '{floor}'"
            result = self.compile({name: (requirement, f"({marker}) and {above}" if marker
                                          else above)}, universal=True)
            if result.ok:
                self.ctx.progress(Progress("resolving", f"{requirement}: no release for "
                                           f"Python <{floor}; the newest from {floor} on"))
                return _pins(result.stdout)
        return None

    def compile(self, lines: dict[str, Line], *, universal: bool):
        text = [req + (f" ; {marker}" if marker else "") for req, marker in lines.values()]
        import tempfile

        folder = Path(tempfile.mkdtemp(dir=self.folder))  # one folder per call
        req_file = _requirements_file(self.ctx, folder, text, set(lines))
        args = ["pip", "compile", "--no-deps", "--no-header", "--quiet", "--no-annotate",
                str(req_file)]
        if self.exclude_newer:
            from uvmgr.tools.upgrade_targets import undated_args

            args += ["--exclude-newer", self.exclude_newer, *undated_args(self.ctx, set(lines))]
        if universal:
            args.append("--universal")
            if self.floor:
                # the floor names no interpreter to find (uv would look for one, or download
                # it): any interpreter reads the markers, so give it one
                import sys

                venv = self.ctx.project.root / ".venv" / "bin" / "python"
                args += ["--python-version", self.floor,
                         "--python", str(venv if venv.is_file() else sys.executable)]
        return self.ctx.runner.uv(args, self.ctx.project.root, timeout=self.ctx.settings.timeout)


def _python_floor(ctx: ToolContext) -> str | None:
    floor = re.search(r">=\s*(\d+\.\d+)",
                      str(ctx.project.data.get("project", {}).get("requires-python", "")))
    return floor.group(1) if floor else None


def _mentions(stderr: str, name: str, requirement: str) -> bool:
    """Whether uv's explanation names the package (as normalized, or as the request spelt it)."""
    spelt = re.match(r"[A-Za-z0-9._-]+", requirement)
    words = {name, spelt.group(0) if spelt else name}
    return any(re.search(rf"(?<![A-Za-z0-9._-]){re.escape(w)}(?![A-Za-z0-9_-])", stderr,
                         re.IGNORECASE) for w in words)


def _pins(stdout: str) -> dict[str, list[str]]:
    """{name: [versions]} from `uv pip compile` output, one line per fork."""
    found: dict[str, list[str]] = {}
    for line in stdout.splitlines():
        match = re.match(r"^([A-Za-z0-9._-]+)==([^\s;]+)", line.strip())
        if match:
            found.setdefault(normalize_name(match.group(1)), []).append(match.group(2))
    return found


def _requirements_file(ctx: ToolContext, folder: Path, lines: list[str], names: set[str],
                       ) -> Path:
    """The requirements to look up, as a file `uv pip compile` reads. A package pinned to a
    named index in `[tool.uv.sources]` (a private package, or a private build shadowing a
    public name) must be looked up on that index only, as `uv lock` does, never on the
    default one: those requirements go into a small pyproject.toml that carries the pins and
    the project's `[[tool.uv.index]]` entries under their own names (so uv finds their
    credentials, `UV_INDEX_<NAME>_USERNAME` / `_PASSWORD`, as it does for the project)."""
    from uvmgr.tools.indexes import index_tables, pinned_sources

    project = ctx.project
    tables = [project.data, *project.member_data.values()]
    pinned: dict[str, object] = {}
    for table in tables:
        pinned.update(pinned_sources(table, names))
    if not pinned:
        path = folder / "requirements.in"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path
    import tomlkit

    indexes = [entry for table in tables for entry in index_tables(table, project.root)]
    document = {"project": {"name": "uvmgr-lookup", "version": "0", "dependencies": lines},
                "tool": {"uv": {"sources": pinned, "index": indexes}}}
    path = folder / "pyproject.toml"
    path.write_text(tomlkit.dumps(document), encoding="utf-8")
    return path


def in_parallel(*calls):
    """Run independent read-only uv queries at once, one thread each (spans keep their
    parent); their results in order, once all have finished, or the first error in order.
    Plain threads: `concurrent.futures` would import `logging`, a few ms of every start."""
    import contextvars
    import threading

    results: list = [None] * len(calls)
    errors: list[BaseException | None] = [None] * len(calls)

    def run(i: int, context: contextvars.Context) -> None:
        try:
            results[i] = context.run(calls[i])
        except BaseException as exc:  # noqa: BLE001 - raised on the caller's thread below
            errors[i] = exc

    threads = [threading.Thread(target=run, args=(i, contextvars.copy_context()),
                                name=f"uvmgr-query-{i}") for i in range(len(calls))]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            thread.join()
    finally:  # interrupted (Ctrl+C): each query still ends before this returns, as its uv does
        for thread in threads:
            thread.join()
    for error in errors:
        if error is not None:
            raise error
    return results


_DRY_LINE = re.compile(r"(Update|Add|Remove)\s+(\S+)\s+(.*)")


def _versions(text: str) -> tuple[str, ...]:
    """`v1.0.1, v1.5.0` -> ("1.0.1", "1.5.0"): every version uv prints, lowest first (the
    first word of each comma-separated part, so a trailing note is not read as a version)."""
    words = (part.split()[0].removeprefix("v") for part in text.split(",") if part.split())
    return tuple(sorted(set(words), key=version_key))


def parse_dry_run(stderr: str, direct: set[str]) -> list[PackageChange]:
    """The changes `uv lock --dry-run` reports: `Update demo-http v1.0.3 -> v1.2.0`, and for a
    package locked at several versions (a fork) `Update click v8.1.7 -> v8.1.8, v8.5.1`."""
    changes = []
    for line in stderr.splitlines():
        match = _DRY_LINE.fullmatch(line.strip())
        if not match:
            continue
        verb, name, rest = match.groups()
        first, _, second = rest.partition(" -> ")
        name = normalize_name(name)
        old, new = _versions(first), _versions(second)
        if verb == "Add":
            old, new = (), old
        elif verb == "Remove":
            new = ()
        changes.append(PackageChange(
            name, old[-1] if old else None, new[-1] if new else None, name in direct,
            versions_before=old if len(old) > 1 else (), versions_after=new if len(new) > 1 else ()))
    return changes
