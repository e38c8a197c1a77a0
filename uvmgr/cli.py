"""The `uvmgr` command line.

argparse and nothing else at import time: `uvmgr --help` and `--version` must stay
under 100 ms. Each command imports what it needs when it runs.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

from uvmgr import __version__
from uvmgr.errors import EXIT_INTERRUPTED, EXIT_OK, EXIT_TERMINATED, EXIT_USAGE

EXIT_CODES_HELP = """exit codes:
  0  success
  1  the operation failed (tests failed, vulnerabilities found or left, uv failed)
  2  usage or input error (bad arguments, not a uv project, malformed or stale files)
  3  refused: a change needed approval that was not given
  4  rolled back: a change failed verification and both files were restored
  5  recovery incomplete: a rollback could not write the files back (disk full, read-only);
     the journal is kept and `uvmgr recover` finishes it
  130 interrupted by Ctrl+C (SIGINT); 143 stopped by SIGTERM: a change in flight was rolled back
"""


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--project", metavar="DIR", default=None,
                        help="the uv project to work on (default: current directory)")
    parser.add_argument("--package", metavar="NAME", default=None,
                        help="in a uv workspace: the member to work on (default: the member whose "
                             "folder you are in; at the root, every member)")
    parser.add_argument("--json", action="store_true",
                        help="print machine-readable JSON on stdout, nothing else")


def _mutating(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dry-run", action="store_true",
                        help="show exactly what would change and change nothing")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="uvmgr",
        description="An assistant for Python projects managed with uv. Every command below is a "
                    "plain tool that works with no model.",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"uvmgr {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    deps = sub.add_parser("deps", help="list, inspect and change dependencies")
    deps_sub = deps.add_subparsers(dest="deps_command", metavar="ACTION")
    p = deps_sub.add_parser("list", help="direct dependencies per group with locked versions")
    _common(p)
    p = deps_sub.add_parser("outdated", help="direct dependencies with newer versions")
    p.add_argument("packages", nargs="*", metavar="NAME")
    _common(p)
    p = deps_sub.add_parser("add", help="add dependencies (uv add), lock and sync")
    p.add_argument("specs", nargs="+", metavar="SPEC")
    p.add_argument("--group", help="dependency group to add to")
    p.add_argument("--dev", action="store_true", help="add to the dev group")
    _mutating(p)
    _common(p)
    p = deps_sub.add_parser("remove", help="remove dependencies (uv remove), lock and sync")
    p.add_argument("names", nargs="+", metavar="NAME")
    p.add_argument("--group", help="dependency group to remove from")
    p.add_argument("--dev", action="store_true", help="remove from the dev group")
    _mutating(p)
    _common(p)
    p = deps_sub.add_parser("upgrade", help="upgrade within a level, raising constraints only "
                                            "when needed")
    p.add_argument("packages", nargs="*", metavar="NAME")
    p.add_argument("--level", choices=("patch", "minor", "major"), default="minor")
    p.add_argument("--test", action="store_true",
                   help="run the tests after upgrading; restore everything if they fail")
    p.add_argument("--safe", action="store_true",
                   help="test-gated: bisect failures, keep what passes (honours the cooldown)")
    _mutating(p)
    _common(p)
    p = deps_sub.add_parser("lock", help="create or update uv.lock (uv lock) and sync")
    _mutating(p)
    _common(p)

    p = sub.add_parser("audit", help="vulnerabilities of the locked dependencies (uv audit, OSV)")
    p.add_argument("--db", metavar="PATH",
                   help="offline OSV advisory database: a folder of .json/.yaml records or a zip")
    p.add_argument("--service-url", metavar="URL", help="an OSV-compatible service")
    p.add_argument("--sarif", action="store_true", help="print SARIF 2.1.0 on stdout")
    p.add_argument("--fix", action="store_true",
                   help="upgrade each vulnerable package to its lowest fixed version, then test")
    p.add_argument("--no-tests", action="store_true", help="with --fix: skip the test run")
    _mutating(p)
    _common(p)

    p = sub.add_parser("index", help="build or refresh the docs index (.uvmgr/index)")
    p.add_argument("--rebuild", action="store_true", help="drop the index and build it again")
    _common(p)
    docs = sub.add_parser("docs", help="search the project's docs, uv's help, package "
                                       "changelogs and advisories")
    docs_sub = docs.add_subparsers(dest="docs_command", metavar="ACTION")
    p = docs_sub.add_parser("search", help="ranked passages with citations")
    p.add_argument("query")
    p.add_argument("--kind", action="append", choices=("project", "uv", "packages", "advisories"),
                   help="limit to a source kind (repeatable)")
    p.add_argument("-k", type=int, default=5, help="how many passages (default 5)")
    _common(p)
    p = sub.add_parser("test", help="run the tests (uv run pytest) and summarise them",
                       description="Arguments after `--` go to pytest.")
    _common(p)
    p = sub.add_parser("build", help="build sdist and wheel (uv build) and check the wheel")
    p.add_argument("--out-dir", metavar="DIR", help="where to put the files (default: temp dir)")
    _common(p)
    p = sub.add_parser("check", help="format, lint and type checks")
    _common(p)
    p = sub.add_parser("ask", help="ask in plain words; the agent plans over these tools and "
                                   "asks before changing anything")
    p.add_argument("request", help='e.g. "upgrade safely" or "any CVEs in my deps?"')
    p.add_argument("--model", help="a litellm model string (default: [tool.uvmgr] model, "
                                   "UVMGR_MODEL, else the offline planner)")
    p.add_argument("--dry-run", action="store_true", help="change nothing; report the plan")
    p.add_argument("--yes", action="store_true",
                   help="approve changes to the packages the request names without asking")
    p.add_argument("--max-steps", type=int, metavar="N", help="most tool calls (default 8)")
    _common(p)
    p = sub.add_parser("chat", help="the chat TUI: ask, watch each step, approve changes")
    p.add_argument("--model", help="a litellm model (default: configured, else offline)")
    p.add_argument("--dry-run", action="store_true", help="start with dry run on")
    p.add_argument("--project", metavar="DIR", default=None,
                   help="the uv project to work on (default: current directory)")
    p = sub.add_parser("autopilot", help="unattended, policy-bound maintenance for scheduled CI",
                       description="audit -> fix vulnerabilities -> upgrade within the policy "
                                   "([tool.uvmgr.autopilot]) -> gates -> report. Never prompts.",
                       epilog="exit codes: 0 nothing to do or every kept change passes the gates;"
                              " 1 a gate failed and everything was restored; 3 something needs a "
                              "person; 4 a change was rolled back")
    ap_sub = p.add_subparsers(dest="autopilot_command", metavar="ACTION")
    ci = ap_sub.add_parser("init-ci", help="write a GitHub Actions workflow that runs autopilot")
    ci.add_argument("--force", action="store_true", help="overwrite an existing workflow")
    _mutating(ci)
    _common(ci)
    p.add_argument("--policy", metavar="FILE", help="a TOML policy overriding [tool.uvmgr.autopilot]")
    p.add_argument("--report", metavar="PATH",
                   help="Markdown report (default .uvmgr/reports/autopilot-<timestamp>.md)")
    p.add_argument("--sarif", metavar="PATH", help="write SARIF for the remaining vulnerabilities")
    p.add_argument("--commit", action="store_true",
                   help="commit the kept changes on a new branch uvmgr/autopilot-<date>")
    p.add_argument("--model", help="a litellm model (default: configured, else the offline planner)")
    _common(p)
    p = sub.add_parser("undo", help="restore pyproject.toml and uv.lock to before the last "
                                    "change uvmgr kept")
    _common(p)
    p = sub.add_parser("recover", help="finish the recovery of an interrupted change (every "
                                       "command does this when it starts)")
    _common(p)
    from uvmgr.eval_command import add_parser as add_eval_parser

    add_eval_parser(sub)
    p = sub.add_parser("traces", help="recent runs from the local trace file, as a tree")
    p.add_argument("--last", type=int, default=5, metavar="N", help="how many runs (default 5)")
    _common(p)
    return parser


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived: unwind exactly as for Ctrl+C (transactions roll back), exit 143."""


