"""`uvmgr policy show` (the effective policy and where each value came from) and `uvmgr policy
check` (its rules on the lock, offline: Markdown, `--json`, `--sarif PATH`)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

Adder = Callable[[argparse.ArgumentParser], None]

EXIT_HELP = ("exit codes: 0 every rule passes (unknown results are listed); 1 a rule is "
             "violated (or an unknown result, with on-unknown = \"fail\"); 2 the policy cannot "
             "be loaded (bad file, an extends that is unreachable or does not match its hash, "
             "a locked setting loosened) or the project cannot be read; 6 an advisory rule "
             "could not be checked: no advisory database")


def add_parser(sub, common: Adder) -> None:
    p = sub.add_parser("policy", help="the effective policy (shared policies, locked settings) "
                                      "and the policy gate for CI",
                       epilog=EXIT_HELP)
    actions = p.add_subparsers(dest="policy_command", metavar="ACTION")
    show = actions.add_parser("show", help="the effective policy and where each value came from")
    check = actions.add_parser("check", help="check the lock against the policy's rules, "
                                             "offline", epilog=EXIT_HELP)
    for q in (show, check):
        q.add_argument("--policy", metavar="FILE",
                       help="a TOML policy used instead of the project's tables")
        common(q)
    check.add_argument("--sarif", metavar="PATH", help="also write SARIF 2.1.0 to PATH")
    check.add_argument("--db", metavar="PATH",
                       help="an OSV advisory database (folder or zip) for the advisory rules "
                            "(default: audit-db, else the cached one)")


def run(project_dir: Path, args: argparse.Namespace) -> int:
    from uvmgr.run_frame import run_traced

    def body(ctx) -> int:
        from uvmgr.policy_layers import for_project

        policy = for_project(ctx.project, Path(args.policy) if args.policy else None)
        if args.policy_command == "show":
            return _show(policy, args.json, ctx.settings.notices)
        return _check(ctx, policy, args)

    return run_traced(f"uvmgr policy {args.policy_command}", project_dir, args, body)


def _show(policy, as_json: bool, notices) -> int:
    from uvmgr import render

    data = policy.to_dict()
    if as_json:
        render.print_json(data, notices=notices)
        return 0
    print("layers, first to last: " + (" -> ".join(data["layers"]) or "none (defaults)"))
    width = max(len(k) for k in data["settings"])
    for key, s in data["settings"].items():
        value = s["value"]
        if key == "banned":
            value = ", ".join(f"{b['name']} ({b['reason'] or 'no reason'}; {b['source']})"
                              for b in value) or "[]"
        locked = f"  [locked by {s['locked_by']}]" if s["locked_by"] else ""
        print(f"{key:<{width}}  {_text(value)}  <- {s['source']}{locked}")
    return 0


def _text(value: object) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    if isinstance(value, bool):
        return str(value).lower()
    return "unset" if value is None else str(value)


def _check(ctx, policy, args: argparse.Namespace) -> int:
    import json

    from uvmgr import render
    from uvmgr.policy_check import check_policy
    from uvmgr.tools.resolve import ensure_lock_current

    ensure_lock_current(ctx)
    report = check_policy(ctx.project, policy, ctx.settings, args.db)
    if args.sarif:
        from uvmgr.sarif import policy_sarif
        from uvmgr.telemetry import redact_text

        Path(args.sarif).write_text(redact_text(json.dumps(policy_sarif(report), indent=2)),
                                    encoding="utf-8")
    if args.json:
        render.print_json(report, notices=ctx.settings.notices)
    else:
        sys.stdout.write(markdown(report))
    return report.exit_code


MEANING = {0: "the policy holds", 1: "the policy is violated",
           6: "an advisory rule could not be checked"}


def markdown(report) -> str:
    lines = [f"# uvmgr policy check: {report.project}", "",
             (f"exit {report.exit_code}: {MEANING.get(report.exit_code, '')} · "
              f"{report.duration:.2f} s"), ""]
    if not report.rules:
        lines += ["The policy sets no rule to check (see `uvmgr policy show`).", ""]
    lines += ["| rule | checked against | pass | fail | unknown |", "|---|---|---|---|---|"]
    for rule, value in report.rules.items():
        c = report.counts(rule)
        lines.append(f"| {rule} | {value} | {c['pass']} | {c['fail']} | {c['unknown']} |")
    failing = [r for r in report.results if r.status == "fail"]
    unknown = [r for r in report.results if r.status == "unknown"]
    if failing:
        lines += ["", "## Violations", ""]
        lines += [f"- **{r.rule}**: {r.message} (policy: {r.source or 'default'})"
                  for r in failing]
    if unknown:
        counted = "fails the check" if report.on_unknown == "fail" else "is not counted as a pass"
        lines += ["", f"## Unknown (on-unknown = \"{report.on_unknown}\": each {counted})", ""]
        lines += [f"- **{r.rule}**: {r.message}" for r in unknown]
    lines += ["", "## Run", "", f"- advisories: {report.advisories}",
              "- policy layers: " + (" -> ".join(report.layers) or "none (defaults)")]
    return "\n".join(lines) + "\n"
