"""Each finding carries its advisory's severity (CVSS, else the database's own rating), from an
offline database and from an OSV service alike (uv's report leaves it out): the figure the
fleet dashboard and the metrics count by."""

from __future__ import annotations

import json
import shutil

import pytest
from uvmgr.tools.osv import OsvServer, load_advisories


@pytest.fixture
def rated_advisories(fixture_advisories, tmp_path):
    db = tmp_path / "advisories"
    shutil.copytree(fixture_advisories, db)
    record = json.loads((db / "DEMO-2024-0001.json").read_text())
    record["database_specific"] = {"severity": "HIGH"}
    (db / "DEMO-2024-0001.json").write_text(json.dumps(record))
    record = json.loads((db / "DEMO-2024-0002.json").read_text())
    record["severity"] = [{"type": "CVSS_V3",
                           "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]
    (db / "DEMO-2024-0002.json").write_text(json.dumps(record))
    return db


def test_findings_carry_their_severity_offline_and_from_a_service(cli, demo_project,
                                                                   rated_advisories):
    r = cli("audit", "--db", rated_advisories, "--json", "--project", demo_project.root)
    offline = {f["id"]: f["severity"] for f in r.json()["findings"]}
    assert offline == {"DEMO-2024-0001": "high", "DEMO-2024-0002": "critical"}
    with OsvServer(load_advisories(rated_advisories)) as url:
        r = cli("audit", "--service-url", url, "--json", "--project", demo_project.root)
    assert {f["id"]: f["severity"] for f in r.json()["findings"]} == offline
    assert {f["published"] for f in r.json()["findings"]} == {"2024-05-01T00:00:00Z"}
