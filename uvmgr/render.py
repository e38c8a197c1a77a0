"""Rendering tool results for people (rich) or machines (`--json`, SARIF).

With `--json`, stdout carries exactly one JSON document and nothing else.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import sys
from collections.abc import Callable
from typing import Any

from uvmgr.errors import UvmgrError


def to_jsonable(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out = {f.name: to_jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)
               if getattr(obj, f.name) or f.metadata.get("json") != "omit-empty"}
        omit = getattr(type(obj), "json_omit", ())
        for prop in ("ok", "changed", "vulnerable", "kind", "remaining", "specifier", "citation"):
            if isinstance(getattr(type(obj), prop, None), property) and prop not in omit:
                out[prop] = to_jsonable(getattr(obj, prop))
        return out
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(x) for x in obj]
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    return obj


def neutral(text: str) -> str:
    from uvmgr.terminal_text import neutral as shown_as_text

    return shown_as_text(text)


def print_json(payload: Any, notices: tuple[str, ...] | list[str] = ()) -> None:
    """One JSON document on stdout, its text redacted. `notices` go inside it as "notices"
    when it is an object; a list document leaves them to stderr."""
    from uvmgr.telemetry import redact

    data = to_jsonable(payload)
    if notices and isinstance(data, dict):
        data = {**data, "notices": list(notices)}
    elif notices:
        for notice in notices:
            print(f"uvmgr: {neutral(notice)}", file=sys.stderr)
    data = redact(data, by_key=False)
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=False) + "\n")


def rich_console(stderr: bool = False):
    """A rich console for uvmgr's output, showing untrusted text as text
    (`terminal_text.safe_console`). rich's own answer to a reader that left (`| head`) is
    `SystemExit(1)`; this one raises BrokenPipeError, which the CLI's one boundary
    (`cli.main`) ends quietly with its documented exit code."""
    from uvmgr.terminal_text import safe_console

    out = safe_console(stderr=stderr, highlight=False, soft_wrap=False)
    out.on_broken_pipe = _reader_gone  # rich's documented hook
    return out


def _reader_gone() -> None:
    import errno

    raise BrokenPipeError(errno.EPIPE, "the reader of uvmgr's output went away")


def error(exc: UvmgrError, as_json: bool, result: Any = None) -> None:
    if as_json:
        payload = exc.to_dict()
        if result is not None:
            payload["result"] = to_jsonable(result)
        print_json(payload)
        return
    from uvmgr.telemetry import redact_text

    lines = [f"uvmgr: error: {exc.message}"]
    if exc.explanation:  # uv's own words, line for line
        lines.append("  uv says:")
        lines += [f"    {line}".rstrip() for line in exc.explanation.splitlines()]
    if exc.hint:
        lines.append(f"  hint: {exc.hint}")
    print(neutral(redact_text("\n".join(lines))), file=sys.stderr)


def show(result: Any, args: Any, notices: tuple[str, ...] = ()) -> None:
    """A tool's result as the command asked for it: SARIF, JSON or text for a person."""
    if getattr(args, "sarif", False):
        from uvmgr.tools.audit import AuditReport
        from uvmgr.tools.audit_fix import FixResult

        if isinstance(result, (AuditReport, FixResult)):
            from uvmgr.sarif import audit_sarif

            report = result.after or result.before if isinstance(result, FixResult) else result
            print_json(audit_sarif(report.findings))
            return
    if args.json:
        print_json(result, notices)
        return
    if getattr(args, "markdown", False) and callable(getattr(result, "markdown", None)):
        print(neutral(result.markdown()), end="")
        return
    _renderer()(result)


def _renderer() -> Callable[[Any], None]:
    """Drawing a result for a person, by its type; a type with no renderer here (a new
    tool's) prints its summary. Only the types of the tool modules already loaded are
    registered: a result's own module is loaded by the time the result exists, so drawing
    `deps list` imports no audit, docs or build module."""
    renderers = (("uvmgr.tools.deps", "DependencyList", _deps),
                 ("uvmgr.tools.changes", "OutdatedList", _outdated),
                 ("uvmgr.tools.changes", "ChangeResult", _change),
                 ("uvmgr.tools.changes", "SafeUpgradeResult", _change),
                 ("uvmgr.tools.audit", "AuditReport", _audit),
                 ("uvmgr.tools.audit_fix", "FixResult", _fix),
                 ("uvmgr.tools.testing", "TestReport", _tests),
                 ("uvmgr.tools.build", "BuildReport", _build),
                 ("uvmgr.tools.quality", "QualityReport", _quality),
                 ("uvmgr.tools.docs", "DocSearchResult", _docs),
                 ("uvmgr.tools.docs_index", "IndexReport", _index))
    draw = functools.singledispatch(_summary)
    for module_name, type_name, renderer in renderers:
        module = sys.modules.get(module_name)
        if module is not None:
            draw.register(getattr(module, type_name), renderer)
    return draw