def _terminated(signum: int, frame: object) -> None:
    raise Terminated()


def _split_passthrough(argv: list[str]) -> tuple[list[str], list[str]]:
    if "--" in argv:
        i = argv.index("--")
        return argv[:i], argv[i + 1:]
    return argv, []


# Each entry: the tool's name and how its keyword arguments come from the parsed flags.
def _tool_call(args: argparse.Namespace, passthrough: list[str]) -> tuple[str, dict]:
    cmd = args.command
    if cmd == "deps":
        action = args.deps_command
        if action == "list":
            return "list_dependencies", {}
        if action == "outdated":
            return "outdated_packages", {"packages": args.packages or None}
        if action == "add":
            return "add_dependency", {"specs": args.specs, "group": args.group, "dev": args.dev,
                                      "dry_run": args.dry_run}
        if action == "remove":
            return "remove_dependency", {"names": args.names, "group": args.group,
                                         "dev": args.dev, "dry_run": args.dry_run}
        if action == "upgrade" and args.safe:
            return "upgrade_safely", {"packages": args.packages or None, "level": args.level,
                                      "dry_run": args.dry_run}
        if action == "upgrade":
            return "upgrade_packages", {"packages": args.packages or None, "level": args.level,
                                        "dry_run": args.dry_run, "run_tests_after": args.test}
        return "lock_project", {"dry_run": args.dry_run}
    if cmd == "audit":
        if args.fix:
            return "fix_vulnerabilities", {"db": args.db, "service_url": args.service_url,
                                           "dry_run": args.dry_run,
                                           "run_tests_after": not args.no_tests}
        return "audit_dependencies", {"db": args.db, "service_url": args.service_url}
    if cmd == "test":
        return "run_tests", {"pytest_args": passthrough or None}
    if cmd == "index":
        return "index_docs", {"rebuild": args.rebuild}
    if cmd == "docs":
        return "search_docs", {"query": args.query, "kinds": args.kind, "k": args.k}
    if cmd == "build":
        return "build_package", {"out_dir": args.out_dir}
    return "check_quality", {}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    own, passthrough = _split_passthrough(argv)
    parser = build_parser()
    args = parser.parse_args(own)
    if args.command is None or (args.command == "deps" and args.deps_command is None) or (
            args.command == "docs" and args.docs_command is None):
        parser.parse_args([*own, "--help"])
        return EXIT_USAGE
    if passthrough and args.command != "test":
        parser.error("arguments after `--` are only for `uvmgr test`")
    # SIGTERM unwinds like Ctrl+C, so a transaction in flight is rolled back.
    signal.signal(signal.SIGTERM, _terminated)
    project_dir = Path(args.project or os.getcwd())
    if args.command == "chat":
        from uvmgr.tui.app import run

        return run(project_dir.resolve(), model=args.model, dry_run=args.dry_run)
    from uvmgr.redacted_output import redacted_stdio

    with redacted_stdio():  # a secret's value never reaches the terminal or a CI log
        return _dispatch(project_dir, args, passthrough)


