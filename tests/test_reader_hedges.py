"""Wording that hides the target (`agent/hedges.py`): an exclusion said in other words is never
a target, a reason clause's package is never added, an object named by who mentioned it, an add
of a near miss of a dependency and a version corrected mid-request are asked back. Every row
below was seen failing on the reader before these rules."""

from __future__ import annotations

import pytest
from reader_project import KNOWN, but, calls, up
from uvmgr.agent.authority import approves
from uvmgr.agent.intents import read_request
from uvmgr.agent.offline import plan_for

ACTS = [
    # exclusions in other words: excluded from "all", never added to the targets
    ("upgrade everything to the newest minor; hands off pydantic", [up(but("pydantic"))]),
    ("refresh all deps, hands off mypy and ruff", [up(but("mypy", "ruff"))]),
    ("update rich, the click one is fine as is", [up(["rich"])]),
    ("upgrade tqdm, rich is fine as is", [up(["tqdm"])]),
    ("upgrade all deps; tqdm stays put", [up(but("tqdm"))]),
    ("bump everything, six can stay", [up(but("six"))]),
    ("upgrade rich and tqdm, the httpx one can stay", [up(["rich", "tqdm"])]),
    # a reason clause names a package: only the commanded one
    ("add httpx[socks], we need socksio", [("add_dependency", {"specs": ["httpx[socks]"]})]),
    ("add sqlmodel since we need sqlalchemy", [("add_dependency", {"specs": ["sqlmodel"]})]),
    ("install uvicorn[standard] because we need httptools",
     [("add_dependency", {"specs": ["uvicorn[standard]"]})]),
    # not hedges: a level word is no package, extras are no near misses
    ("upgrade everything, majors too, breaking is fine", [up(None, "major")]),
    ("add httpx[http2]", [("add_dependency", {"specs": ["httpx[http2]"]})]),
    ("add requests-toolbelt", [("add_dependency", {"specs": ["requests-toolbelt"]})]),
]

ASKS = [
    "install the package Jonas mentioned",
    "add the library my manager suggested",
    "install the lib that Priya recommended",
    "add requets",  # one letter from requests, a dependency
    "install sqlalchemmy",
    "add rihc and tqdm",
    "upgrade click to 8.1.7, no wait, to 8.1.8",
    "bump rich to 13.7.0, no wait, 13.7.1",
    "upgrade tqdm to 4.66.1, actually to 4.66.2",
]


@pytest.mark.parametrize(("text", "expected"), ACTS)
def test_reads_only_the_commanded_targets(text, expected, matcher):
    assert calls(text, matcher) == expected


@pytest.mark.parametrize("text", ASKS)
def test_asks_back(text, matcher):
    reading = read_request(text, KNOWN, matcher)
    assert reading.status == "ask" and reading.ambiguous
    assert plan_for(reading) == []


def test_near_miss_names_the_dependency(matcher):
    assert "requests" in read_request("add requets", KNOWN, matcher).ambiguous


@pytest.mark.parametrize("text", ["upgrade everything, hands off httpx",
                                  "update httpx, the requests one is fine as is"])
def test_yes_never_approves_the_excluded_name(text, matcher):
    strict = read_request(text, KNOWN, matcher, strict=True)
    assert not approves(strict, "upgrade_safely", {"packages": ["requests", "httpx"],
                                                   "level": "minor"}, KNOWN)
    assert not approves(strict, "upgrade_safely", {"packages": None, "level": "minor"}, KNOWN)
