"""The classes the fourth blind set (fresh4) exposed (issue 11): a group excluded by any
exclusion word is never selected, a level bound in words ("within its current minor") or
negated after the level word ("majors are not fine") never widens, a reference to something
not in the request ("the security thing from this morning") and a choice between names ("click,
or httpx, whichever") ask, every step of a compound request is planned, and another language
is refused. Every row below was seen failing on the reader before these rules; none is a
fresh4 text."""

from __future__ import annotations

import pytest
from reader_project import DEV, MAIN, approved, calls, reading, up
from uvmgr.agent.offline import plan_for

GROUPS = [  # an excluded group is left out; "only the group" selects it
    ("bump everything besides the development dependencies", [up(MAIN)]),
    ("upgrade all packages aside from the dev deps", [up(MAIN)]),
    ("update every dependency bar the dev group", [up(MAIN)]),
    ("refresh everything, with the exception of the dev tooling", [up(MAIN)]),
    ("what is outdated besides the dev packages?", [("outdated_packages",
                                                     {"packages": MAIN})]),
    ("upgrade just the dev deps", [up(list(DEV))]),
    ("upgrade only the dev group", [up(list(DEV))]),
    ("bump everything but dev", [up(MAIN)]),  # the group's bare name
    ("upgrade all except for the dev-group", [up(MAIN)]),
    ("upgrade everything but the lint group", []),  # a group the reader cannot resolve asks
    ("refresh all deps except the docs extras", []),
]


@pytest.mark.parametrize(("text", "want"), GROUPS)
def test_an_excluded_group_is_never_selected(text, want, matcher):
    assert calls(text, matcher, dev=DEV) == want


LEVELS = [  # a level bound in words; a level negated after its word
    ("bump httpx but stay inside its current minor", [up(["httpx"], "patch")]),
    ("upgrade tqdm; keep it within the same minor", [up(["tqdm"], "patch")]),
    ("upgrade pygments, no new minors", [up(["pygments"], "patch")]),
    ("update six within its current major", [up(["six"])]),
    ("upgrade httpx. Major versions are not ok.", [up(["httpx"])]),
    ("upgrade pydantic; breaking releases aren't acceptable", [up(["pydantic"])]),
    ("bump tqdm, major bumps: no", [up(["tqdm"])]),
    ("upgrade click - majors are off the table", [up(["click"])]),
    ("upgrade rich, breaking is not a problem", [up(["rich"], "major")]),
    # the no after a colon, a dash or a question mark
    ("bump six, majors? no.", [up(["six"])]),
    ("upgrade tqdm - major: not ok", [up(["tqdm"])]),
    ("update httpx; major versions \u2014 not allowed", [up(["httpx"])]),
    ("bump pydantic; majors, no way", [up(["pydantic"])]),
    ("upgrade sqlalchemy, not to 3", [up(["sqlalchemy"])]),  # the version is the one refused
    ("upgrade pygments, don't cross a minor", [up(["pygments"], "patch")]),
]


@pytest.mark.parametrize(("text", "want"), LEVELS)
def test_a_bounded_or_negated_level_never_widens(text, want, matcher):
    assert calls(text, matcher, dev=DEV) == want
    assert not approved(text, "upgrade_safely", {**want[0][1], "level": "major"}, dev=DEV) or \
        want[0][1]["level"] == "major"


ASKS = [
    # a reference to something not in the request
    "please deal with the vulnerability thing from yesterday",
    "upgrade the package we talked about in the standup",
    "install the library from the slack thread",
    "bump the one from the meeting",
    "go ahead and do what we discussed",
    "upgrade as per ticket DEP-88",
    "remove the dep from the email",
    "take care of the security thing",  # one thing the request does not name
    "please fix that cve one",
    # a change made before, which the request does not say (each upgraded everything)
    "undo the previous upgrade",
    "redo the last bump",
    "repeat last week's upgrade",
    "the usual update please",
    "do the update from before",
    # a level bound the reader cannot place
    "upgrade rich within its current release train",
    # a choice between names
    "remove six, or tqdm, whichever is unused",
    "upgrade pydantic, or rich, whichever is older",
    "add orjson or ujson, whichever is faster",
    "remove tqdm or six, not both",  # removed both
    "bump rich vs pygments, pick one",
    "upgrade httpx/requests, whichever is older",
    "upgrade sqlalchemy, alternatively pydantic",
]


@pytest.mark.parametrize("text", ASKS)
def test_a_reference_elsewhere_or_a_choice_asks(text, matcher):
    read = reading(text, matcher, dev=DEV)
    assert read.status == "ask" and not plan_for(read), read.ambiguous


