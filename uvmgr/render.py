"""Rendering tool results for people (rich) or machines (`--json`, SARIF).

With `--json`, stdout carries exactly one JSON document and nothing else.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from typing import Any

from uvmgr.errors import EXIT_FAILED, EXIT_OK, UvmgrError


def to_jsonable(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out = {f.name: to_jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
        for prop in ("ok", "changed", "vulnerable", "kind", "remaining", "specifier", "citation"):
            if isinstance(getattr(type(obj), prop, None), property):
                out[prop] = to_jsonable(getattr(obj, prop))
        return out
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(x) for x in obj]
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    return obj


def print_json(payload: Any, notices: tuple[str, ...] | list[str] = ()) -> None:
    """One JSON document on stdout, its text redacted. `notices` go inside it as "notices"
    when it is an object; a list document leaves them to stderr."""
    from uvmgr.telemetry import redact

    data = to_jsonable(payload)
    if notices and isinstance(data, dict):
        data = {**data, "notices": list(notices)}
    elif notices:
        for notice in notices:
            print(f"uvmgr: {notice}", file=sys.stderr)
    data = redact(data, by_key=False)
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=False) + "\n")


def exit_code(tool: str, result: Any) -> int:
    """Non-zero when the operation ran but its outcome is a failure."""
    if tool == "audit_dependencies":
        return EXIT_FAILED if result.findings else EXIT_OK
    if tool == "fix_vulnerabilities":
        if result.change is not None and result.change.dry_run:
            return EXIT_FAILED if result.skipped else EXIT_OK  # the plan would fix everything
        return EXIT_FAILED if result.remaining or result.skipped else EXIT_OK
    if tool in ("run_tests", "build_package", "check_quality"):
        return EXIT_OK if result.ok else EXIT_FAILED
    return EXIT_OK


def _console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=False)


def error(exc: UvmgrError, as_json: bool, result: Any = None) -> None:
    if as_json:
        payload = exc.to_dict()
        if result is not None:
            payload["result"] = to_jsonable(result)
        print_json(payload)
        return
    from uvmgr.telemetry import redact_text

    lines = [f"uvmgr: error: {exc.message}"]
    if exc.hint:
        lines.append(f"  hint: {exc.hint}")
    print(redact_text("\n".join(lines)), file=sys.stderr)


def show(tool: str, result: Any, args: Any, notices: tuple[str, ...] = ()) -> None:
    if getattr(args, "sarif", False) and tool in ("audit_dependencies", "fix_vulnerabilities"):
        from uvmgr.sarif import audit_sarif

        report = result if tool == "audit_dependencies" else (result.after or result.before)
        print_json(audit_sarif(report.findings))
        return
    if args.json:
        print_json(result, notices)
        return
    renderer = _RENDERERS.get(tool)
    renderer(result)


def _deps(result: Any) -> None:
    from rich.table import Table

    console = _console()
    table = Table(title=f"{result.project}: direct dependencies", title_justify="left")
    groups = by_member(result.dependencies)
    members = len(groups) > 1
    for col in (("member",) if members else ()) + ("group", "package", "requirement", "locked"):
        table.add_column(col)
    for member, deps in groups.items():
        for dep in deps:
            table.add_row(*((member or "(root)",) if members else ()), dep.group, dep.name,
                          dep.requirement, dep.locked or "-")
        table.add_section()
    console.print(table)


def by_member(rows: list) -> dict[str, list]:
    """Rows grouped by the workspace member that declares them, in first-seen order (one
    group, "", outside a workspace)."""
    groups: dict[str, list] = {}
    for row in rows:
        groups.setdefault(getattr(row, "member", ""), []).append(row)
    return groups


def _outdated(rows: list) -> None:
    from rich.table import Table

    console = _console()
    if not rows:
        console.print("All direct dependencies are up to date.")
        return
    table = Table(title="outdated direct dependencies", title_justify="left")
    groups = by_member(rows)
    members = len(groups) > 1
    for col in (("member",) if members else ()) + ("package", "group", "current", "compatible",
                                                   "latest", "delta"):
        table.add_column(col)
    colors = {"patch": "green", "minor": "yellow", "major": "red"}
    for member, group in groups.items():
        for row in group:
            compatible = row.latest_compatible if row.latest_compatible != row.current else "-"
            table.add_row(*((member or "(root)",) if members else ()), row.name, row.group,
                          row.current, compatible, row.latest,
                          f"[{colors.get(row.delta, 'white')}]{row.delta}[/]")
        table.add_section()
    console.print(table)


def edit_text(edit: Any) -> str:
    if not edit.before:
        return f"add '{edit.after}'"
    if not edit.after:
        return f"remove '{edit.before}'"
    return f"'{edit.before}' -> '{edit.after}'"


def show_change(result: Any) -> None:
    """What a mutating tool changed, would change, or changed and then restored."""
    _change(result)


def _change(result: Any) -> None:
    from rich.markup import escape

    console = _console()
    verb = "would change" if result.dry_run else "changed"
    operation = getattr(result, "operation", "upgrade safely")
    if not result.changed:
        console.print(f"{operation}: nothing to change.")
    else:
        console.print(f"[bold]{operation}[/] {verb}:")
    for edit in result.constraint_edits:
        where = f"{edit.member}: " if getattr(edit, "member", "") else ""
        console.print(escape(f"  {where}pyproject.toml [{edit.group}]: {edit_text(edit)}"))
    for c in result.changes:
        marker = "" if c.direct else " (transitive)"
        console.print(f"  {c.name}: {c.before or '(new)'} -> {c.after or '(removed)'}{marker}")
    if result.up_to_date:
        console.print(f"  up to date within the level: {', '.join(result.up_to_date)}")
    for row in getattr(result, "held_back", []):
        if hasattr(row, "reason"):  # upgrade_safely: held back because it broke something
            tests = f" ({', '.join(row.failing_tests[:3])})" if row.failing_tests else ""
            console.print(escape(f"  held back: {row.name} {row.current} -> {row.wanted}: "
                                 f"{row.reason}{tests}"))
        else:
            console.print(f"  held back: {row.name} {row.latest} is available ({row.delta} "
                          f"jump, beyond this level)")
    for row in getattr(result, "majors_available", []):
        console.print(f"  available, not applied: {row.name} {row.latest} ({row.delta})")
    if result.tests is not None:
        console.print(f"  tests: {result.tests.summary()}")
    if result.dry_run and result.changed:
        console.print("[dim]dry run: no file was changed[/]")


def _audit(report: Any) -> None:
    console = _console()
    if not report.findings:
        console.print(f"No known vulnerabilities in {report.audited_packages} locked packages "
                      f"(advisories: {report.source}).")
        return
    from rich.markup import escape

    console.print(f"[bold]{len(report.findings)} vulnerabilities[/] in "
                  f"{report.audited_packages} locked packages (advisories: {report.source})")
    width = max(40, console.width - 6)
    for f in report.findings:
        ident = f.id + (f" ({', '.join(f.aliases[:2])})" if f.aliases else "")
        fixed = f"fixed in {', '.join(f.fix_versions)}" if f.fix_versions else "no fix yet"
        members = f"  (in {', '.join(f.members)})" if getattr(f, "members", None) else ""
        console.print(f"  [red]{escape(f.package)} {escape(f.version)}[/]  {escape(ident)}  "
                      f"[green]{escape(fixed)}[/]{escape(members)}")
        summary = f.summary if len(f.summary) <= width else f.summary[: width - 1] + "…"
        console.print(f"      [dim]{escape(summary)}[/]")
    console.print("Fix them with `uvmgr audit --fix` (tests run before anything is kept).")


def _fix(result: Any) -> None:
    console = _console()
    console.print(f"found {len(result.before.findings)} vulnerabilities")
    if result.change is not None:
        _change(result.change)
    for skip in result.skipped:
        console.print(f"  not fixed: {skip.package} {skip.version} ({', '.join(skip.ids)}): "
                      f"{skip.reason}")
    if result.after is not None:
        left = len(result.after.findings)
        console.print("all fixed" if not left else f"{left} vulnerabilities remain")


def _tests(report: Any) -> None:
    console = _console()
    style = "green" if report.ok else "red"
    console.print(f"[{style}]{report.summary()}[/] in {report.duration:.1f}s ({report.command})")
    for failure in report.failures:
        console.print(f"  {failure.kind.upper()} {failure.id}: {failure.message}")


def _build(report: Any) -> None:
    console = _console()
    for a in report.artifacts:
        console.print(f"  {a.kind:5} {a.path} ({a.size:,} bytes)")
    if report.metadata:
        m = report.metadata
        console.print(f"  wheel metadata: {m.name} {m.version}, requires "
                      f"{', '.join(m.requires_dist) or 'nothing'}")
    for problem in report.problems:
        console.print(f"  [red]problem:[/] {problem}")


def _quality(report: Any) -> None:
    console = _console()
    for run in report.runs:
        state = "ok" if run.ok else ("unavailable: " + run.note if not run.available else "failed")
        console.print(f"  {run.check:7} {state}  ({run.command})")
    for f in report.findings:
        where = f"{f.file}:{f.line}" if f.line else f.file
        console.print(f"  {where}: [{f.check}] {f.code} {f.message}")


def _docs(result: Any) -> None:
    from rich.markup import escape

    console = _console()
    if not result.hits:
        console.print(f"No passage matches {result.query!r}. (`uvmgr index` refreshes the index.)")
    for hit in result.hits:
        console.print(f"[bold]{hit.rank}. {escape(hit.citation)}[/]  [dim]({hit.kind})[/]")
        body = hit.text.strip()
        console.print(escape(body if len(body) <= 600 else body[:600] + " …"), highlight=False)
        console.print()


def _index(report: Any) -> None:
    console = _console()
    if report.rebuilt_because:
        console.print(f"[yellow]rebuilt the index: {report.rebuilt_because}[/]")
    console.print(f"docs index {report.path}: {report.documents} documents, {report.chunks} "
                  f"chunks ({report.embedded} embedded, {report.unchanged} unchanged, "
                  f"{report.removed} removed) in {report.seconds:.1f}s, "
                  f"{report.size_bytes / 1e6:.1f} MB, embedding {report.embedding}")
    if report.skipped_binary_or_huge:
        console.print(f"skipped {report.skipped_binary_or_huge} binary or huge files")
    if report.left_out:
        console.print(f"[yellow]left out {report.left_out} documents: {report.cap_note}[/]")
    for line in report.unreadable:
        console.print(f"[yellow]unreadable, skipped: {line}[/]")


_RENDERERS = {
    "list_dependencies": _deps,
    "outdated_packages": _outdated,
    "add_dependency": _change,
    "remove_dependency": _change,
    "upgrade_packages": _change,
    "lock_project": _change,
    "upgrade_safely": _change,
    "audit_dependencies": _audit,
    "fix_vulnerabilities": _fix,
    "run_tests": _tests,
    "build_package": _build,
    "check_quality": _quality,
    "search_docs": _docs,
    "index_docs": _index,
}


def traces(runs: list[dict], as_json: bool) -> None:
    if as_json:
        print_json(runs)
        return
    console = _console()
    if not runs:
        console.print("No runs recorded yet (traces live in .uvmgr/traces/).")
        return
    from rich.markup import escape
    from rich.tree import Tree

    def label(span: dict) -> str:
        # The trace file may be planted: its text is shown, never read as markup.
        attrs = span.get("attributes", {})
        mark = "[red]✗[/]" if span.get("status") == "error" else "[green]✓[/]"
        text = attrs.get("command") if span["name"] == "process" else span["name"]
        extra = f" exit {attrs['exit_code']}" if "exit_code" in attrs else ""
        return f"{mark} {escape(str(text))} [dim]{span['duration_ms']:.0f} ms{escape(extra)}[/]"

    def grow(node: Tree, span: dict) -> None:
        for child in span["children"]:
            grow(node.add(label(child)), child)

    for run in runs:
        tree = Tree(label(run) + f" [dim]trace {escape(run['trace_id'][:12])}[/]")
        grow(tree, run)
        console.print(tree)


def agent_summary(summary: Any, as_json: bool, trace_id: str,
                  notices: tuple[str, ...] = ()) -> None:
    """The end of `uvmgr ask`: the answer for a person, or the whole run as JSON."""
    if as_json:
        payload = to_jsonable(summary)
        payload.update({"models_used": summary.models_used, "tokens": summary.tokens,
                        "cost_usd": summary.cost, "trace_id": trace_id})
        print_json(payload, notices)
        return
    from uvmgr.agent.offline import OFFLINE_MODEL

    console = _console()
    console.print()
    if summary.models_used in ([], [OFFLINE_MODEL]):
        from rich.text import Text  # the offline planner writes plain text: no Markdown to load

        console.print(Text(summary.answer))
    else:
        from rich.markdown import Markdown  # a model's answer (markdown-it, pygments: ~0.1 s)

        console.print(Markdown(summary.answer.replace("\n", "  \n")))
    used = ", ".join(summary.models_used) or "none"
    console.print(f"[dim]{len(summary.steps)} steps, {summary.duration:.1f}s, model: {used}, "
                  f"{summary.tokens} tokens, ${summary.cost:.4f}, trace {trace_id[:12]}[/]")
