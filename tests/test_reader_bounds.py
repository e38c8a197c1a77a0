"""Unsafe classes the second blind set (fresh2) exposed, as general rules (issue 11): a bounded
level never widens, every planned spec parses, a self-correction keeps only what was settled on,
typed names narrow a group noun, a per-target level stays with its target, a check noun is an
audit, and "version bump" alone is not an upgrade of everything. Each table row reads right or
asks back; none may read wider."""

from __future__ import annotations

import pytest
from packaging.requirements import Requirement
from uvmgr.agent.authority import approves, strict_reading
from uvmgr.agent.intents import IntentMatcher, read_request
from uvmgr.agent.offline import plan_for

KNOWN = ["requests", "click", "tqdm", "pygments", "six", "pydantic", "rich", "httpx",
         "sqlalchemy", "python-dateutil", "pytest", "ruff", "mypy", "pytest-cov"]


@pytest.fixture(scope="module")
def matcher():
    return IntentMatcher()


def plan(text, matcher):
    return [(c.tool, c.args) for c in plan_for(read_request(text, KNOWN, matcher))]


def up(packages, level="minor"):
    return ("upgrade_safely", {"level": level, "packages": packages})


# 1. a level word under within/inside/current/same/no new never widens past the default
BOUNDED_LEVELS = [
    ("update everything within the current majors", [up(None)]),
    ("upgrade everything inside their majors", [up(None)]),
    ("upgrade all deps within their own majors", [up(None)]),
    ("bump click and rich, staying in their current majors", [up(["click", "rich"])]),
    ("upgrade rich but stay short of a new major", [up(["rich"])]),
    ("upgrade all deps, no new majors", [up(None)]),
    ("bump everything but majors", [up(None)]),
    ("upgrade everything bar the majors", [up(None)]),
    ("upgrade everything, majors can wait", [up(None)]),
    ("upgrade click, breaking changes later", [up(["click"])]),
    ("upgrade everything, keep majors where they are", [up(None)]),
    ("keep the major versions and upgrade rich", [up(["rich"])]),
]


@pytest.mark.parametrize(("text", "calls"), BOUNDED_LEVELS)
def test_a_bounded_level_never_widens(matcher, text, calls):
    got = plan(text, matcher)
    assert got in (calls, []), got


# 2. two bounds on one name are one spec; a bound on a series is its PEP 508 form; every spec
# the planner emits parses, and the authority never approves one that does not
SPECS = [
    ("add typer >= 0.9 and < 1.0", ["typer>=0.9,<1.0"]),
    ("add attrs >=22 and <24", ["attrs>=22,<24"]),
    ("add httpx[http2] >= 0.27 , < 1", ["httpx[http2]>=0.27,<1"]),
    ("add cachetools, at most 5.x", ["cachetools<6"]),
    ("add structlog below 24.x", ["structlog<24"]),
    ("add orjson newer than 3.9.x", ["orjson>=3.10"]),
    ("add pydantic-settings no newer than 2.x", ["pydantic-settings<3"]),
]


@pytest.mark.parametrize(("text", "specs"), SPECS)
def test_prose_bounds_are_pep_508(matcher, text, specs):
    assert plan(text, matcher) in ([("add_dependency", {"specs": specs})], [])


def test_a_bound_left_open_asks(matcher):
    assert plan("add orjson at least 3.9 but not 4", matcher) == []


@pytest.mark.parametrize("text", [
    "add cachetools<=5.x", "add typer >= 0.9 and < 1.0", "add foo==1.0.x.y", "add rich at most 13.x",
    "add attrs >= 22 but < 24", "add numpy newer than 1.x", "add polars 1.x or later",
    "pin click to 8.x", "downgrade rich to 13.1.x", "set the httpx constraint to >=0.27,<1.x",
])
def test_every_planned_spec_parses(matcher, text):
    for tool, args in plan(text, matcher):
        for spec in args.get("specs", []):
            Requirement(spec)


def test_the_authority_never_approves_a_spec_that_does_not_parse():
    from dataclasses import replace

    good = strict_reading("add cachetools<6", tuple(KNOWN))
    assert approves(good, "add_dependency", {"specs": ["cachetools<6"]}, KNOWN)
    bad = replace(good, text="add cachetools<=5.x",
                  steps=[replace(good.steps[0], specs=["cachetools<=5.x"])])
    assert not approves(bad, "add_dependency", {"specs": ["cachetools<=5.x"]}, KNOWN)


# 3. a self-correction keeps only the name settled on, whatever hesitation comes before it
CORRECTIONS = [
    ("add orjson - ah, scratch that, ujson", [("add_dependency", {"specs": ["ujson"]})]),
    ("add polars - oh wait, pandas", [("add_dependency", {"specs": ["pandas"]})]),
    ("upgrade click... er, rich I meant", [up(["rich"])]),
    ("bump httpx... uh, pydantic I meant", [up(["pydantic"])]),
    ("upgrade click, rich i meant", [up(["rich"])]),
    ("upgrade click (no, rich)", [up(["rich"])]),
    ("remove six (i mean tqdm)", [("remove_dependency", {"names": ["tqdm"]})]),
    ("add attrs, make that cattrs", [("add_dependency", {"specs": ["cattrs"]})]),
    ("add orjson... no, ujson", [("add_dependency", {"specs": ["ujson"]})]),
    ("add orjson, err, ujson", [("add_dependency", {"specs": ["ujson"]})]),
    ("add orjson, uh, ujson", [("add_dependency", {"specs": ["ujson"]})]),
    ("upgrade click, uh, rich", [up(["rich"])]),
    ("upgrade click... nah, rich", [up(["rich"])]),
    ("add orjson, nope, ujson", [("add_dependency", {"specs": ["ujson"]})]),
    ("add orjson, sry, ujson", [("add_dependency", {"specs": ["ujson"]})]),
]


@pytest.mark.parametrize(("text", "calls"), CORRECTIONS)
def test_a_self_correction_keeps_only_the_correction(matcher, text, calls):
    assert plan(text, matcher) in (calls, [])


# 4. names typed beside a group noun narrow the group; a name outside it asks
DEV = ("pytest", "ruff", "mypy", "pytest-cov")
GROUP_APPOSITIVES = [
    ("upgrade the dev tools mypy and ruff", [up(["mypy", "ruff"])]),
    ("upgrade the dev tools: mypy and ruff", [up(["mypy", "ruff"])]),
    ("bump the dev deps: mypy", [up(["mypy"])]),
    ("update the dev dependencies pytest and ruff", [up(["pytest", "ruff"])]),
    ("upgrade the dev tools mypy and rich", []),
    ("upgrade the dev tools", [up(list(DEV))]),
    ("upgrade the main deps click and rich", [up(["click", "rich"])]),
    ("upgrade the runtime dependencies requests and httpx", [up(["requests", "httpx"])]),
    ("upgrade the main deps click and mypy", []),
    ("upgrade everything in dev except ruff", [up(["pytest", "mypy", "pytest-cov"])]),
]


@pytest.mark.parametrize(("text", "calls"), GROUP_APPOSITIVES)
def test_typed_names_narrow_a_group_noun(matcher, text, calls):
    reading = read_request(text, KNOWN, matcher, dev=DEV)
    got = [(c.tool, c.args) for c in plan_for(reading)]
    assert got in (calls, []), got


# 5. a level said for some targets stays with them; the others keep the default
PER_TARGET = [
    ("upgrade httpx and rich, breaking changes are fine for httpx only",
     [up(["httpx"], "major"), up(["rich"])]),
    ("upgrade click and rich, major for click only", [up(["click"], "major"), up(["rich"])]),
    ("upgrade click and rich, only click may go to a new major",
     [up(["click"], "major"), up(["rich"])]),
    ("upgrade everything, majors for pydantic only",
     [up(["pydantic"], "major"), up([n for n in KNOWN if n != "pydantic"])]),
    ("upgrade click and rich, patch only for rich", [up(["click"]), up(["rich"], "patch")]),
    ("upgrade all, but pydantic may take majors",
     [up(["pydantic"], "major"), up([n for n in KNOWN if n != "pydantic"])]),
    ("upgrade httpx and rich, major on httpx", [up(["httpx"], "major"), up(["rich"])]),
    ("upgrade httpx and rich, httpx can go major", [up(["httpx"], "major"), up(["rich"])]),
    ("upgrade httpx and rich; httpx can go major", [up(["httpx"], "major"), up(["rich"])]),
    ("for httpx breaking changes are fine; upgrade httpx and rich",
     [up(["httpx"], "major"), up(["rich"])]),
]