def show_result(result: Any) -> None:
    """A result for a person (a change that was rolled back, the lock made before a command)."""
    _renderer()(result)


def _summary(result: Any) -> None:
    from rich.text import Text

    from uvmgr.tools.results import summarize

    rich_console().print(Text(summarize(result)))


def _cells(*texts: str):
    """Table cells shown as written: `fastapi[standard]` keeps its extra (a cell given as a
    string would be read as Rich markup, and `[standard]` taken for a style)."""
    from rich.text import Text

    return [Text(t) for t in texts]


def _deps(result: Any) -> None:
    from rich.markup import escape
    from rich.table import Table

    console = rich_console()
    table = Table(title=f"{escape(result.project)}: direct dependencies", title_justify="left")
    groups = by_member(result.dependencies)
    members = len(groups) > 1
    indexes = any(dep.index for dep in result.dependencies)  # a private index: say which
    for col in (("member",) if members else ()) + ("group", "package", "requirement", "locked") \
            + (("index",) if indexes else ()):
        table.add_column(col)
    for member, deps in groups.items():
        for dep in deps:
            locked = "\n".join(f"{f.version} ({_readable_marker(f.marker)})"
                               for f in dep.forks) or dep.locked or "-"
            requirement = dep.requirement + ("\ndynamic (read from the lock)" if dep.dynamic
                                             else "")
            table.add_row(*_cells(*((member or "(root)",) if members else ()), dep.group,
                                  dep.name, requirement, locked,
                                  *((dep.index or "default",) if indexes else ())))
        table.add_section()
    console.print(table)


def _readable_marker(marker: str) -> str:
    """`python_full_version < '3.11'` -> `Python < 3.11`, for a person reading a table."""
    import re

    return re.sub(r"python_(full_)?version\s*", "Python ", marker).replace("'", "")


def by_member(rows: Any) -> dict[str, list]:
    """Rows grouped by the workspace member that declares them, in first-seen order (one
    group, "", outside a workspace)."""
    groups: dict[str, list] = {}
    for row in rows:
        groups.setdefault(getattr(row, "member", ""), []).append(row)
    return groups


def _outdated(rows: Any) -> None:
    from rich.table import Table

    console = rich_console()
    if not rows:
        console.print(rows.summary())
        return
    table = Table(title="outdated direct dependencies", title_justify="left")
    groups = by_member(rows)
    members = len(groups) > 1
    indexes = any(row.index for row in rows)
    for col in (("member",) if members else ()) + ("package", "group", "current", "compatible",
                                                   "latest", "delta") \
            + (("index",) if indexes else ()):
        table.add_column(col)
    colors = {"patch": "green", "minor": "yellow", "major": "red"}
    for member, group in groups.items():
        for row in group:
            compatible = (", ".join(row.compatible_versions) or row.latest_compatible
                          if row.compatible_versions != row.locked_versions else "-")
            current = ", ".join(row.locked_versions) or row.current
            table.add_row(*_cells(*((member or "(root)",) if members else ()), row.name,
                                  row.group, current, compatible, row.latest),
                          f"[{colors.get(row.delta, 'white')}]{row.delta}[/]",
                          *_cells(*((row.index or "default",) if indexes else ())))
        table.add_section()
    console.print(table)


def _change(result: Any) -> None:
    """What a mutating tool changed, would change, or changed and then restored: the words
    the agent reads, its first line in bold."""
    from rich.text import Text

    console = rich_console()
    for number, line in enumerate(result.summary().splitlines()):
        console.print(Text(line, style="bold" if number == 0 and result.changed else ""))
    if result.dry_run and result.changed:
        console.print("[dim]dry run: no file was changed[/]")


