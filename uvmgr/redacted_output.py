"""stdout and stderr that mask secrets on the way out (`telemetry.redact_text`).

The CLI writes through these for the whole command: whatever prints (rich tables, `--json`,
errors, notices, a library's warning), a secret's value never reaches the terminal or a CI
log. The sources redact with patterns too (spans, `--json` documents, observations, answers);
this is the last line, by value only.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from uvmgr.telemetry import redact_text


class RedactedStream(io.TextIOBase):
    def __init__(self, inner: TextIO):
        self.inner = inner

    def write(self, text: str) -> int:
        # Values only: a pattern could reach across the quotes of a --json document.
        self.inner.write(redact_text(text, patterns=False))
        return len(text)

    def flush(self) -> None:
        self.inner.flush()

    def isatty(self) -> bool:
        return self.inner.isatty()

    def fileno(self) -> int:
        return self.inner.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.inner, "encoding", "utf-8")

    def writable(self) -> bool:
        return True


@contextmanager
def redacted_stdio() -> Iterator[None]:
    """Wrap sys.stdout and sys.stderr for the duration; restore them after."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = RedactedStream(saved[0]), RedactedStream(saved[1])
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved
