"""The advisory index by package (`tools/osv_index.py`): `uvmgr audit` and `uvmgr policy check`
read only the records that name a locked package, and give exactly what reading every record
gives, over real advisories (~50 records of the shared database as one zip of JSON, the shape
of PyPI's download). The index is derived data: missing, tampered with, corrupt or stale, it
is rebuilt from the database, never believed over it."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
import yaml
from uvmgr.evals.fixtures import make_project
from uvmgr.evals.wheel_index import write_wheel
from uvmgr.tools.osv import load_advisories, open_records
from uvmgr.tools.osv_index import index_path, record_index

# real names at versions that real advisories affect (redis 4.5.3: a withdrawn record)
LOCKED = {"requests": "2.19.0", "jinja2": "2.10", "urllib3": "1.24.1", "pyyaml": "5.3",
          "redis": "4.5.3"}
NOISE = ["django", "pillow", "aiohttp", "cryptography", "flask", "tensorflow"]


@pytest.fixture
def real_db(shared_advisories, tmp_path) -> Path:
    """Every record of the locked packages plus a few of other packages, as JSON in a zip."""
    files = [f for name in LOCKED for f in sorted((shared_advisories / name).glob("*.yaml"))]
    files += [f for name in NOISE for f in sorted((shared_advisories / name).glob("*.yaml"))[:5]]
    db = tmp_path / "osv.zip"
    with zipfile.ZipFile(db, "w", zipfile.ZIP_DEFLATED) as zf:
        for file in files:
            record = yaml.safe_load(file.read_text(encoding="utf-8"))
            zf.writestr(f"{record['id']}.json", json.dumps(record, default=str))
    assert 45 <= len(files) <= 70
    return db


@pytest.fixture
def vulnerable(tmp_path, wheel_index):
    links = tmp_path / "links"
    for name, version in LOCKED.items():
        write_wheel(links, name, version, {f"{name}_stub.py": b""})
    project = make_project(tmp_path / "app", wheel_index, list(LOCKED), LOCKED, dev=[],
                           tests="none", find_links=[links], sync=False)
    with project.pyproject.open("a", encoding="utf-8") as fh:
        fh.write('\n[tool.uvmgr.policy]\nmax-severity = "low"\ndays-to-fix = 30\n')
    return project


def _check(cli, project, db: Path) -> str:
    r = cli("policy", "check", "--json", "--project", project.root, "--db", db)
    assert r.code in (0, 1), r.err
    return _untimed(r.out)


def _untimed(text: str) -> str:
    """The JSON without how long things took (the one part that differs run to run)."""
    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if "duration" not in k}
        return [strip(v) for v in value] if isinstance(value, list) else value

    return json.dumps(strip(json.loads(text)), indent=2)


def test_audit_and_policy_check_read_only_the_locked_packages_records(
        cli, vulnerable, real_db, user_cache_home):
    audit = cli("audit", "--json", "--project", vulnerable.root, "--db", real_db)
    assert audit.code == 1, audit.err
    check = _check(cli, vulnerable, real_db)
    index = index_path(real_db)
    assert index.parent == user_cache_home / "osv-index" and index.is_file()
    # exactly what reading every record (no index, no name filter) finds
    everything = load_advisories(real_db)
    expected = sorted((name, r["id"]) for name, version in LOCKED.items()
                      for r in everything.matching(name, version))
    found = sorted((f["package"], f["id"]) for f in audit.json()["findings"])
    assert found == expected and {n for n, _ in found} == set(LOCKED)
    assert "PYSEC-2023-73" in audit.out  # redis: the withdrawn record is reported as ignored
    with open_records(real_db) as listing:
        chosen = record_index(listing).naming({"requests"})
        assert [listing.entries[i].filename for i in chosen] == sorted(
            f"{i}.json" for i in everything.by_package["requests"])
    # warm: the same bytes
    again = cli("audit", "--json", "--project", vulnerable.root, "--db", real_db)
    assert _untimed(again.out) == _untimed(audit.out)
    assert _check(cli, vulnerable, real_db) == check


@pytest.mark.parametrize("tamper", ["drop-a-package", "garbage", "other-database", "removed"])
def test_a_tampered_or_corrupt_index_is_rebuilt_not_believed(
        cli, vulnerable, real_db, tmp_path, tamper):
    before = _check(cli, vulnerable, real_db)
    index = index_path(real_db)
    data = json.loads(index.read_text())
    if tamper == "drop-a-package":  # hides requests' advisories unless the digest is checked
        del data["names"]["requests"]
        index.write_text(json.dumps(data))
    elif tamper == "garbage":
        index.write_text("{not json")
    elif tamper == "other-database":  # an intact index, but of another database
        other = tmp_path / "other.zip"
        with zipfile.ZipFile(other, "w") as zf:
            zf.writestr("X-1.json", json.dumps({"id": "X-1", "affected": []}))
        with open_records(other) as listing:
            record_index(listing)
        index.write_bytes(index_path(other).read_bytes())
    else:
        index.unlink()
    assert _check(cli, vulnerable, real_db) == before
    assert json.loads(index.read_text())["names"]["requests"]  # rebuilt


def test_a_changed_database_folder_is_read_again_not_served_from_a_stale_index(
        cli, vulnerable, shared_advisories, tmp_path):
    folder = tmp_path / "db"
    folder.mkdir()
    for name in ("requests", "django"):
        for file in sorted((shared_advisories / name).glob("*.yaml"))[:3]:
            (folder / file.name).write_bytes(file.read_bytes())
    first = json.loads(_check(cli, vulnerable, folder))
    assert "urllib3" not in {r["package"] for r in first["results"] if r["status"] == "fail"}
    # a django record becomes one for the locked urllib3: the same folder and file names
    record = yaml.safe_load((shared_advisories / "requests" / "PYSEC-2018-28.yaml").read_text())
    record["id"] = "PYSEC-2018-28-U"
    record["affected"][0]["package"]["name"] = "urllib3"
    django = next(f for f in sorted(folder.glob("*.yaml")) if "name: django" in f.read_text())
    django.write_text(yaml.safe_dump(record))
    second = json.loads(_check(cli, vulnerable, folder))
    assert "urllib3" in {r["package"] for r in second["results"] if r["status"] == "fail"}


def test_an_unwritable_cache_still_audits(cli, vulnerable, real_db, monkeypatch, tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    monkeypatch.setenv("UVMGR_CACHE_DIR", str(blocked))
    assert "PYSEC-2018-28" in _check(cli, vulnerable, real_db)
