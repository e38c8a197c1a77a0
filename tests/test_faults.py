"""Fault injection (issue 17): kill uvmgr or its children at seeded random moments of real
changes, interrupt twice, edit files while it is down, run two writers at once, fill the disk;
then start uvmgr again and check the invariant (see `tests/faults/harness.py`).

By default a sample of 10 trials runs; `--fault-full` runs 600 (`--fault-trials N`,
`--fault-seed S`). Every trial's outcome goes to `fault-results.jsonl` under the pytest tmp
dir, and a table is printed at the end:

    uv run pytest -m fault --fault-full -n 2
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from faults.harness import Trial, plan, run_trial, uv
from uvmgr.evals.fixtures import ADVISORIES_DIR, make_project

pytestmark = [pytest.mark.fault, pytest.mark.skipif(not sys.platform.startswith("linux"),
                                                    reason="scans /proc")]
DEFAULT_SEED = 17
SAMPLE = 10
FULL = 600


def pytest_generate_tests(metafunc):
    if "trial" not in metafunc.fixturenames:
        return
    config = metafunc.config
    seed = config.getoption("--fault-seed")
    seed = DEFAULT_SEED if seed is None else seed
    count = config.getoption("--fault-trials") or (FULL if config.getoption("--fault-full")
                                                    else SAMPLE)
    trials = plan(seed, count)
    metafunc.parametrize("trial", trials, ids=[t.id for t in trials])


@pytest.fixture(scope="session")
def fault_template(tmp_path_factory, wheel_index) -> Path:
    """A project every trial starts from: three dependencies locked at old, vulnerable
    versions, a test that fails once demo-http moves past 1.0.x, and fixture advisories."""
    project = make_project(
        tmp_path_factory.mktemp("fault-template") / "app", wheel_index,
        ["demo-http>=1.0,<1.1", "demo-json>=2.0,<3", "demo-cli>=0.9"],
        {"demo-http": "1.0.0", "demo-json": "2.0.0", "demo-cli": "1.0.0"},
        tests="fail-after-upgrade:demo-http", sync=False)
    with open(project.pyproject, "a", encoding="utf-8") as fh:
        fh.write(f'\n[tool.uvmgr]\naudit-db = "{ADVISORIES_DIR}"\n')
    result = uv(["lock", "-q"], project.root)
    assert result.returncode == 0, result.stderr
    return project.root


@pytest.fixture(scope="session")
def fault_log(tmp_path_factory) -> Path:
    return tmp_path_factory.getbasetemp() / "fault-results.jsonl"


def test_fault(trial: Trial, fault_template: Path, fault_log: Path, tmp_path: Path):
    outcome = run_trial(trial, fault_template, tmp_path)
    line = json.dumps(outcome.to_json()) + "\n"
    fd = os.open(fault_log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)
    if outcome.skipped:
        pytest.skip(outcome.skipped)
    assert not outcome.violations, (f"seed {trial.seed} trial {trial.index}: "
                                    + "; ".join(outcome.violations))
