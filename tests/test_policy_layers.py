"""Shared policies: `extends` (paths and https URLs pinned by sha256, fetched from a real HTTP
server on loopback), locked settings, and `uvmgr policy show`."""

from __future__ import annotations

import hashlib
import socket
from http.server import BaseHTTPRequestHandler

import pytest
from uvmgr.tools.loopback import LoopbackServer

ORG = b'max-severity = "medium"\nlicenses = ["MIT", "BSD-3-Clause"]\nlocked = ["max-severity", "licenses"]\nbanned = [{ name = "demo-yaml", reason = "unmaintained" }]\n'


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class PolicyServer:
    """Serves `files` (path -> bytes) on 127.0.0.1 and counts the requests."""

    def __init__(self, files: dict[str, bytes]):
        self.files, self.requests = files, []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.requests.append(self.path)
                if self.path == "/moved.toml":  # off to plain http elsewhere
                    self.send_response(302)
                    self.send_header("Location", "http://example.org/org.toml")
                    self.end_headers()
                    return
                body = outer.files.get(self.path)
                self.send_response(404 if body is None else 200)
                self.end_headers()
                self.wfile.write(body or b"not found")

            def log_message(self, *args) -> None:
                pass

        self.server = LoopbackServer(Handler)


@pytest.fixture
def served():
    server = PolicyServer({"/org.toml": ORG})
    with server.server as url:
        server.url = url
        yield server


@pytest.fixture
def bare(project_factory):
    """A project with no lock: `policy show` reads only pyproject.toml."""
    return project_factory(["demo-http>=1.0"], lock=False, tests="none")


def _tables(project, text: str) -> None:
    with project.pyproject.open("a", encoding="utf-8") as fh:
        fh.write("\n" + text + "\n")


def _user(user_config_home, text: str) -> None:
    (user_config_home / "uvmgr").mkdir(exist_ok=True)
    (user_config_home / "uvmgr" / "config.toml").write_text(text, encoding="utf-8")


def test_remote_extends_is_fetched_once_cached_and_shown_with_sources(cli, bare, served,
                                                                      user_cache_home):
    url = f"{served.url}/org.toml#sha256={_sha(ORG)}"
    _tables(bare, f'[tool.uvmgr.policy]\nextends = ["{url}"]\nmax-severity = "low"\n'
                  'days-to-fix = 14\nbanned = [{ name = "tqdm", reason = "use rich" }]')
    r = cli("policy", "show", "--project", bare.root, "--json")
    assert r.code == 0, r.err
    settings = r.json()["settings"]
    origin = f"{served.url}/org.toml"
    assert r.json()["layers"] == [origin, "[tool.uvmgr.policy]"]
    # the project tightened a locked setting (allowed); the lock still names the org
    assert settings["max-severity"] == {"value": "low", "source": "[tool.uvmgr.policy]",
                                        "locked_by": origin}
    assert settings["licenses"]["value"] == ["MIT", "BSD-3-Clause"]
    assert settings["licenses"]["source"] == origin
    assert settings["days-to-fix"]["source"] == "[tool.uvmgr.policy]"
    assert settings["levels"]["source"] == "default"
    # bans add up: the org's and the project's
    assert {b["name"]: b["source"] for b in settings["banned"]["value"]} == {
        "demo-yaml": origin, "tqdm": "[tool.uvmgr.policy]"}
    assert (user_cache_home / "policies" / f"{_sha(ORG)}.toml").read_bytes() == ORG
    r = cli("policy", "show", "--project", bare.root)
    assert r.code == 0 and "locked by " + origin in r.out
    assert served.requests == ["/org.toml"]  # fetched once, then read from the cache


def test_a_project_cannot_loosen_a_locked_setting(cli, bare, served):
    url = f"{served.url}/org.toml#sha256={_sha(ORG)}"
    _tables(bare, f'[tool.uvmgr.policy]\nextends = ["{url}"]\nmax-severity = "critical"')
    r = cli("policy", "show", "--project", bare.root)
    assert r.code == 2
    assert "[tool.uvmgr.policy] may not loosen max-severity (to critical)" in r.err
    assert f"{served.url}/org.toml locked it at medium" in r.err
    # allowing a license the org did not is loosening too; AutoPilot refuses to start the same way
    _tables(bare, "")
    bare.pyproject.write_text(bare.pyproject.read_text().replace(
        'max-severity = "critical"', 'licenses = ["MIT", "GPL-3.0-only"]'))
    r = cli("autopilot", "--project", bare.root)
    assert r.code == 2 and "may not loosen licenses" in r.err


