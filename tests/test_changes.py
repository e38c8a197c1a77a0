"""Table tests of the pure functions behind every change: the dry-run parser (forked targets
included), the lock diff, the constraint edit, level classification and name normalisation.
No uv, no files: milliseconds."""

from __future__ import annotations

import pytest
from uvmgr.tools.changes import (
    ChangeResult,
    ConstraintEdit,
    PackageChange,
    constraint_edit_for,
    diff_locked,
)
from uvmgr.tools.project import DirectDependency, LockedPackage, normalize_name
from uvmgr.tools.resolve import parse_dry_run

# Real stderr of uv 0.13.9 (`uv lock --dry-run`, with and without `--upgrade`) on a project with
# requires-python = ">=3.9" whose dependency demo-fork has releases needing Python >=3.11: uv
# locks it at one version per Python range and prints every version of the fork.
_HEAD = ("Using CPython 3.11.7 interpreter at: /root/.pyenv/versions/3.11.7/bin/python3\n"
         "Resolved 4 packages in 1ms\n")


@pytest.mark.parametrize("line,expected", [
    # (name, before, after, every version before, every version after)
    ("Update demo-plain v1.0.0 -> v1.0.2", ("demo-plain", "1.0.0", "1.0.2", (), ())),
    ("Update demo-fork v1.0.0 -> v1.0.1, v1.5.0",
     ("demo-fork", "1.0.0", "1.5.0", (), ("1.0.1", "1.5.0"))),
    ("Update demo-fork v1.0.1, v1.5.0 -> v1.0.2, v1.6.0",
     ("demo-fork", "1.5.0", "1.6.0", ("1.0.1", "1.5.0"), ("1.0.2", "1.6.0"))),
    ("Update demo-fork v1.0.1, v1.5.0 -> v1.0.2",
     ("demo-fork", "1.5.0", "1.0.2", ("1.0.1", "1.5.0"), ())),
    ("Add demo-fork v1.0.2, v1.6.0", ("demo-fork", None, "1.6.0", (), ("1.0.2", "1.6.0"))),
    ("Remove demo-fork v1.0.1, v1.5.0", ("demo-fork", "1.5.0", None, ("1.0.1", "1.5.0"), ())),
    ("Add demo_JSON v2.0.0", ("demo-json", None, "2.0.0", (), ())),
    ("Remove demo-json v2.0.0", ("demo-json", "2.0.0", None, (), ())),
    ("Update click v8.1.7 -> v8.1.8, v8.5.1", ("click", "8.1.7", "8.5.1", (), ("8.1.8", "8.5.1"))),
])
def test_parse_dry_run_keeps_every_version_of_a_fork(line, expected):
    [change] = parse_dry_run(_HEAD + line + "\n", direct={"demo-fork"})
    name, before, after, all_before, all_after = expected
    assert (change.name, change.before, change.after) == (name, before, after)
    assert (change.versions_before, change.versions_after) == (all_before, all_after)
    assert change.direct == (name == "demo-fork")


def test_parse_dry_run_ignores_everything_but_changes():
    text = _HEAD + "warning: something\nUpdate demo-plain v1.0.0 -> v1.0.2\nWould update 1\n"
    assert [c.name for c in parse_dry_run(text, set())] == ["demo-plain"]
    assert parse_dry_run(_HEAD, set()) == []


@pytest.mark.parametrize("line,expected", [
    ("Update demo-plain v1.0.0 -> v1.0.2", ["patch"]),
    # the old parser read "v1.0.1," as the target, an invalid version, and called it a major
    ("Update demo-fork v1.0.0 -> v1.0.1, v1.5.0", ["patch", "minor"]),
    ("Update demo-fork v1.0.1, v1.5.0 -> v1.0.2, v1.6.0", ["patch", "minor"]),  # fork by fork
    ("Update demo-fork v1.0.1, v1.5.0 -> v1.0.2", ["patch", "none"]),  # 1.5.0 -> 1.0.2 goes down
    ("Update demo-fork v1.0.0 -> v1.0.1, v2.0.0", ["patch", "major"]),
])
def test_level_of_each_step(line, expected):
    from uvmgr.tools.versions import delta

    [change] = parse_dry_run(line, set())
    assert [delta(a, b) for a, b in change.steps()] == expected