COMPOUND = [  # every step of a compound request is planned; a change's report is no docs search
    ("relock, then generate an sdist", ["lock_project", "build_package"]),
    ("upgrade tqdm and spit out a wheel", ["upgrade_safely", "build_package"]),
    ("refresh the lock file and cut a fresh build", ["lock_project", "build_package"]),
    ("relock and create the wheels", ["lock_project", "build_package"]),
    ("patch the vulnerabilities, then tell me what got upgraded", ["fix_vulnerabilities"]),
    ("upgrade rich, relock and show me the diff", ["upgrade_safely", "lock_project"]),
    ("relock plus an sdist", ["lock_project", "build_package"]),
    ("refresh the lock file and kick off a build", ["lock_project", "build_package"]),
]


@pytest.mark.parametrize(("text", "tools"), COMPOUND)
def test_every_step_of_a_compound_request_is_planned(text, tools, matcher):
    assert [tool for tool, _ in calls(text, matcher, dev=DEV)] == tools


@pytest.mark.parametrize("text", ["relock and notify the maintainers",
                                  "upgrade click, then compress the logs"])
def test_a_step_uvmgr_does_not_do_is_said_not_dropped(text, matcher):
    read = reading(text, matcher, dev=DEV)
    assert read.steps and any("outside what uvmgr does" in s for s in read.skipped)


@pytest.mark.parametrize("text", [  # each with an English word the reader knows
    "proszę usunąć tqdm z pyproject",  # Polish
    "proszę pokazać zależności w pyproject",  # Polish
    "prosím odstranit tqdm z pyproject",  # Czech
    "lütfen tqdm paketini pyproject dosyasından sil",  # Turkish
    "czy pakiety są outdated?",  # Polish
    "graag de lock file vernieuwen",  # Dutch
    "per favore esegui i test",  # Italian
])
def test_another_language_is_refused_plainly_never_a_tool(text, matcher):
    read = reading(text, matcher, dev=DEV)
    assert read.foreign and read.status == "refuse" and not plan_for(read)


def add(specs, **kw):
    return ("add_dependency", {"specs": specs, **kw})


ACCURACY = [
    # advisories asked about in other words
    ("is sqlalchemy safe?", [("audit_dependencies", {})]),
    ("are we affected by that openssl thing?", [("audit_dependencies", {})]),
    ("is our service exposed?", [("audit_dependencies", {})]),
    # newer releases in other words
    ("has tqdm shipped anything since we last locked?",
     [("outdated_packages", {"packages": ["tqdm"]})]),
    ("is anything mouldy in here?", [("outdated_packages", {"packages": None})]),
    ("how much version drift do we have?", [("outdated_packages", {"packages": None})]),
    ("is anything rotten in the lock file?", [("outdated_packages", {"packages": None})]),
    ("whch packages are behind", [("outdated_packages", {"packages": None})]),
    ("I'd rather you just tell me whether tqdm is behind",
     [("outdated_packages", {"packages": ["tqdm"]})]),
    ("upgrade everything within minor", [up(None)]),  # a level, not "its current minor"
    # adds in other words, groups, two pins, prose ranges
    ("dev dep: freezegun", [add(["freezegun"], dev=True)]),
    ("new test dependency: respx and factory-boy", [add(["respx", "factory-boy"], dev=True)]),
    ("we would like tenacity added", [add(["tenacity"])]),
    ("add locust to group load", [add(["locust"], group="load")]),
    ("pin tqdm to 4.66.4 and six to 1.16.0", [add(["tqdm==4.66.4", "six==1.16.0"])]),
    ("add orjson starting at 3.9, stopping short of 4", [add(["orjson>=3.9,<4"])]),
    ("add tenacity, from 8.2 on", [add(["tenacity>=8.2"])]),
]


@pytest.mark.parametrize(("text", "want"), ACCURACY)
def test_other_words_for_known_intents(text, want, matcher):
    assert calls(text, matcher, dev=DEV) == want


@pytest.mark.parametrize(("text", "want"), [
    # a story after the command is no exclusion: "we skipped it" never excludes the target
    ("upgrade pydantic, we skipped it last time", [up(["pydantic"])]),
    # a second name with a version after a command that is no pin is asked, never dropped
    ("upgrade click to 8.2 and rich to 14", []),
])
def test_a_story_or_a_second_version_never_changes_the_targets(text, want, matcher):
    assert calls(text, matcher, dev=DEV) == want


@pytest.mark.parametrize(("text", "level"), [
    ("update rich; no breaking releases", "minor"),
    ("bump click; no major releases please", "minor"),
    ("upgrade tqdm; no new minor releases", "patch"),
])
def test_a_negated_level_in_its_own_clause_is_the_upgrades_level(text, level, matcher):
    assert [tool for tool, _ in calls(text, matcher, dev=DEV)] == ["upgrade_safely"]
    assert calls(text, matcher, dev=DEV)[0][1]["level"] == level
