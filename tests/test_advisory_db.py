"""The offline advisory database: downloaded from a loopback HTTP server (a zip built in tmp
from fixture advisories and a few of ../shared/advisory-db), verified, replaced atomically,
and used by audits offline or when the service cannot be reached."""

from __future__ import annotations

import http.server
import json
import threading
import zipfile
from pathlib import Path

import pytest
import yaml
from uvmgr.tools.advisory_db import DB_NAME, cached_db, verify_zip

SHARED_ADVISORY_DB = Path(__file__).resolve().parents[2] / "shared" / "advisory-db" / "vulns"

SHARED = ["requests/PYSEC-2018-28.yaml", "urllib3/PYSEC-2019-132.yaml"]


def _osv_zip(dest: Path, fixture_dir: Path, shared: Path | None) -> int:
    count = 0
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
        for record in sorted(fixture_dir.glob("*.json")):
            zf.writestr(record.name, record.read_text())
            count += 1
        for rel in SHARED if shared else []:
            path = shared / rel
            if path.is_file():
                data = yaml.safe_load(path.read_text())
                zf.writestr(f"{data['id']}.json", json.dumps(data, default=str))
                count += 1
    return count


class _Server:
    """Serves files from a dict {path: bytes} on 127.0.0.1; records the paths asked for."""

    def __init__(self, files: dict[str, bytes]):
        served = files
        self.requested: list[str] = []
        requested = self.requested

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                requested.append(self.path)
                body = served.get(self.path)
                if body is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def osv_server(tmp_path, fixture_advisories):
    good = tmp_path / "all.zip"
    count = _osv_zip(good, fixture_advisories,
                     SHARED_ADVISORY_DB if SHARED_ADVISORY_DB.is_dir() else None)
    not_osv = tmp_path / "not-osv.zip"
    with zipfile.ZipFile(not_osv, "w") as zf:
        zf.writestr("readme.json", json.dumps({"hello": "world"}))
    good_bytes = good.read_bytes()
    server = _Server({"/PyPI/all.zip": good_bytes,
                      "/corrupt.zip": good_bytes[: len(good_bytes) // 2] + b"\0" * 100,
                      "/not-osv.zip": not_osv.read_bytes(),
                      "/evil.zip": good_bytes})
    server.count = count
    yield server
    server.close()


def test_update_downloads_verifies_and_reports(cli, osv_server, user_cache_home):
    r = cli("advisories", "update", "--url", f"{osv_server.url}/PyPI/all.zip")
    assert r.code == 0, r.err
    assert f"{osv_server.count} advisories, updated just now" in r.out
    db = cached_db()
    assert db is not None and db.advisories == osv_server.count
    assert Path(db.path) == user_cache_home / DB_NAME
    status = cli("advisories", "status", "--json")
    assert status.code == 0 and status.json()["database"]["advisories"] == osv_server.count
    assert not [p for p in user_cache_home.iterdir() if p.name.startswith(".")]  # no temp left
    # the index by package is built with the download, so the first audit need not build it
    assert [p.suffix for p in (user_cache_home / "osv-index").iterdir()] == [".json"]


@pytest.mark.parametrize("path, why", [("/corrupt.zip", "not an OSV advisory zip"),
                                       ("/not-osv.zip", "not an OSV record"),
                                       ("/missing.zip", "HTTP 404")])
def test_a_bad_download_keeps_the_old_database(cli, osv_server, user_cache_home, path, why):
    assert cli("advisories", "update", "--url", f"{osv_server.url}/PyPI/all.zip").code == 0
    before = (user_cache_home / DB_NAME).read_bytes()
    r = cli("advisories", "update", "--url", f"{osv_server.url}{path}")
    assert r.code == 1 and why in r.err and "cached copy was kept" in r.err, r.err
    assert (user_cache_home / DB_NAME).read_bytes() == before
    assert cached_db().advisories == osv_server.count
    assert sorted(p.name for p in user_cache_home.iterdir()) == sorted(
        [DB_NAME, "pypi-osv.json", "osv-index"])


def test_an_unreachable_url_fails_fast_with_a_hint(cli):
    r = cli("advisories", "update", "--url", "http://127.0.0.1:9/PyPI/all.zip", "--json")
    assert r.code == 1
    error = r.json()
    assert "could not reach" in error["message"] and "advisory-db-url" in error["hint"]
    assert "nothing was cached" in error["message"]
    assert cli("advisories", "status").code == 1  # still nothing cached


def test_size_cap_and_zip_checks(tmp_path, fixture_advisories):
    from uvmgr.tools.advisory_db import update_db

    from uvmgr.errors import OperationFailed

    good = tmp_path / "all.zip"
    count = _osv_zip(good, fixture_advisories, None)
    assert verify_zip(good, "x") == count
    with pytest.raises(OperationFailed, match="larger than"):
        update_db(good.as_uri(), max_bytes=100)
    (tmp_path / "text.zip").write_text("not a zip")
    with pytest.raises(OperationFailed, match="not a zip file"):
        verify_zip(tmp_path / "text.zip", "x")


def test_the_url_comes_from_the_person_never_the_project(cli, osv_server, project_factory,
                                                         monkeypatch, user_config_home):
    project = project_factory(["demo-json"], {"demo-json": "2.0.0"})
    text = project.pyproject.read_text()
    project.pyproject.write_text(text + f'\n[tool.uvmgr]\nadvisory-db-url = '
                                        f'"{osv_server.url}/evil.zip"\n')
    monkeypatch.chdir(project.root)
    (user_config_home / "uvmgr").mkdir()
    (user_config_home / "uvmgr" / "config.toml").write_text(
        f'advisory-db-url = "{osv_server.url}/PyPI/all.zip"\n')
    assert cli("advisories", "update").code == 0
    monkeypatch.setenv("UVMGR_ADVISORY_DB_URL", f"{osv_server.url}/not-osv.zip")
    assert cli("advisories", "update").code == 1  # the environment wins over the user config
    assert osv_server.requested == ["/PyPI/all.zip", "/not-osv.zip"]


def test_audit_offline_uses_the_cached_database_and_says_so(cli, osv_server, demo_project):
    r = cli("audit", "--offline", "--project", demo_project.root)
    assert r.code == 2 and "uvmgr advisories update" in r.err  # nothing cached yet
    assert cli("advisories", "update", "--url", f"{osv_server.url}/PyPI/all.zip").code == 0
    r = cli("audit", "--offline", "--project", demo_project.root, "--json")
    assert r.code == 1, r.err
    report = r.json()
    assert {f["id"] for f in report["findings"]} == {"DEMO-2024-0001", "DEMO-2024-0002"}
    assert report["source"].endswith(DB_NAME)
    assert f"{osv_server.count} advisories, updated just now" in report["source_note"]
    assert "asked for offline" in report["source_note"]


def test_an_unreachable_service_falls_back_to_the_cache(cli, osv_server, demo_project,
                                                       monkeypatch):
    monkeypatch.setenv("UV_HTTP_RETRIES", "0")
    monkeypatch.setenv("UVMGR_AUDIT_SERVICE_URL", "http://127.0.0.1:9")
    assert cli("advisories", "update", "--url", f"{osv_server.url}/PyPI/all.zip").code == 0
    r = cli("audit", "--project", demo_project.root)
    assert r.code == 1, r.err
    assert "DEMO-2024-0001" in r.out
    assert "could not be reached" in r.out and "advisories, updated just now" in r.out


def test_ask_offline_audits_with_the_cache_and_the_answer_names_it(cli, osv_server, demo_project):
    assert cli("advisories", "update", "--url", f"{osv_server.url}/PyPI/all.zip").code == 0
    r = cli("ask", "are we exposed to any CVE?", "--offline", "--project", demo_project.root,
            "--json")
    assert r.code == 0, r.err
    summary = r.json()
    assert [s["tool"] for s in summary["steps"]] == ["audit_dependencies"]
    observation = summary["steps"][0]["observation"]
    assert "DEMO-2024-0001" in observation
    assert "offline advisory database" in observation and "updated just now" in observation
