"""Usage errors of the command line, said once and the same way: a message, a hint (a flag's
likely spelling, as uv does), exit 2; with `--json`, one JSON document on stdout instead.

argparse prints its own usage text and exits from deep inside `parse_args`; `UvmgrParser`
raises `BadUsage` instead, so `main` can answer in the form the person asked for.
"""

from __future__ import annotations

import argparse
import re
import sys

from uvmgr.errors import EXIT_USAGE, UsageError


class BadUsage(Exception):
    def __init__(self, parser: argparse.ArgumentParser, message: str):
        super().__init__(message)
        self.parser = parser
        self.message = message


class UvmgrParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are raised, not printed (subparsers inherit it)."""

    def error(self, message: str):  # type: ignore[override]
        raise BadUsage(self, message)


def option_strings(parser: argparse.ArgumentParser) -> set[str]:
    """Every `--flag` of the parser and of its subcommands, however deep."""
    found: set[str] = set()
    for action in parser._actions:
        found.update(s for s in action.option_strings if s.startswith("--"))
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found |= option_strings(sub)
    return found


def suggestion(message: str, parser: argparse.ArgumentParser,
               top: argparse.ArgumentParser) -> str | None:
    """`did you mean --project?` for an unrecognised `--projct`, preferring the flags of the
    subcommand that failed; None when nothing is close."""
    import difflib

    unknown = re.findall(r"(--?[A-Za-z][\w-]*)", message.partition(":")[2]) \
        if message.startswith("unrecognized arguments") else []
    hints = []
    for flag in unknown:
        name = flag.split("=", 1)[0]
        if name in option_strings(top):
            hints.append(f"{name} is not an option of this command (see its --help)")
            continue
        for pool in (option_strings(parser), option_strings(top)):
            close = difflib.get_close_matches(name, sorted(pool), n=1, cutoff=0.7)
            if close:
                hints.append(f"{name}: did you mean {close[0]}?")
                break
    return "; ".join(hints) or None


def report(exc: BadUsage, top: argparse.ArgumentParser, as_json: bool) -> int:
    """Say what was wrong (and what was probably meant); exit 2."""
    from uvmgr import render

    hint = suggestion(exc.message, exc.parser, top) or f"see `{exc.parser.prog} --help`"
    error = UsageError(exc.message, hint=hint)
    if as_json:
        render.error(error, True)
    else:
        exc.parser.print_usage(sys.stderr)
        render.error(error, False)
    return EXIT_USAGE
