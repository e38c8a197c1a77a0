"""Upgrade targets asked of `uv lock` itself, per fork, and the cooldown on every resolution.

A target is never an exact `==` version computed with whatever interpreter was found: that
pin does not survive a lock split by `requires-python` or markers (click 8.1.8 on Python
3.9, 8.3 on 3.10+). uv resolves `--upgrade-package NAME>=LOW,<EDGE` (the level's bound, as a
constraint) for every Python and platform the project supports, and each fork keeps its own
version. A cooldown (`exclude-newer`) bounds the whole resolution, transitive packages too.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from uvmgr.tools.changes import ConstraintEdit
from uvmgr.tools.context import ToolContext
from uvmgr.tools.project import DirectDependency, LockedPackage
from uvmgr.tools.runner import ProcessResult
from uvmgr.tools.uv_errors import raise_for_uv

from uvmgr.errors import UsageError

Moves = dict[str, tuple[tuple[str, ...], tuple[str, ...]]]


def parse_moves(stderr: str) -> Moves:
    """{name: (versions before, versions after)} from `uv lock --dry-run`, whole forks
    included: "Update click v8.1.7 -> v8.1.8, v8.5.1" is ((8.1.7,), (8.1.8, 8.5.1))."""
    from uvmgr.tools.resolve import parse_dry_run

    def whole(forks: tuple[str, ...], version: str | None) -> tuple[str, ...]:
        return forks or ((version,) if version else ())

    return {c.name: (whole(c.versions_before, c.before), whole(c.versions_after, c.after))
            for c in parse_dry_run(stderr, set())}


def highest(versions: tuple[str, ...] | list[str]) -> str | None:
    from packaging.version import InvalidVersion, Version

    def key(v: str):
        try:
            return (1, Version(v))
        except InvalidVersion:
            return (0, Version("0"))

    return max(versions, key=key) if versions else None


def fork_bound(package: LockedPackage, level: str) -> str:
    """The level's bound as a constraint every fork can meet: from the lowest locked version
    up to the level's edge above the highest (`>=1.1.0,<2` for 1.1.0 and 1.2.0 at minor)."""
    from uvmgr.tools.versions import level_bound

    upper = level_bound(package.version, level).partition(",")[2]
    return f">={package.lowest}" + (f",{upper}" if upper else "")


def cooldown_cutoff(days: float) -> str | None:
    """The RFC 3339 instant before which a release must have been uploaded, or None."""
    if days <= 0:
        return None
    when = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=days)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def cooldown_args(ctx: ToolContext, cutoff: str | None) -> list[str]:
    """`--exclude-newer CUTOFF`, unless there is no cooldown or the project sets its own
    `exclude-newer` (uv applies that one to every resolution already). A package already
    locked at a release younger than the cutoff keeps it (uv would otherwise move it back):
    it may have that release, and nothing newer. A package whose index reports no upload
    times (see `undated_packages`) is left out of the cooldown."""
    uv_table = ctx.project.data.get("tool", {}).get("uv", {})
    if not cutoff or (isinstance(uv_table, dict) and "exclude-newer" in uv_table):
        return []
    args = ["--exclude-newer", cutoff, *undated_args(ctx)]
    limit = _instant(cutoff)
    for name, uploaded in sorted(ctx.project.locked_upload_times().items()):
        when = _instant(uploaded)
        if when is not None and limit is not None and when > limit:
            after = when + datetime.timedelta(seconds=1)
            args += ["--exclude-newer-package", f"{name}={after.strftime('%Y-%m-%dT%H:%M:%SZ')}"]
    return args


def undated_packages(ctx: ToolContext) -> list[str]:
    """Packages locked from an index that reports no upload times (pypiserver, devpi, a
    static folder behind a web server: the lock holds no `upload-time` for them). Under a
    cutoff uv would treat every release of theirs as too new, so no upgrade could resolve:
    they cannot be held to a cooldown, and are left out of it (the README says so).

    PyPI reports upload times for every file, so a package locked from PyPI without one was
    written by hand (or by a cloned repository's lock, which is untrusted): it stays in the
    cooldown."""
    dated = ctx.project.locked_upload_times()
    return sorted(name for name, package in ctx.project.locked_packages().items()
                  if package.source == "registry" and name not in dated
                  and not _is_pypi(package.registry))


