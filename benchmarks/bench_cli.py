"""Start-up and overhead benchmarks against the budgets in DESIGN.md.

    uv run python benchmarks/bench_cli.py [--runs 21]

Measures, as whole processes (median of N runs):
- `uvmgr --help` and `uvmgr --version` (budget: under 100 ms);
- `uvmgr deps list --json` on a fixture project, and the one `uv` call it makes
  (`uv lock --check --offline`), so uvmgr's own overhead is the difference (budget: 150 ms);
- `uvmgr deps outdated --json` the same way (two `uv pip compile` calls plus the check);
- the other project managers' `--version` where installed, for comparison.
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


def with_uv_time(argv: list[str], runs: int, cwd: Path, env) -> tuple[float, float]:
    """Median wall time of a uvmgr command and median time inside its uv processes, read from
    the run's own trace (process spans that overlap are counted once)."""
    import json

    walls, uvs = [], []
    trace = cwd / ".uvmgr" / "traces" / "traces.jsonl"
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=False)
        walls.append((time.perf_counter() - start) * 1000)
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
    return statistics.median(walls), statistics.median(uvs)


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
        text = project.pyproject.read_text() + f'\n[tool.uvmgr]\naudit-db = "{ADVISORIES_DIR}"\n'
        project.pyproject.write_text(text)
        subprocess.run(["uv", "lock", "-q"], cwd=project.root, env=env, check=True)
        first = median_ms([uvmgr, "autopilot"], 1, project.root, env)
        again = median_ms([uvmgr, "autopilot"], 3, project.root, env)
        quiet = make_project(Path(tmp) / "quiet", index, ["demo-json>=2.0.1,<3"],
                             {"demo-json": "2.1.0"})
        text = quiet.pyproject.read_text() + f'\n[tool.uvmgr]\naudit-db = "{ADVISORIES_DIR}"\n'
        quiet.pyproject.write_text(text)
        subprocess.run(["uv", "lock", "-q"], cwd=quiet.root, env=env, check=True)
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
    args = parser.parse_args()
    runs = args.runs
    uvmgr = shutil.which("uvmgr") or str(Path(sys.executable).parent / "uvmgr")
    from uvmgr.evals.fixtures import build_full_index, make_project
    from uvmgr.tools.runner import find_uv

    uv = find_uv()
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    rows: list[tuple[str, float, str]] = []
    rows.append(("python -c pass", median_ms([sys.executable, "-c", "pass"], runs), ""))
    rows.append(("uvmgr --version", median_ms([uvmgr, "--version"], runs), "budget 100 ms"))
    rows.append(("uvmgr --help", median_ms([uvmgr, "--help"], runs), "budget 100 ms"))
    with tempfile.TemporaryDirectory() as tmp:
        index = build_full_index(Path(tmp) / "index")
        project = make_project(Path(tmp) / "bench-app", index,
                               ["demo-http>=1.0,<1.1", "demo-json==2.0.0", "demo-cli>=0.9"],
                               {"demo-http": "1.0.0", "demo-json": "2.0.0", "demo-cli": "1.0.0"})
        root = project.root
        for label, argv in (("uvmgr deps list --json", [uvmgr, "deps", "list", "--json"]),
                            ("uvmgr deps outdated --json",
                             [uvmgr, "deps", "outdated", "--json"])):
            wall, in_uv = with_uv_time(argv, runs, root, env)
            rows.append((label, wall, f"uv {in_uv:.0f} ms, uvmgr overhead {wall - in_uv:.0f} ms "
                                      "(budget 150 ms)"))
        uv_total = with_uv_time([uvmgr, "deps", "outdated", "--json"], 3, root, env)[1]
        first, total = first_output_and_total_ms(
            [uvmgr, "ask", "what's outdated?", "--json"], max(3, runs // 3), root, env)
        rows.append(("uvmgr ask (offline): first output", first, "budget 300 ms"))
        rows.append(("uvmgr ask (offline): answer", total,
                     f"budget 1500 ms + uv time (~{uv_total:.0f} ms)"))
        dspy_ms = median_ms([sys.executable, "-c", "import dspy"], 3)
        rows.append(("python -c 'import dspy'", dspy_ms, "part of the answer time"))
    rows += autopilot_rows(uvmgr, env)
    rows.append(("uvmgr chat: window ready (headless)", chat_ready_ms(env), "budget 1000 ms"))
    for tool in ("uv", "hatch", "pdm", "poetry"):
        path = shutil.which(tool)
        if path:
            rows.append((f"{tool} --version", median_ms([path, "--version"], runs), "comparison"))
    width = max(len(r[0]) for r in rows)
    print(f"median of {runs} runs, {os.cpu_count()} cores")
    for name, ms, note in rows:
        print(f"  {name:<{width}}  {ms:7.1f} ms  {note}")


if __name__ == "__main__":
    main()
