"""The credential guard (tools/index_trust.py): a cloned repository that names its index like the
person's private one (`internal`) but points it elsewhere gets nothing: uv is not run, and a
second loopback server standing in for the attacker records no request at all. Trusted hosts
(the person's uvmgr config, or their own uv config under the same name) work; an index without
credentials is never blocked. The end-to-end trusted case with real credentials against
pypiserver is tests/test_private_index.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from uvmgr.tools.index_trust import DeclaredIndex, Trust, check_index_credentials, origin
from uvmgr.tools.indexes import credential_key
from uvmgr.tools.loopback import Recorder

from uvmgr.errors import EXIT_REFUSED, UntrustedIndex, UsageError

USER, PASSWORD = "corp-reader", "pw-77d1c0-corp"


@pytest.fixture
def attacker():
    server = Recorder()
    with server:
        yield server


@pytest.fixture
def person_credentials(monkeypatch):
    """The person keeps credentials for their company's `internal` index in the environment."""
    monkeypatch.setenv("UV_INDEX_INTERNAL_USERNAME", USER)
    monkeypatch.setenv("UV_INDEX_INTERNAL_PASSWORD", PASSWORD)


def _declare(project, name: str, url: str) -> None:
    """The index as the default one (in place of PyPI; the fixture's find-links folder still
    serves the packages), so uv asks it for every package."""
    text = project.pyproject.read_text().replace("no-index = true\n", "")
    project.pyproject.write_text(
        text + f'\n[[tool.uv.index]]\nname = "{name}"\nurl = "{url}"\ndefault = true\n')


def _user_config(home: Path, text: str) -> Path:
    path = home / "uvmgr" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_a_cloned_repository_cannot_redirect_the_persons_credentials(
        cli, demo_project, attacker, person_credentials):
    _declare(demo_project, "internal", f"{attacker.url}/simple/")
    before = demo_project.snapshot()
    r = cli("deps", "outdated", "--project", demo_project.root, "--json")
    assert attacker.seen == []  # not one request: uv never ran
    assert r.code == EXIT_REFUSED, r.out + r.err
    error = r.json()
    assert error["error"] == "UntrustedIndex"
    host = attacker.url.removeprefix("http://")
    assert "`internal`" in error["message"] and host in error["message"]
    assert "UV_INDEX_INTERNAL_USERNAME and UV_INDEX_INTERNAL_PASSWORD" in error["message"]
    assert f'trusted-indexes = ["{attacker.url}"]' in error["hint"]
    assert PASSWORD not in r.out + r.err and USER not in r.out + r.err
    assert demo_project.snapshot() == before


def test_a_trusted_host_gets_the_credentials_and_an_index_without_them_is_not_blocked(
        cli, demo_project, attacker, person_credentials, user_config_home, monkeypatch):
    _declare(demo_project, "internal", f"{attacker.url}/simple/")
    _user_config(user_config_home, f'trusted-indexes = ["{attacker.url}/any/path"]\n')
    r = cli("deps", "outdated", "--project", demo_project.root)
    assert r.code == 0, r.out + r.err
    assert attacker.seen and all(auth.startswith("Basic ") for _, auth in attacker.seen)

    (user_config_home / "uvmgr" / "config.toml").unlink()
    attacker.seen.clear()
    monkeypatch.delenv("UV_INDEX_INTERNAL_USERNAME")
    monkeypatch.delenv("UV_INDEX_INTERNAL_PASSWORD")
    r = cli("deps", "outdated", "--project", demo_project.root)  # no credentials: nothing to guard
    assert r.code == 0, r.out + r.err
    assert attacker.seen and not any(auth for _, auth in attacker.seen)


# -- the rules, on files and an environment (no uv) -------------------------------------------

@pytest.mark.parametrize(("name", "key"), [
    ("internal", "INTERNAL"), ("Internal", "INTERNAL"), ("my-corp.idx", "MY_CORP_IDX"),
    ("corp_2", "CORP_2")])
def test_variable_names_as_uv_makes_them(name, key):
    assert credential_key(name) == key


@pytest.mark.parametrize(("url", "expected"), [
    ("https://Pkgs.Example.com/simple/", "https://pkgs.example.com"),
    ("https://pkgs.example.com:443/x", "https://pkgs.example.com"),
    ("https://bob:tok@pkgs.example.com:8443/simple", "https://pkgs.example.com:8443"),
    ("HTTP://127.0.0.1:8080", "http://127.0.0.1:8080"),
    ("http://[::1]:9000/simple", "http://[::1]:9000"),
    ("./wheels", ""), ("file:///srv/wheels", ""), ("https://host:notaport/", "")])
def test_origins(url, expected):
    assert origin(url) == expected


def _project(tmp_path: Path, indexes: str) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "pyproject.toml").write_text(f'[project]\nname = "x"\nversion = "0"\n{indexes}')
    return root


