"""The classes the fifth blind set (fresh5) exposed (issue 11): a group named in any exclusion
form is excluded, never selected; a named group is that group (dev only for dev words); a level
corrected mid-request asks; a platform or Python condition on an add is never dropped; and a
typed name that is itself a real package is not a typo of a dependency. None is a fresh5 text."""

from __future__ import annotations

import pytest
from reader_project import DEV, KNOWN, MAIN, approved, calls, reading, up
from uvmgr.agent.authority import Authority
from uvmgr.agent.offline import plan_for
from uvmgr.agent.reading import match_package

EXCLUDED_GROUPS = [  # every exclusion form the reader knows for a package, said of a group
    ("upgrade the runtime dependencies, hands off the dev group", [up(MAIN)]),
    ("update everything, leave the dev deps alone", [up(MAIN)]),
    ("bump all deps but don't touch the dev group", [up(MAIN)]),
    ("upgrade everything; the dev group stays put", [up(MAIN)]),
    ("skip the dev deps and upgrade everything", [up(MAIN)]),
    ("do not touch the dev deps, upgrade everything else", [up(MAIN)]),
    ("the dev group is fine as is, bump the rest", [up(MAIN)]),
    ("update everything, not the dev deps", [up(MAIN)]),
    ("upgrade all deps; the dev deps can stay", [up(MAIN)]),
    ("upgrade production deps, not the dev group", [up(MAIN)]),
    ("bump everything - the development deps stay put", [up(MAIN)]),
    ("upgrade all but hands off the dev tooling", [up(MAIN)]),
    ("what is outdated, hands off the dev group", [("outdated_packages", {"packages": MAIN})]),
    # a group the reader cannot resolve asks, never widens to everything
    ("upgrade everything, hands off the docs group", []),
    ("upgrade all, the lint group stays put", []),
    ("upgrade everything but hands off the lint group", []),
    ("refresh everything \u2014 the docs deps stay put", []),
    ("upgrade everything, leave group docs alone", []),
]


@pytest.mark.parametrize(("text", "want"), EXCLUDED_GROUPS)
def test_a_group_in_any_exclusion_form_is_excluded(text, want, matcher):
    assert calls(text, matcher, dev=DEV) == want
    assert not approved(text, "upgrade_safely", {"level": "minor", "packages": list(DEV)}, dev=DEV)


NAMED_GROUPS = [  # a named group is that group; dev only for dev words
    ("add pytest-xdist to the test group", {"specs": ["pytest-xdist"], "group": "test"}),
    ("add black to the lint group", {"specs": ["black"], "group": "lint"}),
    ("add ruff into lint", {"specs": ["ruff"], "group": "lint"}),
    ("add mkdocs to group docs", {"specs": ["mkdocs"], "group": "docs"}),
    ("add hypothesis as a dev dependency", {"specs": ["hypothesis"], "dev": True}),
    ("add hypothesis for development", {"specs": ["hypothesis"], "dev": True}),
]


@pytest.mark.parametrize(("text", "args"), NAMED_GROUPS)
def test_a_named_group_maps_exactly(text, args, matcher):
    assert calls(text, matcher, dev=DEV) == [("add_dependency", args)]


ASKS = [
    # a level corrected mid-request: never the wider one
    "bump rich to the next major. hmm, no, keep it minor",
    "upgrade tqdm to the latest major, actually just patch",
    "upgrade click to major, scratch that, minor only",
    "bump pydantic to latest major, wait, no majors",
    "update six to the new minor - no, patch",
    "bump pygments to the latest major. keep it minor",
    "upgrade rich to major, make that minor",
    "upgrade everything to major... nah, minor",
    "upgrade httpx to a new major - change that to minor",
    # a condition on an add the reader cannot place exactly is asked, never dropped
    "add colorama and pywin32 but only on windows",
    "add tomli for python 3.11",
    "add pywin32; sys_platform == 'win32'",  # a typed marker the reader cannot carry yet
    "add 'tomli; python_version < \"3.11\"'",
    # a typed real package is not a misspelt dependency
    "remove pytest-mock, we use unittest.mock now",
    "uninstall pytest-xdist",
    "drop requests-mock",
]


@pytest.mark.parametrize("text", ASKS)
def test_a_corrected_level_a_condition_or_a_sibling_package_asks(text, matcher):
    read = reading(text, matcher, dev=DEV)
    assert read.status != "act" and not plan_for(read), plan_for(read)


MARKERS = [  # a condition on an add is its environment marker, never dropped
    ("add pywin32 but only on windows", "pywin32; sys_platform == 'win32'"),
    ("add uvloop just for linux", "uvloop; sys_platform == 'linux'"),
    ("add tomli on python < 3.11 only", "tomli; python_version < '3.11'"),
    ("install appnope only on mac", "appnope; sys_platform == 'darwin'"),
    ("add exceptiongroup only for python below 3.11", "exceptiongroup; python_version < '3.11'"),
]


@pytest.mark.parametrize(("text", "spec"), MARKERS)
def test_a_condition_is_an_environment_marker_never_approved_by_yes(text, spec, matcher):
    assert calls(text, matcher, dev=DEV) == [("add_dependency", {"specs": [spec]})]
    assert not approved(text, "add_dependency", {"specs": [spec]}, dev=DEV)
    assert not approved(text, "add_dependency", {"specs": [spec.split(";")[0]]}, dev=DEV)


KEPT = [  # not corrections: a level with its own restriction; transposition typos still fixed
    ("upgrade everything to the latest minor, no majors", [up(None)]),
    ("bump everything patch only, no minors please", [up(None, "patch")]),
    ("upgrade tqmd", [up(["tqdm"])]),
    ("remove reqeusts", [("remove_dependency", {"names": ["requests"]})]),
    ("drop pytest-cvo", [("remove_dependency", {"names": ["pytest-cov"]})]),
]


@pytest.mark.parametrize(("text", "want"), KEPT)
def test_restrictions_and_real_typos_still_read(text, want, matcher):
    assert calls(text, matcher, dev=DEV) == want


def test_a_real_package_is_no_typo_for_provenance_either():
    known = {k: k for k in KNOWN}
    assert match_package("pytest-mock", known, False) == ("", False)
    assert match_package("pluggy", {"plugyy": "plugyy"}, False) == ("", False)
    assert match_package("tqmd", known, False) == ("tqdm", True)
    said = Authority("remove pytest-mock, we switched")
    assert not said.names_package("pytest-cov", project=set(KNOWN))
    assert Authority("remove pytest-cvo").names_package("pytest-cov", project=set(KNOWN))
