"""Targets come only from the object slot of the command verb (issue 11, wave 2): a second name
in a reason, a relative clause, another clause's subject or object, a comparison, a quote or a
parenthetical is never a target and never reaches `--yes`; and a name coordinated with the
object that the narrow reading cannot place is asked about, never silently dropped. The
frames "X, we need Y" and "X, Y pulls it in", and every row of the drop tables, were seen
failing on the reader before these rules."""

from __future__ import annotations

import itertools

import pytest
from reader_project import KNOWN
from uvmgr.agent.authority import approves
from uvmgr.agent.intents import read_request
from uvmgr.agent.offline import plan_for

COMMANDS = [("upgrade click", "upgrade_safely"), ("remove six", "remove_dependency"),
            ("add attrs", "add_dependency")]
FRAMES = [
    "{c} since {x} needs it", "{c} because {x} broke", "{c} as {x} requires it",
    "{c} so that {x} works", "{c}, we need {x}", "{c}, the one that {x} uses",
    "{c}; {x} broke yesterday", "{c}, Bob wants {x}", "{c} like {x}", "{c} such as {x}",
    "{c} instead of {x}", "{c} (not {x})", '{c}, the log said "{x} failed"',
    "{c} which {x} depends on", "{c}, {x} was rejected", "{c} like we did for {x}",
    "{c} rather than {x}", "{c}, {x} pulls it in", "{c}; see {x} for why",
    "{c}, {x} changed its api",
]
SECOND = ["rich", "httpx", "numpy"]  # two dependencies and a name that is not one


@pytest.mark.parametrize(("command", "frame", "second"),
                         list(itertools.product(COMMANDS, FRAMES, SECOND)))
def test_a_name_outside_the_object_slot_is_never_a_target(command, frame, second, matcher):
    text = frame.format(c=command[0], x=second)
    calls = plan_for(read_request(text, KNOWN, matcher))
    assert not [c for c in calls if second in str(c.args)], (text, calls)
    strict = read_request(text, KNOWN, None, strict=True)
    for tool, args in [("upgrade_safely", {"packages": [second], "level": "minor"}),
                       ("upgrade_safely", {"packages": ["click", second], "level": "minor"}),
                       ("remove_dependency", {"names": ["six", second]}),
                       ("add_dependency", {"specs": [second]}),
                       ("add_dependency", {"specs": ["attrs", second]})]:
        assert not approves(strict, tool, args, KNOWN), (text, tool, args)


DROPPED = [  # a second target the narrow reading cannot place: asked, never dropped
    ("upgrade click to version 9 and rich", "rich"),
    ("upgrade click to the latest patch and tqdm", "tqdm"),
    ("bump rich to 14 and httpx to 1.0", "httpx"),
    ("add black as a dev dependency and isort", "isort"),
    ("add respx for tests and freezegun", "freezegun"),
    ("remove six from the project and tqdm", "tqdm"),
    ("pin click to 8.1.7 and rich", "rich"),
    ("add httpx>=0.27 and then respx", "respx"),
    ("add orjson, then ujson", "ujson"),
]


@pytest.mark.parametrize(("text", "name"), DROPPED)
def test_a_coordinated_target_is_never_silently_dropped(text, name, matcher):
    reading = read_request(text, KNOWN, matcher)
    assert reading.status == "ask" and name in reading.ambiguous
    assert plan_for(reading) == []


@pytest.mark.parametrize(("text", "calls"), [  # still read: the second name is no target
    ("upgrade click, patch only, and rich", [("upgrade_safely", {"level": "patch",
                                                                 "packages": ["click", "rich"]})]),
    ("add httpx>=0.27 and also respx", [("add_dependency", {"specs": ["httpx>=0.27", "respx"]})]),
    ("remove tqdm, rich has progress bars", [("remove_dependency", {"names": ["tqdm"]})]),
    ("add orjson plus ujson, test-only", [("add_dependency", {"specs": ["orjson", "ujson"],
                                                               "dev": True})]),
    ("bump rich and httpx across majors", [("upgrade_safely", {"level": "major",
                                                               "packages": ["rich", "httpx"]})]),
    ("upgrade click and then rich", [("upgrade_safely", {"level": "minor", "packages": ["click"]}),
                                     ("upgrade_safely", {"level": "minor", "packages": ["rich"]})]),
])
def test_what_is_read_stays_read(text, calls, matcher):
    assert [(c.tool, c.args) for c in plan_for(read_request(text, KNOWN, matcher))] == calls
