"""uv settings a cloned repository may not choose (tools/uv_settings_trust.py): its `cache-dir`
does not make uv write elsewhere, and its interpreter mirror receives nothing (a loopback server
records every request). The person's own settings still win."""

from __future__ import annotations

from pathlib import Path

import pytest
from uvmgr.tools.loopback import Recorder
from uvmgr.tools.uv_settings_trust import overrides_for

from uvmgr.errors import EXIT_REFUSED


def _set_tool_uv(pyproject: Path, lines: str) -> None:
    text = pyproject.read_text()
    assert "[tool.uv]\n" in text
    pyproject.write_text(text.replace("[tool.uv]\n", f"[tool.uv]\n{lines}\n", 1))


def _files_under(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*")) if folder.exists() else []


def test_a_repositorys_cache_dir_gets_nothing_from_list_and_add(cli, demo_project, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    _set_tool_uv(demo_project.pyproject, f'cache-dir = "{elsewhere}"')
    r = cli("deps", "list", "--project", demo_project.root)
    assert r.code == 0, r.out + r.err
    r = cli("deps", "add", "demo-json==2.1.0", "--project", demo_project.root)
    assert r.code == 0, r.out + r.err
    assert 'version = "2.1.0"' in (demo_project.root / "uv.lock").read_text()
    assert _files_under(elsewhere) == []


def test_a_repositorys_interpreter_mirror_receives_nothing(cli, project_factory):
    project = project_factory([], None, lock=False, sync=False, requires_python=">=3.8")
    mirror = Recorder()
    with mirror:
        _set_tool_uv(project.pyproject, f'python-install-mirror = "{mirror.url}/mirror"\n'
                                        'python-downloads = "automatic"')
        # An interpreter this machine does not have: uv would fetch it from the mirror.
        (project.root / ".python-version").write_text("3.9.21\n")
        r = cli("deps", "lock", "--project", project.root, "--dry-run")
        assert mirror.seen == [], r.out + r.err
    assert r.code != 0  # no such interpreter, and none downloaded
    # and the person is told why the download was off, and how to allow it
    assert "python-install-mirror" in r.err and "trusted-python-downloads" in r.err, r.err


def test_the_persons_own_settings_win(tmp_path, user_config_home):
    project = tmp_path / "p"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "p"\nversion = "0"\n[tool.uv]\ncache-dir = "/tmp/planted"\n'
        'python-install-dir = "/tmp/planted-py"\nkeyring-provider = "subprocess"\n'
        'python-install-mirror = "http://127.0.0.1:1/m"\n')
    env = {"HOME": str(tmp_path / "home"), "XDG_CONFIG_HOME": str(user_config_home)}
    out = overrides_for(project, [], env)
    assert out == {"UV_CACHE_DIR": str(tmp_path / "home" / ".cache" / "uv"),
                   "UV_PYTHON_INSTALL_DIR": str(tmp_path / "home/.local/share/uv/python"),
                   "UV_KEYRING_PROVIDER": "disabled", "UV_PYTHON_DOWNLOADS": "never"}
    # What the person set themselves is kept: their variables, their uv.toml, their uvmgr config.
    assert "UV_CACHE_DIR" not in overrides_for(project, [], {**env, "UV_CACHE_DIR": "/mine"})
    (user_config_home / "uv").mkdir()
    (user_config_home / "uv" / "uv.toml").write_text('cache-dir = "/my/cache"\n')
    (user_config_home / "uvmgr").mkdir()
    (user_config_home / "uvmgr" / "config.toml").write_text("trusted-python-downloads = true\n")
    out = overrides_for(project, [], env)
    assert out["UV_CACHE_DIR"] == "/my/cache" and "UV_PYTHON_DOWNLOADS" not in out


def test_a_project_without_these_settings_costs_no_parse(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "p"\n[tool.uv]\nno-index = true\n')
    assert overrides_for(tmp_path, [], {}) == {}


@pytest.mark.parametrize("text", ['trusted-python-downloads = "yes"\n'])
def test_a_malformed_trusted_python_downloads_is_an_input_error(tmp_path, user_config_home, text):
    from uvmgr.errors import UsageError
    from uvmgr.user_config import UserConfig

    (user_config_home / "uvmgr").mkdir()
    (user_config_home / "uvmgr" / "config.toml").write_text(text)
    with pytest.raises(UsageError, match="trusted-python-downloads"):
        UserConfig.load({"XDG_CONFIG_HOME": str(user_config_home)})


def test_a_repositorys_insecure_host_is_refused_before_uv_runs(cli, demo_project, user_config_home):
    _set_tool_uv(demo_project.pyproject, 'allow-insecure-host = ["pkgs.example.com"]')
    before = demo_project.snapshot()
    r = cli("deps", "lock", "--project", demo_project.root, "--json")
    assert r.code == EXIT_REFUSED, r.out + r.err
    error = r.json()
    assert error["error"] == "UntrustedUvSetting"
    assert "allow-insecure-host" in error["message"] and "pkgs.example.com" in error["message"]
    assert "~/.config/uv/uv.toml" in error["hint"]
    assert demo_project.snapshot() == before
    # The person's own uv config lists the host: theirs to decide, and uv runs.
    (user_config_home / "uv").mkdir()
    (user_config_home / "uv" / "uv.toml").write_text('allow-insecure-host = ["pkgs.example.com"]\n')
    assert cli("deps", "lock", "--project", demo_project.root).code == 0


def test_the_persons_own_mirror_variable_keeps_downloads_on(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "p"\n[tool.uv]\npython-install-mirror = "http://127.0.0.1:1/m"\n')
    assert overrides_for(tmp_path, [], {"UV_PYTHON_INSTALL_MIRROR": "https://mine"}) == {}
