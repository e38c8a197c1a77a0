"""The names of upgrade levels and update sizes: plain data, no `packaging` (the version
arithmetic over them is `tools/versions.py`), so a module that only names a level, like the
deps tools' signatures, loads nothing for it."""

from __future__ import annotations

from typing import Literal

Level = Literal["patch", "minor", "major"]
Delta = Literal["patch", "minor", "major", "none"]
LEVELS: tuple[Level, ...] = ("patch", "minor", "major")
