"""`uvmgr autopilot`: the command around `agent.autopilot.run_autopilot`. It writes the run's
report and commit message, SARIF when asked, commits on a new branch when asked, and
`uvmgr autopilot init-ci` writes the CI workflow (`uvmgr/autopilot_output.py` holds their
texts and the git steps)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

from uvmgr.errors import EXIT_OK

Adder = Callable[[argparse.ArgumentParser], None]


def add_parser(sub, common: Adder, mutating: Adder) -> None:
    p = sub.add_parser("autopilot", help="unattended, policy-bound maintenance for scheduled CI",
                       description="audit -> fix vulnerabilities -> upgrade within the policy "
                                   "([tool.uvmgr.autopilot]) -> gates -> report. Never prompts.",
                       epilog="exit codes: 0 nothing to do or every kept change passes the gates;"
                              " 1 a gate failed and everything was restored; 3 something needs a "
                              "person; 4 a change was rolled back")
    ap_sub = p.add_subparsers(dest="autopilot_command", metavar="ACTION")
    ci = ap_sub.add_parser("init-ci", help="write a GitHub Actions workflow that runs autopilot")
    ci.add_argument("--force", action="store_true", help="overwrite an existing workflow")
    ci.add_argument("--org", action="store_true",
                    help="for many repositories: a reusable workflow, a caller template and a "
                         "fleet-report workflow, written into your organization's workflows "
                         "repository (see the README's 'Many repositories')")
    mutating(ci)
    common(ci)
    p.add_argument("--policy", metavar="FILE", help="a TOML policy used instead of the project's [tool.uvmgr.autopilot] "
                        "(after your user config's [policy]; see `uvmgr policy show`)")
    p.add_argument("--report", metavar="PATH",
                   help="Markdown report (default .uvmgr/reports/autopilot-<timestamp>.md)")
    p.add_argument("--sarif", metavar="PATH", help="write SARIF for the remaining vulnerabilities")
    p.add_argument("--commit", action="store_true",
                   help="commit the kept changes on a new branch uvmgr/autopilot-<date>")
    p.add_argument("--model", help="a litellm model (default: configured, else the offline planner)")
    p.add_argument("--offline", action="store_true",
                   help="audit with the cached advisory database (`uvmgr advisories update`)")
    p.add_argument("--advise", action="store_true",
                   help="add the performance advisor's section (uvmgr advise) to the report")
    common(p)


def run(project_dir: Path, args: argparse.Namespace) -> int:
    if args.autopilot_command == "init-ci":
        if args.org:  # the organization's workflows repository: not a uv project itself
            from uvmgr.org_workflows import init_org_ci

            return init_org_ci(project_dir, args)
        return init_ci(project_dir, args)
    print("uvmgr autopilot: starting", file=sys.stderr, flush=True)
    from uvmgr.run_frame import run_traced

    def body(ctx) -> int:
        from uvmgr import render
        from uvmgr.agent.autopilot import run_autopilot
        from uvmgr.ask_console import ConsoleObserver
        from uvmgr.policy_layers import for_project

        # the person's [policy] layers, then --policy FILE or the project's tables; a setting
        # a layer locked cannot be loosened by a later one
        effective = for_project(ctx.project, Path(args.policy) if args.policy else None)
        policy = effective.autopilot
        if args.commit:
            from uvmgr.autopilot_output import check_commit_possible

            check_commit_possible(ctx)
        report = report_path(ctx, args)  # a planted link there stops the run before any change
        observer = ConsoleObserver()
        if not args.json:
            ctx.progress = observer  # tools' phases as a status line on a terminal
        try:
            result = run_autopilot(ctx, policy, observer=observer, model=args.model)
            advice = None
            if args.advise:  # read-only, after the gates: it reports, never changes a file
                from uvmgr.errors import UsageError
                from uvmgr.tools.registry import invoke

                spec = ctx.tools.get("advise")  # the advisor pack's tool, when it is active
                if spec is None:
                    raise UsageError("--advise needs the advisor pack, which is not active",
                                     hint="`uvmgr packs list` says why")
                advice = invoke(spec, ctx)
        finally:
            observer.status.close()
        outputs = write_outputs(ctx, result, args, ctx.tracer.trace_id, report,
                                appendix=advice.markdown() if advice is not None else "")
        document = render.to_jsonable(result)
        # the SLA the dashboard measures open vulnerabilities against, and where the policy
        # came from (`uvmgr fleet report` reads both)
        document["policy"] = {**document.get("policy", {}),
                              "days_to_fix": effective.rules.days_to_fix,
                              "layers": list(effective.layers)}
        send_metrics(document, ctx.project.root.name, args.policy)
        if args.json:
            extra = {"advice": render.to_jsonable(advice)} if advice is not None else {}
            render.print_json({**document, **outputs, **extra},
                              notices=ctx.settings.notices)
        else:
            print(Path(outputs["report_path"]).read_text(encoding="utf-8"))
            print(f"report: {outputs['report_path']}", file=sys.stderr)
        return result.exit_code

    return run_traced("uvmgr autopilot", project_dir, args, _counted(body, args))


def _counted(body, args: argparse.Namespace):
    """`body`, and a run that stops with an error still counts in the metrics (outcome
    `error`)."""
    from uvmgr.errors import UvmgrError

    def counted(ctx) -> int:
        try:
            return body(ctx)
        except UvmgrError as exc:
            from uvmgr.otel_metrics import export_failed_run, repository_name

            for warning in export_failed_run(
                    exc.exit_code, repository_name(os.environ, ctx.project.root.name),
                    args.policy or "[tool.uvmgr.autopilot]"):
                print(f"uvmgr: warning: {warning}", file=sys.stderr)
            raise

    return counted


def send_metrics(document: dict, folder: str, policy_file: str | None) -> None:
    """The run's OpenTelemetry metrics, when an OTLP endpoint is set (`uvmgr/otel_metrics.py`);
    a failure is a warning on stderr."""
    from uvmgr.otel_metrics import export_run_metrics, metrics_endpoint, repository_name

    if not metrics_endpoint(os.environ):
        return
    from uvmgr.run_figures import NotAReport, figures

    try:
        run = figures(document)
    except NotAReport as exc:  # a bug: the report is uvmgr's own
        warnings = [f"metrics not sent: the run's report is not readable ({exc})"]
    else:
        warnings = export_run_metrics(run, repository_name(os.environ, folder),
                                      policy_file or "[tool.uvmgr.autopilot]")
    for warning in warnings:
        print(f"uvmgr: warning: {warning}", file=sys.stderr)


def report_path(ctx, args: argparse.Namespace) -> Path:
    """Where the Markdown report goes (the person's path, or `.uvmgr/reports/`), its folder
    made and checked now: found unusable only after the run, the run's changes would be kept
    under an error."""
    import datetime

    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    if args.report:  # the person's own path
        report = Path(args.report)
        report.parent.mkdir(parents=True, exist_ok=True)
        return report
    # inside .uvmgr/, which may have come with a clone: never through a link
    from uvmgr.tools.state_files import ensure_state_dir, real_dir

    return real_dir(ensure_state_dir(ctx.project) / "reports") / f"autopilot-{stamp}.md"


def write_outputs(ctx, result, args: argparse.Namespace, trace_id: str, report: Path,
                  appendix: str = "") -> dict:
    """The report at `report` (with `appendix`, a Markdown section, at its end) and the commit
    message beside it, SARIF, and the commit when asked and every gate passed. Returns where
    each went."""
    import datetime
    import json

    from uvmgr.autopilot_output import commit_message, git_commit, markdown
    from uvmgr.sarif import audit_sarif
    from uvmgr.telemetry import redact_text

    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    message = report.with_suffix(".commit.txt")
    in_state = not args.report
    _write_output(report, _with(markdown(result, trace_id), appendix), in_state)
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
            _write_output(report, _with(markdown(result, trace_id), appendix), in_state)
    return outputs


def _with(report: str, appendix: str) -> str:
    return report if not appendix else report.rstrip("\n") + "\n\n" + appendix


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


def init_ci(project_dir: Path, args: argparse.Namespace) -> int:
    """Write the GitHub Actions workflow that runs AutoPilot (never over a different one
    without --force)."""
    from uvmgr import render
    from uvmgr.autopilot_output import WORKFLOW, WORKFLOW_PATH
    from uvmgr.errors import UsageError, UvmgrError
    from uvmgr.tools.project import Project

    try:
        project = Project(project_dir)
    except UvmgrError as exc:
        render.error(exc, args.json)
        return exc.exit_code
    from uvmgr.tools.state_files import repository_file, write_atomic

    target = project.root / WORKFLOW_PATH
    if args.dry_run:
        if args.json:
            render.print_json(written_files([(target, WORKFLOW)], written=False))
        else:
            print(f"# would write {target}\n{WORKFLOW}", end="")
        return EXIT_OK
    try:  # a cloned repository's planted link never carries the write elsewhere
        repository_file(project.root, WORKFLOW_PATH)
        if target.exists() and target.read_text(encoding="utf-8") != WORKFLOW and not args.force:
            raise UsageError(f"{target} exists and differs",
                             hint="pass --force to overwrite, or --dry-run to see the new one")
        write_atomic(repository_file(project.root, WORKFLOW_PATH, create=True),
                     WORKFLOW.encode("utf-8"))
    except UvmgrError as exc:
        render.error(exc, args.json)
        return exc.exit_code
    if args.json:
        render.print_json(written_files([(target, WORKFLOW)], written=True))
    else:
        print(f"wrote {target}:\n\n{WORKFLOW}", end="")
    return EXIT_OK


def written_files(files: list[tuple[Path, str]], *, written: bool) -> dict:
    """`init-ci`'s --json document: each file's path and content, and whether it was written
    (false for --dry-run)."""
    return {"dry_run": not written,
            "files": [{"path": str(path), "content": text, "written": written}
                      for path, text in files]}
