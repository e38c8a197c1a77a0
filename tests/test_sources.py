"""Projects whose dependencies do not all come from an index: a path dependency to a local
package, a URL to a wheel served on loopback and a git dependency to a local bare repository
(`git+file://`), beside a registry one. Real uv throughout."""

from __future__ import annotations

import pytest
from uvmgr.evals.source_fixtures import (
    GIT_PACKAGE,
    PATH_PACKAGE,
    URL_PACKAGE,
    WheelServer,
    sources_project,
)


@pytest.fixture
def sources(tmp_path, wheel_index):
    served = tmp_path / "served"
    served.mkdir()
    with WheelServer(served) as url:
        yield sources_project(tmp_path / "app", wheel_index, url, served)


def test_every_command_works_beside_git_path_and_url_sources(cli, sources, fixture_advisories):
    root = sources.root
    listed = {d["name"]: d for d in cli("deps", "list", "--project", root, "--json")
              .json()["dependencies"]}
    assert {listed[n]["locked"] for n in (PATH_PACKAGE, URL_PACKAGE, GIT_PACKAGE)} == {"1.0.0"}
    assert listed[GIT_PACKAGE]["requirement"].startswith(f"{GIT_PACKAGE} @ git+file://")
    # only a registry package can be outdated; the others are not looked up on the index
    r = cli("deps", "outdated", "--project", root, "--json")
    assert r.code == 0, r.err
    assert [row["name"] for row in r.json()] == ["demo-json"]
    r = cli("audit", "--db", fixture_advisories, "--project", root, "--json")
    assert r.code == 1 and [f["package"] for f in r.json()["findings"]] == ["demo-json"]
    before = sources.snapshot()
    r = cli("deps", "upgrade", "--safe", "--dry-run", "--project", root, "--json")
    assert r.code == 0, r.err
    assert {c["name"] for c in r.json()["changes"]} == {"demo-json"}
    assert sources.snapshot() == before
    r = cli("audit", "--fix", "--db", fixture_advisories, "--project", root, "--json")
    assert r.code == 0, r.out + r.err
    assert sources.locked_version("demo-json") == "2.0.1"
    assert {n: sources.locked_version(n) for n in (PATH_PACKAGE, URL_PACKAGE, GIT_PACKAGE)} == \
        dict.fromkeys((PATH_PACKAGE, URL_PACKAGE, GIT_PACKAGE), "1.0.0")
    text = sources.pyproject.read_text()
    assert f"{GIT_PACKAGE} @ git+file://" in text and f"{URL_PACKAGE} @ http://127.0.0.1:" in text


def test_an_unreachable_url_source_is_named(cli, sources, monkeypatch):
    monkeypatch.setenv("UV_HTTP_RETRIES", "0")
    text = sources.pyproject.read_text()
    start = text.index(f"{URL_PACKAGE} @ ") + len(f"{URL_PACKAGE} @ ")
    url = text[start:text.index('"', start)]
    moved = url.replace(url.split("/")[2], "127.0.0.1:9")
    sources.pyproject.write_text(text.replace(url, moved))
    before = sources.snapshot()
    r = cli("deps", "lock", "--project", sources.root)
    assert r.code == 1, r.err
    assert f"the URL source of {URL_PACKAGE} ({moved}) could not be reached" in r.err
    assert "uv says:" in r.err and sources.snapshot() == before
