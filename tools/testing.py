"""The tests family: run the project's pytest suite with `uv run` and read its JUnit report."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from uvmgr.tools.context import ToolContext
from uvmgr.tools.pytest_root import own_config_args
from uvmgr.tools.spec import Arg
from uvmgr.tools.targets import Targets, each
from uvmgr.tools.uv_errors import environment_error

from uvmgr.errors import (
    EXIT_FAILED,
    EXIT_OK,
    OperationFailed,
    ProjectError,
    TestsDidNotFinish,
    UsageError,
)

NO_TESTS_COLLECTED = 5


@dataclass(frozen=True)
class TestFailure:
    id: str
    kind: str  # failure | error
    message: str


@dataclass(frozen=True)
class TestReport:
    passed: int
    failed: int
    errors: int
    skipped: int
    duration: float
    exit_code: int
    failures: list[TestFailure] = field(default_factory=list)
    command: str = ""

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and self.failed == 0 and self.errors == 0

    @property
    def exit_status(self) -> int:
        return EXIT_OK if self.ok else EXIT_FAILED

    def counts(self) -> str:
        return (f"{self.passed} passed, {self.failed} failed, {self.errors} errors, "
                f"{self.skipped} skipped")

    def summary(self) -> str:
        lines = [f"tests: {self.counts()} ({self.command})"]
        lines += [f"  {f.kind} {f.id}: {f.message[:200]}" for f in self.failures[:10]]
        return "\n".join(lines)


def parse_junit(xml_text: str) -> tuple[int, int, int, int, list[TestFailure]]:
    """(passed, failed, errors, skipped, failures) from a pytest JUnit XML report."""
    import xml.etree.ElementTree as ET

    root = ET.fromstring(xml_text)
    passed = failed = errors = skipped = 0
    failures: list[TestFailure] = []
    for case in root.iter("testcase"):
        classname = case.get("classname", "")
        test_id = f"{classname}::{case.get('name', '')}" if classname else case.get("name", "")
        outcome = "passed"
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                outcome = child.tag
                if child.tag != "skipped":
                    message = (child.get("message") or (child.text or "").strip().splitlines()[-1:]
                               or [""])
                    text = message if isinstance(message, str) else message[0]
                    failures.append(TestFailure(test_id, child.tag, text[:500]))
                break
        if outcome == "passed":
            passed += 1
        elif outcome == "failure":
            failed += 1
        elif outcome == "error":
            errors += 1
        else:
            skipped += 1
    return passed, failed, errors, skipped, failures


def run_tests(
    ctx: ToolContext,
    pytest_args: Annotated[list[str] | None, Arg("Extra pytest arguments, e.g. ['-k', 'login'] "
                                                 "to select tests. Usually leave empty.")] = None,
) -> TestReport:
    """Run the project's test suite (`uv run pytest`) and report passed, failed, errors and
    skipped counts with the id and message of every failing test. Read-only: changes no file."""
    args = [*ctx.settings.test_args, *(pytest_args or [])]
    suites = test_suites(ctx.project)
    reports = [_run_suite(ctx, folder, flags, args, label, pytest_args)
               for folder, flags, label in suites]
    if len(reports) == 1:
        return reports[0]
    return TestReport(sum(r.passed for r in reports), sum(r.failed for r in reports),
                      sum(r.errors for r in reports), sum(r.skipped for r in reports),
                      round(sum(r.duration for r in reports), 3),
                      next((r.exit_code for r in reports if r.exit_code), 0),
                      [f for r in reports for f in r.failures],
                      "; ".join(r.command for r in reports))


def test_suites(project) -> list[tuple[Path, list[str], str]]:
    """Where to run pytest: (folder, uv run flags, label). A plain project, a selected
    workspace member, or a workspace root with its own tests: one run. A workspace root
    without tests of its own: one run per member that has a tests folder, in its folder, so
    each member's conftest and rootdir apply."""
    if not project.is_workspace:
        return [(project.root, [], "")]
    if project.package:
        return [(project.member_folder(project.package), project.uv_package_args(), "")]
    root_tests = (project.root / "tests").is_dir() or "pytest" in project.data.get("tool", {})
    if root_tests:
        return [(project.root, ["--all-packages"], "")]
    members = [(m.folder, ["--package", m.name], m.name) for m in project.workspace.members
               if (m.folder / "tests").is_dir()]
    return members or [(project.root, ["--all-packages"], "")]


