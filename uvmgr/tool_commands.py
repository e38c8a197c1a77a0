"""The tools' commands, generated from the registry: each `ToolSpec.cli` becomes an argparse
sub-command, and a parsed command line becomes the tool to call and its arguments.

Stdlib only at import time (the registry is plain data): `uvmgr --help` stays fast.
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Callable
from pathlib import Path

from uvmgr.tools.registry import REGISTRY, TOOLS
from uvmgr.tools.spec import Flag, ToolSpec

# Help for a command that only groups tools' sub-commands ("deps add", "docs search").
GROUP_HELP = {
    "deps": "list, inspect and change dependencies",
    "docs": "search the project's docs, uv's help, package changelogs and advisories",
}


def commands(registry: tuple[ToolSpec, ...] = REGISTRY) -> dict[str, list[ToolSpec]]:
    """{command: the tools that share it, the one run without a switch first}."""
    out: dict[str, list[ToolSpec]] = {}
    for spec in registry:
        if spec.cli is not None:
            out.setdefault(spec.cli.command, []).append(spec)
    for specs in out.values():
        specs.sort(key=lambda s: s.cli.when is not None)  # type: ignore[union-attr]
    return out


def group_dest(group: str) -> str:
    return f"{group}_command"


def _add_flag(parser: argparse.ArgumentParser, flag: Flag) -> None:
    options = dict(flag.options)
    if not flag.positional and flag.arg is not None:
        options.setdefault("dest", flag.arg)  # the tool's argument, whatever the flag's name
    parser.add_argument(*flag.names, **options)  # type: ignore[arg-type]


def add_tool_parsers(sub, common: Callable[[argparse.ArgumentParser], None],
                     registry: tuple[ToolSpec, ...] = REGISTRY) -> set[str]:
    """Add every tool's command to `sub`; returns the names of the group commands."""
    groups: dict[str, object] = {}
    for command, specs in commands(registry).items():
        words = command.split()
        parent = sub
        if len(words) == 2:
            if words[0] not in groups:
                group = sub.add_parser(words[0], help=GROUP_HELP.get(words[0], words[0]))
                groups[words[0]] = group.add_subparsers(dest=group_dest(words[0]),
                                                        metavar="ACTION")
            parent = groups[words[0]]
        cli = specs[0].cli
        parser = parent.add_parser(words[-1], help=cli.help,  # type: ignore[union-attr]
                                   description=cli.description)
        seen: set[tuple[str, ...]] = set()
        for spec in specs:
            for flag in (*spec.cli.flags, spec.cli.when):  # type: ignore[union-attr]
                if flag is None or flag.passthrough or flag.names in seen:
                    continue
                seen.add(flag.names)
                _add_flag(parser, flag)
        if any(spec.mutates for spec in specs):
            parser.add_argument("--dry-run", action="store_true",
                                help="show exactly what would change and change nothing")
        common(parser)
    return set(groups)


def lacks_action(args: argparse.Namespace, registry: tuple[ToolSpec, ...] = REGISTRY) -> bool:
    """`uvmgr deps` with no action: a group of tools' commands, not a command."""
    groups = {c.split()[0] for c in commands(registry) if " " in c}
    return args.command in groups and getattr(args, group_dest(args.command), None) is None


def command_of(args: argparse.Namespace) -> str:
    """The command as typed: "deps add", "audit"."""
    group = getattr(args, group_dest(args.command), None)
    return f"{args.command} {group}" if group else args.command


def takes_passthrough(args: argparse.Namespace,
                      registry: tuple[ToolSpec, ...] = REGISTRY) -> bool:
    return any(f.passthrough for s in commands(registry).get(command_of(args), [])
               for f in s.cli.flags)  # type: ignore[union-attr]


def passthrough_commands(registry: tuple[ToolSpec, ...] = REGISTRY) -> list[str]:
    return [c for c, specs in commands(registry).items()
            if any(f.passthrough for s in specs for f in s.cli.flags)]  # type: ignore[union-attr]


def tool_call(args: argparse.Namespace, passthrough: list[str],
              registry: tuple[ToolSpec, ...] = REGISTRY) -> tuple[ToolSpec, dict]:
    """The tool a parsed command runs, and its keyword arguments from the flags."""
    specs = commands(registry)[command_of(args)]
    chosen = next((s for s in specs[1:] if getattr(args, _dest(s.cli.when), False)),
                   specs[0])
    kwargs: dict[str, object] = {}
    for flag in chosen.cli.flags:  # type: ignore[union-attr]
        if flag.arg is None:
            continue
        value = (passthrough or None) if flag.passthrough else getattr(args, _dest(flag))
        kwargs[flag.arg] = None if value == [] else value
    if chosen.mutates:
        kwargs["dry_run"] = args.dry_run
    return chosen, kwargs


def _dest(flag: Flag | None) -> str:
    if flag is None:
        return ""
    if flag.positional:
        return flag.names[0]
    if flag.arg is not None:
        return str(flag.options.get("dest", flag.arg))
    return str(flag.options.get("dest", flag.names[0].lstrip("-").replace("-", "_")))


def run_tool(project_dir: Path, args: argparse.Namespace, passthrough: list[str],
             registry: tuple[ToolSpec, ...] = REGISTRY) -> int:
    """A tool's command (a built-in's or an active pack's): the tool called through
    `invoke`, its result rendered."""
    from uvmgr.run_frame import run_traced

    spec, kwargs = tool_call(args, passthrough, registry)

    def body(ctx) -> int:
        from uvmgr import render
        from uvmgr.errors import LockMissing, UsageError
        from uvmgr.tools.registry import invoke
        from uvmgr.tools.results import exit_status

        if ctx.tools.get(spec.name) != spec:
            raise UsageError(f"`uvmgr {command_of(args)}` belongs to a pack that is not active",
                             hint="`uvmgr packs list` says why")

        with _status_line(ctx, args):
            try:
                result = invoke(spec, ctx, **kwargs)
            except LockMissing as exc:
                if getattr(args, "dry_run", False) or not _offer_to_lock(exc, args):
                    raise
                render.show_result(invoke(TOOLS["lock_project"], ctx))
                result = invoke(spec, ctx, **kwargs)
        render.show(result, args, notices=ctx.settings.notices)
        return exit_status(result)

    # A built-in tool's command runs without importing any pack (a pack's command needs them).
    return run_traced(f"uvmgr {command_of(args)}", project_dir, args, body,
                      packs=TOOLS.get(spec.name) is not spec)


@contextlib.contextmanager
def _status_line(ctx, args: argparse.Namespace):
    """Slow work's phases on a terminal's status line meanwhile; nothing with --json or when
    stderr is not a terminal."""
    import sys

    if args.json or not sys.stderr.isatty():
        yield
        return
    from uvmgr.status_line import StatusLine

    ctx.progress = status = StatusLine()
    try:
        yield
    finally:
        status.close()


def _offer_to_lock(exc: Exception, args: argparse.Namespace) -> bool:
    """On a terminal, offer to create a missing uv.lock; never without one (or with --json)."""
    import sys

    if args.json or not (sys.stdin.isatty() and sys.stderr.isatty()):
        return False
    print(f"uvmgr: {exc}", file=sys.stderr)
    try:
        answer = input("Create it now with `uv lock`? [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")
