"""The tool registry: every tool the CLI and the agent can call, as plain data.

One `ToolSpec` per tool carries everything about it (see `tools/spec.py`); the CLI's tool
commands, the planners' tool list, `--yes`'s intents and the evals' decisions all come from
here. The order is the order the planners are shown the tools in.

`invoke` is the one way to call a tool: it opens a span with the tool's name and
redacted arguments, records the outcome, and makes a kept change the undo point.
"""

from __future__ import annotations

from uvmgr.tools.spec import Cli, ToolSpec, flag, passthrough

TYPE_CHECKING = False  # not `typing`'s: importing typing costs `uvmgr --help` 2 ms
if TYPE_CHECKING:
    from uvmgr.tools.context import ToolContext

_PACKAGES = flag("packages", nargs="*", metavar="NAME")
_LEVEL = flag("--level", choices=("patch", "minor", "major"), default="minor")
_DB = flag("--db", metavar="PATH",
           help="offline OSV advisory database: a folder of .json/.yaml records or a zip")
_SERVICE = flag("--service-url", metavar="URL", help="an OSV-compatible service")
_SARIF = flag("--sarif", arg=None, action="store_true", help="print SARIF 2.1.0 on stdout")
_OFFLINE = flag("--offline", arg=None, action="store_true",
                help="use the cached advisory database (`uvmgr advisories update`)")
_UPGRADE_HELP = ("upgrade within a level; a deliberate == pin or cap is raised only for the "
                 "packages you name")

REGISTRY: tuple[ToolSpec, ...] = (
    ToolSpec(function="uvmgr.tools.deps:outdated_packages", family="deps", mutates=False,
             targets="uvmgr.tools.deps:outdated_packages_targets",
             cli=Cli("deps outdated", "direct dependencies with newer versions", (_PACKAGES,))),
    ToolSpec(function="uvmgr.tools.deps:list_dependencies", family="deps", mutates=False,
             targets="uvmgr.tools.deps:list_dependencies_targets",
             cli=Cli("deps list", "direct dependencies per group with locked versions")),
    ToolSpec(function="uvmgr.tools.safe_upgrade:upgrade_safely", family="deps", mutates=True,
             targets="uvmgr.tools.safe_upgrade:upgrade_safely_targets", intent="upgrade",
             cli=Cli("deps upgrade", _UPGRADE_HELP, (_PACKAGES, _LEVEL), when=flag(
                 "--safe", arg=None, action="store_true",
                 help="test-gated: bisect failures, keep what passes (honours the cooldown)"))),
    ToolSpec(function="uvmgr.tools.audit:audit_dependencies", family="audit", mutates=False,
             targets="uvmgr.tools.audit:audit_dependencies_targets",
             cli=Cli("audit", "vulnerabilities of the locked dependencies (uv audit, OSV)",
                     (_DB, _SERVICE, _OFFLINE, _SARIF))),
    ToolSpec(function="uvmgr.tools.audit_fix:fix_vulnerabilities", family="audit", mutates=True,
             targets="uvmgr.tools.audit_fix:fix_vulnerabilities_targets", intent="fix",
             cli=Cli("audit", "", (_DB, _SERVICE, _OFFLINE, _SARIF, flag(
                 "--no-tests", arg="run_tests_after", action="store_false",
                 help="with --fix: skip the test run"), flag(
                 "packages", nargs="*", metavar="NAME", help="with --fix: only these packages")),
                 when=flag("--fix", arg=None, action="store_true",
                           help="upgrade each vulnerable package (or only NAME...) to its lowest "
                                "fixed version, then test; fixes that fail the tests are "
                                "bisected and left out"))),
    ToolSpec(function="uvmgr.tools.deps:add_dependency", family="deps", mutates=True,
             targets="uvmgr.tools.deps:add_dependency_targets", intent="add",
             cli=Cli("deps add", "add dependencies (uv add), lock and sync", (
                 flag("specs", nargs="+", metavar="SPEC"),
                 flag("--group", help="dependency group to add to"),
                 flag("--dev", action="store_true", help="add to the dev group")))),
    ToolSpec(function="uvmgr.tools.deps:remove_dependency", family="deps", mutates=True,
             targets="uvmgr.tools.deps:remove_dependency_targets", intent="remove",
             cli=Cli("deps remove", "remove dependencies (uv remove), lock and sync", (
                 flag("names", nargs="+", metavar="NAME"),
                 flag("--group", help="dependency group to remove from"),
                 flag("--dev", action="store_true", help="remove from the dev group")))),
    ToolSpec(function="uvmgr.tools.testing:run_tests", family="tests", mutates=False,
             targets="uvmgr.tools.testing:run_tests_targets",
             cli=Cli("test", "run the tests (uv run pytest) and summarise them",
                     (passthrough("pytest_args"),),
                     description="Arguments after `--` go to pytest.")),
    ToolSpec(function="uvmgr.tools.build:build_package", family="build", mutates=False,
             targets="uvmgr.tools.build:build_package_targets",
             cli=Cli("build", "build sdist and wheel (uv build) and check the wheel", (
                 flag("--out-dir", metavar="DIR",
                      help="where to put the files (default: temp dir)"),))),
    ToolSpec(function="uvmgr.tools.quality:check_quality", family="quality", mutates=False,
             targets="uvmgr.tools.quality:check_quality_targets",
             cli=Cli("check", "format, lint and type checks")),
    ToolSpec(function="uvmgr.tools.deps:lock_project", family="deps", mutates=True,
             targets="uvmgr.tools.deps:lock_project_targets", intent="lock",
             cli=Cli("deps lock", "create or update uv.lock (uv lock) and sync")),
    ToolSpec(function="uvmgr.tools.docs:search_docs", family="docs", mutates=False,
             targets="uvmgr.tools.docs:search_docs_targets",
             cli=Cli("docs search", "ranked passages with citations", (
                 flag("query"),
                 flag("--kind", arg="kinds", action="append",
                      choices=("project", "uv", "packages", "advisories", "packs"),
                      help="limit to a source kind (repeatable)"),
                 flag("-k", type=int, default=5, help="how many passages (default 5)")))),
    # Plain commands only: the planners take the test-gated upgrade_safely instead of the
    # single-shot upgrade, and do not rebuild the index.
    ToolSpec(function="uvmgr.tools.deps:upgrade_packages", family="deps", mutates=True,
             agent=False, targets="uvmgr.tools.deps:upgrade_packages_targets",
             intent="upgrade",
             cli=Cli("deps upgrade", _UPGRADE_HELP, (_PACKAGES, _LEVEL, flag(
                 "--test", arg="run_tests_after", action="store_true",
                 help="run the tests after upgrading; restore everything if they fail")))),
    ToolSpec(function="uvmgr.tools.docs:index_docs", family="docs", mutates=False, agent=False,
             targets="uvmgr.tools.docs:index_docs_targets",
             cli=Cli("index", "build or refresh the docs index (.uvmgr/index)", (
                 flag("--rebuild", action="store_true",
                      help="drop the index and build it again"),))),
)

