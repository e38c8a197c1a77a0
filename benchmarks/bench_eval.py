"""The eval suite's wall time against its budget (the full suite with the offline planner
under 3 minutes on this machine), and where the time goes.

    uv run python benchmarks/bench_eval.py [--jobs N] [--model offline] [--out DIR]

Runs `uvmgr eval` as a whole process (what CI and a person run), then reads its
results.json: fixture set-up vs agent time per scenario, and the slowest scenarios.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BUDGET_S = 180.0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=0)
    parser.add_argument("--model", default="offline")
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    out = Path(args.out or tempfile.mkdtemp(prefix="uvmgr-bench-eval-"))
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "uvmgr.cli", "eval", "--model", args.model,
                           "--jobs", str(args.jobs), "--out", str(out), "--json"],
                          capture_output=True, text=True)
    wall = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        print(proc.stderr[-2000:], file=sys.stderr)
        return proc.returncode
    doc = json.loads((out / "results.json").read_text())
    results = doc["results"]
    setup = [r["setup"] for r in results]
    agent = [r["latency"] for r in results]
    m = doc["models"][args.model]
    print(f"uvmgr eval --model {args.model}: {len(results)} scenarios in {wall:.1f} s wall "
          f"(budget {BUDGET_S:.0f} s: {'ok' if wall < BUDGET_S else 'OVER'})")
    print(f"  fixture set-up per scenario: median {statistics.median(setup):.2f} s, "
          f"total {sum(setup):.0f} s")
    print(f"  agent run per scenario:      median {statistics.median(agent):.2f} s, "
          f"total {sum(agent):.0f} s")
    print(f"  pass rate {m['pass_rate']:.3f}, unsafe {m['unsafe_action_rate']}, "
          f"rollback integrity {m['rollback_integrity']}, ASR {m['attack_success_rate']}")
    print("  slowest:", ", ".join(f"{r['id']} {r['latency'] + r['setup']:.1f}s" for r in
                                  sorted(results, key=lambda r: -(r["latency"] + r["setup"]))[:5]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
