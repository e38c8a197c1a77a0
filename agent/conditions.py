"""A platform or Python condition said in words after an add ("add pywin32 but only on
windows", "add tomli on python < 3.11 only"): placed as the environment marker it means when
the reader can place it exactly (one name added, one condition), else the request is asked back
(`hedges`); never dropped. Only the confirmed reading places one: `--yes` never approves a
marker the person did not type."""

from __future__ import annotations

import re

_PLATFORMS = {"windows": "win32", "win32": "win32", "linux": "linux", "mac": "darwin",
              "macos": "darwin", "osx": "darwin", "darwin": "darwin"}
_OPS = {"<": "<", "<=": "<=", ">": ">", ">=": ">=", "==": "==", "below": "<", "under": "<",
        "older than": "<", "before": "<", "above": ">", "newer than": ">"}
_TAIL = re.compile(r"(?:,|\s)\s{0,3}(?:but\s{1,3})?(?:(?:only|just)\s{1,3})?(?:on|for)\s{1,3}"
                   r"(?:(windows|win32|linux|macos|mac|osx|darwin)|python\s{0,3}(<=|>=|<|>|==|"
                   r"below|under|older than|before|above|newer than)\s{0,3}(3\.\d{1,2}))"
                   r"(?:\s{1,3}only)?\s{0,3}[.!]?$")


def placed_condition(norm: str) -> tuple[str, str] | None:
    """(the request without its condition, the marker) for a condition at the end of an add
    that maps to exactly one marker; None otherwise."""
    m = _TAIL.search(norm.rstrip())
    if not m or not re.match(r"\s*(?:please\s+)?(?:add|install)\b", norm):
        return None
    if m.group(1):
        marker = f"sys_platform == '{_PLATFORMS[m.group(1)]}'"
    else:
        marker = f"python_version {_OPS[m.group(2)]} '{m.group(3)}'"
    return norm[:m.start()].rstrip(" ,"), marker


def place_marker(reading, marker: str) -> None:
    """The condition's marker on the one spec of the one add; anything else asks."""
    adds = [s for s in reading.steps if s.intent == "add"]
    if reading.status != "act":
        return
    if len(reading.steps) == 1 and len(adds) == 1 and len(adds[0].specs) == 1 and \
            ";" not in adds[0].specs[0]:
        adds[0].specs[0] = f"{adds[0].specs[0]}; {marker}"
        return
    reading.status, reading.steps = "ask", []
    reading.ambiguous = "which package the condition applies to (type the marker you want)"
