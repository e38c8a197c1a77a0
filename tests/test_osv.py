from __future__ import annotations

import json
import urllib.request

from uvmgr.tools.osv import OsvServer, affects, fixed_versions, load_advisories

RECORD = {
    "id": "X-1", "affected": [{
        "package": {"name": "Demo_Pkg", "ecosystem": "PyPI"},
        "ranges": [{"type": "ECOSYSTEM", "events": [
            {"introduced": "1.0"}, {"fixed": "1.5"}, {"introduced": "2.0"},
            {"last_affected": "2.2"}]},
            {"type": "GIT", "events": [{"introduced": "0"}, {"fixed": "abc123"}]}],
        "versions": ["0.5"],
    }],
}


def test_affects_follows_osv_range_semantics():
    assert affects(RECORD, "demo-pkg", "1.0") and affects(RECORD, "demo-pkg", "1.4.9")
    assert not affects(RECORD, "demo-pkg", "1.5")
    assert affects(RECORD, "demo-pkg", "2.2") and not affects(RECORD, "demo-pkg", "2.2.1")
    assert affects(RECORD, "demo-pkg", "0.5")  # listed explicitly
    assert not affects(RECORD, "other", "1.0")
    assert fixed_versions(RECORD, "demo_pkg") == ["1.5"]


def test_real_database_matches_requests(shared_advisories):
    db = load_advisories(shared_advisories, {"requests"})
    ids = {r["id"] for r in db.matching("requests", "2.19.0")}
    assert "PYSEC-2018-28" in ids
    assert "PYSEC-2018-28" not in {r["id"] for r in db.matching("requests", "2.20.0")}


def test_server_speaks_the_osv_api(tmp_path):
    (tmp_path / "x.json").write_text(json.dumps(RECORD))
    (tmp_path / "broken.yaml").write_text("id: [unclosed")
    db = load_advisories(tmp_path)
    assert db.skipped == 1
    with OsvServer(db) as url:
        body = json.dumps({"queries": [
            {"package": {"name": "demo-pkg", "ecosystem": "PyPI"}, "version": "1.2"},
            {"package": {"name": "demo-pkg", "ecosystem": "PyPI"}, "version": "1.6"},
        ]}).encode()
        req = urllib.request.Request(f"{url}/v1/querybatch", body, method="POST")
        results = json.loads(urllib.request.urlopen(req, timeout=5).read())["results"]
        assert results[0]["vulns"][0]["id"] == "X-1" and results[1] == {}
        record = json.loads(urllib.request.urlopen(f"{url}/v1/vulns/X-1", timeout=5).read())
        assert record["id"] == "X-1"
