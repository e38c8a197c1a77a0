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
from uvmgr.cli_usage import BadUsage, UvmgrParser
from uvmgr.errors import EXIT_OK, EXIT_PIPE, EXIT_USAGE
from uvmgr.run_frame import Terminated, run_traced

EXIT_CODES_HELP = """exit codes:
  0  success
  1  the operation failed (tests failed, vulnerabilities found or left, uv failed)
  2  usage or input error (bad arguments, not a uv project, malformed or stale files)
  3  refused: a change needed approval that was not given, or the project's package index
     would receive your credentials at a host you have not trusted (trusted-indexes)
  4  rolled back: a change failed verification and both files were restored
  5  recovery incomplete: a rollback could not write the files back (disk full, read-only);
     the journal is kept and `uvmgr recover` finishes it
  6  could not audit: uv audit failed or the advisory service was unreachable (not "vulnerable")
  130 interrupted by Ctrl+C (SIGINT); 143 stopped by SIGTERM: a change in flight was rolled back
  141 the reader of the output went away (`| head`): 128 + SIGPIPE, as shells report it
"""


# uvmgr's commands that are not tools' commands; a pack's command may not take one.
OWN_COMMANDS = ("ask", "chat", "autopilot", "undo", "recover", "eval", "advisories", "traces",
                "packs", "fleet", "policy")


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


def build_parser(registry: tuple | None = None) -> argparse.ArgumentParser:
    """The command line; `registry`: the tools whose commands it has (default: the
    built-ins; `main` adds the active packs' when the command is none of uvmgr's own)."""
    parser = UvmgrParser(
        prog="uvmgr",
        description="An assistant for Python projects managed with uv. Every command below is a "
                    "plain tool that works with no model.",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"uvmgr {__version__}")
    parser.add_argument("--project", metavar="DIR", dest="global_project", default=None,
                        help="the uv project to work on, before or after the command")
    parser.add_argument("--json", dest="global_json", action="store_true",
                        help="JSON on stdout, before or after the command")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    from uvmgr.tool_commands import add_tool_parsers

    if registry is None:
        add_tool_parsers(sub, _common)
    else:
        add_tool_parsers(sub, _common, registry)
    p = sub.add_parser("ask", help="ask in plain words; the agent plans over these tools and "
                                   "asks before changing anything")
    p.add_argument("request", help='e.g. "upgrade safely" or "any CVEs in my deps?"')
    p.add_argument("--model", help="a litellm model string (default: [tool.uvmgr] model, "
                                   "UVMGR_MODEL, else the offline planner)")
    p.add_argument("--dry-run", action="store_true", help="change nothing; report the plan")
    p.add_argument("--yes", action="store_true",
                   help="approve changes to the packages the request names without asking")
    p.add_argument("--max-steps", type=int, metavar="N", help="most tool calls (default 8)")
    p.add_argument("--offline", action="store_true",
                   help="audits use the cached advisory database (`uvmgr advisories update`)")
    _common(p)
    p = sub.add_parser("chat", help="the chat TUI: ask, watch each step, approve changes")
    p.add_argument("--model", help="a litellm model (default: configured, else offline)")
    p.add_argument("--dry-run", action="store_true", help="start with dry run on")
    p.add_argument("--project", metavar="DIR", default=None,
                   help="the uv project to work on (default: current directory)")
    from uvmgr.autopilot_command import add_parser as add_autopilot_parser

    add_autopilot_parser(sub, _common, _mutating)
    from uvmgr.policy_command import add_parser as add_policy_parser

    add_policy_parser(sub, _common)
    p = sub.add_parser("undo", help="restore pyproject.toml and uv.lock to before the last "
                                    "change uvmgr kept")
    _common(p)
    p = sub.add_parser("recover", help="finish the recovery of an interrupted change (every "
                                       "command does this when it starts)")
    _common(p)
    from uvmgr.advisories_command import add_parser as add_advisories_parser
    from uvmgr.eval_command import add_parser as add_eval_parser

    add_eval_parser(sub)
    add_advisories_parser(sub)
    from uvmgr.packs_command import add_parser as add_packs_parser

    add_packs_parser(sub, _common)
    from uvmgr.fleet_command import add_parser as add_fleet_parser

    add_fleet_parser(sub)
    p = sub.add_parser("traces", help="recent runs from the local trace file, as a tree")
    p.add_argument("--last", type=int, default=5, metavar="N", help="how many runs (default 5)")
    _common(p)
    return parser