def _dispatch(project_dir: Path, args: argparse.Namespace, passthrough: list[str]) -> int:
    if args.command == "traces":
        return _traces(project_dir, args)
    if args.command == "eval":
        from uvmgr.eval_command import run as run_eval

        return run_eval(args)
    if args.command == "ask":
        return _ask(project_dir, args)
    if args.command == "autopilot":
        return _autopilot(project_dir, args)
    if args.command == "undo":
        return _undo(project_dir, args)
    if args.command == "recover":
        return _recover(project_dir, args)
    return _run_tool(project_dir, args, passthrough)


def _open_project(project_dir: Path, tracer, as_json: bool = False, package: str | None = None):
    """Load and check the project, point the traces at it, recover an interrupted change.
    Notices about ignored settings go to stderr (with --json, into the JSON document)."""
    from uvmgr.config import Settings
    from uvmgr.tools.context import ToolContext
    from uvmgr.tools.project import Project
    from uvmgr.tools.recovery import recover_interrupted
    from uvmgr.tools.runner import ProcessRunner
    from uvmgr.tools.state_files import trace_dir

    project = Project(project_dir, package)
    tracer.trace_dir = trace_dir(project)
    settings = Settings.for_project(project.tool_settings, project.root)
    if not as_json:
        for notice in settings.notices:
            print(f"uvmgr: {notice}", file=sys.stderr)
    runner = ProcessRunner(tracer, default_timeout=settings.timeout)
    recovered = recover_interrupted(project, runner)
    if recovered:
        print(f"uvmgr: {recovered}", file=sys.stderr)
    return ToolContext(project, runner, tracer, settings)


