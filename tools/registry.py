"""The tool registry: every tool the CLI and the agent can call, as plain data.

`invoke` is the one way to call a tool: it opens a span with the tool's name and
redacted arguments and records the outcome.
"""

from __future__ import annotations

from uvmgr.tools.context import ToolContext
from uvmgr.tools.spec import ToolSpec

REGISTRY: tuple[ToolSpec, ...] = (
    ToolSpec("uvmgr.tools.deps:list_dependencies", "deps", mutates=False, risk="none"),
    ToolSpec("uvmgr.tools.deps:outdated_packages", "deps", mutates=False, risk="none"),
    ToolSpec("uvmgr.tools.deps:add_dependency", "deps", mutates=True, risk="medium"),
    ToolSpec("uvmgr.tools.deps:remove_dependency", "deps", mutates=True, risk="medium"),
    ToolSpec("uvmgr.tools.deps:upgrade_packages", "deps", mutates=True, risk="medium"),
    ToolSpec("uvmgr.tools.deps:lock_project", "deps", mutates=True, risk="low"),
    ToolSpec("uvmgr.tools.safe_upgrade:upgrade_safely", "deps", mutates=True, risk="medium"),
    ToolSpec("uvmgr.tools.audit:audit_dependencies", "audit", mutates=False, risk="none"),
    ToolSpec("uvmgr.tools.audit:fix_vulnerabilities", "audit", mutates=True, risk="medium"),
    ToolSpec("uvmgr.tools.testing:run_tests", "tests", mutates=False, risk="low"),
    ToolSpec("uvmgr.tools.build:build_package", "build", mutates=False, risk="low"),
    ToolSpec("uvmgr.tools.quality:check_quality", "quality", mutates=False, risk="none"),
    ToolSpec("uvmgr.tools.docs:search_docs", "docs", mutates=False, risk="none"),
    ToolSpec("uvmgr.tools.docs:index_docs", "docs", mutates=False, risk="none"),
)

TOOLS: dict[str, ToolSpec] = {spec.name: spec for spec in REGISTRY}


def invoke(spec: ToolSpec, ctx: ToolContext, **arguments: object) -> object:
    """Call a tool inside a span that records its name, arguments (redacted) and outcome. A
    change that is kept becomes the undo point (`uvmgr undo`)."""
    with ctx.tracer.span(f"tool {spec.name}", tool=spec.name, mutates=spec.mutates,
                         args=arguments) as span:
        if spec.mutates and not arguments.get("dry_run"):
            from uvmgr.tools import undo

            pending = undo.begin(ctx.project)
            try:
                result = spec.func(ctx, **arguments)
            finally:
                # Kept if anything was kept, even when a later step failed; dropped otherwise.
                undo.finish(ctx.project, pending, spec.name)
        else:
            result = spec.func(ctx, **arguments)
        from uvmgr.tools.changes import ChangeSet

        if isinstance(result, ChangeSet):
            span.set("packages_changed",
                     [f"{c.name} {c.before} -> {c.after}" for c in result.changes])
        span.set("outcome", "ok")
        return result
