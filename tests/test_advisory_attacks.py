"""A hostile repository against today's advisory code: its `[tool.uvmgr] audit-db` may not
override the person's own choice of advisories (`--offline`, `audit-offline`,
`audit-service-url`), and bad advisory URLs or records fail cleanly without leaking a
credential or exhausting memory."""

from __future__ import annotations

import json

from test_advisory_db import osv_server  # noqa: F401 - the loopback OSV zip server fixture

FAKE = {"id": "FAKE-1", "modified": "2020-01-01T00:00:00Z",
        "affected": [{"package": {"name": "nothing-here", "ecosystem": "PyPI"},
                      "versions": ["1.0"]}]}


def _plant_audit_db(project) -> None:
    """A repository that ships its own, reassuring advisory database and points at it."""
    (project.root / "adv").mkdir()
    (project.root / "adv" / "FAKE-1.json").write_text(json.dumps(FAKE))
    project.pyproject.write_text(project.pyproject.read_text()
                                 + '\n[tool.uvmgr]\naudit-db = "adv"\n')


def test_offline_means_the_persons_cache_not_the_repositorys_database(
        cli, osv_server, demo_project):  # noqa: F811
    assert cli("advisories", "update", "--url", f"{osv_server.url}/PyPI/all.zip").code == 0
    _plant_audit_db(demo_project)
    r = cli("audit", "--offline", "--project", demo_project.root, "--json")
    report = r.json()
    assert r.code == 1, r.err  # the cached database knows demo-http's advisories
    assert {"DEMO-2024-0001", "DEMO-2024-0002"} <= {f["id"] for f in report["findings"]}
    assert report["source"].endswith("pypi-osv.zip")
    assert any("audit-db" in n for n in report.get("notices", [])), report


def test_the_persons_audit_offline_setting_beats_the_repositorys_database(
        cli, osv_server, demo_project, monkeypatch):  # noqa: F811
    assert cli("advisories", "update", "--url", f"{osv_server.url}/PyPI/all.zip").code == 0
    _plant_audit_db(demo_project)
    monkeypatch.setenv("UVMGR_AUDIT_OFFLINE", "true")
    r = cli("audit", "--project", demo_project.root)
    assert r.code == 1, r.out + r.err
    assert "DEMO-2024-0001" in r.out and "ignored audit-db" in r.err


def test_without_a_personal_choice_the_projects_database_is_still_used(cli, demo_project):
    _plant_audit_db(demo_project)
    r = cli("audit", "--project", demo_project.root, "--json")
    assert r.code == 0, r.err
    assert r.json()["source"].endswith("adv")


def test_a_mirror_with_credentials_in_its_url_works_and_never_shows_them(
        cli, osv_server, user_cache_home):  # noqa: F811
    url = osv_server.url.replace("http://", "http://bob:hunter2secret@")
    r = cli("advisories", "update", "--url", f"{url}/PyPI/all.zip", "--json")
    assert r.code == 0, r.err
    assert "hunter2secret" not in r.out + r.err + (user_cache_home / "pypi-osv.json").read_text()


def test_a_malformed_mirror_url_is_one_json_error_without_the_password(cli, user_cache_home):
    for url in ("https://bob:hunter2secret@127.0.0.1:notaport/x.zip",
                "https://bob:hunter2secret@[::1/x.zip", "http://[::1/x.zip"):
        r = cli("advisories", "update", "--url", url, "--json")
        assert r.code == 2, (url, r.out, r.err)
        error = r.json()
        assert "cannot download the advisory database" in error["message"] and error["hint"]
        assert "hunter2secret" not in r.out + r.err


BOMB = """id: BOMB-1
modified: "2020-01-01T00:00:00Z"
a: &a ["requests", "requests", "requests", "requests", "requests", "requests"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]
affected:
  - package: {name: requests, ecosystem: PyPI}
    versions: ["2.19.1"]
    x: *i
"""


def test_a_yaml_alias_bomb_in_a_project_database_is_skipped_not_expanded(tmp_path):
    # Served to `uv audit`, this record expanded to 6e8 strings: `uvmgr audit` on the clone
    # ran for minutes and ate memory.
    from uvmgr.tools.osv import load_advisories

    (tmp_path / "bomb.yaml").write_text(BOMB)
    (tmp_path / "ok.json").write_text(json.dumps(FAKE))
    db = load_advisories(tmp_path, {"requests", "nothing-here"})
    assert "BOMB-1" not in db.records and "FAKE-1" in db.records and db.skipped == 1


def test_an_oversized_record_or_a_link_out_of_the_folder_is_not_read(tmp_path):
    import zipfile

    from uvmgr.tools.osv import MAX_RECORD, load_advisories

    huge = dict(FAKE, id="HUGE-1", details="x" * (MAX_RECORD + 1))
    with zipfile.ZipFile(tmp_path / "db.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("HUGE-1.json", json.dumps(huge))
        zf.writestr("FAKE-1.json", json.dumps(FAKE))
    db = load_advisories(tmp_path / "db.zip", {"nothing-here"})
    assert set(db.records) == {"FAKE-1"}
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "SECRET-1.json").write_text(json.dumps(dict(FAKE, id="SECRET-1")))
    folder = tmp_path / "adv"
    folder.mkdir()
    (folder / "FAKE-1.json").write_text(json.dumps(FAKE))
    (folder / "linked.json").symlink_to(outside / "SECRET-1.json")
    (folder / "loop").symlink_to(folder)
    assert set(load_advisories(folder, {"nothing-here"}).records) == {"FAKE-1"}
