"""A forked package whose number of forks changes between the old and the new lock (pallets/
click: sphinx held back): each fork is compared with its own successor, by the lock's markers,
and the split or merge is named; never a cross pair that reads as a downgrade or a major."""

from __future__ import annotations

import tomllib

import pytest
from uvmgr.evals.dated_index import serve_dated_index
from uvmgr.evals.fixtures import _uv, make_project
from uvmgr.tools.changes import ChangeResult, PackageChange, change_lines, diff_locked
from uvmgr.tools.fork_pairs import fork_pairs
from uvmgr.tools.project import Project
from uvmgr.tools.versions import delta

BELOW_312, ONLY_312, FROM_313 = ("python_full_version < '3.12'", "python_full_version == '3.12.*'",
                                 "python_full_version >= '3.13'")
FROM_312 = "python_full_version >= '3.12'"


@pytest.fixture(scope="module")
def future_locks(tmp_path_factory, wheel_index):
    """demo-future locked in two forks (1.0.0 below 3.12, 1.1.0 from 3.12), then upgraded to
    three (1.0.0 below 3.12, 1.2.0 on 3.12, 1.3.0 from 3.13: 1.3.0 needs 3.13). Real uv."""
    with serve_dated_index(wheel_index) as url:
        dest = tmp_path_factory.mktemp("forks") / "forks"
        project = make_project(dest, wheel_index, ["demo-future>=1.0"], lock=False, sync=False,
                               requires_python=">=3.10", dev=[], index_url=url)
        _uv(["lock", "--upgrade-package", "demo-future<1.2"], dest)
        before = Project(dest).locked_packages()
        _uv(["lock", "--upgrade-package", "demo-future<1.4"], dest)
        after = Project(dest).locked_packages()
    versions = sorted(p["version"] for p in tomllib.loads(project.lock.read_text())["package"]
                      if p["name"] == "demo-future")
    assert before["demo-future"].versions == ("1.0.0", "1.1.0")
    assert versions == ["1.0.0", "1.2.0", "1.3.0"]  # the fixture: a fork split 2 -> 3
    return before, after


def test_a_fork_split_pairs_each_fork_with_its_successor(future_locks):
    from uvmgr.agent.safety import downgrades

    [change] = diff_locked(*future_locks, direct={"demo-future"})
    assert change.steps() == [("1.0.0", "1.0.0"), ("1.1.0", "1.2.0"), ("1.1.0", "1.3.0")]
    assert [delta(a, b) for a, b in change.steps()] == ["none", "minor", "minor"]
    assert downgrades(ChangeResult("upgrade", False, [change])) == []
    assert change.forks == "split"
    assert "fork split: 2 -> 3 Python ranges" in "\n".join(
        change_lines(ChangeResult("upgrade", False, [change])))


def test_a_fork_merge_pairs_every_fork_with_the_merged_one(future_locks):
    before, after = future_locks
    [change] = diff_locked(after, before, direct={"demo-future"})  # 3 -> 2: 3.12 and 3.13 merge
    assert change.forks == "merged"
    assert ("1.0.0", "1.0.0") in change.steps()
    assert {("1.2.0", "1.1.0"), ("1.3.0", "1.1.0")} <= set(change.steps())
    assert ("1.2.0", "1.0.0") not in change.steps()  # no cross pair


@pytest.mark.parametrize("old,new,old_m,new_m,expected", [
    # split by marker: the unchanged fork with itself, the split one with each part
    (("1.0.0", "1.1.0"), ("1.0.0", "1.2.0", "1.3.0"), (BELOW_312, FROM_312),
     (BELOW_312, ONLY_312, FROM_313), [("1.0.0", "1.0.0"), ("1.1.0", "1.2.0"), ("1.1.0", "1.3.0")]),
    # merge to one marker-less version: every fork moves to it
    (("1.0.0", "1.1.0"), ("1.2.0",), (BELOW_312, FROM_312), (),
     [("1.0.0", "1.2.0"), ("1.1.0", "1.2.0")]),
    # a downgrade in one fork is never hidden (markers say which)
    (("1.0.1", "1.5.0"), ("1.0.2", "1.4.0", "1.6.0"), (BELOW_312, FROM_312),
     (BELOW_312, ONLY_312, FROM_313), [("1.0.1", "1.0.2"), ("1.5.0", "1.4.0"), ("1.5.0", "1.6.0")]),
    # no markers (a dry-run preview): each version with its nearest predecessor
    (("7.4.7", "8.1.3"), ("7.4.7", "8.1.3", "8.2.3"), (), (),
     [("7.4.7", "7.4.7"), ("8.1.3", "8.1.3"), ("8.1.3", "8.2.3")]),
    # an unreadable marker: paired with every fork of the other side, never hidden
    (("1.0.0", "1.1.0"), ("1.0.0", "1.2.0", "1.3.0"), (BELOW_312, "nonsense ==="),
     (BELOW_312, ONLY_312, FROM_313),
     [("1.0.0", "1.0.0"), ("1.0.0", "1.2.0"), ("1.0.0", "1.3.0"), ("1.1.0", "1.0.0"),
      ("1.1.0", "1.2.0"), ("1.1.0", "1.3.0")]),
])
def test_fork_pairs(old, new, old_m, new_m, expected):
    assert fork_pairs(old, new, old_m, new_m) == expected


def test_a_plain_update_is_one_step():
    assert PackageChange("x", "1.0.0", "1.0.1").steps() == [("1.0.0", "1.0.1")]
    assert PackageChange("x", "1.0.0", None).steps() == []
