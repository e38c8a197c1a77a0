"""The fleet field run (opt-in, minutes): `benchmarks/fleet_field.py` over six generated
repositories, two folders that fail, and real clones, then the dashboard.

    UVMGR_FLEET_FIELD=/path/to/click:/path/to/httpx uv run pytest -n0 -m fleet_field \\
        tests/test_fleet_field.py

(`UVMGR_FLEET_FIELD=fixtures` runs the generated repositories alone; `UVMGR_FLEET_PYTHON`
sets every job's UV_PYTHON.)"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

FIELD = os.environ.get("UVMGR_FLEET_FIELD", "")
pytestmark = [pytest.mark.fleet_field,
              pytest.mark.skipif(not FIELD, reason="opt-in: set UVMGR_FLEET_FIELD (see above)")]


def test_fleet_field_run(tmp_path):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from fleet_field import FAILING, FIXTURES, field

    clones = [Path(p) for p in FIELD.split(os.pathsep) if p and p != "fixtures"]
    result = field(tmp_path / "field", clones, jobs=2, runs=2,
                   python=os.environ.get("UVMGR_FLEET_PYTHON"))
    for run in result["runs"]:
        rows = {r["repository"]: r for r in run["repositories"]}
        for name, spec in FIXTURES.items():
            assert rows[name]["exit_code"] == spec[4], rows[name]
        assert rows[FAILING[0]]["status"] == "missing" and rows[FAILING[1]]["status"] == "error"
        for clone in clones:  # a real clone's job ends with its own report, whatever it found
            assert rows[clone.name]["report"], rows[clone.name]
        assert run["exit_code"] == 1  # the failing folders fail the fleet, and only that
    assert result["report_exit_code"] == 0, result["report_output"]
    summary = json.loads(Path(result["summary"]).read_text())
    assert summary["runs"] == 2 * (len(FIXTURES) + len(clones))
    assert {f["repository"] for f in summary["jobs_without_report"]} == set(FAILING)
    assert "<svg" not in Path(result["dashboard"]).read_text()  # charts are images, not markup
