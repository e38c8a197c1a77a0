"""A cloned repository's `[tool.uvmgr]` may not redirect data or spend money: those settings
come only from the person (their user config, UVMGR_* variables, flags) or from a project they
allowed by path. Harmless settings stay project-level; `audit-db` only inside the project."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from uvmgr.config import Settings
from uvmgr.errors import UsageError
from uvmgr.user_config import UserConfig, user_config_path


def _set_tool_uvmgr(project, lines: str) -> None:
    project.pyproject.write_text(project.pyproject.read_text() + "\n[tool.uvmgr]\n" + lines + "\n")


def _write_user_config(home: Path, text: str) -> Path:
    path = home / "uvmgr" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


class RecordingServer:
    """Any HTTP request is recorded (and answered 500): the test asserts there were none."""

    def __init__(self):
        self.requests: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _any(self):
                outer.requests.append(self.path)
                self.send_response(500)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST = _any

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def recording_server():
    server = RecordingServer()
    yield server
    server.close()


def test_personal_settings_from_a_project_are_ignored():
    table = {"model": "openai/evil", "fallbacks": ["openai/evil2"], "api-base": "http://x/v1",
             "audit-service-url": "http://attacker.example", "embedding-model": "openai/emb",
             "max-cost": 500, "max-tokens": 100000, "model-retries": 50, "timeout": 30,
             "cooldown-days": 1, "test-args": ["-x"]}
    settings = Settings.load(table, env={})
    assert settings.model is None and settings.fallbacks == () and settings.api_base is None
    assert settings.audit_service_url is None and settings.embedding_model is None
    assert settings.max_cost == 1.0 and settings.max_tokens == 1024 and settings.model_retries == 2
    # harmless ones stay project-level
    assert settings.timeout == 30 and settings.cooldown_days == 1 and settings.test_args == ("-x",)
    assert len(settings.notices) == 1
    notice = settings.notices[0]
    for key in ("model", "fallbacks", "api-base", "audit-service-url", "embedding-model",
                "max-cost", "max-tokens", "model-retries"):
        assert key in notice
    assert "\n" not in notice and "allow" in notice


def test_precedence_project_then_user_then_env_then_flags(tmp_path, user_config_home):
    _write_user_config(user_config_home, 'timeout = 6\nmodel = "openai/mine"\n')
    user = UserConfig.load()
    assert Settings.load({"timeout": 5}, env={}, user=user).timeout == 6
    assert Settings.load({"timeout": 5}, env={"UVMGR_TIMEOUT": "7"}, user=user).timeout == 7
    assert Settings.load({"timeout": 5}, env={"UVMGR_TIMEOUT": "7"}, user=user,
                         timeout=8).timeout == 8
    assert Settings.load({}, env={}, user=user).model == "openai/mine"
    assert Settings.load({"timeout": 5}, env={}).timeout == 5


def test_the_user_config_can_allow_one_project(tmp_path, user_config_home):
    root = tmp_path / "app"
    root.mkdir()
    _write_user_config(user_config_home, f'[projects."{root}"]\nallow = ["model", "max-cost"]\n')
    user = UserConfig.load()
    table = {"model": "openai/theirs", "max-cost": 3, "api-base": "http://x/v1"}
    allowed = Settings.load(table, env={}, user=user, project_root=root)
    assert allowed.model == "openai/theirs" and allowed.max_cost == 3.0
    assert allowed.api_base is None and "api-base" in allowed.notices[0]
    other = tmp_path / "other"
    other.mkdir()
    assert Settings.load(table, env={}, user=user, project_root=other).model is None


def test_user_config_path_follows_xdg(tmp_path):
    assert user_config_path({"XDG_CONFIG_HOME": str(tmp_path)}) == tmp_path / "uvmgr/config.toml"
    assert user_config_path({"HOME": str(tmp_path)}) == tmp_path / ".config/uvmgr/config.toml"


def test_a_malformed_user_config_is_a_usage_error(cli, demo_project, user_config_home):
    path = _write_user_config(user_config_home, "model = [unclosed\n")
    r = cli("deps", "list", "--project", demo_project.root)
    assert r.code == 2 and str(path) in r.err and "hint" in r.err


@pytest.mark.parametrize("value", ["../outside", "/etc", "sub/../../outside"])
def test_audit_db_from_the_project_must_stay_inside_it(cli, demo_project, value):
    _set_tool_uvmgr(demo_project, f'audit-db = "{value}"')
    r = cli("deps", "list", "--project", demo_project.root)
    assert r.code == 2 and "audit-db" in r.err and "inside the project" in r.err


def test_audit_db_symlink_escaping_the_project_is_refused(cli, demo_project, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (demo_project.root / "advisories").symlink_to(outside)
    _set_tool_uvmgr(demo_project, 'audit-db = "advisories"')
    r = cli("deps", "list", "--project", demo_project.root)
    assert r.code == 2 and "audit-db" in r.err


def test_audit_db_inside_the_project_is_fine(demo_project):
    (demo_project.root / "advisories").mkdir()
    settings = Settings.load({"audit-db": "advisories"}, env={}, project_root=demo_project.root)
    assert settings.audit_db == "advisories"
    with pytest.raises(UsageError):
        Settings.load({"audit-db": "/etc"}, env={})


def test_a_project_cannot_redirect_the_audit(cli, demo_project, recording_server,
                                             fixture_advisories, monkeypatch):
    _set_tool_uvmgr(demo_project, f'audit-service-url = "{recording_server.url}"')
    monkeypatch.setenv("UVMGR_AUDIT_DB", str(fixture_advisories))
    r = cli("audit", "--project", demo_project.root)
    assert r.code in (0, 1), r.err
    assert recording_server.requests == []
    [notice] = [line for line in r.err.splitlines() if "ignored" in line]
    assert "audit-service-url" in notice and "allow" in notice


def test_the_notice_goes_inside_the_json(cli, demo_project):
    _set_tool_uvmgr(demo_project, 'model = "openai/evil"\napi-base = "http://127.0.0.1:9/v1"')
    r = cli("ask", "what's outdated?", "--project", demo_project.root, "--json")
    assert r.code == 0, r.err
    payload = json.loads(r.out)
    assert payload["models_used"] == ["uvmgr/offline-planner"]
    assert any("model" in n and "ignored" in n for n in payload["notices"])
