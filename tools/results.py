"""What every tool result offers its readers: `summary()`, the plain text the model reads as an
observation and a person reads in a preview (the terminal prints the same words), and
`exit_status`, the exit code of a command that printed it (see `uvmgr/errors.py`).

`exit_status` rather than `exit_code`: `TestReport.exit_code` is pytest's own code, a field of
`uvmgr test --json` that stays as it is.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from uvmgr.errors import EXIT_OK

MAX_ITEMS = 25  # rows of a long list an observation shows


@runtime_checkable
class ToolResult(Protocol):
    @property
    def exit_status(self) -> int: ...

    def summary(self) -> str: ...


def plural(count: int, word: str) -> str:
    """"1 vulnerability", "2 vulnerabilities", "0 packages": the count with its noun."""
    if count == 1:
        return f"{count} {word}"
    if word.endswith("y") and word[-2:-1] not in ("a", "e", "o", "u"):
        return f"{count} {word[:-1]}ies"
    return f"{count} {word}es" if word.endswith(("s", "x", "ch", "sh")) else f"{count} {word}s"


def exit_status(result: object) -> int:
    """The exit code of a command that printed `result`: 0 unless the result says otherwise."""
    return result.exit_status if isinstance(result, ToolResult) else EXIT_OK


def summarize(result: object) -> str:
    """One observation for any tool result; a result type without `summary()` (a new tool's)
    is shown as its JSON, never as an error."""
    if isinstance(result, ToolResult):
        return result.summary()
    import dataclasses
    import json

    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        return json.dumps(dataclasses.asdict(result), default=str)[:2000]
    return str(result)[:2000]
