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
]


@pytest.mark.parametrize(("text", "calls"), BOUNDED_LEVELS)
def test_a_bounded_level_never_widens(matcher, text, calls):
    got = plan(text, matcher)
    assert got in (calls, []), got