def _terminated(signum: int, frame: object) -> None:
    raise Terminated()


def _split_passthrough(argv: list[str]) -> tuple[list[str], list[str]]:
    if "--" in argv:
        i = argv.index("--")
        return argv[:i], argv[i + 1:]
    return argv, []


def _parse(parser: argparse.ArgumentParser, own: list[str], passthrough: list[str],
           registry: tuple) -> argparse.Namespace | None:
    """The parsed flags; None after printing the help a command without its action needs."""
    from uvmgr.tool_commands import lacks_action, passthrough_commands, takes_passthrough

    args = parser.parse_args(own)
    if args.command is None or lacks_action(args, registry) or (
            args.command == "advisories" and args.advisories_command is None) or (
            args.command == "packs" and args.packs_command is None) or (
            args.command == "fleet" and args.fleet_command is None) or (
            args.command == "policy" and args.policy_command is None):
        try:
            parser.parse_args([*own, "--help"])  # the help of the command given, then exit 2
        except SystemExit:
            pass
        return None
    if passthrough and not takes_passthrough(args, registry):
        parser.error("arguments after `--` are only for "
                     + ", ".join(f"`uvmgr {c}`" for c in passthrough_commands(registry)))
    if args.command == "audit" and args.packages and not args.fix:
        parser.error("package names after `audit` pick what `--fix` fixes: add --fix "
                     "(`uvmgr audit` always checks the whole lock)")
    if args.global_json:  # `uvmgr --json deps list` as `uvmgr deps list --json`
        if not hasattr(args, "json"):
            parser.error(f"`uvmgr {args.command}` has no --json output")
        args.json = True
    if args.global_project:  # `uvmgr --project DIR deps list` means the same as after it
        if getattr(args, "project", None) not in (None, args.global_project):
            parser.error("--project was given twice with different folders")
        if hasattr(args, "project"):
            args.project = args.global_project
        else:
            parser.error(f"`uvmgr {args.command}` works on no project; drop --project")
    return args


def main(argv: list[str] | None = None) -> int:
    """The entry point. A reader that left early (`uvmgr deps list | head`) ends the run
    quietly with EXIT_PIPE, here and nowhere else."""
    try:
        code = _main(argv)
        sys.stdout.flush()  # a reader that left shows here, not in the flush at exit
    except BrokenPipeError:
        return _reader_gone()
    return code


def _reader_gone() -> int:
    """The standard way (Python's docs, "Note on SIGPIPE"): point stdout at /dev/null, so the
    interpreter's last flush does not fail again, and say nothing (stderr may be the same pipe)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.__stdout__.fileno())
        os.close(devnull)
    except (OSError, AttributeError, ValueError):  # no real stdout (an embedding host)
        pass
    return EXIT_PIPE


def _main(argv: list[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    own, passthrough = _split_passthrough(argv)
    from uvmgr.tools.registry import REGISTRY

    registry = REGISTRY + _pack_commands(own)
    parser = build_parser(registry)
    try:
        args = _parse(parser, own, passthrough, registry)
    except BadUsage as exc:
        from uvmgr.cli_usage import report

        return report(exc, parser, "--json" in own)
    if args is None:
        return EXIT_USAGE
    if args.command == "packs":  # reads installed metadata: no project, nothing imported
        from uvmgr.packs_command import run as run_packs

        return run_packs(args)
    # SIGTERM unwinds like Ctrl+C, so a transaction in flight is rolled back.
    signal.signal(signal.SIGTERM, _terminated)
    project_dir = Path(getattr(args, "project", None) or os.getcwd())
    if args.command == "chat":
        from uvmgr.tui.app import run

        return run(project_dir.resolve(), model=args.model, dry_run=args.dry_run)
    from uvmgr.redacted_output import redacted_stdio

    with redacted_stdio():  # a secret's value never reaches the terminal or a CI log
        return _dispatch(project_dir, args, passthrough, registry)


def _command_word(own: list[str]) -> str | None:
    """The command typed: the first word that is neither a flag nor `--project`'s folder."""
    words = iter(own)
    for word in words:
        if word == "--project":
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def _pack_commands(own: list[str]) -> tuple:
    """The active packs' tools, loaded only when the command is none of uvmgr's own (so
    `uvmgr --help` and every built-in command import no pack)."""
    word = _command_word(own)
    if word is None or word in OWN_COMMANDS:
        return ()
    from uvmgr.tool_commands import commands

    if word in {c.split()[0] for c in commands()}:
        return ()
    from uvmgr.errors import UvmgrError
    from uvmgr.packs.loading import load_packs
    from uvmgr.redacted_output import redacted_stdio
    from uvmgr.user_config import UserConfig

    with redacted_stdio():  # a pack's import runs third-party code, and errors quote it
        try:
            loaded, warnings = load_packs(UserConfig.load())
        except UvmgrError as exc:  # a malformed user config: the command itself reports it
            print(f"uvmgr: packs not loaded: {exc.message}", file=sys.stderr)
            return ()
        specs = tuple(s for p in loaded for s in p.pack.tools if s.cli is not None)
        if word not in {s.cli.command.split()[0] for s in specs}:  # type: ignore[union-attr]
            for warning in warnings:  # why the command may be missing (else the run says so)
                print(f"uvmgr: {warning}", file=sys.stderr)
    return specs


