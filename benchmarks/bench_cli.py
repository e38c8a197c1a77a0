"""Start-up and overhead benchmarks against the budgets in DESIGN.md.

    uv run python benchmarks/bench_cli.py [--runs 21]

Measures, as whole processes (median of N runs):
- `uvmgr --help` and `uvmgr --version` (budget: under 100 ms);
- `uvmgr deps list --json` on a fixture project, and the one `uv` call it makes
  (`uv lock --check --offline`), so uvmgr's own overhead is the difference (budget: 150 ms);
- `uvmgr deps outdated --json` the same way (two `uv pip compile` calls plus the check);
- `uvmgr ask "what's outdated?"` (offline planner) against the plain command it runs
  (`uvmgr deps outdated`) and against `uv pip list --outdated`, run side by side (interleaved,
  so a busy machine slows all three alike), on the fixture project and on `examples/demo`
  (budget: first output under 300 ms, at most ~300 ms more than the plain command);
  `--only ask` measures just these;
- the other project managers' `--version` where installed, for comparison.

`--only plain` measures just `--version`, `--help`, `deps list` and `deps outdated`.

uvmgr runs with a bytecode cache (a temporary `PYTHONPYCACHEPREFIX`, filled by a first run),
as a person's install does from its second run on. An environment with
`PYTHONDONTWRITEBYTECODE=1` and no `__pycache__` (as on the shared machine) would compile
every imported module on every run instead; the plain rows are then measured that way too,
labelled "no bytecode cache", for comparison with figures taken so.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def median_ms(argv: list[str], runs: int, cwd: Path | None = None, env=None) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=False)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def with_uv_time(argv: list[str], runs: int, cwd: Path, env) -> tuple[float, float, float]:
    """Median wall time of a uvmgr command, median time inside its uv processes, read from
    the run's own trace (process spans that overlap are counted once), and median CPU time of
    the whole command, its uv processes included (the figure a busy machine disturbs least)."""
    import json
    import resource

    walls, uvs, cpus = [], [], []
    trace = cwd / ".uvmgr" / "traces" / "traces.jsonl"
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=False)
        walls.append((time.perf_counter() - start) * 1000)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000)
        spans = [json.loads(line) for line in trace.read_text().splitlines()]
        last = spans[-1]["trace_id"]
        procs = sorted((s["start_time_unix_nano"], s["end_time_unix_nano"]) for s in spans
                       if s["trace_id"] == last and s["name"] == "process")
        busy, end = 0, 0
        for a, b in procs:
            a = max(a, end)
            if b > a:
                busy += b - a
            end = max(end, b)
        uvs.append(busy / 1e6)
    return statistics.median(walls), statistics.median(uvs), statistics.median(cpus)


def first_output_and_total_ms(argv: list[str], runs: int, cwd: Path, env) -> tuple[float, float]:
    """Median time to the first byte on stderr or stdout, and to exit."""
    firsts, totals = [], []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)
        proc.stderr.read(1)
        firsts.append((time.perf_counter() - start) * 1000)
        proc.stderr.read()
        proc.wait()
        totals.append((time.perf_counter() - start) * 1000)
    return statistics.median(firsts), statistics.median(totals)


def side_by_side(commands: dict[str, list[str]], runs: int, cwd: Path,
                 env) -> dict[str, tuple[float, float, float]]:
    """Median (time to first output, time to exit, CPU time) of each command, the commands
    taking turns within every round so that load on a shared machine falls on all of them
    alike; CPU time (user + system, the process and the children it waited for) is the figure
    a busy machine disturbs least. A command that fails is an error, not a fast figure."""
    import resource

    firsts: dict[str, list[float]] = {k: [] for k in commands}
    totals: dict[str, list[float]] = {k: [] for k in commands}
    cpus: dict[str, list[float]] = {k: [] for k in commands}
    for _ in range(runs):
        for name, argv in commands.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT)
            proc.stdout.read(1)
            firsts[name].append((time.perf_counter() - start) * 1000)
            rest = proc.stdout.read()
            if proc.wait() != 0:
                raise SystemExit(f"{' '.join(argv)} failed in {cwd}:\n{rest.decode()[-800:]}")
            totals[name].append((time.perf_counter() - start) * 1000)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus[name].append((after.ru_utime - before.ru_utime + after.ru_stime
                               - before.ru_stime) * 1000)
    return {k: (statistics.median(firsts[k]), statistics.median(totals[k]),
                statistics.median(cpus[k])) for k in commands}


def ask_vs_plain_rows(uvmgr: str, uv: str, root: Path, label: str, runs: int,
                      env, baseline: str | None = None) -> list[tuple[str, float, str]]:
    """What `uvmgr ask` with the offline planner costs on top of the command it runs. The
    project is synced first: `uv pip list` reads its environment."""
    subprocess.run([uv, "sync", "-q"], cwd=root, env=env, check=True)
    commands = {"uv": [uv, "pip", "list", "--outdated"],
                "plain": [uvmgr, "deps", "outdated"],
                "ask": [uvmgr, "ask", "what's outdated?"]}
    if baseline:
        commands["baseline"] = [baseline, "ask", "what's outdated?"]
    m = side_by_side(commands, runs, root, env)
    (_, uv_ms, uv_cpu), (_, plain, plain_cpu), (first, ask, ask_cpu) = m["uv"], m["plain"], m["ask"]
    return [(f"{label}: uv pip list --outdated", uv_ms, f"cpu {uv_cpu:.0f} ms; comparison"),
            (f"{label}: uvmgr deps outdated", plain,
             f"cpu {plain_cpu:.0f} ms; {plain / uv_ms:.1f}x uv"),
            (f"{label}: uvmgr ask \"what's outdated?\"", ask,
             (f"cpu {ask_cpu:.0f} ms; +{ask - plain:.0f} ms wall, +{ask_cpu - plain_cpu:.0f} ms "
              f"cpu over the plain command (budget ~300 ms); {ask / plain:.2f}x plain, "
              f"{ask / uv_ms:.1f}x uv")),
            (f"{label}: uvmgr ask, first output", first, "budget 300 ms"),
            *([(f"{label}: baseline uvmgr ask", m["baseline"][1],
                (f"cpu {m['baseline'][2]:.0f} ms; +{m['baseline'][1] - plain:.0f} ms wall, "
                 f"+{m['baseline'][2] - plain_cpu:.0f} ms cpu over the plain command"))]
              if baseline else [])]


def demo_rows(uvmgr: str, uv: str, runs: int, env,
              baseline: str | None = None) -> list[tuple[str, float, str]]:
    """The bundled example project (real, older packages from the registry), synced first."""
    root = Path(__file__).resolve().parents[1] / "examples" / "demo"
    return ask_vs_plain_rows(uvmgr, uv, root, "examples/demo", runs, env, baseline)


def _raise_caps(pyproject: Path) -> None:
    """The policy lets AutoPilot rewrite a cap (by default it is kept and reported)."""
    pyproject.write_text(pyproject.read_text() + "\n[tool.uvmgr.autopilot]\nraise-caps = true\n")


def autopilot_rows(uvmgr: str, env) -> list[tuple[str, float, str]]:
    """One AutoPilot run that fixes two advisories and upgrades three packages (tests, bisection
    of a breaking release), then a second run on the now up-to-date project."""
    from uvmgr.evals.fixtures import ADVISORIES_DIR, build_full_index, make_project

    with tempfile.TemporaryDirectory() as tmp:
        index = build_full_index(Path(tmp) / "index")
        project = make_project(Path(tmp) / "ap", index,
                               ["demo-http>=1.0,<1.1", "demo-json>=2.0,<3", "demo-cli>=0.9"],
                               {"demo-http": "1.0.0", "demo-json": "2.0.0", "demo-cli": "1.0.0"},
                               tests="fail-after-upgrade:demo-http")
        # The advisory folder lies outside the project, so it is the person's own setting.
        env = {**(env or os.environ), "UVMGR_AUDIT_DB": str(ADVISORIES_DIR)}
        _raise_caps(project.pyproject)  # demo-http's cap `<1.1` may go, so 1.2.0 is bisected
        for root in (project.root,):
            code = subprocess.run([uvmgr, "autopilot"], cwd=root, env=env,
                                  capture_output=True, check=False).returncode
            if code not in (0, 3):
                raise SystemExit(f"autopilot exited {code} in {root}: the figure would be wrong")
        project = make_project(Path(tmp) / "ap2", index,
                               ["demo-http>=1.0,<1.1", "demo-json>=2.0,<3", "demo-cli>=0.9"],
                               {"demo-http": "1.0.0", "demo-json": "2.0.0", "demo-cli": "1.0.0"},
                               tests="fail-after-upgrade:demo-http")
        _raise_caps(project.pyproject)
        first = median_ms([uvmgr, "autopilot"], 1, project.root, env)
        again = median_ms([uvmgr, "autopilot"], 3, project.root, env)
        quiet = make_project(Path(tmp) / "quiet", index, ["demo-json>=2.0.1,<3"],
                             {"demo-json": "2.1.0"})
        noop = median_ms([uvmgr, "autopilot"], 3, quiet.root, env)
    return [("autopilot: 2 fixes + 3 upgrades + tests", first, "report the figure"),
            ("autopilot: again (retries the held-back one)", again, ""),
            ("autopilot: no-op (nothing outdated)", noop, "budget 5000 ms")]


CHAT_PROBE = """
import asyncio, sys, time
from pathlib import Path
from uvmgr.tui.app import ChatApp

