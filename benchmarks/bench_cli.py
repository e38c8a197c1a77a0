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
        check = median_ms([uv, "lock", "--check", "--offline"], runs, root, env)
        listed = median_ms([uvmgr, "deps", "list", "--json"], runs, root, env)
        rows.append(("uv lock --check --offline", check, ""))
        rows.append(("uvmgr deps list --json", listed,
                     f"overhead {listed - check:.0f} ms (budget 150 ms)"))
        req = Path(tmp) / "req.in"
        req.write_text("demo-http\ndemo-json\ndemo-cli\npytest\n")
        compile_ms = median_ms([uv, "pip", "compile", "--no-deps", "--quiet", str(req)],
                               runs, root, env)
        outdated = median_ms([uvmgr, "deps", "outdated", "--json"], runs, root, env)
        uv_total = check + 2 * compile_ms
        rows.append(("uvmgr deps outdated --json", outdated,
                     f"overhead {outdated - uv_total:.0f} ms beyond its 3 uv calls "
                     f"(~{uv_total:.0f} ms)"))
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