def _audit(report: Any) -> None:
    from rich.markup import escape

    from uvmgr.tools.results import plural

    console = rich_console()
    if report.source_note:
        console.print(f"[dim]advisories: {escape(report.source_note)}[/]")
    packages = plural(report.audited_packages, "locked package")
    withdrawn = f"[dim]{escape(report.withdrawn_note)}[/]" if report.withdrawn else ""
    if not report.findings:
        console.print(escape(f"No known vulnerabilities in {packages} (advisories: "
                             f"{report.source})."))
        if withdrawn:
            console.print(withdrawn)
        return
    console.print(f"[bold]{plural(len(report.findings), 'vulnerability')}[/] in {packages} "
                  f"(advisories: {escape(report.source)})")
    width = max(40, console.width - 6)
    for f in report.findings:
        ident = f.id + (f" ({', '.join(f.aliases[:2])})" if f.aliases else "")
        fixed = f"fixed in {', '.join(f.fix_versions)}" if f.fix_versions else "no fix yet"
        members = f"  (in {', '.join(f.members)})" if f.members else ""
        members += f"  (from index {f.index})" if f.index else ""
        console.print(f"  [red]{escape(f.package)} {escape(f.version)}[/]  {escape(ident)}  "
                      f"[green]{escape(fixed)}[/]{escape(members)}")
        summary = f.summary if len(f.summary) <= width else f.summary[: width - 1] + "…"
        console.print(f"      [dim]{escape(summary)}[/]")
    if withdrawn:
        console.print(withdrawn)
    some = "" if len(report.findings) == 1 else ", or some with `uvmgr audit --fix NAME...`"
    console.print(f"Fix {'it' if not some else 'them'} with `uvmgr audit --fix`{some} (tests run "
                  "before anything is kept).")


def _fix(result: Any) -> None:
    _change(result)


def _tests(report: Any) -> None:
    from rich.text import Text

    console = rich_console()
    head, *rest = report.summary().splitlines()
    console.print(Text(head, style="green" if report.ok else "red"),
                  Text(f"in {report.duration:.1f}s", style="dim"))
    for line in rest:
        console.print(Text(line))


def _build(report: Any) -> None:
    from rich.markup import escape

    console = rich_console()
    for a in report.artifacts:
        console.print(escape(f"  {a.kind:5} {a.path} ({a.size:,} bytes)"))
    if report.artifacts and not report.out_dir:
        console.print("  [dim]built in a temporary folder, now removed; keep the files with "
                      "--out-dir DIR[/]")
    if report.metadata:
        m = report.metadata
        console.print(escape(f"  wheel metadata: {m.name} {m.version}, requires "
                             f"{', '.join(m.requires_dist) or 'nothing'}"))
    for problem in report.problems:
        console.print(f"  [red]problem:[/] {escape(problem)}")


def _quality(report: Any) -> None:
    from rich.markup import escape

    console = rich_console()
    for run in report.runs:
        note = f": {run.note}" if not run.available and run.note else ""
        console.print(f"  {run.check:7} {run.state}{note}  ({run.command})")
    for f in report.findings:
        where = f"{f.file}:{f.line}" if f.line else f.file
        console.print(escape(f"  {where}: [{f.check}] {f.code} {f.message}"))


def _docs(result: Any) -> None:
    from rich.markup import escape

    console = rich_console()
    if not result.hits:
        console.print(f"No passage matches {result.query!r}. (`uvmgr index` refreshes the index.)")
    for hit in result.hits:
        console.print(f"[bold]{hit.rank}. {escape(hit.citation)}[/]  [dim]({hit.kind})[/]")
        body = hit.text.strip()
        console.print(escape(body if len(body) <= 600 else body[:600] + " …"), highlight=False)
        console.print()


def _index(report: Any) -> None:
    from rich.markup import escape

    console = rich_console()
    if report.rebuilt_because:
        console.print(f"[yellow]rebuilt the index: {report.rebuilt_because}[/]")
    console.print(f"docs index {escape(str(report.path))}: {report.documents} documents, {report.chunks} "
                  f"chunks ({report.embedded} embedded, {report.unchanged} unchanged, "
                  f"{report.removed} removed) in {report.seconds:.1f}s, "
                  f"{report.size_bytes / 1e6:.1f} MB, embedding {report.embedding}")
    if report.skipped_binary_or_huge:
        console.print(f"skipped {report.skipped_binary_or_huge} binary or huge files")
    if report.left_out:
        console.print(f"[yellow]left out {report.left_out} documents: {report.cap_note}[/]")
    for line in report.unreadable:
        console.print(f"[yellow]unreadable, skipped: {escape(line)}[/]")


def traces(runs: list[dict], as_json: bool) -> None:
    if as_json:
        print_json(runs)
        return
    console = rich_console()
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

    console = rich_console()
    console.print()
    if summary.models_used in ([], [OFFLINE_MODEL]):
        from rich.text import Text  # the offline planner writes plain text: no Markdown to load

        console.print(Text(summary.answer))
    else:
        from rich.markdown import Markdown  # a model's answer (markdown-it, pygments: ~0.1 s)

        console.print(Markdown(summary.answer.replace("\n", "  \n")))
    used = ", ".join(summary.models_used) or "none"
    from uvmgr.tools.results import plural

    steps = plural(len(summary.steps), "step")
    console.print(f"[dim]{steps}, {summary.duration:.1f}s, model: {used}, "
                  f"{summary.tokens} tokens, ${summary.cost:.4f}, trace {trace_id[:12]}[/]")