async def main():
    app = ChatApp(Path(sys.argv[1]), refresh_outdated=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()

asyncio.run(main())
"""


def chat_ready_ms(env) -> float:
    """Process start to the chat window mounted (headless, Textual's test driver)."""
    root = Path(__file__).resolve().parents[1] / "examples" / "demo"
    return median_ms([sys.executable, "-c", CHAT_PROBE, str(root)], 5, None, env)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--only", choices=["ask", "plain"],
                        help="measure only the ask-vs-plain rows, or only the plain commands")
    parser.add_argument("--baseline", metavar="UVMGR",
                        help="another uvmgr executable (e.g. an older checkout's) whose ask runs "
                             "side by side with this one's")
    args = parser.parse_args()
    as_given = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    with tempfile.TemporaryDirectory(prefix="uvmgr-bench-pyc-") as pycache:
        env = {k: v for k, v in as_given.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = pycache
        _print(_rows(args, env, as_given), args.runs)


def _rows(args: argparse.Namespace, env: dict[str, str],
          as_given: dict[str, str]) -> list[tuple[str, float, str]]:
    runs = args.runs
    uvmgr = shutil.which("uvmgr") or str(Path(sys.executable).parent / "uvmgr")
    from uvmgr.evals.fixtures import build_full_index, make_project
    from uvmgr.tools.runner import find_uv

    uv = find_uv()
    rows: list[tuple[str, float, str]] = []
    if args.only == "ask":
        with tempfile.TemporaryDirectory() as tmp:
            index = build_full_index(Path(tmp) / "index")
            project = make_project(Path(tmp) / "bench-app", index,
                                   ["demo-http>=1.0,<1.1", "demo-json==2.0.0", "demo-cli>=0.9"],
                                   {"demo-http": "1.0.0", "demo-json": "2.0.0",
                                    "demo-cli": "1.0.0"})
            rows += ask_vs_plain_rows(uvmgr, uv, project.root, "fixture", runs, env,
                                      args.baseline)
        rows += demo_rows(uvmgr, uv, runs, env, args.baseline)
        return rows
    median_ms([uvmgr, "--help"], 1, env=env)  # fills the bytecode cache
    rows.append(("python -c pass", median_ms([sys.executable, "-c", "pass"], runs, env=env), ""))
    rows.append(("uvmgr --version", median_ms([uvmgr, "--version"], runs, env=env),
                 "budget 100 ms"))
    rows.append(("uvmgr --help", median_ms([uvmgr, "--help"], runs, env=env), "budget 100 ms"))
    with tempfile.TemporaryDirectory() as tmp:
        index = build_full_index(Path(tmp) / "index")
        project = make_project(Path(tmp) / "bench-app", index,
                               ["demo-http>=1.0,<1.1", "demo-json==2.0.0", "demo-cli>=0.9"],
                               {"demo-http": "1.0.0", "demo-json": "2.0.0", "demo-cli": "1.0.0"})
        root = project.root
        rows += plain_rows(uvmgr, root, runs, env)
        if as_given.get("PYTHONDONTWRITEBYTECODE"):
            rows += plain_rows(uvmgr, root, runs, as_given, " (no bytecode cache)")
        if args.only == "plain":
            return rows
        uv_total = with_uv_time([uvmgr, "deps", "outdated", "--json"], 3, root, env)[1]
        first, total = first_output_and_total_ms(
            [uvmgr, "ask", "what's outdated?", "--json"], max(3, runs // 3), root, env)
        rows.append(("uvmgr ask (offline): first output", first, "budget 300 ms"))
        rows.append(("uvmgr ask (offline): answer", total,
                     f"budget 1500 ms + uv time (~{uv_total:.0f} ms)"))
        rows += ask_vs_plain_rows(uvmgr, uv, root, "fixture", max(5, runs // 2), env)
        dspy_ms = median_ms([sys.executable, "-c", "import dspy"], 3, env=env)
        rows.append(("python -c 'import dspy'", dspy_ms, "not imported by an offline ask"))
    rows += demo_rows(uvmgr, uv, max(5, runs // 2), env)
    rows += autopilot_rows(uvmgr, env)
    rows.append(("uvmgr chat: window ready (headless)", chat_ready_ms(env), "budget 1000 ms"))
    for tool in ("uv", "hatch", "pdm", "poetry"):
        path = shutil.which(tool)
        if path:
            rows.append((f"{tool} --version", median_ms([path, "--version"], runs), "comparison"))
    return rows


def plain_rows(uvmgr: str, root: Path, runs: int, env: dict[str, str],
               note: str = "") -> list[tuple[str, float, str]]:
    """`deps list` and `deps outdated` (JSON): wall time, time inside uv (from the run's trace),
    and uvmgr's own overhead, the difference."""
    rows = []
    for label, argv in (("uvmgr deps list --json", [uvmgr, "deps", "list", "--json"]),
                        ("uvmgr deps outdated --json", [uvmgr, "deps", "outdated", "--json"])):
        median_ms(argv, 1, root, env)  # its modules' bytecode, when there is a cache
        wall, in_uv, cpu = with_uv_time(argv, runs, root, env)
        rows.append((label + note, wall, (f"uv {in_uv:.0f} ms, uvmgr overhead "
                                          f"{wall - in_uv:.0f} ms (budget 150 ms); cpu {cpu:.0f} "
                                          "ms with uv's")))
    return rows


def _print(rows: list[tuple[str, float, str]], runs: int) -> None:
    width = max(len(r[0]) for r in rows)
    print(f"median of {runs} runs, {os.cpu_count()} cores")
    for name, ms, note in rows:
        print(f"  {name:<{width}}  {ms:7.1f} ms  {note}")


if __name__ == "__main__":
    main()