def _dispatch(project_dir: Path, args: argparse.Namespace, passthrough: list[str],
              registry: tuple) -> int:
    if args.command == "traces":
        return _traces(project_dir, args)
    if args.command == "fleet":  # many clones, each its own uvmgr process: no project here
        from uvmgr.fleet_command import run as run_fleet

        return run_fleet(args)
    if args.command == "eval":
        from uvmgr.eval_command import run as run_eval

        return run_eval(args)
    if args.command == "advisories":
        from uvmgr.advisories_command import run as run_advisories

        return run_advisories(args)
    if args.command == "ask":
        return _ask(project_dir, args)
    if args.command == "autopilot":
        from uvmgr.autopilot_command import run as run_autopilot

        return run_autopilot(project_dir, args)
    if args.command == "policy":
        from uvmgr.policy_command import run as run_policy

        return run_policy(project_dir, args)
    if args.command == "undo":
        return _undo(project_dir, args)
    if args.command == "recover":
        return _recover(project_dir, args)
    from uvmgr.tool_commands import run_tool

    return run_tool(project_dir, args, passthrough, registry)


def _ask(project_dir: Path, args: argparse.Namespace) -> int:
    print("uvmgr: working on it…", file=sys.stderr, flush=True)  # first output, before imports

    def body(ctx) -> int:
        from uvmgr import render
        from uvmgr.agent.planner import AgentOptions, run_agent
        from uvmgr.ask_console import ConsoleObserver, TerminalConfirmer, has_terminal

        mode = "dry-run" if args.dry_run else ("yes" if args.yes else "confirm")
        confirmer = TerminalConfirmer() if has_terminal() and not args.json else None
        observer = ConsoleObserver()
        if not args.json:
            ctx.progress = observer  # tools' phases as a status line on a terminal
        try:
            summary = run_agent(ctx, args.request, AgentOptions(
                mode=mode, confirmer=confirmer, model=args.model, max_steps=args.max_steps,
                observer=observer))
        finally:
            observer.status.close()
        render.agent_summary(summary, args.json, ctx.tracer.trace_id,
                             notices=ctx.settings.notices)
        return summary.exit_code

    return run_traced("uvmgr ask", project_dir, args, body)


def _undo(project_dir: Path, args: argparse.Namespace) -> int:
    def body(ctx) -> int:
        from uvmgr import render
        from uvmgr.tools.undo import undo_last_change

        result = undo_last_change(ctx.project, ctx.runner)
        if args.json:
            render.print_json(result)
        else:
            print(f"undid '{result.operation}': restored {', '.join(result.restored)}")
        return EXIT_OK

    return run_traced("uvmgr undo", project_dir, args, body, packs=False)


def _recover(project_dir: Path, args: argparse.Namespace) -> int:
    def body(ctx) -> int:
        from uvmgr.errors import RecoveryIncomplete
        from uvmgr.tools.transaction import JOURNAL_DIR, RUN_JOURNAL

        left = [n for n in (JOURNAL_DIR, RUN_JOURNAL) if (ctx.project.state_dir / n).exists()]
        if left:
            raise RecoveryIncomplete(f"the journal in .uvmgr/{left[0]} is still there",
                                     hint="see the message above; run `uvmgr recover` again "
                                          "once the cause is fixed")
        message = "no interrupted change is left: nothing more to recover"
        if args.json:
            from uvmgr import render

            render.print_json({"left": False, "message": message},
                              notices=ctx.settings.notices)
        else:
            print(f"uvmgr: {message}", file=sys.stderr)
        return EXIT_OK

    return run_traced("uvmgr recover", project_dir, args, body, packs=False)


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
