"""Exclusions around "upgrade everything" (issue 11, wave 2): said after the command or before
it ("hands off X, upgrade the rest"), approved by `--yes` when the excluded name is typed
exactly and the strict grammar parses the form, and a non-dependency named as the exclusion is
said to be one, never read as a package made of the phrase's words. Every row below was seen
failing on the reader before these rules."""

from __future__ import annotations

import pytest
from reader_project import KNOWN, approved, but, calls
from uvmgr.agent.commands import parse_commands
from uvmgr.agent.intents import read_request
from uvmgr.agent.offline import plan_for

DEMO = ["requests", "pygments", "click", "tqdm", "pytest"]  # examples/demo: no httpx


def yes(text, packages, level="minor"):
    return approved(text, "upgrade_safely", {"packages": packages, "level": level})


LEADING = [  # the exclusion before the command
    ("hands off requests, upgrade the rest", ["requests"]),
    ("requests stays put; update everything else", ["requests"]),
    ("leave click alone and bump the others", ["click"]),
    ("don't touch pydantic, upgrade everything else", ["pydantic"]),
    ("hold back six and tqdm, upgrade the rest", ["six", "tqdm"]),
    ("rich is fine as is, update all the others", ["rich"]),
    ("skip httpx, then upgrade the rest", ["httpx"]),
]


@pytest.mark.parametrize(("text", "held"), LEADING)
def test_an_exclusion_before_the_command_plans_the_rest(text, held, matcher):
    assert calls(text, matcher) == [("upgrade_safely", {"level": "minor",
                                                        "packages": but(*held)})]


@pytest.mark.parametrize(("text", "held"), LEADING)
def test_an_exclusion_before_the_command_is_approved_without_the_name(text, held):
    assert yes(text, but(*held))
    assert not yes(text, KNOWN)  # never the excluded name
    assert not yes(text, None)


TRAILING = [  # "a typed exclusion narrows it" (the corpus README's yes section)
    ("upgrade everything, hands off httpx", ["httpx"]),
    ("update everything, don't touch click though", ["click"]),
    ("update all deps but leave sqlalchemy where it is", ["sqlalchemy"]),
    ("upgrade everything; tqdm stays put", ["tqdm"]),
    ("upgrade all deps, rich is fine as is", ["rich"]),
    ("update all packages, skip rich", ["rich"]),
    ("upgrade everything, leave mypy and ruff alone", ["mypy", "ruff"]),
    ("upgrade everything but not six", ["six"]),
]


@pytest.mark.parametrize(("text", "held"), TRAILING)
def test_a_typed_exclusion_is_approved(text, held):
    assert yes(text, but(*held))
    assert not yes(text, KNOWN)
    assert not yes(text, but(*held), "major")


@pytest.mark.parametrize("text", [
    "upgrade everything, hands off the cli",  # no package name: the grammar cannot parse it
    "upgrade everything, hands off htpx",  # a typo is never approved
    "upgrade everything, keep click",  # keep in, or keep back? never read
    "upgrade everything, leave click",
    "hands off requests, upgrade them",
    "upgrade everything, requests stays put unless it breaks",
    "upgrade everything, hands off requests or click",
])
def test_an_exclusion_the_grammar_cannot_parse_is_not_approved(text):
    assert not yes(text, but("requests", "click"))
    assert not yes(text, but("click"))
    assert not yes(text, but("requests"))


@pytest.mark.parametrize("text", [
    "hands off requests, upgrade the rest",
    "requests stays put; update everything else",
    "upgrade everything, hands off httpx",
])
def test_the_grammar_reads_the_exclusion(text):
    commands = parse_commands(text, KNOWN)
    assert commands and commands[0].intent == "upgrade" and commands[0].excluded


@pytest.mark.parametrize("text", [
    "upgrade everything, hands off httpx",
    "hands off httpx, upgrade the rest",
    "upgrade everything except httpx",
    "upgrade everything, but leave httpx alone",
])
def test_a_non_dependency_exclusion_is_said_to_be_one(text, matcher):
    reading = read_request(text, DEMO, matcher)
    assert reading.status == "ask" and not reading.unknown
    assert "httpx is not a dependency of this project, so there is nothing to keep back" in \
        reading.ambiguous
    assert "hands" not in reading.ambiguous.split("(")[0]
    assert plan_for(reading) == []