TOOLS: dict[str, ToolSpec] = {spec.name: spec for spec in REGISTRY}
AGENT_TOOLS: tuple[str, ...] = tuple(spec.name for spec in REGISTRY if spec.agent)


def tools_for_intent(intent: str) -> frozenset[str]:
    """The tools a plain command of this intent may approve under `--yes`."""
    return frozenset(spec.name for spec in REGISTRY if spec.intent == intent)


def invoke(spec: ToolSpec, ctx: ToolContext, **arguments: object) -> object:
    """Call a tool inside a span that records its name, arguments (redacted) and outcome. A
    change that is kept becomes the undo point (`uvmgr undo`). A pack's read-only tool is
    held to its word: pyproject.toml and uv.lock must be byte-identical after it
    (`tools/readonly_guard.py`)."""
    with ctx.tracer.span(f"tool {spec.name}", tool=spec.name, mutates=spec.mutates,
                         args=arguments) as span:
        if spec.mutates and not arguments.get("dry_run"):
            from uvmgr.tools import undo

            pending = undo.begin(ctx.project)
            try:
                result = _call_mutating(spec, ctx, arguments)
            finally:
                # Kept if anything was kept, even when a later step failed; dropped otherwise.
                undo.finish(ctx.project, pending, spec.name)
        elif (pack := ctx.tools.pack_of(spec.name)) is not None:  # read-only, or a dry run
            from uvmgr.tools.readonly_guard import read_only

            with read_only(ctx, spec.name, pack):
                result = spec.func(ctx, **arguments)
        else:
            result = spec.func(ctx, **arguments)
        from uvmgr.tools.changes import ChangeSet

        if isinstance(result, ChangeSet):
            span.set("packages_changed",
                     [f"{c.name} {c.before} -> {c.after}" for c in result.changes])
        span.set("outcome", "ok")
        return result


def _call_mutating(spec: ToolSpec, ctx: ToolContext, arguments: dict) -> object:
    """A built-in mutating tool opens its own transaction; a pack's runs inside one opened
    here, so an error anywhere in it restores both files like any other failed change."""
    pack = ctx.tools.pack_of(spec.name)
    if pack is None:
        return spec.func(ctx, **arguments)
    from uvmgr.tools.transaction import Transaction

    with Transaction(ctx.project, ctx.runner, f"{pack}: {spec.name}") as tx:
        result = spec.func(ctx, **arguments)
        tx.commit()
    ctx.project.reload()
    return result