def _run_traced(label: str, project_dir: Path, args: argparse.Namespace, body) -> int:
    """The frame every project command shares: a root span, the project opened (recovering an
    interrupted change), errors turned into messages and exit codes in one place, traces
    written at the end. `body(ctx)` does the work and returns the exit code."""
    from uvmgr import render
    from uvmgr.errors import UvmgrError
    from uvmgr.telemetry import Tracer

    tracer = Tracer()
    opened: list = []  # the context and the files' hashes once the project is open
    try:
        with tracer.span(label, command=label, version=__version__) as root:
            try:
                code = body(_opened(project_dir, tracer, opened, args))
            except UvmgrError as exc:
                code = exc.exit_code
                result = getattr(exc, "result", None)
                if result is not None and not args.json:
                    render.show_result(result)
                render.error(exc, args.json, result=result)
            except OSError as exc:
                code = _os_error(exc, args, root)
            except Exception as exc:  # noqa: BLE001 - the one boundary: a bug is still a clean exit
                code = _internal_error(exc, args, root)
            root.set("exit_code", code)
            return code
    except KeyboardInterrupt as exc:
        got = "SIGTERM" if isinstance(exc, Terminated) else "Ctrl+C (SIGINT)"
        print(f"uvmgr: {got} received: interrupted; {_what_was_kept(opened)}", file=sys.stderr)
        return EXIT_TERMINATED if isinstance(exc, Terminated) else EXIT_INTERRUPTED
    finally:
        tracer.finish()


def _opened(project_dir: Path, tracer, opened: list, args: argparse.Namespace):
    from uvmgr.tools.transaction import file_hashes

    ctx = _open_project(project_dir, tracer, args.json, getattr(args, "package", None))
    opened[:] = [ctx, file_hashes(ctx.project)]
    return ctx


def _what_was_kept(opened: list) -> str:
    """Honest about an interrupt: a change committed before it was kept, not rolled back."""
    if opened:
        from uvmgr.tools.transaction import file_hashes

        ctx, before = opened
        if file_hashes(ctx.project) != before:
            return ("a change committed before the interrupt was kept (pyproject.toml or uv.lock "
                    "differ from the start; `uvmgr undo` reverts it)")
    return "any change in flight was rolled back"


def _run_tool(project_dir: Path, args: argparse.Namespace, passthrough: list[str]) -> int:
    name, kwargs = _tool_call(args, passthrough)
    label = " ".join(["uvmgr", args.command, getattr(args, "deps_command", None) or
                      getattr(args, "docs_command", None) or ""]).strip()

    def body(ctx) -> int:
        from uvmgr import render
        from uvmgr.errors import LockMissing
        from uvmgr.tools.registry import TOOLS, invoke
        from uvmgr.tools.results import exit_status

        try:
            result = invoke(TOOLS[name], ctx, **kwargs)
        except LockMissing as exc:
            if getattr(args, "dry_run", False) or not _offer_to_lock(exc, args):
                raise
            render.show_result(invoke(TOOLS["lock_project"], ctx))
            result = invoke(TOOLS[name], ctx, **kwargs)
        render.show(result, args, notices=ctx.settings.notices)
        return exit_status(result)

    return _run_traced(label, project_dir, args, body)


def _ask(project_dir: Path, args: argparse.Namespace) -> int:
    print("uvmgr: working on it…", file=sys.stderr, flush=True)  # first output, before imports

    def body(ctx) -> int:
        from uvmgr import render
        from uvmgr.agent.planner import AgentOptions, run_agent
        from uvmgr.ask_console import ConsoleObserver, TerminalConfirmer, has_terminal

        mode = "dry-run" if args.dry_run else ("yes" if args.yes else "confirm")
        confirmer = TerminalConfirmer() if has_terminal() and not args.json else None
        summary = run_agent(ctx, args.request, AgentOptions(
            mode=mode, confirmer=confirmer, model=args.model, max_steps=args.max_steps,
            observer=ConsoleObserver()))
        render.agent_summary(summary, args.json, ctx.tracer.trace_id,
                             notices=ctx.settings.notices)
        return summary.exit_code

    return _run_traced("uvmgr ask", project_dir, args, body)


