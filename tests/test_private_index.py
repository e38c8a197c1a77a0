"""Private indexes end to end, against real pypiserver instances on loopback: a public index
(no authentication; the generated wheels) and a private one behind HTTP basic auth (htpasswd)
that holds a private package and a private build of a public name, pinned to it through
`[tool.uv.sources]` with `explicit = true`. Credentials come the way uv reads them,
`UV_INDEX_INTERNAL_USERNAME` / `UV_INDEX_INTERNAL_PASSWORD`.

Checked: outdated, list, upgrade and audit work (`--safe`, add, ask, keyring credentials and
AutoPilot too, with `--private-index-full`, about 100 s more); a pinned package is looked
up on its index only (the public server's log never names it) and shown as coming from it; a
wrong password, a missing one and an unreachable index are clear errors that name the index,
and change nothing; the password appears in no output and no file a run writes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from uvmgr.evals.fixtures import make_project
from uvmgr.evals.private_index import (
    PRIVATE_ONLY,
    SHADOWED,
    build_private_wheels,
    serve_index,
)

USER = "ci-reader"
PASSWORD = "pw-4b1e9d7c-private"  # not key-shaped: only redaction by value can catch it
NAMES = (PRIVATE_ONLY, SHADOWED)


@pytest.fixture(scope="module")
def indexes(tmp_path_factory):
    """(public, internal): one pair of servers for the whole module."""
    from uvmgr.evals.fixtures import build_full_index

    public_folder = build_full_index(tmp_path_factory.mktemp("public-wheels"))
    private_folder = build_private_wheels(tmp_path_factory.mktemp("private-wheels"))
    with serve_index(public_folder) as public, \
            serve_index(private_folder, {USER: PASSWORD}) as internal:
        yield public, internal


def _trust(*urls: str) -> None:
    """The person trusts these index hosts in their own uvmgr config (tools/index_trust.py:
    without it the credential guard refuses to run uv, loopback included)."""
    config = Path(os.environ["XDG_CONFIG_HOME"]) / "uvmgr" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    kept = [ln for ln in (config.read_text().splitlines() if config.is_file() else [])
            if not ln.startswith("trusted-indexes")]
    listed = ", ".join(f'"{u}"' for u in urls)
    config.write_text("\n".join([f"trusted-indexes = [{listed}]", *kept]) + "\n")


@pytest.fixture
def credentials(monkeypatch, indexes):
    monkeypatch.setenv("UV_INDEX_INTERNAL_USERNAME", USER)
    monkeypatch.setenv("UV_INDEX_INTERNAL_PASSWORD", PASSWORD)
    _trust(indexes[1].url)


def _private_tables(url: str) -> str:
    return "\n".join([
        "", "[tool.uv.sources]",
        f'{SHADOWED} = {{ index = "internal" }}',
        f'{PRIVATE_ONLY} = {{ index = "internal" }}',
        "", "[[tool.uv.index]]", 'name = "internal"', f'url = "{url}"', "explicit = true"])


def _private_project(dest: Path, indexes, *, sync: bool = True):
    public, internal = indexes
    project = make_project(
        dest, Path(), [f"{SHADOWED}>=5.0,<6", f"{PRIVATE_ONLY}>=1.0,<2",
                                   "demo-http>=1.0,<1.1", "demo-json>=2.0,<3"],
        {SHADOWED: "5.0.0", PRIVATE_ONLY: "1.0.0", "demo-http": "1.0.0", "demo-json": "2.0.0"},
        index_url=public.url, extra_tool_uv=_private_tables(internal.url), sync=sync)
    public.requests.clear()
    return project


@pytest.fixture
def private_project(tmp_path, indexes, credentials):
    return _private_project(tmp_path / "app", indexes)


@pytest.fixture
def locked_project(tmp_path, indexes, credentials):
    """Locked, not installed: enough for the read-only commands and for failures."""
    return _private_project(tmp_path / "app", indexes, sync=False)


def _public_never_asked(public) -> None:
    for name in NAMES:
        if SHADOWED == name:  # a public name: only its private build may be fetched
            assert not [p for p in public.requests if SHADOWED in p or "demo_yaml" in p], \
                public.requests
        else:
            assert not public.asked_for(name), public.requests


def test_outdated_and_list_look_up_a_pinned_package_on_its_index_only(cli, locked_project,
                                                                     indexes):
    public, internal = indexes
    r = cli("deps", "outdated", "--project", locked_project.root, "--json")
    assert r.code == 0, r.out + r.err
    rows = {o["name"]: o for o in r.json()}
    # the private build: 5.3.0 and 7.0.0 exist only there (the public index has 5.1.0, 6.0.0)
    assert (rows[SHADOWED]["latest_compatible"], rows[SHADOWED]["latest"]) == ("5.3.0", "7.0.0")
    assert (rows[PRIVATE_ONLY]["latest_compatible"], rows[PRIVATE_ONLY]["latest"]) == (
        "1.1.0", "2.0.0")
    assert rows[SHADOWED]["index"] == rows[PRIVATE_ONLY]["index"] == "internal"
    assert "index" not in rows["demo-http"]  # from the default index: nothing to say
    _public_never_asked(public)
    assert internal.asked_for(SHADOWED) and internal.asked_for(PRIVATE_ONLY)
    listed = cli("deps", "list", "--project", locked_project.root, "--json")
    where = {d["name"]: d.get("index", "") for d in listed.json()["dependencies"]}
    assert where[SHADOWED] == where[PRIVATE_ONLY] == "internal" and where["demo-http"] == ""
    row = next(ln for ln in cli("deps", "list", "--project", locked_project.root).out
               .splitlines() if SHADOWED in ln)
    assert "internal" in row


def _without(monkeypatch, **env: str | None) -> None:
    for name, value in env.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)


def _artefacts(root: Path, *more: Path) -> list[Path]:
    files = [p for p in root.joinpath(".uvmgr").rglob("*") if p.is_file()]
    return [*files, root / "pyproject.toml", root / "uv.lock", *more]


def test_upgrade_and_audit_from_the_private_index_and_no_password_anywhere(
        cli, private_project, indexes, fixture_advisories, tmp_path, monkeypatch):
    public, _ = indexes
    audit = cli("audit", "--db", fixture_advisories, "--project", private_project.root, "--json")
    assert audit.code == 1, audit.out + audit.err
    # DEMO-2024-0003 is for the public demo-yaml 5.0.0; uv audit matches names, so it matches
    # the private build too: the finding says where that package comes from
    found = {f["package"]: f for f in audit.json()["findings"]}
    assert found[SHADOWED]["index"] == "internal" and "index" not in found["demo-json"]
    preview = cli("deps", "upgrade", "--dry-run", "--project", private_project.root, "--json")
    assert preview.code == 0, preview.out + preview.err
    moves = {c["name"]: (c["after"], c.get("index", "")) for c in preview.json()["changes"]}
    assert moves[SHADOWED] == ("5.3.0", "internal") and moves[PRIVATE_ONLY] == ("1.1.0", "internal")
    r = cli("deps", "upgrade", "--project", private_project.root)
    assert r.code == 0, r.out + r.err
    assert f"{SHADOWED}: 5.0.0 -> 5.3.0 (from index internal)" in r.out
    assert private_project.locked_version(SHADOWED) == "5.3.0"
    assert private_project.locked_version("demo-json") == "2.1.0"
    _public_never_asked(public)
    sarif = tmp_path / "audit.sarif"
    # a failure too: its message, details and uv's explanation are written down
    _without(monkeypatch, UV_INDEX_INTERNAL_PASSWORD="not-the-password")
    failed = cli("deps", "upgrade", "--level", "major", "--project", private_project.root,
                 "--json")
    assert failed.code == 2, failed.out + failed.err
    _without(monkeypatch, UV_INDEX_INTERNAL_PASSWORD=PASSWORD)
    sarif.write_text(cli("audit", "--db", fixture_advisories, "--sarif", "--project",
                         private_project.root).out)
    outputs = "".join(c.out + c.err for c in (preview, r, audit, failed))
    assert PASSWORD not in outputs
    leaked = [p for p in _artefacts(private_project.root, sarif)
              if PASSWORD.encode() in p.read_bytes()]
    assert leaked == []
    assert (private_project.root / ".uvmgr" / "traces" / "traces.jsonl").is_file()


def test_credential_failures_name_the_index_and_change_nothing(cli, locked_project,
                                                              monkeypatch):
    before = locked_project.snapshot()
    _without(monkeypatch, UV_INDEX_INTERNAL_PASSWORD="not-the-password")
    r = cli("deps", "upgrade", "--project", locked_project.root, "--json")
    assert r.code == 2, r.out + r.err
    error = r.json()
    assert "the package index `internal` (http://127.0.0.1:" in error["message"], error
    assert "refused the credentials" in error["message"]
    assert "UV_INDEX_INTERNAL_PASSWORD" in error["hint"] and "nothing was changed" in error["hint"]
    assert "was not found" not in error["message"]  # uv's words; the cause is the password
    assert locked_project.snapshot() == before

    _without(monkeypatch, UV_INDEX_INTERNAL_USERNAME=None, UV_INDEX_INTERNAL_PASSWORD=None)
    r = cli("deps", "outdated", "--project", locked_project.root)
    assert r.code == 2, r.out + r.err
    assert "package index `internal`" in r.err and "needs credentials" in r.err
    assert "UV_INDEX_INTERNAL_USERNAME" in r.err and "UV_INDEX_INTERNAL_PASSWORD" in r.err
    assert locked_project.snapshot() == before

    import socket

    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    text = locked_project.pyproject.read_text()
    start = text.index('url = "', text.index('name = "internal"'))
    end = text.index("\n", start)
    locked_project.pyproject.write_text(
        text[:start] + f'url = "http://127.0.0.1:{port}/simple/"' + text[end:])
    _without(monkeypatch, UV_HTTP_RETRIES="0", UV_INDEX_INTERNAL_USERNAME=USER,
             UV_INDEX_INTERNAL_PASSWORD=PASSWORD)
    _trust(f"http://127.0.0.1:{port}")
    before = locked_project.snapshot()
    r = cli("deps", "lock", "--project", locked_project.root, "--json")
    assert r.code == 1, r.out + r.err
    error = r.json()
    assert f"the package index `internal` (http://127.0.0.1:{port}) could not be reached" in \
        error["message"], error
    assert locked_project.snapshot() == before


# -- the longer runs: `--private-index-full` -------------------------------------------------------

@pytest.mark.private_index_full
@pytest.mark.parametrize("command", [("deps", "outdated"), ("deps", "add", "demo-cli>=1.0"),
                                     ("deps", "upgrade", "--safe")])
def test_a_wrong_password_for_each_command(cli, locked_project, monkeypatch, command):
    before = locked_project.snapshot()
    _without(monkeypatch, UV_INDEX_INTERNAL_PASSWORD="not-the-password")
    r = cli(*command, "--project", locked_project.root, "--json")
    assert r.code == 2, r.out + r.err
    assert "the package index `internal`" in r.json()["message"]
    assert "refused the credentials" in r.json()["message"]
    assert locked_project.snapshot() == before


@pytest.mark.private_index_full
def test_ask_safe_upgrade_and_add(cli, private_project, indexes):
    public, _ = indexes
    r = cli("ask", "which dependencies are outdated?", "--project", private_project.root,
            "--json")
    assert r.code == 0, r.out + r.err
    assert "7.0.0" in r.out and "internal" in r.out
    r = cli("deps", "upgrade", "--safe", "--project", private_project.root, "--json")
    assert r.code == 0, r.out + r.err
    assert private_project.locked_version(PRIVATE_ONLY) == "1.1.0"
    assert private_project.locked_version(SHADOWED) == "5.3.0"
    majors = {m["name"]: m for m in r.json()["majors_available"]}
    assert majors[SHADOWED]["latest"] == "7.0.0" and majors[SHADOWED]["index"] == "internal"
    r = cli("deps", "add", "demo-cli>=1.0", "--project", private_project.root)
    assert r.code == 0, r.out + r.err
    assert private_project.locked_version("demo-cli") == "1.1.0"
    _public_never_asked(public)


@pytest.mark.private_index_full
def test_autopilot_and_no_password_in_its_report(cli, private_project, fixture_advisories,
                                                 tmp_path):
    config = Path(os.environ["XDG_CONFIG_HOME"]) / "uvmgr" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(config.read_text() + f'audit-db = "{fixture_advisories}"\n')
    report, sarif = tmp_path / "report.md", tmp_path / "left.sarif"
    run = cli("autopilot", "--report", report, "--sarif", sarif, "--project",
              private_project.root, "--json")
    assert run.code == 0, run.out + run.err
    moved = {c["name"]: c for c in run.json()["changes"]}
    assert moved[SHADOWED]["after"] == "5.3.0" and moved[SHADOWED]["index"] == "internal"
    text = report.read_text()
    assert f"| {PRIVATE_ONLY} | 1.0.0 | 1.1.0 | direct, from index internal |" in text
    # the advisory for the public demo-yaml 5.0.0 matches the private build by name (uv audit
    # matches names): the move is a security fix, and the report says where it comes from
    assert f"| {SHADOWED} | 5.0.0 | 5.3.0 | security fix, from index internal |" in text
    assert PASSWORD not in run.out + run.err
    leaked = [p for p in _artefacts(private_project.root, report, sarif)
              if PASSWORD.encode() in p.read_bytes()]
    assert leaked == []


@pytest.mark.private_index_full
def test_credentials_from_the_keyring(cli, locked_project, indexes, monkeypatch, tmp_path):
    """uv asks the `keyring` command (its `subprocess` provider) for the password: the real
    keyring CLI over a plaintext file backend in this test's own folder; no password in the
    environment, so none for uvmgr to know or mask, and still none in any output."""
    import shutil
    import subprocess

    keyring = shutil.which("keyring")
    if keyring is None:
        pytest.skip("the keyring command is not installed")
    _, internal = indexes
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    for service in {internal.url, internal.url.rstrip("/"), internal.url.split("/simple")[0]}:
        subprocess.run([keyring, "set", service, USER], input=PASSWORD + "\n", text=True,
                       check=True, capture_output=True)
    _without(monkeypatch, UV_INDEX_INTERNAL_PASSWORD=None, UV_NO_CACHE="1")
    assert cli("deps", "outdated", "--project", locked_project.root).code == 2  # it needs them
    monkeypatch.setenv("UV_KEYRING_PROVIDER", "subprocess")
    r = cli("deps", "outdated", "--project", locked_project.root, "--json")
    assert r.code == 0, r.out + r.err
    assert {o["name"]: o["latest"] for o in r.json()}[PRIVATE_ONLY] == "2.0.0"
    assert PASSWORD not in r.out + r.err
    assert not [p for p in _artefacts(locked_project.root) if PASSWORD.encode() in p.read_bytes()]
