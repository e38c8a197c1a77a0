"""Version arithmetic: update deltas, level bounds, and raising a constraint.

Pure functions over `packaging`; no processes, no files.
"""

from __future__ import annotations

# packaging.version is light; packaging.specifiers (~40 ms) loads only where constraints are
# rewritten, so `deps outdated` stays inside its start-up budget.
from packaging.version import InvalidVersion, Version

# The level names live in tools/levels.py (no packaging); importing them from here still works.
from uvmgr.tools.levels import LEVELS, Delta, Level


def _release(version: Version) -> tuple[int, int, int]:
    parts = (*version.release, 0, 0, 0)
    return parts[0], parts[1], parts[2]


def delta(current: str, new: str) -> Delta:
    """How big a step `current -> new` is: the first release component that changes."""
    try:
        a, b = Version(current), Version(new)
    except InvalidVersion:
        return "major"
    if b <= a:
        return "none"
    ra, rb = _release(a), _release(b)
    if ra[0] != rb[0]:
        return "major"
    if ra[1] != rb[1]:
        return "minor"
    return "patch"


def order(current: str, new: str) -> int:
    """1 when `new` is newer than `current`, -1 when older, 0 when equal by PEP 440 (epochs,
    pre, post and local parts included); a version that does not parse is only equal to its
    own spelling and otherwise counts as a step up, as `delta` counts it."""
    try:
        a, b = Version(current), Version(new)
    except InvalidVersion:
        return 0 if current == new else 1
    return (b > a) - (b < a)


def within_level(current: str, new: str, level: Level) -> bool:
    d = delta(current, new)
    return d != "none" and LEVELS.index(d) <= LEVELS.index(level)


def level_bound(current: str, level: Level) -> str:
    """A specifier admitting versions from `current` up to the edge of `level`.

    patch: >=1.2.3,<1.3   minor: >=1.2.3,<2   major: >=1.2.3
    """
    major, minor, _ = _release(Version(current))
    if level == "patch":
        return f">={current},<{major}.{minor + 1}"
    if level == "minor":
        return f">={current},<{major + 1}"
    return f">={current}"


def _bump_upper(spec, target: Version) -> str:
    """Move an upper bound (`<1.1`, `<=1.1.4`) just past `target`, keeping its precision."""
    bound = Version(spec.version)
    width = max(1, len(bound.release))
    t = _release(target)
    if spec.operator == "<=":
        return f"<={target}"
    if width == 1:
        return f"<{t[0] + 1}"
    if width == 2:
        return f"<{t[0]}.{t[1] + 1}"
    return f"<{t[0]}.{t[1]}.{t[2] + 1}"


def raise_constraint(specifier: str, target: str) -> str:
    """Rewrite `specifier` so it admits `target`, changing only the clauses that exclude it.

    `>=1.0,<1.1` + 1.2.0 -> `>=1.0,<1.3`; `==2.0.0` + 2.0.1 -> `==2.0.1`;
    `~=1.0.0` + 1.1.0 -> `~=1.1.0`; `!=1.2.0` + 1.2.0 -> dropped. Returns it unchanged if it
    already admits `target`.
    """
    from packaging.specifiers import InvalidSpecifier, Specifier, SpecifierSet

    try:
        spec_set = SpecifierSet(specifier)
    except InvalidSpecifier:
        return specifier
    new = Version(target)
    if spec_set.contains(new, prereleases=True):
        return specifier
    clauses = []
    for spec in spec_set:
        if spec.contains(new, prereleases=True):
            clauses.append(str(spec))
            continue
        op = spec.operator
        if op in ("==", "==="):
            clauses.append(f"{op}{target}")
        elif op in ("<", "<="):
            clauses.append(_bump_upper(spec, new))
        elif op == "~=":
            width = len(Version(spec.version).release)
            clauses.append("~=" + ".".join(str(p) for p in new.release[:width] or (0,)))
            if not Specifier(clauses[-1]).contains(new, prereleases=True):
                clauses[-1] = f">={target}"
        elif op == "!=":
            continue
        else:  # > or >= that excludes a newer version cannot happen for upgrades
            clauses.append(f">={target}")
    # Keep the original clause order as written: lower bounds first reads naturally.
    order = {"===": 0, "==": 0, "~=": 0, ">=": 1, ">": 1, "!=": 2, "<=": 3, "<": 3}
    clauses.sort(key=lambda c: order.get(Specifier(c).operator, 9))
    return ",".join(clauses)


def holding_clauses(specifier: str, target: str) -> str:
    """The clauses of `specifier` that exclude `target` (`<1.1.0`, `==5.0.0`), or ""."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        spec_set = SpecifierSet(specifier)
        new = Version(target)
    except (InvalidSpecifier, InvalidVersion):
        return ""
    return ",".join(str(s) for s in spec_set if not s.contains(new, prereleases=True))


def held_by(specifier: str, target: str) -> str:
    """Why a deliberate constraint holds a package below `target`, in the person's words:
    "held by your cap `<0.5.0`: 0.5.0 is available"; "" when nothing in it excludes `target`."""
    clauses = holding_clauses(specifier, target)
    if not clauses:
        return ""
    kind = "pin" if clauses.startswith(("==", "===")) else "cap"
    return f"held by your {kind} `{clauses}`: {target} is available"


def lowest_at_least(candidates: list[str], floor: str) -> str | None:
    """The lowest of `candidates` strictly greater than `floor` (for fix versions)."""
    try:
        base = Version(floor)
    except InvalidVersion:
        return None
    ok = sorted(Version(c) for c in candidates if _valid(c) and Version(c) > base)
    return str(ok[0]) if ok else None


def _valid(text: str) -> bool:
    try:
        Version(text)
    except InvalidVersion:
        return False
    return True
