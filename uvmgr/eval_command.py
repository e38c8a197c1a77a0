"""`uvmgr eval`: run the offline scenario suite for one or more models, report, compare, and
optimise the planner's prompts with DSPy.

`uvmgr eval --requests [--split train|dev|test|holdout|fresh|probe|fresh2|fresh3|fresh4|fresh5|all]` scores the request reader
alone on the labelled request corpus instead (pure: no uv, a few seconds); its gates are no
dangerous misreading, no --yes over-approval, and full accuracy of at least 90% on the test split
(and on a held-out set, holdout, fresh, probe, fresh2, fresh3, fresh4 or fresh5, when that is scored).

Exit codes: 0 when every gate holds (no unsafe action, every failed change rolled back
byte-identical) and no scenario crashed; 1 when a gate fails or a scenario crashed;
2 for bad input (a malformed scenario, an unknown id, unreadable results).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from uvmgr.errors import EXIT_FAILED, EXIT_OK, UsageError, UvmgrError


def add_parser(sub) -> None:
    p = sub.add_parser("eval", help="score the agent's decisions on offline scenarios",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", action="append", metavar="M",
                   help="offline (default), obedient (a model that follows every injection: "
                        "the safety layer alone), or any litellm model; repeat to compare")
    p.add_argument("--scenarios", metavar="DIR", help="scenario folder (default: the bundled "
                                                      "suite)")
    p.add_argument("--trials", type=int, default=1, metavar="K",
                   help="runs per scenario, for pass^k (default 1)")
    p.add_argument("--only", nargs="+", metavar="ID", help="scenario ids (or id prefixes)")
    p.add_argument("--out", metavar="DIR", help="where results.json, report.md and report.html "
                                                "go (default .uvmgr/evals/<timestamp>)")
    p.add_argument("--jobs", type=int, default=0, metavar="N",
                   help="scenarios in parallel (default: one per core)")
    p.add_argument("--api-base", metavar="URL",
                   help="an OpenAI-compatible server for the model (or UVMGR_API_BASE)")
    p.add_argument("--compare", nargs=2, metavar=("A.json", "B.json"),
                   help="show what got better or worse between two results.json files")
    p.add_argument("--optimize", action="store_true",
                   help="compile the planner with DSPy BootstrapFewShot on the training split "
                        "and report before/after on the held-out split")
    p.add_argument("--program", metavar="FILE",
                   help="score a compiled program (prompts/compiled/<model>.json) instead of "
                        "the plain one")
    p.add_argument("--max-demos", type=int, default=4, metavar="N",
                   help="few-shot demos --optimize attaches (default 4; fewer for small context "
                        "windows)")
    p.add_argument("--requests", action="store_true",
                   help="score the request reader on the labelled request corpus "
                        "(evals/data/requests): accuracy, ask-back, dangerous misreadings and "
                        "--yes over-approvals; pure, no uv")
    p.add_argument("--split", default="all", choices=("train", "dev", "test", "holdout", "fresh",
                                                    "probe", "fresh2", "fresh3", "fresh4", "fresh5",
                                                    "all"),
                   help="with --requests: which split of the corpus (default all: train, dev "
                        "and test; holdout, fresh, probe, fresh2, fresh3, fresh4, fresh5: the separate held-out sets, each scored on "
                        "its own)")
    p.add_argument("--list", action="store_true", help="list the scenarios and exit")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.set_defaults(project=None)


def run(args: argparse.Namespace) -> int:
    from uvmgr import render

    try:
        return _run(args)
    except UvmgrError as exc:  # a usage error, a planted link in .uvmgr/
        render.error(exc, args.json)
        return exc.exit_code


def _run(args: argparse.Namespace) -> int:
    from uvmgr.evals import report
    from uvmgr.evals.scenario import load_scenarios

    if args.compare:
        a, b = (report.load(Path(p)) for p in args.compare)
        diff = report.compare(a, b)
        if args.json:
            from uvmgr import render

            render.print_json(diff)
        else:
            report.print_compare(diff)
        return EXIT_OK
    if args.requests:
        return _requests(args)
    if args.trials < 1:
        raise UsageError("--trials must be at least 1")
    extra: list = []
    if not args.scenarios:  # the bundled suite: with the active packs' scenarios
        extra = _pack_scenarios()
    scenarios = load_scenarios(Path(args.scenarios) if args.scenarios else None, args.only,
                               extra=extra)
    if args.list:
        for s in scenarios:
            attack = f" [attack: {s.attack.vector}]" if s.attack else ""
            pack = f" [pack: {s.pack}]" if s.pack else ""
            print(f"{s.id:<40} {s.category:<14} {s.split:<5} {s.request!r}{attack}{pack}")
        return EXIT_OK
    models = args.model or ["offline"]
    api_base = args.api_base or os.environ.get("UVMGR_API_BASE")
    out = Path(args.out) if args.out else _default_out(time.strftime("%Y%m%dT%H%M%S"))
    if args.optimize:
        from uvmgr.evals.optimize import optimize

        return optimize(scenarios, models[0], out, api_base=api_base, json_out=args.json,
                        jobs=args.jobs, max_demos=args.max_demos)
    program = Path(args.program) if args.program else None
    if program is not None and not program.is_file():
        raise UsageError(f"no compiled program at {program}",
                         hint="`uvmgr eval --optimize --model M` writes prompts/compiled/<M>.json")
    return evaluate(scenarios, models, args.trials, args.jobs, out, api_base, args.json,
                    str(args.scenarios or "bundled"), program_path=program)


def _pack_scenarios() -> list:
    """The active packs' scenarios (`Pack.scenarios`); a one-line warning on stderr for each
    pack or scenario skipped."""
    from uvmgr.evals.pack_scenarios import pack_scenarios
    from uvmgr.evals.scenario import SCENARIOS_DIR
    from uvmgr.packs.loading import load_packs
    from uvmgr.user_config import UserConfig

    loaded, warnings = load_packs(UserConfig.load())
    taken = {p.stem for p in SCENARIOS_DIR.glob("*.yaml")}
    scenarios, skipped = pack_scenarios(loaded, taken)
    for line in (*warnings, *skipped):
        print(f"uvmgr: {line}", file=sys.stderr)
    return scenarios


def _requests(args: argparse.Namespace) -> int:
    from uvmgr.evals import requests

    out = Path(args.out) if args.out else _default_out(
        "requests-" + time.strftime("%Y%m%dT%H%M%S"))
    doc = requests.run(args.split, out)
    if args.json:
        from uvmgr import render

        render.print_json({k: v for k, v in doc.items() if k != "failing"})
    else:
        cols = ("rows", "full_accuracy", "intent_accuracy", "ask_precision", "ask_recall",
                "dangerous_misreadings", "yes_over_approvals", "yes_under_approvals")
        print(f"{'split':<8}" + "".join(f"{c:>22}" for c in cols))
        for name, m in {"all": doc["overall"], **doc["by_split"]}.items():
            print(f"{name:<8}" + "".join(f"{m[c]!s:>22}" for c in cols))
        for gate, ok in doc["gates"].items():
            print(f"{'PASS' if ok else 'FAIL'} {gate}")
        print(f"{len(doc['failing'])} failing rows; {doc['seconds']}s\n"
              f"report: {doc['outputs']['markdown']}, {doc['outputs']['json']}")
    return EXIT_OK if all(doc["gates"].values()) else EXIT_FAILED


def evaluate(scenarios, models, trials, jobs, out: Path, api_base, json_out: bool,
             scenarios_dir: str, program_path: Path | None = None, quiet: bool = False) -> int:
    from uvmgr.evals import report
    from uvmgr.evals.metrics import by_model
    from uvmgr.evals.runner import run_suite

    started, clock = report.now(), time.monotonic()
    total = len(scenarios) * len(models) * trials
    done = [0]

    def progress(result: dict) -> None:
        done[0] += 1
        mark = "ok  " if result["passed"] else "FAIL"
        print(f"[{done[0]:>3}/{total}] {mark} {result['model']:<10} {result['id']}"
              + ("" if result["passed"] else f": {'; '.join(result['failures'][:2])}"),
              file=sys.stderr, flush=True)

    results = run_suite(scenarios, models, trials, jobs, api_base=api_base,
                        program_path=program_path, progress=progress)
    metrics = by_model(results)
    doc = report.document(results, metrics, started=started, seconds=time.monotonic() - clock,
                          scenarios_dir=scenarios_dir, trials=trials)
    paths = report.write_outputs(doc, out)
    if quiet:
        pass
    elif json_out:
        from uvmgr import render

        render.print_json({"models": metrics, "outputs": paths})
    else:
        report.print_table(doc)
        print(f"results: {paths['json']}\nreport: {paths['markdown']}, {paths['html']}")
    ok = all(all(m["gates"].values()) and not m["crashed"] for m in metrics.values())
    return EXIT_OK if ok else EXIT_FAILED


def _default_out(name: str) -> Path:
    """`./.uvmgr/evals/<name>`: `.uvmgr` may come with a clone, so neither folder may be a link
    (results are never written through one, to a folder outside the project)."""
    from uvmgr.tools.state_files import real_dir

    return real_dir(real_dir(Path(".uvmgr")) / "evals") / name
