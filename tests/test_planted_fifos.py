"""A cloned repository can name files it ships in its settings: a policy to extend, an advisory
database. A FIFO (or a device) under such a name used to hang `policy show`, `policy check`,
AutoPilot and `audit` for good (a CI job waiting out its whole time limit); a file too large
for what it claims to be was read whole. Each is an input error naming the file, at once."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager

import pytest


class Blocked(BaseException):
    """Not an OSError (TimeoutError is one, and uvmgr turns those into input errors)."""


@contextmanager
def deadline(seconds: int) -> Iterator[None]:
    def expire(signum, frame):
        raise Blocked(f"blocked for more than {seconds} s")

    old = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _tool_uvmgr(project, text: str) -> None:
    project.pyproject.write_text(project.pyproject.read_text() + "\n" + text + "\n")


@pytest.mark.parametrize("command", [("policy", "show"), ("policy", "check")])
def test_a_fifo_named_by_a_projects_policy_extends(cli, demo_project, command):
    os.mkfifo(demo_project.root / "org-policy.toml")
    _tool_uvmgr(demo_project, '[tool.uvmgr.policy]\nextends = ["org-policy.toml"]')
    with deadline(5):
        r = cli(*command, "--project", demo_project.root, "--json")
    assert r.code == 2, r.out + r.err
    error = r.json()
    assert "org-policy.toml" in error["message"] and "regular file" in error["message"]


def test_an_oversized_local_policy_is_not_read(cli, demo_project):
    (demo_project.root / "org-policy.toml").write_bytes(b"# " + b"x" * (2 << 20) + b"\n")
    _tool_uvmgr(demo_project, '[tool.uvmgr.policy]\nextends = ["org-policy.toml"]')
    r = cli("policy", "show", "--project", demo_project.root, "--json")
    assert r.code == 2, r.out + r.err
    assert "larger than" in r.json()["message"]


def test_a_fifo_as_the_projects_advisory_zip(cli, demo_project):
    os.mkfifo(demo_project.root / "advisories.zip")
    _tool_uvmgr(demo_project, '[tool.uvmgr]\naudit-db = "advisories.zip"')
    with deadline(5):
        r = cli("audit", "--project", demo_project.root, "--json")
    assert r.code == 2, r.out + r.err
    assert "advisories.zip" in r.json()["message"]
