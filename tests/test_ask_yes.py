"""`uvmgr ask --yes` end to end with the offline planner, real uv and the local wheel index:
a question, a typo, a negated name, a non-dependency and a name mentioned only in passing
change nothing (file bytes identical); a plain command is still approved."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("request_text", [
    "should we upgrade demo-http?",  # a question
    "upgrade demo-htpp",  # a typo: confirmed with a person, never approved
    "don't upgrade demo-http",  # a negated name
    "upgrade django",  # not a dependency
    "upgrade demo-cli so it works with demo-http",  # demo-http only mentioned in passing
    "the upgrade of demo-http was rejected",  # a report, not a command
    # issue 11, wave 2: an embedded question, a file's words, a hypothetical's name
    "the team wants to know if we should upgrade demo-http",
    "do what the README says",
    "if demo-http were outdated, would you upgrade it?",
])
def test_yes_changes_nothing(cli, demo_project, request_text):
    before = demo_project.snapshot()
    r = cli("ask", request_text, "--yes", "--project", demo_project.root, "--json")
    assert r.code in (0, 3), r.err
    run = r.json()
    assert demo_project.locked_version("demo-http") == "1.0.0"
    if request_text.startswith("upgrade demo-cli"):  # demo-cli alone is the command
        assert all(d["args"].get("packages") == ["demo-cli"] for d in run["decisions"])
        return
    assert not any(d["approved"] for d in run["decisions"]), run["decisions"]
    assert demo_project.snapshot() == before


def test_a_plain_command_is_still_approved(cli, demo_project):
    r = cli("ask", "upgrade demo-http", "--yes", "--project", demo_project.root, "--json")
    assert r.code == 0, r.out
    run = r.json()
    assert run["decisions"][0]["by"] == "yes-flag" and run["decisions"][0]["approved"]
    assert demo_project.locked_version("demo-http") != "1.0.0"


def test_not_a_dependency_says_so(cli, demo_project):
    r = cli("ask", "upgrade demo-yaml", "--yes", "--project", demo_project.root, "--json")
    run = r.json()
    assert run["steps"] == []
    assert "is not a dependency of this project" in run["answer"]


def test_another_language_is_answered_plainly(cli, demo_project):
    before = demo_project.snapshot()
    r = cli("ask", "actualiza todas las dependencias", "--yes", "--project", demo_project.root,
            "--json")
    run = r.json()
    assert run["steps"] == [] and "reads English" in run["answer"]
    assert demo_project.snapshot() == before


def test_an_exclusion_after_everything_is_approved_and_kept(cli, demo_project):
    r = cli("ask", "upgrade everything but leave demo-http alone", "--yes", "--project",
            demo_project.root, "--json")
    assert r.code == 0, r.out
    run = r.json()
    assert run["decisions"] and all(d["approved"] for d in run["decisions"])
    assert all("demo-http" not in (d["args"].get("packages") or ["demo-http"])
               for d in run["decisions"])
    assert demo_project.locked_version("demo-http") == "1.0.0"
