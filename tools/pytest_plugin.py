"""A pytest plugin uvmgr loads into the project's own test run (`-p uvmgr_pytest_progress`, from
a copy of this file in a temporary folder on PYTHONPATH): one line per test outcome, appended
to the file named by `UVMGR_PYTEST_PROGRESS`, which uvmgr reads while the run goes on.

Standard library only, and nothing uvmgr-specific: it runs in the project's environment, where
uvmgr is not installed.
"""

from __future__ import annotations

import os

PROGRESS_ENV = "UVMGR_PYTEST_PROGRESS"


def _write(line: str) -> None:
    path = os.environ.get(PROGRESS_ENV)
    if not path:
        return
    try:
        # One short append per line: whole lines even with several xdist workers.
        with open(path, "a", encoding="utf-8") as out:
            out.write(line.replace("\n", " ") + "\n")
    except OSError:
        pass  # progress is a courtesy; the run's verdict comes from its JUnit report


def pytest_configure(config) -> None:
    # With pytest-xdist every outcome reaches the controller too: count it there only.
    if not hasattr(config, "workerinput"):
        config.pluginmanager.register(_Outcomes(), "uvmgr-progress-outcomes")


def pytest_collection_finish(session) -> None:
    if session.items:  # an xdist controller collects nothing itself; its workers say how many
        _write(f"total {len(session.items)}")


class _Outcomes:
    def pytest_runtest_logreport(self, report) -> None:
        # A test's verdict is its call, or a setup that failed or skipped; a failing teardown
        # is an error on top.
        if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
            _write(f"{report.outcome} {report.nodeid}")
        elif report.when == "teardown" and report.outcome == "failed":
            _write(f"error {report.nodeid}")