def _autopilot(project_dir: Path, args: argparse.Namespace) -> int:
    if args.autopilot_command == "init-ci":
        return _init_ci(project_dir, args)
    print("uvmgr autopilot: starting", file=sys.stderr, flush=True)

    def body(ctx) -> int:
        from uvmgr import render
        from uvmgr.agent.autopilot import run_autopilot
        from uvmgr.agent.policy import Policy
        from uvmgr.ask_console import ConsoleObserver

        policy = Policy.load(ctx.project.data, Path(args.policy) if args.policy else None)
        if args.commit:
            from uvmgr.autopilot_output import check_commit_possible

            check_commit_possible(ctx)
        result = run_autopilot(ctx, policy, observer=ConsoleObserver(), model=args.model)
        outputs = _autopilot_outputs(ctx, result, args, ctx.tracer.trace_id)
        if args.json:
            render.print_json({**render.to_jsonable(result), **outputs},
                              notices=ctx.settings.notices)
        else:
            print(Path(outputs["report_path"]).read_text(encoding="utf-8"))
            print(f"report: {outputs['report_path']}", file=sys.stderr)
        return result.exit_code

    return _run_traced("uvmgr autopilot", project_dir, args, body)


def _undo(project_dir: Path, args: argparse.Namespace) -> int:
    def body(ctx) -> int:
        from uvmgr import render
        from uvmgr.tools.undo import undo_last_change

        with ctx.tracer.span("tool undo_last_change") as span:
            result = undo_last_change(ctx.project, ctx.runner)
            span.set("restored", result.restored)
        if args.json:
            render.print_json(result)
        else:
            print(f"undid '{result.operation}': restored {', '.join(result.restored)}")
        return EXIT_OK

    return _run_traced("uvmgr undo", project_dir, args, body)


def _recover(project_dir: Path, args: argparse.Namespace) -> int:
    def body(ctx) -> int:
        from uvmgr.errors import RecoveryIncomplete
        from uvmgr.tools.transaction import JOURNAL_DIR, RUN_JOURNAL

        left = [n for n in (JOURNAL_DIR, RUN_JOURNAL) if (ctx.project.state_dir / n).exists()]
        if left:
            raise RecoveryIncomplete(f"the journal in .uvmgr/{left[0]} is still there",
                                     hint="see the message above; run `uvmgr recover` again "
                                          "once the cause is fixed")
        print("uvmgr: no interrupted change is left to recover", file=sys.stderr)
        return EXIT_OK

    return _run_traced("uvmgr recover", project_dir, args, body)


def _autopilot_outputs(ctx, result, args: argparse.Namespace, trace_id: str) -> dict:
    import datetime
    import json

    from uvmgr.autopilot_output import commit_message, git_commit, markdown
    from uvmgr.sarif import audit_sarif
    from uvmgr.telemetry import redact_text

    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    if args.report:  # the person's own path
        report = Path(args.report)
        report.parent.mkdir(parents=True, exist_ok=True)
    else:  # inside .uvmgr/, which may have come with a clone: never through a link
        from uvmgr.tools.state_files import ensure_state_dir, real_dir

        report = real_dir(ensure_state_dir(ctx.project) / "reports") / f"autopilot-{stamp}.md"
    message = report.with_suffix(".commit.txt")
    in_state = not args.report
    _write_output(report, markdown(result, trace_id), in_state)
    _write_output(message, commit_message(result), in_state)
    outputs = {"report_path": str(report), "commit_message_path": str(message),
               "sarif_path": None, "branch": None, "commit": None}
    if args.sarif:
        sarif = audit_sarif(result.remaining_vulnerabilities)
        Path(args.sarif).write_text(redact_text(json.dumps(sarif, indent=2)), encoding="utf-8")
        outputs["sarif_path"] = args.sarif
    if args.commit and result.changed and all(g.ok for g in result.gates):
        from uvmgr.errors import EXIT_REFUSED, OperationFailed

        try:
            outputs["branch"], outputs["commit"] = git_commit(ctx, message, stamp[:8])
        except OperationFailed as exc:
            result.needs_person.append(f"the commit failed: {exc.message}")
            result.exit_code = max(result.exit_code, EXIT_REFUSED)
            _write_output(report, markdown(result, trace_id), in_state)
    return outputs