def _is_pypi(registry: str) -> bool:
    from urllib.parse import urlsplit

    return (urlsplit(registry).hostname or "").lower() in ("pypi.org", "test.pypi.org")


def undated_args(ctx: ToolContext, names: set[str] | None = None) -> list[str]:
    """`--exclude-newer-package NAME=false` for each undated package (of `names`, if given)."""
    return [a for name in undated_packages(ctx) if names is None or name in names
            for a in ("--exclude-newer-package", f"{name}=false")]


def _instant(text: str) -> datetime.datetime | None:
    try:
        return datetime.datetime.fromisoformat(text)
    except ValueError:
        return None


def lock_targets(ctx: ToolContext, bounds: dict[str, str], cutoff: str | None = None,
                 ) -> Moves:
    """What `uv lock --dry-run --upgrade-package NAME<bound>` would move, for the packages in
    `bounds` together (each bound a constraint for every fork; "" for none), under the
    cooldown. Read-only."""
    if not bounds:
        return {}
    args = [a for name, bound in bounds.items() for a in ("--upgrade-package", f"{name}{bound}")]
    result = ctx.runner.uv(["lock", "--dry-run", *args, *cooldown_args(ctx, cutoff)],
                           ctx.project.root, timeout=ctx.settings.timeout)
    raise_for_uv(result, "resolving upgrade targets", set(bounds))
    return parse_moves(result.stderr)


def lock_with_cooldown(ctx: ToolContext, args: list[str], cutoff: str | None) -> ProcessResult:
    """`uv lock ARGS` with the cooldown on the whole resolution. uv writes a command-line
    `--exclude-newer` into the lock's options, where every later `uv lock --check` would
    see it as a change: a plain `uv lock` then drops it again, keeping every version (they
    are the locked preferences)."""
    extra = cooldown_args(ctx, cutoff)
    root, timeout = ctx.project.root, ctx.settings.timeout
    result = ctx.runner.uv(["lock", *args, *extra], root, timeout=timeout)
    if not result.ok or not extra:
        return result
    return ctx.runner.uv(["lock"], root, timeout=timeout)


@dataclass(frozen=True)
class PlannedUpgrade:
    """One direct dependency to upgrade: the bound uv resolves it within, the newest version
    the level allows on the index, and what its requirement in pyproject.toml does about it."""

    dep: DirectDependency
    package: LockedPackage
    bound: str  # `--upgrade-package NAME{bound}`: the level, for every fork
    available: str  # newest within the level on the index, ignoring the requirement
    edit: ConstraintEdit | None = None  # a requirement raised because the request named it
    held: str = ""  # "held by your cap `<1.1.0`: 1.1.0 is available"


def dynamic_refusal(dep: DirectDependency) -> UsageError:
    return UsageError(
        f"{dep.name} is a dynamic dependency (`{dep.requirement}`, read from the lock): the "
        "project declares `dynamic = [\"dependencies\"]`, so its build backend fills them and "
        "uvmgr cannot edit them in pyproject.toml",
        hint="change the requirement where the build backend reads it (see [build-system] "
             "and its settings in pyproject.toml), then run `uvmgr deps lock`")


def plan_upgrades(deps: list[DirectDependency], locked: dict[str, LockedPackage],
                  available: dict[str, str], level: str, named: set[str],
                  ) -> list[PlannedUpgrade]:
    """A deliberate `==` pin or upper cap is rewritten only for a package in `named` (the
    person typed it); any other is kept and the package reported as held by it. A dynamic
    requirement is never rewritten: naming one that needs it is refused."""
    from uvmgr.tools.changes import constraint_edit_for
    from uvmgr.tools.versions import held_by

    plans = []
    for dep in deps:
        package = locked[dep.name]
        target = available.get(dep.name, package.version)
        held = held_by(dep.specifier, target) if dep.specifier else ""
        edit = None
        if held and dep.name in named:
            if dep.dynamic:
                raise dynamic_refusal(dep)
            edit, held = constraint_edit_for(dep, target), ""
        elif held and dep.dynamic:
            held = held.replace("held by your", "held by the dynamic", 1)
        plans.append(PlannedUpgrade(dep, package, fork_bound(package, level), target, edit,
                                    held))
    return plans
