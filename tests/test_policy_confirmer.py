"""Table tests of AutoPilot's policy confirmer: a pure function of the policy and the dry run's
typed result (no uv, no project)."""

from __future__ import annotations

import pytest
from uvmgr.agent.events import ApprovalAsked
from uvmgr.agent.policy import Policy, PolicyConfirmer
from uvmgr.tools.audit import AuditReport
from uvmgr.tools.audit_fix import FixResult
from uvmgr.tools.changes import ChangeResult, PackageChange


def change(*moves: tuple[str, str | None, str | None, bool]) -> ChangeResult:
    return ChangeResult("upgrade", True, [PackageChange(*m) for m in moves])


def fix(*moves) -> FixResult:
    return FixResult(AuditReport(3, [], "advisories"), change(*moves), None)


def ask(tool: str, result: object, **args) -> ApprovalAsked:
    return ApprovalAsked(tool, args, "preview", result)


UP = "upgrade_safely"
DEFAULT = Policy()  # patch and minor, security on, nothing held, 10 packages, no new deps


@pytest.mark.parametrize("policy, candidates, asked, approved, reason", [
    # upgrades within the levels
    (DEFAULT, None, ask(UP, change(("a", "1.0.0", "1.0.1", True)), packages=["a"]), True,
     "levels = ['patch', 'minor'], 1 of max-packages = 10"),
    (DEFAULT, None, ask(UP, change(("a", "1.0.0", "1.2.0", True))), True, "levels ="),
    (DEFAULT, None, ask(UP, change(("a", "1.0.0", "2.0.0", True))), False,
     "a 1.0.0 -> 2.0.0 is a major update; allowed levels are patch, minor"),
    (Policy(levels=("patch",)), None, ask(UP, change(("a", "1.0.0", "1.1.0", True))), False,
     "is a minor update; allowed levels are patch"),
    # a transitive package counts too
    (DEFAULT, None, ask(UP, change(("a", "1.0.0", "1.0.1", True), ("t", "1.0", "2.0", False))),
     False, "t 1.0 -> 2.0 is a major update"),
    # held packages: ignored, pinned, added or removed
    (Policy(ignore=("a",)), None, ask(UP, change(("a", "1.0.0", "1.0.1", True))), False,
     "policy: a is ignored (1.0.0 -> 1.0.1)"),
    (Policy(pin=("a",)), None, ask(UP, change(("a", "1.0.0", "1.0.1", True))), False,
     "policy: a is pinned"),
    (Policy(pin=("a",), allow_new_dependencies=True), None,
     ask(UP, change(("a", "1.0.0", None, True))), False, "a is held but would be removed"),
    # new to the lock
    (DEFAULT, None, ask(UP, change(("n", None, "1.0", False))), False,
     "n 1.0 would be new to the lock (transitive)"),
    (Policy(allow_new_dependencies=True), None, ask(UP, change(("n", None, "1.0", False))), True,
     "levels ="),
    # the cap counts direct packages only
    (Policy(max_packages=1), None,
     ask(UP, change(("a", "1.0", "1.1", True), ("b", "1.0", "1.1", True))), False,
     "2 packages exceed max-packages = 1"),
    (Policy(max_packages=1), None,
     ask(UP, change(("a", "1.0", "1.1", True), ("t", "1.0", "1.1", False))), True, "1 of"),
    # only the packages AutoPilot chose
    (DEFAULT, {"a"}, ask(UP, change(("b", "1.0", "1.1", True)), packages=["b"]), False,
     "names packages AutoPilot did not choose"),
    (DEFAULT, {"a"}, ask(UP, change(("a", "1.0", "1.1", True))), False,
     "names packages AutoPilot did not choose"),
    (DEFAULT, {"a", "b"}, ask(UP, change(("a", "1.0", "1.1", True)), packages=["a"]), True,
     "levels ="),
    # security fixes: across minors, never a major, never when off
    (DEFAULT, set(), ask("fix_vulnerabilities", fix(("a", "1.0", "1.5", True))), True,
     "security = true: lowest fixed versions, no major jumps"),
    (Policy(levels=("patch",)), set(), ask("fix_vulnerabilities", fix(("a", "1.0", "1.5", True))),
     True, "security = true"),
    (DEFAULT, set(), ask("fix_vulnerabilities", fix(("a", "1.0", "2.0", True))), False,
     "the fix moves a a major version (1.0 -> 2.0)"),
    (Policy(security=False), set(), ask("fix_vulnerabilities", fix(("a", "1.0", "1.0.1", True))),
     False, "security fixes are off"),
    # other tools
    (DEFAULT, None, ask("add_dependency", change(("n", None, "1.0", True)), specs=["n"]), False,
     "new dependencies are never added"),
    (Policy(allow_new_dependencies=True), None, ask("add_dependency", change()), True,
     "allow-new-dependencies = true"),
    (DEFAULT, None, ask("remove_dependency", change(("a", "1.0", None, True))), False,
     "policy: AutoPilot never runs remove_dependency"),
    (DEFAULT, None, ask("lock_project", change()), False, "AutoPilot never runs lock_project"),
    (DEFAULT, None, ask("run_tests", None), False, "AutoPilot never runs run_tests"),
    (DEFAULT, None, ask("publish_package", None), False, "never runs publish_package"),
])
def test_policy_confirmer(policy, candidates, asked, approved, reason):
    got, why = PolicyConfirmer(policy, candidates)(asked)
    assert got is approved, why
    assert reason in why
