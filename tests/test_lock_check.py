"""The lock check on a cold cache (found in the field on anthropic-sdk-python): offline, uv knows
only its cache, so a stale lock read "no version of X" and uvmgr called it a conflict."""

from __future__ import annotations

import functools
import os
import subprocess
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from uvmgr.tools.runner import find_uv


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def served_index(wheel_index):
    """The wheel folder as a find-links page on loopback: a remote index, as uv sees it."""
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 functools.partial(_Quiet, directory=str(wheel_index)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_a_stale_lock_on_a_cold_cache_is_out_of_date_not_a_conflict(cli, tmp_path, served_index,
                                                                    monkeypatch):
    root = tmp_path / "cold"
    root.mkdir()
    pyproject = root / "pyproject.toml"
    head = '[project]\nname = "cold"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
    tail = (f'\n[tool.uv]\nno-index = true\nfind-links = ["{served_index}"]\n'
            "environments = [\"sys_platform == 'linux'\"]\n")
    pyproject.write_text(head + 'dependencies = ["demo-json>=2.0"]\n' + tail)
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    env["UV_CACHE_DIR"] = str(tmp_path / "warm-cache")
    subprocess.run([find_uv(), "lock", "-q"], cwd=root, env=env, check=True, timeout=120)
    pyproject.write_text(head + 'dependencies = ["demo-json>=2.0", "demo-yaml>=5.0"]\n' + tail)
    monkeypatch.setenv("UV_CACHE_DIR", str(tmp_path / "cold-cache"))  # a fresh CI runner
    r = cli("deps", "list", "--project", root)
    assert r.code == 2, r.err
    assert "out of date" in r.err and "conflict" not in r.err
