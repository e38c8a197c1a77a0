"""Rewriting a file keeps its permissions: a dry run or a refused preview restores
pyproject.toml with the same bytes AND the same mode (mkstemp makes 0600 files)."""

import os
import stat

from uvmgr.tools.state_files import write_atomic


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_rewritten_file_keeps_its_mode(tmp_path):
    target = tmp_path / "pyproject.toml"
    target.write_text("[project]\n")
    for mode in (0o644, 0o664, 0o600, 0o755):
        os.chmod(target, mode)
        write_atomic(target, b"[project]\nname = 'x'\n")
        assert _mode(target) == mode
        assert target.read_bytes() == b"[project]\nname = 'x'\n"


def test_a_new_file_gets_the_usual_mode_for_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "uv.lock", b"version = 1\n")
    finally:
        os.umask(old)
    assert _mode(tmp_path / "uv.lock") == 0o644