INTERNAL_EVIL = '[[tool.uv.index]]\nname = "Internal"\nurl = "https://evil.example/simple"\n'


def test_names_are_matched_as_uv_reads_them(tmp_path):
    root = _project(tmp_path, INTERNAL_EVIL)
    env = {"XDG_CONFIG_HOME": str(tmp_path / "cfg"), "UV_INDEX_INTERNAL_PASSWORD": "x"}
    with pytest.raises(UntrustedIndex) as caught:
        check_index_credentials(root, [], env)
    assert "UV_INDEX_INTERNAL_PASSWORD" in caught.value.message
    assert "UV_INDEX_INTERNAL_USERNAME" not in caught.value.message  # only what is set
    # a lower-case variable is not the one uv reads; no credentials, nothing to guard
    check_index_credentials(root, [], {"XDG_CONFIG_HOME": str(tmp_path / "cfg"),
                                       "uv_index_internal_password": "x"})


def test_the_persons_own_uv_config_trusts_an_index_by_name_and_host(tmp_path):
    root = _project(tmp_path, INTERNAL_EVIL)
    cfg = tmp_path / "cfg"
    (cfg / "uv").mkdir(parents=True)
    env = {"XDG_CONFIG_HOME": str(cfg), "UV_INDEX_INTERNAL_USERNAME": "u"}
    (cfg / "uv" / "uv.toml").write_text(
        '[[index]]\nname = "internal"\nurl = "https://corp.example/simple"\n')
    with pytest.raises(UntrustedIndex):  # same name, another host: the attack itself
        check_index_credentials(root, [], env)
    (cfg / "uv" / "uv.toml").write_text(
        '[[index]]\nname = "internal"\nurl = "https://EVIL.example:443/other"\n')
    check_index_credentials(root, [], env)
    # UV_CONFIG_FILE replaces the discovered user config, as it does for uv
    with pytest.raises(UntrustedIndex):
        check_index_credentials(root, [], {**env, "UV_CONFIG_FILE": str(tmp_path / "none.toml")})


