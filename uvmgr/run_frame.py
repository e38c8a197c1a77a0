"""The frame every project command shares: a root span, the session opened (recovering an
interrupted change), errors turned into messages and exit codes in one place, an interrupt
reported honestly, traces written at the end.

Stdlib only at import time: the CLI imports this module before parsing.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from uvmgr.errors import EXIT_INTERRUPTED, EXIT_TERMINATED


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived: unwind exactly as for Ctrl+C (transactions roll back), exit 143."""


def open_for_command(project_dir: Path, tracer, as_json: bool = False,
                     flags: dict[str, object] | None = None, package: str | None = None,
                     packs: bool = True):
    """The session of one command, its context returned. Notices about ignored settings and
    what a recovery did go to stderr (with --json, the notices go into the JSON document).
    `packs`: offer the active packs' tools (the agent and a pack's command need them; a
    built-in tool's command does not, and skips importing them)."""
    from uvmgr.session import open_session

    session = open_session(project_dir, tracer=tracer, packs=packs, flags=flags,
                           package=package)
    ctx = session.ctx
    notices = list(session.notices)
    if tracer.trace_dir is None:  # a read-only checkout: reading works, traces are skipped
        notices.append(f"cannot write to {ctx.project.root}; this run's traces are not kept "
                       "(read-only commands work; changes need a writable folder)")
    if not as_json:
        for notice in notices:
            print(f"uvmgr: {notice}", file=sys.stderr)
    if session.recovered:
        print(f"uvmgr: {session.recovered}", file=sys.stderr)
        notices.append(session.recovered)  # with --json too: a change may be in flight
    if notices != list(session.notices):
        from dataclasses import replace

        ctx.settings = replace(ctx.settings, notices=tuple(notices))
    return ctx


def run_traced(label: str, project_dir: Path, args: argparse.Namespace,
               body: Callable[[object], int], *, packs: bool = True) -> int:
    """Run `body(ctx)` (which does the work and returns the exit code) inside the frame;
    `packs`: whether the run offers the active packs' tools (see `open_for_command`)."""
    from uvmgr import __version__, render
    from uvmgr.errors import UvmgrError
    from uvmgr.telemetry import Tracer

    tracer = Tracer()
    opened: list = []  # the context and the files' hashes once the project is open
    try:
        with tracer.span(label, command=label, version=__version__) as root:
            try:
                # the person's flag: audits use the cache (over a project's audit-db too)
                flags = {"audit_offline": True} if getattr(args, "offline", False) else None
                ctx = _opened(project_dir, tracer, opened, args.json, flags,
                              getattr(args, "package", None), packs)
                code = body(ctx)
            except UvmgrError as exc:
                code = exc.exit_code
                result = getattr(exc, "result", None)
                if result is not None and not args.json:
                    render.show_result(result)
                render.error(exc, args.json, result=result)
            except BrokenPipeError:
                raise  # the reader of the output left: `cli.main` ends the run quietly
            except OSError as exc:
                code = _os_error(exc, args, root)
            except Exception as exc:  # noqa: BLE001 - the one boundary: a bug is still a clean exit
                code = internal_error(exc, args, root)
            root.set("exit_code", code)
            return code
    except KeyboardInterrupt as exc:
        got = "SIGTERM" if isinstance(exc, Terminated) else "Ctrl+C (SIGINT)"
        print(f"uvmgr: {got} received: interrupted; {_what_was_kept(opened)}", file=sys.stderr)
        for note in getattr(exc, "__notes__", ()):  # e.g. an edit saved before the rollback
            print(f"uvmgr: {note}", file=sys.stderr)
        return EXIT_TERMINATED if isinstance(exc, Terminated) else EXIT_INTERRUPTED
    finally:
        tracer.finish()


def _opened(project_dir: Path, tracer, opened: list, as_json: bool = False,
            flags: dict[str, object] | None = None, package: str | None = None,
            packs: bool = True):
    from uvmgr.tools.transaction import file_hashes

    ctx = open_for_command(project_dir, tracer, as_json, flags, package, packs)
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


def internal_error(exc: Exception, args: argparse.Namespace, span) -> int:
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
        return internal_error(exc, args, span)
    error = unwritable(exc, exc.filename or "a file", before_change=False)
    render.error(error, args.json)
    return error.exit_code
