"""Which packs are installed, read from the distributions' metadata alone: the
`entry_points.txt` of every `*.dist-info` on the import path. Nothing is imported.

Not `importlib.metadata.entry_points()`: importing it and scanning ~130 distributions costs
~100 ms here, the whole `uvmgr --help` budget; reading the few files directly costs a few ms.
The first distribution of a name on the path wins, as for imports. Only `site-packages` (and
Debian's `dist-packages`) folders are read: the current directory or a PYTHONPATH folder (a
cloned project's, with `python -m uvmgr.cli`) is never a source of packs.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

GROUP = "uvmgr.packs"
READ_ONLY_GROUP = "uvmgr.packs.tools"
MUTATING_GROUP = "uvmgr.packs.mutating"
SITE_FOLDERS = ("site-packages", "dist-packages")


@dataclass(frozen=True)
class DeclaredTool:
    name: str
    function: str
    mutates: bool


@dataclass(frozen=True)
class DeclaredPack:
    """A pack as its distribution declares it, before anything is imported."""

    name: str
    reference: str  # "module:attribute" of its `Pack`
    distribution: str
    version: str
    tools: tuple[DeclaredTool, ...]
    location: str  # the dist-info folder


def _sections(text: str) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = out.setdefault(line[1:-1].strip(), {})
        elif current is not None and "=" in line:
            key, _, value = line.partition("=")
            current[key.strip()] = value.strip()
    return out


def _dist_of(folder: str) -> tuple[str, str]:
    name, _, version = folder[: -len(".dist-info")].partition("-")
    return name, version


def declared_packs(path: list[str] | None = None) -> list[DeclaredPack]:
    """Every pack declared by a distribution on `path` (default: `sys.path`)."""
    seen: set[str] = set()
    out: list[DeclaredPack] = []
    for entry in sys.path if path is None else path:
        if os.path.basename(os.path.normpath(entry or ".")) not in SITE_FOLDERS:
            continue
        try:
            names = sorted(n for n in os.listdir(entry or ".") if n.endswith(".dist-info"))
        except OSError:
            continue
        for folder in names:
            dist, version = _dist_of(folder)
            key = dist.lower().replace("-", "_").replace(".", "_")
            if key in seen:
                continue
            seen.add(key)
            location = os.path.join(entry or ".", folder)
            try:
                with open(os.path.join(location, "entry_points.txt"), encoding="utf-8") as f:
                    text = f.read()
            except (OSError, UnicodeDecodeError):
                continue
            if GROUP not in text:
                continue
            out += _packs_in(_sections(text), dist, version, location)
    return out


def _packs_in(sections: dict[str, dict[str, str]], dist: str, version: str,
              location: str) -> list[DeclaredPack]:
    out = []
    for name, reference in sections.get(GROUP, {}).items():
        tools = [DeclaredTool(key.partition(".")[2], function, mutates)
                 for group, mutates in ((READ_ONLY_GROUP, False), (MUTATING_GROUP, True))
                 for key, function in sections.get(group, {}).items()
                 if key.partition(".")[0] == name]
        out.append(DeclaredPack(name, reference, dist, version, tuple(tools), location))
    return out


def summary_of(pack: DeclaredPack) -> str:
    """The distribution's one-line summary (its METADATA `Summary:`), "" when it has none."""
    try:
        with open(os.path.join(pack.location, "METADATA"), encoding="utf-8") as f:
            for line in f:
                if line.startswith("Summary:"):
                    return line.partition(":")[2].strip()
                if not line.strip():
                    break
    except (OSError, UnicodeDecodeError):
        pass
    return ""
