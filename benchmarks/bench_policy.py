"""`uvmgr policy check` on the demo against `uv lock --check`, side by side (budget: under 2 s).

    uv run python benchmarks/bench_policy.py [--runs 11] [--db PATH]

Copies `examples/demo` to a temporary folder, adds a policy that sets every rule (banned,
licenses, max-severity, days-to-fix, max-release-age-days, required-gates), installs it with
`uv sync` (license metadata comes from the installed distributions), then runs, interleaved so
a busy machine slows both alike:
- `uvmgr policy check --json` with the advisories from a folder of OSV records (`--db`, default
  `../shared/advisory-db/vulns` or `UVMGR_SHARED_ADVISORY_DB`), and from the same records as
  one OSV zip (the shape `uvmgr advisories update` caches);
- `uv lock --check --offline`, the one uv call the check makes itself.
Prints the medians and the ratio to uv.
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
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
POLICY = """
[tool.uvmgr.policy]
banned = [{ name = "tqdm", reason = "use rich.progress" }]
licenses = ["MIT", "BSD-3-Clause", "Apache-2.0", "LGPL-2.1-only", "MPL-2.0"]
max-severity = "medium"
days-to-fix = 30
max-release-age-days = 730
required-gates = ["tests"]
"""


def _timed(argv: list[str], cwd: Path, env: dict) -> tuple[float, int]:
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL, check=False)
    return (time.perf_counter() - start) * 1000, done.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=11)
    default_db = os.environ.get("UVMGR_SHARED_ADVISORY_DB") or str(
        ROOT.parents[1] / "shared" / "advisory-db" / "vulns")
    parser.add_argument("--db", default=default_db)
    args = parser.parse_args()
    uvmgr = shutil.which("uvmgr", path=str(Path(sys.executable).parent)) or "uvmgr"
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or "uv"
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    with tempfile.TemporaryDirectory(prefix="bench-policy-") as tmp:
        demo = Path(tmp) / "demo"
        shutil.copytree(ROOT / "examples" / "demo", demo)
        with (demo / "pyproject.toml").open("a", encoding="utf-8") as fh:
            fh.write(POLICY)
        subprocess.run([uv, "sync", "--quiet"], cwd=demo, env=env, check=True)
        db_zip = Path(tmp) / "osv.zip"
        with zipfile.ZipFile(db_zip, "w", zipfile.ZIP_DEFLATED) as zf:
            for file in sorted(Path(args.db).rglob("*")):
                if file.is_file():
                    zf.write(file, file.relative_to(args.db).as_posix())
        commands = {
            "uvmgr policy check (folder)": [uvmgr, "policy", "check", "--json", "--db", args.db],
            "uvmgr policy check (zip)": [uvmgr, "policy", "check", "--json", "--db", str(db_zip)],
            "uv lock --check": [uv, "lock", "--check", "--offline"],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        codes: dict[str, int] = {}
        for _ in range(args.runs):
            for name, argv in commands.items():
                ms, codes[name] = _timed(argv, demo, env)
                times[name].append(ms)
    base = statistics.median(times["uv lock --check"])
    records = sum(1 for f in Path(args.db).rglob("*") if f.is_file())
    print(f"demo project, {records} advisory records, median of {args.runs} runs (interleaved)")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"  {name:<30} {median:7.0f} ms  ({median / base:4.1f}x uv)  exit {codes[name]}")
    worst = max(statistics.median(v) for n, v in times.items() if n.startswith("uvmgr"))
    print(f"budget 2000 ms: {'met' if worst < 2000 else 'MISSED'} ({worst:.0f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
