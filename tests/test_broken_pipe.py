"""Output piped to a reader that leaves early (`uvmgr ... | head`): a quiet exit with the
documented code (141, 128 + SIGPIPE, as shells report it), no traceback, nothing on stderr."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def _run_with_reader_gone(*args: str, cwd) -> subprocess.CompletedProcess:
    """Run uvmgr in a real process whose stdout is a pipe whose reader has already closed it:
    its first write fails with EPIPE, as under `| head` once head has exited."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run([sys.executable, "-m", "uvmgr.cli", *args], cwd=cwd, check=False,
                              stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=120,
                              env={k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"})
    finally:
        os.close(write_end)


@pytest.mark.parametrize("argv", [
    ["deps", "list"],
    ["deps", "list", "--json"],
    ["deps", "outdated", "--json"],
    ["audit", "--db", "ADVISORIES"],
    ["eval", "--list"],
])
def test_a_reader_that_left_early_gets_a_quiet_exit(demo_project, fixture_advisories, argv):
    argv = [str(fixture_advisories) if a == "ADVISORIES" else a for a in argv]
    project = [] if argv[0] == "eval" else ["--project", str(demo_project.root)]
    result = _run_with_reader_gone(*argv, *project, cwd=demo_project.root)
    assert "Traceback" not in result.stderr, result.stderr
    assert "BrokenPipe" not in result.stderr and "Broken pipe" not in result.stderr
    assert result.returncode == 141, result.stderr