def _write_output(path: Path, text: str, in_state: bool) -> None:
    """Write a report file, secrets masked; in `.uvmgr/` atomically, a symbolic link there
    refused, not followed."""
    from uvmgr.telemetry import redact_text

    text = redact_text(text)
    if not in_state:
        path.write_text(text, encoding="utf-8")
        return
    from uvmgr.tools.state_files import write_atomic

    write_atomic(path, text.encode("utf-8"))


def _init_ci(project_dir: Path, args: argparse.Namespace) -> int:
    from uvmgr import render
    from uvmgr.autopilot_output import WORKFLOW, WORKFLOW_PATH
    from uvmgr.errors import UvmgrError
    from uvmgr.tools.project import Project

    try:
        project = Project(project_dir)
    except UvmgrError as exc:
        render.error(exc, args.json)
        return exc.exit_code
    target = project.root / WORKFLOW_PATH
    if args.dry_run:
        print(f"# would write {target}\n{WORKFLOW}", end="")
        return EXIT_OK
    if target.exists() and target.read_text(encoding="utf-8") != WORKFLOW and not args.force:
        print(f"uvmgr: error: {target} exists and differs\n  hint: pass --force to overwrite, "
              "or --dry-run to see the new one", file=sys.stderr)
        return EXIT_USAGE
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(WORKFLOW, encoding="utf-8")
    print(f"wrote {target}:\n\n{WORKFLOW}", end="")
    return EXIT_OK


def _internal_error(exc: Exception, args: argparse.Namespace, span) -> int:
    """An unexpected error: one line (JSON with --json), the traceback in the trace, exit 1.
    Any transaction in flight has already been rolled back by its `with` block."""
    import traceback

    from uvmgr import render
    from uvmgr.errors import OperationFailed

    span.set("traceback", traceback.format_exc()[-4000:])
    error = OperationFailed(f"internal error: {type(exc).__name__}: {exc}",
                            hint="this is a bug in uvmgr; the trace (`uvmgr traces`) has details")
    render.error(error, args.json)
    return error.exit_code


def _os_error(exc: OSError, args: argparse.Namespace, span) -> int:
    """A disk that is full or a folder that cannot be written is the person's to fix, not a bug."""
    from uvmgr import render
    from uvmgr.tools.state_files import DISK_ERRORS, unwritable

    if exc.errno not in DISK_ERRORS:
        return _internal_error(exc, args, span)
    error = unwritable(exc, exc.filename or "a file")
    render.error(error, args.json)
    return error.exit_code


def _offer_to_lock(exc: Exception, args: argparse.Namespace) -> bool:
    """On a terminal, offer to create a missing uv.lock; never without one (or with --json)."""
    if args.json or not (sys.stdin.isatty() and sys.stderr.isatty()):
        return False
    print(f"uvmgr: {exc}", file=sys.stderr)
    try:
        answer = input("Create it now with `uv lock`? [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")


def _state_root(project_dir: Path) -> Path:
    """Where `.uvmgr/` is: the project, or in a workspace member the workspace root."""
    from uvmgr.errors import UvmgrError
    from uvmgr.tools.workspace import find_workspace

    folder = project_dir.resolve()
    if not (folder / "pyproject.toml").is_file():
        return folder
    try:
        workspace = find_workspace(folder)
    except UvmgrError:
        return folder
    return workspace.root if workspace else folder


def _traces(project_dir: Path, args: argparse.Namespace) -> int:
    from uvmgr import render
    from uvmgr.telemetry import recent_runs

    runs = recent_runs(_state_root(project_dir) / ".uvmgr" / "traces", args.last)
    render.traces(runs, args.json)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
