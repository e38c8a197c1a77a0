"""Which advisory records `load_advisories` parses for a lock (found in the field: on fastmcp's
149 locked names a substring filter let all 2,661 records of the shared database through, ~4 s
of YAML parsing on every audit)."""

from __future__ import annotations

import json

from uvmgr.tools.osv import load_advisories


def _record(ident: str, package: str, details: str) -> dict:
    return {"id": ident, "details": details, "affected": [{
        "package": {"name": package, "ecosystem": "PyPI"},
        "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.0"}]}]}]}


def test_only_records_naming_a_locked_package_are_parsed(tmp_path):
    (tmp_path / "django").mkdir()
    (tmp_path / "django" / "A-1.yaml").write_text(
        "id: A-1\ndetails: a bug in django's use of six and rich\naffected:\n"
        "  - package:\n      name: Django\n      ecosystem: PyPI\n")
    (tmp_path / "B-1.json").write_text(json.dumps(_record("B-1", "Six", "six before 2.0")))
    (tmp_path / "C-1.json").write_text(json.dumps(_record("C-1", "rich", "x"), indent=None))
    db = load_advisories(tmp_path, {"six", "rich"})
    assert set(db.records) == {"B-1", "C-1"}  # A-1 only mentions them in its text
    assert [r["id"] for r in db.matching("six", "1.0")] == ["B-1"]
    assert set(load_advisories(tmp_path, {"django"}).records) == {"A-1"}
