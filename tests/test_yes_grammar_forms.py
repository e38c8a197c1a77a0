"""The strict `--yes` grammar reads the everyday forms of a plain command that the corpus
README's `yes` section approves (issue 11, wave 2, item 7): sign-offs and emoji, "and also" /
"as well as" / "+" between names, "the X package", "from the dev deps", "into the docs group",
"to the main deps", "all of it", "but no majors", "without any breaking changes", "keep it
non-breaking", "incl. majors", "lint everything", "run mypy". The rules are not loosened:
names typed exactly, a major only when said, a reason or a condition still asks. Every
approved row below was seen failing (not approved) on the grammar before."""

from __future__ import annotations

import pytest
from reader_project import KNOWN, approved, but, up
from uvmgr.agent.intents import read_request

APPROVED = [
    ("upgrade rich, pls and ty", *up(["rich"])),
    ("ditch tqdm \U0001f44b", "remove_dependency", {"names": ["tqdm"]}),
    ("upgrade click and also rich", *up(["click", "rich"])),
    ("remove tqdm as well as six", "remove_dependency", {"names": ["tqdm", "six"]}),
    ("remove the pygments package", "remove_dependency", {"names": ["pygments"]}),
    ("Please delete the six dependency.", "remove_dependency", {"names": ["six"]}),
    ("remove ruff from the dev deps", "remove_dependency", {"names": ["ruff"]}),
    ("add respx + freezegun as dev deps", "add_dependency",
     {"specs": ["respx", "freezegun"], "dev": True}),
    ("add mkdocs-material into the docs group", "add_dependency",
     {"specs": ["mkdocs-material"], "group": "docs"}),
    ("add structlog to the main deps", "add_dependency", {"specs": ["structlog"]}),
    ("upgrade all of it except click", *up(but("click"))),
    ("upgrade everything but no majors", *up(None)),
    ("update all deps without any breaking changes", *up(None)),
    ("update every dependency, keep it non-breaking", *up(None)),
    ("upgrade all deps incl. majors", *up(None, "major")),
    ("bump httpx and then lint everything", *up(["httpx"])),
    ("update rich, run mypy", *up(["rich"])),
]


@pytest.mark.parametrize(("text", "tool", "args"), APPROVED)
def test_everyday_forms_of_a_plain_command_are_approved(text, tool, args):
    assert approved(text, tool, args)


NOT_APPROVED = [
    ("upgrade all deps without any breaking changes", *up(None, "major")),  # never wider
    ("upgrade everything but no majors", *up(None, "major")),
    ("upgrade all of it except click", *up(None)),  # never the excluded name
    ("upgrade all of it except clik", *up(but("click"))),  # a typo
    ("upgrade click and also rihc", *up(["click"])),
    ("remove the six package and its friends", "remove_dependency", {"names": ["six"]}),
    ("add respx + freezegun as dev deps", "add_dependency", {"specs": ["respx", "freezegun"]}),
    ("upgrade click, we need rich", *up(["click"])),  # a reason: the corpus says ask
    ("drop tqdm, nobody uses it", "remove_dependency", {"names": ["tqdm"]}),
    ("upgrade click then rich", *up(["click"])),  # the verb carried over: ask
    ("update rich; pygments is fine", *up(["rich"])),
    ("ditch tqdm \U0001f44b or not", "remove_dependency", {"names": ["tqdm"]}),
    ("update every dependency, keep it pinned", *up(None)),
]


@pytest.mark.parametrize(("text", "tool", "args"), NOT_APPROVED)
def test_the_rules_are_not_loosened(text, tool, args):
    assert not approved(text, tool, args)


# Item 5: a plural object that names the whole set and nothing else is "upgrade everything"
# (planned at minor, approved by --yes like "upgrade everything"); the singular "the version"
# is the project's own version; a qualified plural asks or is confirmed, never approved.
WHOLE_SET = ["bump versions", "update the versions", "refresh the packages",
             "update dependency versions", "bump package versions", "refresh the versions"]


@pytest.mark.parametrize("text", WHOLE_SET)
def test_a_plural_object_is_upgrade_everything(text):
    from uvmgr.agent.offline import plan_for

    reading = read_request(text, KNOWN, None)
    assert [(c.tool, c.args) for c in plan_for(reading)] == [up(None)]
    assert approved(text, *up(None))
    assert not approved(text, *up(None, "major"))


@pytest.mark.parametrize("text", ["bump the version", "bump versions of the slow packages",
                                  "update the package", "upgrade the old packages"])
def test_a_singular_or_qualified_object_is_never_approved(text):
    assert not approved(text, *up(None))