def test_a_forked_upgrade_within_the_levels_is_approved_by_the_policy():
    from uvmgr.agent.events import ApprovalAsked
    from uvmgr.agent.policy import Policy, PolicyConfirmer

    changes = parse_dry_run("Update demo-fork v1.0.0 -> v1.0.1, v1.5.0", {"demo-fork"})
    ask = ApprovalAsked("upgrade_packages", {"packages": ["demo-fork"]}, "",
                        ChangeResult("upgrade", True, changes))
    approved, reason = PolicyConfirmer(Policy(levels=("patch", "minor")))(ask)
    assert approved, reason
    approved, reason = PolicyConfirmer(Policy(levels=("patch",)))(ask)
    assert not approved and "1.5.0 is a minor update" in reason


def _locked(**versions: str) -> dict[str, LockedPackage]:
    return {n.replace("_", "-"): LockedPackage(n.replace("_", "-"), v, "registry")
            for n, v in versions.items()}


@pytest.mark.parametrize("before,after,expected", [
    (_locked(a="1.0"), _locked(a="1.0"), []),
    (_locked(a="1.0"), _locked(a="1.1"), [("a", "1.0", "1.1", True)]),
    (_locked(a="1.0"), _locked(a="1.0", b="2.0"), [("b", None, "2.0", False)]),
    (_locked(a="1.0", b="2.0"), _locked(a="1.0"), [("b", "2.0", None, False)]),
    (_locked(z="1", a="2"), _locked(z="2", a="3"), [("a", "2", "3", True), ("z", "1", "2", False)]),
    ({"app": LockedPackage("app", "0.1", "editable")}, {"app": LockedPackage("app", "0.2", "editable")},
     []),  # the project itself is never a change
])
def test_diff_locked(before, after, expected):
    got = [(c.name, c.before, c.after, c.direct) for c in diff_locked(before, after, {"a"})]
    assert got == expected


@pytest.mark.parametrize("requirement,version,expected", [
    ("demo-http>=1.0,<1.1", "1.2.0", "demo-http>=1.0,<1.3"),
    ("demo-http>=1.0,<2", "1.2.0", None),  # already admits it
    ("demo-http", "9.0", None),  # no specifier: nothing to raise
    ("demo-json==2.0.0", "2.0.1", "demo-json==2.0.1"),
    ("demo-http[socks]>=1.0,<1.1; python_version >= '3.9'", "1.2.0",
     "demo-http[socks]>=1.0,<1.3; python_version >= '3.9'"),
])
def test_constraint_edit_for(requirement, version, expected):
    dep = DirectDependency(requirement_name(requirement), requirement, "main")
    edit = constraint_edit_for(dep, version)
    assert (edit.after if edit else None) == expected
    if edit:
        assert edit == ConstraintEdit(dep.name, "main", requirement, expected)


def requirement_name(text: str) -> str:
    from uvmgr.tools.project import requirement_name as name_of

    return name_of(text)


@pytest.mark.parametrize("raw,expected", [
    ("Demo_HTTP", "demo-http"), ("zope.interface", "zope-interface"), ("a--b__c..d", "a-b-c-d"),
    ("PyYAML", "pyyaml"), ("already-normal", "already-normal"),
])
def test_normalize_name(raw, expected):
    assert normalize_name(raw) == expected


def test_a_change_without_forks_has_no_extra_json():
    from uvmgr.render import to_jsonable

    assert to_jsonable(PackageChange("a", "1.0", "1.1", True)) == {
        "name": "a", "before": "1.0", "after": "1.1", "direct": True, "kind": "upgrade"}


@pytest.mark.parametrize("before,after,kind", [
    ("1.0.0", "1.0.1", "upgrade"),  # patch
    ("1.0.3", "1.2.0", "upgrade"),  # minor
    ("1.2.0", "2.0.0", "upgrade"),  # major
    ("2.0.0", "1.9.9", "downgrade"),
    (None, "1.0.0", "add"),
    ("1.0.0", None, "remove"),
    ("1.0.0", "1.0.0", "unchanged"),  # equal versions are no move, not a downgrade
    ("1.0", "1.0.0", "unchanged"),  # equal by PEP 440, spelled differently
    ("2.0rc1", "2.0", "upgrade"), ("2.0", "2.0rc1", "downgrade"), ("2.0a1", "2.0b1", "upgrade"),
    ("1.0", "1.0+local", "upgrade"), ("1.0+cpu", "1.0+cpu", "unchanged"),
    ("1.0", "1.0.post1", "upgrade"), ("1.0.post1", "1.0", "downgrade"),
    ("2.0", "1!1.0", "upgrade"), ("1!1.0", "2.0", "downgrade"),  # epochs outrank releases
    ("not-a-version", "not-a-version", "unchanged"),
])
def test_package_change_kind(before, after, kind):
    assert PackageChange("a", before, after).kind == kind
