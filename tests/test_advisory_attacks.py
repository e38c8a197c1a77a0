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