def _run_suite(ctx: ToolContext, folder: Path, flags: list[str], args: list[str],
               label: str, pytest_args: list[str] | None = None) -> TestReport:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="uvmgr-junit-") as tmp:
        report = Path(tmp) / "junit.xml"
        # `python -m pytest` runs the project's own pytest; a bare `pytest` could resolve to
        # one elsewhere on PATH that cannot import the project.
        command = ["run", "--frozen", *flags, "python", "-m", "pytest", f"--junitxml={report}",
                   "-o", "junit_family=xunit2", "-p", "no:cacheprovider",
                   *own_config_args(folder, ctx.project.root, Path(tmp))]
        result = _run_pytest(ctx, command, args, Path(tmp), report, cwd=folder)
        shown = " ".join(["uv run", *flags, "pytest", *args])
        if result.timed_out:
            raise TestsDidNotFinish(
                f"the test suite did not finish within {ctx.settings.timeout:g} s and was stopped",
                hint="a test may hang; or raise [tool.uvmgr] timeout or UVMGR_TIMEOUT",
                details=result.stdout[-2000:] + result.stderr[-2000:])
        stopped = stopped_by(result.returncode, report.exists())
        if stopped:
            raise TestsDidNotFinish(f"the test run was interrupted ({stopped}) before it finished",
                                    hint="nothing was concluded from it; run `uvmgr test` again",
                                    details=result.stdout[-2000:] + result.stderr[-2000:])
        if not report.exists() and "No module named pytest" in result.stderr:
            raise ProjectError(
                "the test suite is missing: pytest is not installed in the project environment",
                hint="add it with `uvmgr deps add --dev pytest`, then write tests under tests/",
            )
        if result.returncode == NO_TESTS_COLLECTED and _deselected(result.stdout):
            raise UsageError(f"no test matched the selection `{' '.join(args)}`: pytest found "
                             f"{_deselected(result.stdout)} tests and deselected every one",
                             hint="check the -k expression or test path; `uvmgr test -- "
                                  "--collect-only -q` lists the test ids")
        if result.returncode == NO_TESTS_COLLECTED and pytest_args:
            raise UsageError(f"no test matched the selection `{' '.join(args)}` (pytest "
                             "collected no tests)",
                             hint="check the test path or -k expression; `uvmgr test -- "
                                  "--collect-only -q` lists the test ids")
        if result.returncode == NO_TESTS_COLLECTED:
            raise ProjectError(f"the test suite is missing: pytest collected no tests in {folder}",
                               hint="add tests under tests/ (files named test_*.py)")
        if not report.exists() and (cause := environment_error(result, "running the tests")):
            raise cause  # no Python for the project, say: the cause and the next step
        if not report.exists():
            tail = " ".join((result.stderr or result.stdout).strip().splitlines()[-3:])
            raise OperationFailed(f"the tests could not run: {tail}" if tail else
                                  f"the tests could not run: `{shown}` exited with code "
                                  f"{result.returncode} and printed nothing",
                                  hint="run `uv run pytest` yourself to see why",
                                  details=result.stdout[-4000:] + result.stderr[-4000:])
        passed, failed, errors, skipped, failures = parse_junit(report.read_text(encoding="utf-8"))
    if label:  # which member's test failed, at a workspace root
        failures = [TestFailure(f"{label}: {f.id}", f.kind, f.message) for f in failures]
    return TestReport(passed, failed, errors, skipped, round(result.duration, 3), result.returncode,
                      failures, shown.strip())


def require_passing_baseline(ctx: ToolContext, operation: str, alternative: str) -> TestReport:
    """Run the tests before a test-gated change: if they already fail they cannot tell a good
    change from a bad one, so the change is not attempted."""
    baseline = run_tests(ctx)
    if not baseline.ok:
        failing = ", ".join(f.id for f in baseline.failures[:3]) or baseline.counts()
        raise OperationFailed(
            f"the tests already fail before any {operation} ({failing}), so they cannot tell a "
            f"good {operation} from a bad one; nothing was changed",
            hint=f"fix the tests first (`uvmgr test`), {alternative}")
    return baseline


def _run_pytest(ctx: ToolContext, command: list[str], args: list[str], folder: Path,
                report: Path, cwd: Path | None = None):
    """Run pytest; when someone watches (`ctx.progress`), with the progress plugin loaded so
    counts arrive as the tests finish. Progress is a courtesy: if the plugin cannot load in
    the project's environment, the run is repeated without it. `cwd`: where pytest runs (a
    workspace member's folder), else the project root."""
    from uvmgr.tools.progress import no_progress

    cwd = cwd or ctx.project.root

    def plain():
        return ctx.runner.uv([*command, *args], cwd, timeout=ctx.settings.timeout)

    if ctx.progress is no_progress:
        return plain()
    import os

    from uvmgr.tools.pytest_progress import PLUGIN_MODULE, TestProgress

    with TestProgress(folder, ctx.progress) as progress:
        result = ctx.runner.uv([*command, *progress.pytest_args, *args], cwd,
                               timeout=ctx.settings.timeout, env=progress.env(os.environ))
    if not report.exists() and not result.timed_out and PLUGIN_MODULE in (
            result.stdout + result.stderr):
        return plain()
    return result


def _deselected(stdout: str) -> int:
    """How many tests pytest deselected (`-k`, `-m`), from its summary line; 0 if none."""
    import re

    found = re.findall(r"(\d+) deselected", stdout)
    return int(found[-1]) if found else 0


run_tests_targets = Targets("run_tests", {"pytest_args": each("pytest-arg")})


def stopped_by(returncode: int, reported: bool) -> str | None:
    """Why a `uv run pytest` ended without a verdict, or None if it reached one: `uv` itself
    killed (a negative code) or pytest killed (uv exits 128+N and no report was written)."""
    import signal

    number = -returncode if returncode < 0 else (
        returncode - 128 if 128 < returncode <= 128 + 64 and not reported else 0)
    if number:
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        who = "uv" if returncode < 0 else "pytest"
        return f"{who} was killed by {name}"
    return None