@pytest.mark.parametrize(("text", "calls"), [
    ("upgrade everything; majors ok except for pydantic", []),
    ("upgrade everything, majors ok but not for pydantic", []),
    ("upgrade click and rich, no majors for rich", [up(["click", "rich"])]),
])
def test_a_level_scoped_away_from_a_target_never_gives_it_that_level(matcher, text, calls):
    assert plan(text, matcher) in (calls, [])


def test_a_name_that_can_go_to_a_level_is_not_removed(matcher):
    assert not any(tool == "remove_dependency" for tool, _ in plan("httpx can go major", matcher))
    assert plan("six can go", matcher) == [("remove_dependency", {"names": ["six"]})]


@pytest.mark.parametrize(("text", "calls"), PER_TARGET)
def test_a_level_for_some_targets_never_widens_the_others(matcher, text, calls):
    assert plan(text, matcher) in (calls, [])


# 6. a noun phrase of checking is an audit; a fix needs a fix verb
@pytest.mark.parametrize("text", [
    "do a vulnerability sweep", "do a security sweep", "do a CVE pass on the deps",
    "do a security health check", "run a security scan", "vulnerability check",
])
def test_a_check_noun_is_an_audit_never_a_fix(matcher, text):
    assert plan(text, matcher) == [("audit_dependencies", {})]


# 7. "version bump" with no dependency named is the project's own version: never an upgrade
@pytest.mark.parametrize("text", ["version bump pls", "version bump", "bump the version",
                                  "a version update please", "increment the version",
                                  "bump minor", "bump patch", "do a minor bump"])
def test_a_version_bump_upgrades_nothing(matcher, text):
    assert not any(tool == "upgrade_safely" for tool, _ in plan(text, matcher))


# a part that is only a level is a level of the upgrade next to it, never a step of its own
@pytest.mark.parametrize("text", ["upgrade rich, patch only for now", "upgrade rich - patch only",
                                  "upgrade rich; patch only", "upgrade rich. patch only",
                                  "upgrade rich: patch only"])
def test_a_level_alone_is_not_a_step_of_its_own(matcher, text):
    assert plan(text, matcher) in ([up(["rich"], "patch")], [])


@pytest.mark.parametrize("text", ["add orjson \u2014 no, ujson", "add orjson\u2013no wait, ujson"])
def test_a_correction_after_a_long_dash_keeps_only_the_correction(matcher, text):
    assert plan(text, matcher) in ([("add_dependency", {"specs": ["ujson"]})], [])


# a topic word inside a package name or an extra after "add" is no topic: "add email-validator"
@pytest.mark.parametrize(("text", "specs"), [
    ("add email-validator and phonenumbers", ["email-validator", "phonenumbers"]),
    ("add psycopg with the binary extra", ["psycopg[binary]"]),
    ("add psycopg[binary]", ["psycopg[binary]"]),
])
def test_a_topic_word_inside_a_package_name_is_no_topic(matcher, text, specs):
    assert plan(text, matcher) == [("add_dependency", {"specs": specs})]


def test_hooks_stay_out_of_scope(matcher):
    assert plan("add a pre-commit hook", matcher) == []
    assert plan("install pre-commit hooks", matcher) == []


# a group is the one named, never a determiner ("to a group called docs"); an unnamed one asks
@pytest.mark.parametrize(("text", "calls"), [
    ("add sphinx to a group called docs",
     [("add_dependency", {"specs": ["sphinx"], "group": "docs"})]),
    ("add sphinx to a new group named docs",
     [("add_dependency", {"specs": ["sphinx"], "group": "docs"})]),
    ("add sphinx to a new group", []),
])
def test_the_group_is_the_one_named(matcher, text, calls):
    assert plan(text, matcher) == calls


@pytest.mark.parametrize(("text", "calls"), [
    ("remove tqdm as well as six", [("remove_dependency", {"names": ["tqdm", "six"]})]),
    ("add pandas, exact version 2.2.2", [("add_dependency", {"specs": ["pandas==2.2.2"]})]),
    ("add boto3, anything after 1.34", [("add_dependency", {"specs": ["boto3>1.34"]})]),
])
def test_lists_and_prose_bounds_read_whole(matcher, text, calls):
    assert plan(text, matcher) == calls


def test_names_after_a_singular_group_noun_and_a_colon_narrow_it(matcher):
    reading = read_request("bump every dev dependency: pytest, ruff and mypy", KNOWN, matcher,
                           dev=DEV)
    got = [(c.tool, c.args) for c in plan_for(reading)]
    assert got == [up(["pytest", "ruff", "mypy"])], got
