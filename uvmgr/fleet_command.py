"""`uvmgr fleet run` and `uvmgr fleet report`: AutoPilot (or the policy check) over many local
clones, and one dashboard over many runs' JSON reports. Neither works on a project of its own:
each job opens its clone as an ordinary uvmgr run does (`uvmgr/fleet_run.py`), and the report
only reads files (`uvmgr/fleet_report.py`, `uvmgr/fleet_html.py`)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from uvmgr.errors import EXIT_OK, UsageError

RUN_EPILOG = """exit codes: 0 every repository's job succeeded; 1 at least one failed (a missing
folder, not a uv project, a failing gate, a rollback, a crash, a timeout: its row says which);
3 none failed but at least one needs a person; 2 a usage error of `fleet run` itself"""


def add_parser(sub) -> None:
    p = sub.add_parser("fleet", help="AutoPilot over many clones, and a dashboard of the results")
    fleet = p.add_subparsers(dest="fleet_command", metavar="ACTION")
    r = fleet.add_parser("run", help="run AutoPilot (or the policy check) in each clone, in "
                                     "parallel; one clone's failure never stops the others",
                         epilog=RUN_EPILOG)
    r.add_argument("repos", nargs="+", metavar="REPO", help="local clones (folders)")
    r.add_argument("--jobs", type=int, default=min(4, os.cpu_count() or 1), metavar="N",
                   help="at most N clones at a time (default: the cores, at most 4)")
    from uvmgr.fleet_jobs import COMMANDS, DEFAULT_TIMEOUT

    r.add_argument("--command", dest="job", choices=sorted(COMMANDS), default="autopilot",
                   help="the job: `uvmgr autopilot` or `uvmgr policy check` (default autopilot)")
    r.add_argument("--out", metavar="DIR", default="uvmgr-fleet",
                   help="reports go to DIR/<repository>/ (default ./uvmgr-fleet)")
    r.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                   help=f"stop one clone's job after this long (default {DEFAULT_TIMEOUT:g})")
    r.add_argument("--policy", metavar="FILE",
                   help="your policy file for every clone (the job's --policy)")
    r.add_argument("--offline", action="store_true",
                   help="audit with the cached advisory database (autopilot --offline)")
    r.add_argument("--json", action="store_true", help="the summary as JSON on stdout")
    g = fleet.add_parser("report", help="aggregate AutoPilot JSON reports (found recursively) "
                                        "into a static HTML dashboard and a JSON summary")
    g.add_argument("dir", metavar="DIR", help="a folder of reports, e.g. downloaded CI artefacts")
    g.add_argument("--out", metavar="PATH", default="fleet-report.html",
                   help="the dashboard (default ./fleet-report.html)")
    g.add_argument("--json", dest="summary", metavar="PATH", default=None,
                   help="also write the summary as JSON to PATH")
    g.add_argument("--days-to-fix", type=float, metavar="DAYS", default=None,
                   help="the SLA: days a vulnerability may stay open (default: the policy's "
                        "days-to-fix in the reports, else 30)")


def run(args: argparse.Namespace) -> int:
    from uvmgr import render
    from uvmgr.errors import EXIT_INTERRUPTED, EXIT_TERMINATED, UvmgrError
    from uvmgr.run_frame import Terminated

    try:
        if args.fleet_command == "run":
            return _run(args)
        return _report(args)
    except UvmgrError as exc:
        render.error(exc, bool(getattr(args, "json", False)))
        return exc.exit_code
    except KeyboardInterrupt as exc:
        got = "SIGTERM" if isinstance(exc, Terminated) else "Ctrl+C (SIGINT)"
        print(f"uvmgr fleet: {got} received: the jobs in flight were stopped (each rolls back "
              "its own change; the next uvmgr run in a clone finishes that if it could not)",
              file=sys.stderr)
        return EXIT_TERMINATED if isinstance(exc, Terminated) else EXIT_INTERRUPTED


def _run(args: argparse.Namespace) -> int:
    from uvmgr.fleet_jobs import AUTOPILOT
    from uvmgr.fleet_run import exit_code, run_fleet, write_summary

    if args.jobs < 1:
        raise UsageError("--jobs must be at least 1", hint="e.g. --jobs 2")
    if args.timeout <= 0:
        raise UsageError("--timeout must be more than 0 seconds")
    extra: list[str] = []
    if args.offline:
        if args.job != AUTOPILOT:
            raise UsageError("--offline is an option of the autopilot job",
                             hint="drop it, or use --command autopilot")
        extra.append("--offline")
    if args.policy:  # both jobs take --policy FILE
        policy = Path(args.policy).expanduser().absolute()  # the jobs run in the clones
        if not policy.is_file():
            raise UsageError(f"the policy file {args.policy} does not exist")
        extra += ["--policy", str(policy)]
    out = Path(args.out).expanduser().absolute()
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create {out}: {exc.strerror}") from exc
    print(f"uvmgr fleet: {args.job} in {len(args.repos)} "
          f"{'clone' if len(args.repos) == 1 else 'clones'}, {args.jobs} at a time; "
          f"reports in {out}", file=sys.stderr, flush=True)

    def done(outcome) -> None:
        print(f"  {outcome.repository}: {outcome.status} ({outcome.duration:.1f} s)",
              file=sys.stderr, flush=True)

    outcomes = run_fleet(args.repos, args.job, args.jobs, out, args.timeout, tuple(extra),
                         on_done=done)
    summary = write_summary(outcomes, out, args.job)
    if args.json:
        from uvmgr import render

        render.print_json({"command": args.job, "exit_code": exit_code(outcomes),
                           "summary_path": str(summary), "repositories": outcomes})
    else:
        _table(outcomes)
        print(f"summary: {summary}", file=sys.stderr)
    return exit_code(outcomes)


def _table(outcomes) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table(title="uvmgr fleet run", title_justify="left")
    for column in ("repository", "status", "exit", "time", "what happened"):
        table.add_column(column)
    colours = {"ok": "green", "needs-person": "yellow"}
    for o in outcomes:
        table.add_row(Text(o.repository), Text(o.status, style=colours.get(o.status, "red")),
                      "—" if o.exit_code is None else str(o.exit_code), f"{o.duration:.1f} s",
                      Text(o.message))
    from uvmgr import render

    render.rich_console().print(table)


def _report(args: argparse.Namespace) -> int:
    from uvmgr.fleet_report import collect, job_failures, summarize

    folder = Path(args.dir).expanduser()
    if not folder.is_dir():
        raise UsageError(f"{args.dir} is not a folder",
                         hint="give the folder the reports were downloaded to")
    if args.days_to_fix is not None and args.days_to_fix < 0:
        raise UsageError("--days-to-fix must be 0 or more")
    runs, warnings = collect(folder)
    failures, more = job_failures(folder)
    for warning in warnings + more:
        print(f"uvmgr: warning: {warning}", file=sys.stderr)
    if not runs and not failures:
        raise UsageError(f"no AutoPilot JSON report under {args.dir}",
                         hint="reports are what `uvmgr autopilot --json` prints (saved by "
                              "`uvmgr fleet run`, or downloaded CI artefacts)")
    summary = summarize(runs, days_to_fix=args.days_to_fix, skipped=len(warnings + more),
                        failures=failures)
    from uvmgr.fleet_html import dashboard

    html_path = Path(args.out).expanduser()
    html_path.parent.mkdir(parents=True, exist_ok=True)
    html_path.write_text(dashboard(summary), encoding="utf-8")
    print(f"wrote {html_path} ({len(summary['repositories'])} repositories, {len(runs)} runs)",
          file=sys.stderr)
    if args.summary:
        import json

        path = Path(args.summary).expanduser()
        path.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {path}", file=sys.stderr)
    return EXIT_OK
