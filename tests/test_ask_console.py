"""`uvmgr ask` on a real terminal (a pseudo-terminal): a line typed before the question is
never its answer; the chat's keys answer it; the change comes before its context."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time

import pytest

from uvmgr.approval import answer_of, approval_view

pty = pytest.importorskip("pty")


class Terminal:
    """`uvmgr ask` with stdin, stdout and stderr on a pseudo-terminal."""

    def __init__(self, *args: str):
        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen([sys.executable, "-m", "uvmgr.cli", *args], stdin=slave,
                                     stdout=slave, stderr=slave, close_fds=True)
        os.close(slave)
        self.output = ""

    def type(self, text: str) -> None:
        os.write(self.master, text.encode())

    def read_until(self, marker: str, timeout: float = 90.0) -> str:
        deadline = time.monotonic() + timeout
        while marker not in self.output:
            if time.monotonic() > deadline:
                raise AssertionError(f"no {marker!r} in:\n{self.output}")
            if not self._read(0.2) and self.proc.poll() is not None:
                raise AssertionError(f"exited {self.proc.returncode} before {marker!r}:\n"
                                     f"{self.output}")
        return self.output

    def finish(self, timeout: float = 90.0) -> int:
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            self._read(0.2)
        while self._read(0.1):
            pass
        os.close(self.master)
        return self.proc.wait(timeout=5)

    def _read(self, wait: float) -> bool:
        ready, _, _ = select.select([self.master], [], [], wait)
        if not ready:
            return False
        try:
            chunk = os.read(self.master, 65536)
        except OSError:  # the other side closed
            return False
        self.output += chunk.decode(errors="replace")
        return bool(chunk)


def test_a_line_typed_ahead_does_not_answer_ask(demo_project):
    before = demo_project.snapshot()
    term = Terminal("ask", "apply patch updates", "--project", str(demo_project.root))
    term.type("y\n")  # typed while uvmgr starts and plans: not an answer
    out = term.read_until("Apply this change?")
    time.sleep(0.5)
    assert term.proc.poll() is None, "the typed-ahead line answered the question"
    assert demo_project.snapshot() == before
    assert out.index("demo-http: 1.0.0 -> 1.0.3") < out.index("Apply this change?")
    assert "y/a approve" in out and "n/r reject" in out
    term.type("n\n")
    assert term.finish() == 3  # declined: nothing was changed
    assert demo_project.snapshot() == before


@pytest.mark.parametrize(("typed", "answer"), [
    ("y", True), ("a", True), ("Yes", True), ("approve", True), (" A ", True),
    ("n", False), ("r", False), ("no", False), ("", False), ("reject", False),
    ("and", None), ("ya", None), ("sure", None),
])
def test_the_terminal_reads_the_chat_keys(typed, answer):
    assert answer_of(typed) is answer


def test_a_result_it_does_not_know_is_shown_as_the_preview_text():
    view = approval_view("some_tool", "some_tool would change:\n  x: 1 -> 2\n", object())
    assert view.title == "some_tool wants to change files"
    assert view.change == ["some_tool would change:", "  x: 1 -> 2"]
    assert view.advisories == [] and view.notes == []


def test_a_fix_shows_the_change_first_and_one_advisory_line_per_package():
    from uvmgr.tools.audit import AuditReport, Finding
    from uvmgr.tools.audit_fix import FixResult, SkippedFix
    from uvmgr.tools.changes import ChangeResult, ConstraintEdit, PackageChange

    def finding(package, version, id_, fixed):
        return Finding(package, version, id_, [], fixed, "summary")

    findings = [finding("urllib3", "1.23", f"PYSEC-{i}", [v])
                for i, v in enumerate(["1.26.18", "1.26.5", "2.0.6", "1.24.2"])]
    findings.append(finding("idna", "2.7", "PYSEC-2024-60", ["3.7"]))
    change = ChangeResult("fix_vulnerabilities", True,
                          changes=[PackageChange("idna", "2.7", "3.7"),
                                   PackageChange("urllib3", "1.23", "1.26.18", direct=True)],
                          constraint_edits=[ConstraintEdit("urllib3", "main", "urllib3<1.24",
                                                           "urllib3<1.27")])
    result = FixResult(AuditReport(30, findings, "db"), change, None,
                       [SkippedFix("six", "1.0", ["X-1"], "no fixed release")])
    view = approval_view("fix_vulnerabilities", "(the safety layer's text)", result)
    assert view.change == ["urllib3: 1.23 -> 1.26.18", "idna: 2.7 -> 3.7 (transitive)",
                           "pyproject.toml [main]: 'urllib3<1.24' -> 'urllib3<1.27'"]
    assert view.advisories == [
        ("urllib3 1.23: 4 advisories (PYSEC-0, PYSEC-1, PYSEC-2 and 1 more); "
         "fixed in 1.24.2, 1.26.5, 1.26.18, 2.0.6"),
        "idna 2.7: 1 advisory (PYSEC-2024-60); fixed in 3.7"]
    assert view.notes == ["not fixed: six 1.0: no fixed release"]
