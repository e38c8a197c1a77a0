"""Pairing the versions of a package the lock splits into forks (one per Python range or
marker), old lock against new, so each level and downgrade check compares a fork with its own
successor.

By marker when both locks say where each fork applies (`uv.lock`'s resolution markers): a fork
whose marker is unchanged pairs with itself; a fork that split pairs with each part, forks that
merged each pair with the merged one (markers overlap when some environment satisfies both,
checked over a grid of Python versions and platforms). Without markers (a `uv lock --dry-run`
preview lists versions only) each version pairs with its nearest predecessor: the highest old
version not above it, and each old version left over with the lowest new one not below it.
Only the standard library and `packaging`.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from uvmgr.tools.project import version_key

_PYTHONS = [f"3.{minor}.{patch}" for minor in range(6, 17) for patch in (0, 20)]
_PLATFORMS = (("linux", "Linux", "posix", "x86_64"), ("darwin", "Darwin", "posix", "arm64"),
              ("win32", "Windows", "nt", "AMD64"))
_IMPLEMENTATIONS = (("cpython", "CPython"), ("pypy", "PyPy"))


def fork_pairs(old: Sequence[str], new: Sequence[str], old_markers: Sequence[str] = (),
               new_markers: Sequence[str] = ()) -> list[tuple[str, str]]:
    """Every (before, after) move of a forked package, ordered by version."""
    if len(old_markers) == len(old) > 1 and len(new_markers) == len(new) > 1:
        pairs = _by_marker(list(zip(old, old_markers, strict=True)),
                           list(zip(new, new_markers, strict=True)))
    elif len(old) == len(new):
        pairs = set(zip(old, new, strict=True))
    else:
        pairs = _by_predecessor(old, new)
    return sorted(pairs, key=lambda p: (version_key(p[0]), version_key(p[1])))


def _by_marker(old: list[tuple[str, str]], new: list[tuple[str, str]]) -> set[tuple[str, str]]:
    same = {m for _, m in old} & {m for _, m in new}
    pairs = {(a, b) for a, ma in old for b, mb in new if ma == mb}
    for version, marker in new:  # a part of a split, or a merged fork
        if marker not in same:
            pairs |= _overlapping(version, marker, old, new_side=True)
    for version, marker in old:
        if marker not in same:
            pairs |= _overlapping(version, marker, new, new_side=False)
    return pairs


def _overlapping(version: str, marker: str, other: list[tuple[str, str]],
                 new_side: bool) -> set[tuple[str, str]]:
    """`version` paired with each fork of the other side whose marker overlaps its own; with
    every one of them when none can be shown to (an unreadable marker: never hide a step)."""
    hits = [v for v, m in other if _overlap(marker, m)] or [v for v, _ in other]
    return {(v, version) if new_side else (version, v) for v in hits}


def _by_predecessor(old: Sequence[str], new: Sequence[str]) -> set[tuple[str, str]]:
    olds = sorted(old, key=version_key)
    news = sorted(new, key=version_key)
    pairs = set()
    for b in news:
        below = [a for a in olds if version_key(a) <= version_key(b)]
        pairs.add((below[-1] if below else olds[0], b))
    for a in olds:
        if any(p[0] == a for p in pairs):
            continue
        above = [b for b in news if version_key(b) >= version_key(a)]
        pairs.add((a, above[0] if above else news[-1]))
    return pairs


@functools.lru_cache(maxsize=512)
def _overlap(first: str, second: str) -> bool:
    """Some environment of the grid satisfies both markers ("" applies everywhere)."""
    from packaging.markers import InvalidMarker, Marker, UndefinedComparison

    try:
        checks = [Marker(m) for m in (first, second) if m.strip()]
        return any(all(c.evaluate(env) for c in checks) for env in _environments())
    except (InvalidMarker, UndefinedComparison, ValueError):
        return False


@functools.cache
def _environments() -> tuple[dict[str, str], ...]:
    envs = []
    for python in _PYTHONS:
        for sys_platform, system, os_name, machine in _PLATFORMS:
            for implementation, python_implementation in _IMPLEMENTATIONS:
                envs.append({
                    "python_full_version": python,
                    "python_version": ".".join(python.split(".")[:2]),
                    "implementation_version": python, "implementation_name": implementation,
                    "platform_python_implementation": python_implementation,
                    "sys_platform": sys_platform, "platform_system": system, "os_name": os_name,
                    "platform_machine": machine, "platform_release": "", "platform_version": "",
                    "extra": ""})
    return tuple(envs)
