"""`uvmgr policy check` and `uvmgr audit --db` on the demo against `uv lock --check`, side by
side (budget for the check: under 2 s).

    uv run python benchmarks/bench_policy.py [--runs 11] [--db PATH] [--scale N] [--cold]

Copies `examples/demo` to a temporary folder, adds a policy that sets every rule (banned,
licenses, max-severity, days-to-fix, max-release-age-days, required-gates), installs it with
`uv sync` (license metadata comes from the installed distributions), then runs, interleaved so
a busy machine slows both alike:
- `uvmgr policy check --json` with the advisories from a folder of OSV records (`--db`, default
  `../shared/advisory-db/vulns` or `UVMGR_SHARED_ADVISORY_DB`), and from the same records as
  one OSV zip (the shape `uvmgr advisories update` caches);
- `uvmgr audit --json --db` with the same zip (the audit serves the records to `uv audit`);
- `uv lock --check --offline`, the one uv call the check makes itself.
The zip holds the records as JSON, the shape of PyPI's download; `--scale N` repeats each one
N times under new ids for renamed packages (N=10 gives ~26k records, the size of the real
download, while the demo matches the same real records). Each uvmgr run uses the same user cache, so after the first
run the advisory index is warm; `--cold` gives every run an empty cache (the index is built
each time, as on first use). Prints the medians and the ratio to uv.
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


def _json_zip(folder: Path, db_zip: Path, scale: int) -> int:
    """The records of `folder` as one zip of JSON records, each repeated `scale` times."""
    import json

    import yaml

    count = 0
    with zipfile.ZipFile(db_zip, "w", zipfile.ZIP_DEFLATED) as zf:
        for file in sorted(folder.rglob("*.yaml")):
            record = yaml.safe_load(file.read_text(encoding="utf-8"))
            for copy in range(scale):
                ident = record["id"] if copy == 0 else f"{record['id']}-{copy}"
                affected = [dict(a, package=dict(a.get("package", {}), name=(
                    a.get("package", {}).get("name", "") + (f"-copy{copy}" if copy else ""))))
                    for a in record.get("affected", [])]
                zf.writestr(f"{ident}.json", json.dumps(dict(record, id=ident, affected=affected),
                                                        default=str))
                count += 1
    return count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=11)
    shared = [p / "shared" / "advisory-db" / "vulns" for p in (ROOT.parent, ROOT.parents[1])]
    default_db = os.environ.get("UVMGR_SHARED_ADVISORY_DB") or str(
        next((p for p in shared if p.is_dir()), shared[0]))
    parser.add_argument("--db", default=default_db,
                        help="a folder of OSV records (default: ../shared/advisory-db/vulns)")
    parser.add_argument("--scale", type=int, default=1,
                        help="repeat each record N times in the zip (10: ~26k records)")
    parser.add_argument("--cold", action="store_true",
                        help="an empty uvmgr cache for every run (no index yet)")
    args = parser.parse_args()
    uvmgr = shutil.which("uvmgr", path=str(Path(sys.executable).parent)) or "uvmgr"
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or "uv"
    # PYTHONDONTWRITEBYTECODE (set on the shared machines) would compile every module on
    # every run, ~0.25 s a command that a person's install does not pay
    env = {k: v for k, v in os.environ.items()
           if k not in ("VIRTUAL_ENV", "PYTHONDONTWRITEBYTECODE")}
    with tempfile.TemporaryDirectory(prefix="bench-policy-") as tmp:
        demo = Path(tmp) / "demo"
        shutil.copytree(ROOT / "examples" / "demo", demo)
        with (demo / "pyproject.toml").open("a", encoding="utf-8") as fh:
            fh.write(POLICY)
        subprocess.run([uv, "sync", "--quiet"], cwd=demo, env=env, check=True)
        db_zip = Path(tmp) / "osv.zip"
        records = _json_zip(Path(args.db), db_zip, args.scale)
        commands = {
            "uvmgr policy check (folder)": [uvmgr, "policy", "check", "--json", "--db", args.db],
            "uvmgr policy check (zip)": [uvmgr, "policy", "check", "--json", "--db", str(db_zip)],
            "uvmgr audit --db (zip)": [uvmgr, "audit", "--json", "--db", str(db_zip)],
            "uv lock --check": [uv, "lock", "--check", "--offline"],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        codes: dict[str, int] = {}
        env["UVMGR_CACHE_DIR"] = str(Path(tmp) / "cache")
        for run in range(args.runs):
            for name, argv in commands.items():
                if args.cold:
                    env["UVMGR_CACHE_DIR"] = str(Path(tmp) / f"cache-{run}-{len(times[name])}"
                                                 f"-{name.split()[1]}")
                ms, codes[name] = _timed(argv, demo, env)
                times[name].append(ms)
    base = statistics.median(times["uv lock --check"])
    print(f"demo project, {records} advisory records in the zip ({args.scale}x {args.db}), "
          f"{'cold' if args.cold else 'warm'} cache, median of {args.runs} runs (interleaved)")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"  {name:<30} {median:7.0f} ms  ({median / base:4.1f}x uv)  exit {codes[name]}")
    worst = max(statistics.median(v) for n, v in times.items() if n.startswith("uvmgr"))
    print(f"budget 2000 ms: {'met' if worst < 2000 else 'MISSED'} ({worst:.0f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