def test_the_persons_locks_bind_the_project_and_later_entries_override(
        cli, bare, user_config_home, tmp_path):
    first = tmp_path / "first.toml"
    second = tmp_path / "second.toml"
    first.write_text('levels = ["patch", "minor"]\ncooldown-days = 3\n')
    second.write_text('cooldown-days = 10\nlocked = ["cooldown-days", "gates"]\n')
    _user(user_config_home, f'[policy]\nextends = ["{first}", "{second}"]\n'
                            'gates = ["tests", "build"]\n')
    r = cli("policy", "show", "--project", bare.root, "--json")
    settings = r.json()["settings"]
    assert settings["cooldown-days"]["value"] == 10.0
    assert settings["cooldown-days"]["source"] == str(second)
    assert settings["gates"]["locked_by"] == str(second)
    _tables(bare, '[tool.uvmgr.autopilot]\ngates = ["tests"]')
    r = cli("policy", "show", "--project", bare.root)
    assert r.code == 2 and "[tool.uvmgr.autopilot] may not loosen gates" in r.err
    assert str(second) in r.err


@pytest.mark.parametrize("case", ["mismatch", "404", "refused", "no-hash", "plain-http",
                                  "redirect"])
def test_a_remote_policy_that_cannot_be_trusted_is_an_error_naming_it(cli, bare, served, case,
                                                                      user_cache_home):
    good = _sha(ORG)
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there: the connection is refused
    entry, expected = {
        "mismatch": (f"{served.url}/org.toml#sha256={'0' * 64}", "does not match its sha256"),
        "404": (f"{served.url}/gone.toml#sha256={good}", "HTTP 404"),
        "refused": (f"http://127.0.0.1:{port}/org.toml#sha256={good}", "could not reach"),
        "no-hash": (f"{served.url}/org.toml", "carries no hash"),
        "plain-http": (f"http://example.org/org.toml#sha256={good}", "is not https"),
        "redirect": (f"{served.url}/moved.toml#sha256={good}", "is not https"),
    }[case]
    _tables(bare, f'[tool.uvmgr.policy]\nextends = ["{entry}"]')
    r = cli("policy", "check", "--project", bare.root)
    assert r.code == 2, r.out + r.err
    assert expected in r.err and entry.split("#")[0] in r.err
    assert not list(user_cache_home.glob("policies/*.toml"))  # nothing unverified is kept


def test_a_tampered_cached_copy_is_refused(cli, bare, served, user_cache_home):
    _tables(bare, f'[tool.uvmgr.policy]\nextends = ["{served.url}/org.toml#sha256={_sha(ORG)}"]')
    assert cli("policy", "show", "--project", bare.root).code == 0
    cached = user_cache_home / "policies" / f"{_sha(ORG)}.toml"
    cached.write_bytes(ORG.replace(b'"medium"', b'"critical"'))
    r = cli("policy", "show", "--project", bare.root)
    assert r.code == 2 and "cached copy" in r.err and str(cached) in r.err
    assert served.requests == ["/org.toml"]  # never quietly fetched again over it


def test_a_projects_local_extends_stays_inside_it(cli, bare, tmp_path):
    outside = tmp_path / "outside.toml"
    outside.write_text('max-severity = "critical"\n')
    (bare.root / "policy").mkdir()
    (bare.root / "policy" / "link.toml").symlink_to(outside)
    (bare.root / "policy" / "team.toml").write_text('days-to-fix = 9\n')
    for entry in ("../outside.toml", str(outside), "policy/link.toml"):
        bare.pyproject.write_text(bare.pyproject.read_text().split("\n[tool.uvmgr.policy]")[0])
        _tables(bare, f'[tool.uvmgr.policy]\nextends = ["{entry}"]')
        r = cli("policy", "show", "--project", bare.root)
        assert r.code == 2 and "leads outside the project" in r.err, entry
    bare.pyproject.write_text(bare.pyproject.read_text().split("\n[tool.uvmgr.policy]")[0])
    _tables(bare, '[tool.uvmgr.policy]\nextends = ["policy/team.toml"]')
    r = cli("policy", "show", "--project", bare.root, "--json")
    assert r.json()["settings"]["days-to-fix"] == {"value": 9, "source": "policy/team.toml",
                                                   "locked_by": None}


def test_bad_policy_keys_and_values_name_their_source(cli, bare):
    _tables(bare, '[tool.uvmgr.policy]\nmax-severity = "dire"')
    r = cli("policy", "show", "--project", bare.root)
    assert r.code == 2 and "[tool.uvmgr.policy]" in r.err and "max-severity" in r.err
    bare.pyproject.write_text(bare.pyproject.read_text().replace('max-severity = "dire"',
                                                                 'licenses = ["not a license!"]'))
    r = cli("policy", "show", "--project", bare.root)
    assert r.code == 2 and "not an SPDX license id" in r.err


def test_policy_without_an_action_prints_its_help(cli):
    r = cli("policy")
    assert r.code == 2 and "usage: uvmgr policy" in r.out
