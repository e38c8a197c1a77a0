from __future__ import annotations

import pytest

from uvmgr.tools.versions import delta, level_bound, lowest_at_least, raise_constraint, within_level


@pytest.mark.parametrize("current,new,expected", [
    ("1.0.0", "1.0.3", "patch"), ("1.0.3", "1.2.0", "minor"), ("1.2.0", "2.0.0", "major"),
    ("1.0", "1.0.1", "patch"), ("2.0.1", "2.0.1", "none"), ("2.0.1", "2.0.0", "none"),
])
def test_delta(current, new, expected):
    assert delta(current, new) == expected


def test_level_bounds():
    assert level_bound("1.2.3", "patch") == ">=1.2.3,<1.3"
    assert level_bound("1.2.3", "minor") == ">=1.2.3,<2"
    assert level_bound("1.2.3", "major") == ">=1.2.3"
    assert within_level("1.0.0", "1.0.3", "patch") and not within_level("1.0.0", "1.1.0", "patch")


@pytest.mark.parametrize("spec,target,expected", [
    (">=1.0,<1.1", "1.2.0", ">=1.0,<1.3"),
    (">=1.0,<2", "2.1.0", ">=1.0,<3"),
    (">=1.0,<1.1", "1.0.3", ">=1.0,<1.1"),  # already admitted: unchanged
    ("==2.0.0", "2.0.1", "==2.0.1"),
    ("~=1.0.0", "1.1.0", "~=1.1.0"),
    ("~=1.0", "2.1.0", "~=2.1"),
    (">=1,!=1.2.0", "1.2.0", ">=1"),
    ("<=1.1.4", "1.1.5", "<=1.1.5"),
    (">=1.0,<1.0.5", "1.0.7", ">=1.0,<1.0.8"),
])
def test_raise_constraint(spec, target, expected):
    assert raise_constraint(spec, target) == expected


def test_lowest_fixed_version():
    assert lowest_at_least(["2.0.1", "1.9.9", "3.0"], "2.0.0") == "2.0.1"
    assert lowest_at_least(["1.0"], "2.0.0") is None