def test_userinfo_in_the_url_a_uv_toml_and_a_lookup_file_are_guarded(tmp_path):
    root = _project(tmp_path, "")
    env = {"XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    (root / "uv.toml").write_text('[[index]]\nurl = "https://me:pw@evil.example/simple"\n')
    with pytest.raises(UntrustedIndex) as caught:
        check_index_credentials(root, [], env)
    assert "pw" not in caught.value.message.replace("evil", "") and "me:" not in \
        caught.value.message
    (root / "uv.toml").unlink()
    lookup = tmp_path / "lookup" / "pyproject.toml"
    lookup.parent.mkdir()
    lookup.write_text(INTERNAL_EVIL)
    check_index_credentials(root, ["pip", "compile", str(lookup)], env)  # no credentials set
    with pytest.raises(UntrustedIndex):
        check_index_credentials(root, ["pip", "compile", str(lookup)],
                                {**env, "UV_INDEX_INTERNAL_USERNAME": "u"})


def test_a_repository_cannot_trust_its_own_index(tmp_path):
    root = _project(tmp_path, INTERNAL_EVIL + '[tool.uvmgr]\ntrusted-indexes = '
                                              '["https://evil.example"]\n')
    with pytest.raises(UntrustedIndex):
        check_index_credentials(root, [], {"XDG_CONFIG_HOME": str(tmp_path / "cfg"),
                                           "UV_INDEX_INTERNAL_USERNAME": "u"})


def test_trust_reads_only_the_persons_files(tmp_path):
    cfg = tmp_path / "cfg"
    _user_config(cfg, 'trusted-indexes = ["https://a.example/simple"]\n')
    trust = Trust.load({"XDG_CONFIG_HOME": str(cfg)})
    assert trust.origins == {"https://a.example"}
    assert trust.allows(DeclaredIndex("x", "https://a.example:443/other/", Path("p")))
    assert not trust.allows(DeclaredIndex("x", "http://a.example/simple", Path("p")))  # scheme
    assert not trust.allows(DeclaredIndex("x", "https://a.example:8443/", Path("p")))  # port


@pytest.mark.parametrize("text", ['trusted-indexes = ["a.example"]\n',
                                  'trusted-indexes = "https://a.example"\n'])
def test_a_malformed_trusted_indexes_is_an_input_error(tmp_path, text):
    cfg = tmp_path / "cfg"
    _user_config(cfg, text)
    with pytest.raises(UsageError) as caught:
        Trust.load({"XDG_CONFIG_HOME": str(cfg)})
    assert caught.value.exit_code == 2 and "trusted-indexes" in caught.value.hint


def test_ask_refuses_too_needs_a_person_and_sends_nothing(cli, demo_project, attacker, person_credentials):
    _declare(demo_project, "internal", f"{attacker.url}/simple/")
    r = cli("ask", "which dependencies are outdated?", "--project", demo_project.root)
    assert attacker.seen == []
    assert r.code == EXIT_REFUSED, r.out + r.err
    assert "refused to run uv" in r.out and "trusted-indexes" in r.out
    assert PASSWORD not in r.out + r.err and USER not in r.out + r.err


def test_the_hint_keeps_what_the_person_already_trusts(tmp_path):
    root = _project(tmp_path, INTERNAL_EVIL)
    cfg = tmp_path / "cfg"
    path = _user_config(cfg, 'trusted-indexes = ["https://corp.example"]\n')
    with pytest.raises(UntrustedIndex) as caught:
        check_index_credentials(root, [], {"XDG_CONFIG_HOME": str(cfg),
                                           "UV_INDEX_INTERNAL_USERNAME": "u"})
    assert f'`trusted-indexes = ["https://corp.example", "https://evil.example"]` to {path}' \
        in caught.value.hint
    assert caught.value.exit_code == EXIT_REFUSED


def test_a_workspace_members_index_is_guarded_too(tmp_path):
    """uv reads `[[tool.uv.index]]` from every workspace member: a member that pins a package to
    its own `internal` index sends that index the person's UV_INDEX_INTERNAL_* (seen with uv
    0.13.9 and a recording server), though uv runs at the workspace root."""
    root = _project(tmp_path, '[tool.uv.workspace]\nmembers = ["packages/*"]\n')
    member = root / "packages" / "m1"
    member.mkdir(parents=True)
    (member / "pyproject.toml").write_text(
        '[project]\nname = "m1"\nversion = "0"\n' + INTERNAL_EVIL
        + '[tool.uv.sources]\nsomepkg = { index = "Internal" }\n')
    env = {"XDG_CONFIG_HOME": str(tmp_path / "cfg"), "UV_INDEX_INTERNAL_PASSWORD": "x"}
    with pytest.raises(UntrustedIndex) as caught:
        check_index_credentials(root, [], env)
    assert str(member / "pyproject.toml") in caught.value.message
    with pytest.raises(UntrustedIndex):  # from the member's folder as well
        check_index_credentials(member, [], env)


def test_a_workspace_members_index_receives_nothing_end_to_end(
        cli, demo_project, attacker, person_credentials):
    root = demo_project.root
    text = demo_project.pyproject.read_text().replace("no-index = true\n", "")
    demo_project.pyproject.write_text(text + '\n[tool.uv.workspace]\nmembers = ["libs/*"]\n')
    member = root / "libs" / "helper"
    member.mkdir(parents=True)
    (member / "pyproject.toml").write_text(
        '[project]\nname = "helper"\nversion = "0.1"\ndependencies = ["corp-secret-lib"]\n'
        f'[[tool.uv.index]]\nname = "internal"\nurl = "{attacker.url}/simple/"\nexplicit = true\n'
        '[tool.uv.sources]\ncorp-secret-lib = { index = "internal" }\n')
    before = demo_project.snapshot()
    r = cli("deps", "lock", "--project", root, "--dry-run", "--json")
    assert attacker.seen == [], attacker.seen  # uv never asked it, with or without the credentials
    assert r.code == EXIT_REFUSED, r.out + r.err
    assert r.json()["error"] == "UntrustedIndex"
    assert PASSWORD not in r.out + r.err
    assert demo_project.snapshot() == before


def test_a_path_dependencys_index_is_guarded_too(tmp_path):
    """uv reads a local path dependency's own `[[tool.uv.index]]` and sources when it resolves
    it (seen with uv 0.13.9: the person's UV_INDEX_INTERNAL_* went to the dependency's index),
    and a path dependency's own path dependencies in turn."""
    root = _project(tmp_path, '[tool.uv.sources]\nvendored = { path = "vendor/vendored" }\n')
    first = root / "vendor" / "vendored"
    first.mkdir(parents=True)
    (first / "pyproject.toml").write_text(
        '[project]\nname = "vendored"\nversion = "0"\n'
        '[tool.uv.sources]\ndeeper = { path = "../deeper", editable = true }\n')
    deeper = root / "vendor" / "deeper"
    deeper.mkdir()
    (deeper / "pyproject.toml").write_text('[project]\nname = "deeper"\nversion = "0"\n'
                                           + INTERNAL_EVIL)
    env = {"XDG_CONFIG_HOME": str(tmp_path / "cfg"), "UV_INDEX_INTERNAL_PASSWORD": "x"}
    with pytest.raises(UntrustedIndex) as caught:
        check_index_credentials(root, [], env)
    assert str(deeper / "pyproject.toml") in caught.value.message
    # a loop of path dependencies ends
    (deeper / "pyproject.toml").write_text(
        '[project]\nname = "deeper"\nversion = "0"\n'
        '[tool.uv.sources]\nvendored = { path = "../vendored" }\n')
    check_index_credentials(root, [], env)
