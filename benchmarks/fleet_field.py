"""Fleet field run: `uvmgr fleet run` over generated repositories and real clones, then
`uvmgr fleet report` on what it left.

    uv run python benchmarks/fleet_field.py [CLONE ...] [--work DIR] [--jobs 2] [--runs 2]
                                            [--python PATH]

Not part of CI (`tests/test_fleet_field.py` runs it when asked: `-m field`). In `--work` it
builds the local wheel index and six repositories over it, each made to end its AutoPilot run
differently (fixes and upgrades; a failing test held back; a vulnerability with no fix that
needs a person; a failing build gate, restored; nothing to do; upgrades deferred over
max-packages), adds two folders that fail (a missing one and one that is not a uv project) and
a COPY of each real clone (the clone itself is never touched; real clones resolve from the
package registry). Advisories: the fixtures' and, when present, `../shared/advisory-db`,
given to every job through the person's user config. It runs the fleet `--runs` times into the
same `reports/` (a history for the trend), writes `dashboard.html` and `summary.json`, and
prints the timings and each repository's status per run as Markdown.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

SHARED_DB = Path(__file__).resolve().parents[2] / "shared" / "advisory-db" / "vulns"
# name -> (dependencies, locked versions, tests, [tool.uvmgr.autopilot] lines, expected exit)
FIXTURES: dict[str, tuple[list[str], dict[str, str], str, str, int]] = {
    "billing": (["demo-http>=1.0,<1.1", "demo-json>=2.0,<3", "demo-cli>=0.9"],
                {"demo-http": "1.0.0", "demo-json": "2.0.0", "demo-cli": "1.0.0"}, "pass", "", 0),
    "search": (["demo-http>=1.0", "demo-json>=2.0,<3"], {"demo-http": "1.0.0", "demo-json": "2.0.0"},
               "fail-after-upgrade:demo-http", "", 0),
    "ledger": (["demo-pinned==1.0.0", "demo-yaml>=5.0,<6"],
               {"demo-pinned": "1.0.0", "demo-yaml": "5.0.0"}, "pass", "", 3),
    "gateway": (["demo-cli>=0.9"], {"demo-cli": "1.0.0"}, "pass", 'gates = ["tests", "build"]', 1),
    "reports": (["demo-json>=3"], {"demo-json": "3.0.0"}, "pass", "", 0),
    "inventory": (["demo-cli>=0.9", "demo-yaml>=5,<6", "demo-json>=2.0,<3"],
                  {"demo-cli": "1.0.0", "demo-yaml": "5.0.1", "demo-json": "2.0.1"}, "pass",
                  "max-packages = 1", 0),
}
# the fixture advisories carry no rating; the field run gives them one, so the dashboard and
# the metrics have severities to count
RATINGS = {"DEMO-2024-0001": "HIGH", "DEMO-2024-0002": "MODERATE", "DEMO-2024-0003": "LOW",
           "DEMO-2024-0004": "CRITICAL", "DEMO-2024-0005": "MODERATE"}
FAILING = ("archived-service", "docs-site")  # a missing folder; a folder that is no uv project


def build(work: Path, clones: list[Path], python: str | None = None,
          ) -> tuple[list[Path], dict[str, str]]:
    """The repositories (in fleet order) and the environment every job runs with."""
    from uvmgr.evals.fixtures import ADVISORIES_DIR, build_full_index, make_project

    index = build_full_index(work / "index")
    advisories = work / "advisories"
    shutil.rmtree(advisories, ignore_errors=True)
    shutil.copytree(ADVISORIES_DIR, advisories / "fixtures")
    for advisory, rating in RATINGS.items():  # as GitHub's database rates its records
        path = advisories / "fixtures" / f"{advisory}.json"
        record = json.loads(path.read_text(encoding="utf-8"))
        path.write_text(json.dumps({**record, "database_specific": {"severity": rating}}))
    if SHARED_DB.is_dir():
        shutil.copytree(SHARED_DB, advisories / "pypa")
    config = work / "xdg-config" / "uvmgr" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'audit-db = "{advisories}"\n', encoding="utf-8")  # the person's setting
    repos = []
    for name, (deps, locked, tests, policy, _) in FIXTURES.items():
        dest = work / "repos" / name
        shutil.rmtree(dest, ignore_errors=True)
        project = make_project(dest, index, deps, locked, tests=tests)
        if policy:
            project.pyproject.write_text(project.pyproject.read_text()
                                         + f"\n[tool.uvmgr.autopilot]\n{policy}\n")
        repos.append(dest)
    (work / "repos" / FAILING[1]).mkdir(exist_ok=True)
    (work / "repos" / FAILING[1] / "README.md").write_text("docs only\n")
    repos += [work / "repos" / FAILING[0], work / "repos" / FAILING[1]]
    for clone in clones:
        dest = work / "repos" / clone.name
        shutil.rmtree(dest, ignore_errors=True)
        shutil.copytree(clone, dest, symlinks=True,
                        ignore=shutil.ignore_patterns(".venv", "node_modules", ".uvmgr"))
        repos.append(dest)
    env = {**os.environ, "XDG_CONFIG_HOME": str(work / "xdg-config"),
           "XDG_STATE_HOME": str(work / "xdg-state"), "UVMGR_CACHE_DIR": str(work / "cache")}
    env.pop("VIRTUAL_ENV", None)
    if python:  # the person's interpreter for every job (uv's own UV_PYTHON)
        env["UV_PYTHON"] = python
    return repos, env


def uvmgr(args: list[str], env: dict[str, str], cwd: Path) -> tuple[int, str, str, float]:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "uvmgr.cli", *args], check=False, cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=7200)
    return done.returncode, done.stdout, done.stderr, time.monotonic() - started


def field(work: Path, clones: list[Path], jobs: int = 2, runs: int = 2,
          python: str | None = None) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    repos, env = build(work, clones, python)
    setup = time.monotonic() - started
    shutil.rmtree(work / "reports", ignore_errors=True)
    results = []
    for n in range(runs):
        code, output, _, seconds = uvmgr(["fleet", "run", *map(str, repos), "--jobs",
                                          str(jobs), "--out", str(work / "reports"),
                                          "--timeout", "1500", "--json"], env, work)
        doc = json.loads(output) if output.strip() else {}
        results.append({"run": n + 1, "exit_code": code, "seconds": round(seconds, 1),
                        "repositories": doc.get("repositories", [])})
        time.sleep(1)  # the next run's reports get their own time stamp
    code, _, output, seconds = uvmgr(["fleet", "report", str(work / "reports"), "--out",
                                      str(work / "dashboard.html"), "--json",
                                      str(work / "summary.json")], env, work)
    return {"setup_seconds": round(setup, 1), "runs": results, "report_exit_code": code,
            "report_seconds": round(seconds, 2), "report_output": output.strip(),
            "expected": {name: spec[4] for name, spec in FIXTURES.items()},
            "dashboard": str(work / "dashboard.html"), "summary": str(work / "summary.json")}


def markdown(result: dict) -> str:
    lines = [f"setup (index, {len(FIXTURES)} repositories, copies): {result['setup_seconds']} s", ""]
    for run in result["runs"]:
        lines += [f"### fleet run {run['run']}: exit {run['exit_code']}, {run['seconds']} s", "",
                  "| repository | status | exit | time (s) | what happened |", "|---|---|---|---|---|"]
        lines += [f"| {r['repository']} | {r['status']} | {r['exit_code']} | {r['duration']} | "
                  f"{r['message']} |" for r in run["repositories"]]
        lines.append("")
    lines.append(f"fleet report: exit {result['report_exit_code']}, {result['report_seconds']} s: "
                 f"{result['dashboard']}")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("clones", nargs="*", type=Path, help="real clones (copied, not touched)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/uvmgr-fleet-field"))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--python", help="UV_PYTHON for every job (e.g. a clone needs 3.12)")
    args = parser.parse_args()
    result = field(args.work, [c.resolve() for c in args.clones], args.jobs, args.runs,
                   args.python)
    (args.work / "field.json").write_text(json.dumps(result, indent=2))
    print(markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
