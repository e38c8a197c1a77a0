"""Test progress from the run itself: `tools/pytest_plugin.py` appends one line per outcome to
a file; `TestProgress` tails it on a thread while `uv run pytest` runs and reports counts as
`Progress("testing", ...)` events. Counts come from pytest, never from guessing."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Self

from uvmgr.tools.progress import Progress, ProgressObserver

PLUGIN_MODULE = "uvmgr_pytest_progress"
POLL_SECONDS = 0.25


class TestProgress:
    """`with TestProgress(folder, observer) as extra:` adds `extra` (pytest arguments) and
    `progress.env` (environment) to the test run; events flow until the block ends."""

    __test__ = False  # not a pytest test class, despite the name

    def __init__(self, folder: Path, observer: ProgressObserver):
        from uvmgr.tools import pytest_plugin

        self.observer = observer
        self.path = folder / "progress.txt"
        shutil.copyfile(pytest_plugin.__file__, folder / f"{PLUGIN_MODULE}.py")
        self.folder = folder
        self.total = self.passed = self.failed = self.done = 0
        self._offset = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._tail, name="uvmgr-test-progress",
                                        daemon=True)

    def env(self, base: Mapping[str, str]) -> dict[str, str]:
        from uvmgr.tools.pytest_plugin import PROGRESS_ENV

        path = base.get("PYTHONPATH", "")
        return {PROGRESS_ENV: str(self.path),
                "PYTHONPATH": str(self.folder) + (f":{path}" if path else "")}

    @property
    def pytest_args(self) -> list[str]:
        return ["-p", PLUGIN_MODULE]

    def __enter__(self) -> Self:
        self.observer(Progress("testing"))
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.read()  # whatever arrived after the last poll

    def _tail(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            self.read()

    def read(self) -> None:
        """Read the complete lines written since the last call; report if anything counted."""
        try:
            with open(self.path, "rb") as src:
                src.seek(self._offset)
                chunk = src.read()
        except FileNotFoundError:
            return
        end = chunk.rfind(b"\n") + 1
        self._offset += end
        text = chunk[:end].decode("utf-8", "replace")
        changed = False
        for line in text.splitlines():
            kind, _, rest = line.partition(" ")
            if kind == "total" and rest.isdigit():
                self.total = max(self.total, int(rest))
            elif kind in ("passed", "failed", "skipped", "error"):
                self.done += kind != "error"
                self.passed += kind == "passed"
                self.failed += kind in ("failed", "error")
            else:
                continue
            changed = True
        if changed:
            self.observer(Progress("testing", done=self.done, total=self.total,
                                   passed=self.passed, failed=self.failed))
