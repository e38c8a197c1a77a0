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


def description_of(pack: DeclaredPack) -> str:
    """The pack's own description, read from its source without importing or running it (the
    `description="..."` of the `Pack(...)` its entry point names, when it is a literal), else
    the distribution's summary: a distribution may hold more than a pack (uvmgr holds the
    advisor), and its summary then says what the distribution is, not what the pack does."""
    return _declared_description(pack.reference) or summary_of(pack)


def _declared_description(reference: str) -> str:
    import ast
    import importlib.util

    module, _, attr = reference.partition(":")
    top, _, rest = module.partition(".")
    try:
        spec = importlib.util.find_spec(top)  # a top-level name: located, never imported
    except (ImportError, ValueError):
        return ""
    if spec is None:
        return ""
    if rest:
        folders = list(spec.submodule_search_locations or [])
        parts = rest.split(".")
        candidates = [os.path.join(f, *parts) + ".py" for f in folders] + [
            os.path.join(f, *parts, "__init__.py") for f in folders]
    elif spec.origin and spec.origin.endswith(".py"):
        candidates = [spec.origin]
    else:
        candidates = []
    for path in candidates:
        try:
            with open(path, encoding="utf-8") as f:
                tree = ast.parse(f.read(), path)
        except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
            continue
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == attr for t in node.targets) and \
                    isinstance(node.value, ast.Call):
                for keyword in node.value.keywords:
                    if keyword.arg == "description" and isinstance(keyword.value, ast.Constant) \
                            and isinstance(keyword.value.value, str):
                        return " ".join(keyword.value.value.split())
        return ""
    return ""


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
