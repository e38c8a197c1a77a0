"""Rendering by result type: the terminal prints the words the agent reads, a result type with
no renderer prints its summary (never an internal error), and each result says its exit code.
Pure: no uv."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from uvmgr.tools import testing
from uvmgr.tools.audit import AuditReport, Finding
from uvmgr.tools.audit_fix import FixResult, SkippedFix
from uvmgr.tools.changes import (
    ChangeResult,
    ChangeSet,
    ConstraintEdit,
    HeldBack,
    Outdated,
    OutdatedList,
    PackageChange,
    SafeUpgradeResult,
)
from uvmgr.tools.results import exit_status, summarize

from uvmgr import render

TEXT = SimpleNamespace(json=False, sarif=False)
_OUTDATED = Outdated("demo-http", "main", "demo-http>=1,<2", "1.0.0", "1.0.3", "2.0.0", "major")
_CHANGE = ChangeResult("upgrade", True, [PackageChange("demo-http", "1.0.0", "1.0.3", True),
                                         PackageChange("idna", None, "3.0")],
                       [ConstraintEdit("demo-http", "main", "demo-http==1.0.0", "demo-http==1.0.3")],
                       ["demo-json"], [_OUTDATED])
_SAFE = SafeUpgradeResult(False, "minor", 7.0, [PackageChange("demo-http", "1.0.0", "1.0.3", True)],
                          held_back=[HeldBack("demo-json", "2.0.0", "2.1.0", "tests failed", ["t::a"])],
                          majors_available=[_OUTDATED], up_to_date=["demo-cli"])
_FINDING = Finding("demo-http", "1.0.0", "PYSEC-1", ["CVE-1"], ["1.0.3"], "bad [bold]thing[/]")
_REPORT = AuditReport(5, [_FINDING], "/db")


def _printed(capsys, result) -> str:
    render.show(result, TEXT)
    return capsys.readouterr().out


@pytest.mark.parametrize("result", [_CHANGE, _SAFE, FixResult(_REPORT, _CHANGE, None)])
def test_the_terminal_prints_the_words_the_agent_reads(capsys, result):
    shown = _printed(capsys, result).splitlines()
    assert shown[: len(result.summary().splitlines())] == result.summary().splitlines()
    assert shown[len(result.summary().splitlines()):] == (
        ["dry run: no file was changed"] if result.dry_run and result.changed else [])


@dataclass(frozen=True)
class NewToolResult:  # a tool added without a renderer
    count: int
    exit_status = 1

    def summary(self) -> str:
        return f"{self.count} things [not markup]"


@dataclass(frozen=True)
class Bare:  # not even a summary
    value: str


def test_a_result_without_a_renderer_prints_its_summary(capsys):
    assert _printed(capsys, NewToolResult(3)) == "3 things [not markup]\n"
    assert exit_status(NewToolResult(3)) == 1
    assert _printed(capsys, Bare("x")) == '{"value": "x"}\n'
    assert exit_status(Bare("x")) == 0 and summarize(Bare("x")) == '{"value": "x"}'


def test_markup_in_package_text_is_printed_as_text(capsys):
    report = testing.TestReport(0, 1, 0, 0, 1.0, 1, [testing.TestFailure("t::a", "failure", "boom [x]")], "pytest")
    assert "boom [x]" in _printed(capsys, report)


@pytest.mark.parametrize("result,code", [
    (_CHANGE, 0), (_SAFE, 0), (OutdatedList([_OUTDATED]), 0),
    (_REPORT, 1), (AuditReport(5, [], "/db"), 0),
    (FixResult(_REPORT, ChangeResult("audit-fix", True, [PackageChange("a", "1", "2")]), None), 0),
    (FixResult(_REPORT, ChangeResult("audit-fix", True), None, [SkippedFix("a", "1", [], "x")]), 1),
    (FixResult(_REPORT, ChangeResult("audit-fix", False), AuditReport(5, [], "/db")), 0),
    (FixResult(_REPORT, None, None), 1),
    (testing.TestReport(1, 0, 0, 0, 1.0, 0), 0), (testing.TestReport(1, 1, 0, 0, 1.0, 1), 1),
    (testing.TestReport(0, 0, 0, 0, 1.0, 2), 1),  # pytest's own code 2 (interrupted) is a failure: 1
])
def test_each_result_says_its_exit_code(result, code):
    assert exit_status(result) == code


@pytest.mark.parametrize("result,changed", [
    (_CHANGE, True), (_SAFE, True), (ChangeResult("lock", False), False),
    (FixResult(_REPORT, _CHANGE, None), True), (FixResult(_REPORT, None, None), False),
])
def test_every_mutating_result_is_a_change_set(result, changed):
    assert isinstance(result, ChangeSet) and result.changed == changed
    assert not isinstance(_REPORT, ChangeSet) and not isinstance(OutdatedList(), ChangeSet)


def test_a_fix_keeps_its_json_shape():
    data = render.to_jsonable(FixResult(_REPORT, None, None))
    assert list(data) == ["before", "change", "after", "skipped", "failed", "picked", "remaining"]
