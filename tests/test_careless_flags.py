"""A careless command line is asked back, not guessed: `--dev --group docs` names two places
and used to put the package in dev silently, ignoring `--group docs`."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("argv", [("deps", "add", "demo-cli", "--dev", "--group", "docs"),
                                  ("deps", "remove", "demo-http", "--dev", "--group", "docs")])
def test_dev_and_another_group_together_is_a_usage_error(cli, demo_project, argv):
    before = demo_project.snapshot()
    r = cli(*argv, "--project", demo_project.root, "--json")
    assert r.code == 2, r.out + r.err
    error = r.json()
    assert "--dev" in error["message"] and "--group docs" in error["message"]
    assert demo_project.snapshot() == before


def test_dev_with_group_dev_is_the_same_place(cli, demo_project):
    r = cli("deps", "add", "demo-cli", "--dev", "--group", "dev", "--dry-run",
            "--project", demo_project.root, "--json")
    assert r.code == 0, r.out + r.err
