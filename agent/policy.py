"""The AutoPilot policy (`[tool.uvmgr.autopilot]`) and the confirmer that applies it.

The policy confirmer sees the dry run's typed result of every mutating call and approves
it only when every change fits a rule, naming the rule; anything else is refused and
becomes "needs a person". It never prompts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from typing import Any

from uvmgr.agent.events import ApprovalAsked
from uvmgr.tools.versions import LEVELS

from uvmgr.errors import UsageError

GATES = ("tests", "build", "check")


@dataclass(frozen=True)
class Policy:
    levels: tuple[str, ...] = ("patch", "minor")
    """Update levels AutoPilot may apply on its own."""
    security: bool = True
    """Fix known vulnerabilities, up to the lowest fixed version (across minors, not majors)."""
    cooldown_days: float = 7.0
    """Ignore releases younger than this (Renovate's minimumReleaseAge)."""
    ignore: tuple[str, ...] = ()
    """Packages AutoPilot never changes."""
    pin: tuple[str, ...] = ()
    """Packages held at their current version; a vulnerability in one needs a person."""
    max_packages: int = 10
    """Most direct dependencies changed in one run. Security fixes count toward it but are
    never held back by it: upgrades get what is left."""
    gates: tuple[str, ...] = ("tests",)
    """Checks that must pass after the changes: tests, build, check."""
    allow_new_dependencies: bool = False
    """Whether a run may ever add a dependency."""
    test_args: tuple[str, ...] = ()
    """Extra pytest arguments for the test gate and the upgrade trials."""
    raise_caps: bool = False
    """Whether a run may rewrite a deliberate `==` pin or upper cap (`<0.5.0`) in
    pyproject.toml; otherwise a package it holds is reported with the version available."""

    @classmethod
    def from_table(cls, table: object, source: str) -> Policy:
        if not isinstance(table, dict):
            raise UsageError(f"{source} must be a table of policy keys",
                             hint="e.g. [tool.uvmgr.autopilot] with levels = [\"patch\"]")
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, value in table.items():
            name = key.replace("-", "_")
            if name not in known:
                raise UsageError(f"unknown AutoPilot policy key {key!r} in {source}",
                                 hint="known keys: " + ", ".join(
                                     sorted(k.replace("_", "-") for k in known)))
            values[name] = _checked(name, value, source)
        policy = cls(**values)
        bad = [lvl for lvl in policy.levels if lvl not in LEVELS]
        bad += [g for g in policy.gates if g not in GATES]
        if bad:
            raise UsageError(f"invalid AutoPilot policy in {source}: {bad}",
                             hint="levels are patch/minor/major; gates are tests/build/check")
        from uvmgr.tools.project import normalize_name

        return replace(policy, ignore=tuple(normalize_name(n) for n in policy.ignore),
                       pin=tuple(normalize_name(n) for n in policy.pin))

    @property
    def max_level(self) -> str:
        return max(self.levels, key=LEVELS.index) if self.levels else "patch"

    @property
    def held(self) -> set[str]:
        return set(self.ignore) | set(self.pin)

    def describe(self) -> str:
        """One line, for traces and reports. It is never read as naming a package: the safety
        layer gets the held names (`held`) as data."""
        def words(items) -> str:
            return " ".join(items) if items else "(none)"

        return (f"levels: {words(self.levels)}; security: {self.security}; "
                f"cooldown-days: {self.cooldown_days:g}; ignore: {words(self.ignore)} ; "
                f"pin: {words(self.pin)} ; max-packages: {self.max_packages}; "
                f"gates: {words(self.gates)}; allow-new-dependencies: "
                f"{self.allow_new_dependencies}; raise-caps: {self.raise_caps}")


def _checked(name: str, value: object, source: str) -> object:
    """Strict types: `security = "false"` is an error, not true."""
    def fail(expected: str) -> UsageError:
        return UsageError(f"invalid AutoPilot policy in {source}: {name.replace('_', '-')} must "
                          f"be {expected}, not {value!r}")

    if name in ("levels", "ignore", "pin", "gates", "test_args"):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise fail("a list of strings")
        return tuple(value)
    if name in ("security", "allow_new_dependencies", "raise_caps"):
        if not isinstance(value, bool):
            raise fail("true or false")
        return value
    if name == "max_packages":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise fail("a whole number >= 0")
        return value
    if name == "cooldown_days":
        from uvmgr.config import MAX_COOLDOWN_DAYS

        if isinstance(value, bool) or not isinstance(value, (int, float)) or not \
                math.isfinite(value) or not 0 <= value <= MAX_COOLDOWN_DAYS:
            raise fail(f"a number of days from 0 to {MAX_COOLDOWN_DAYS}")
        return float(value)
    return value


class PolicyConfirmer:
    """Approves a mutating call when every change it would make fits the policy: every
    package it moves (transitive ones too), the packages AutoPilot chose, and the cap."""

    def __init__(self, policy: Policy, candidates: set[str] | None = None):
        self.policy = policy
        self.candidates = candidates

    def __call__(self, ask: ApprovalAsked) -> tuple[bool, str]:
        from uvmgr.tools.registry import TOOLS
        from uvmgr.tools.versions import delta

        p = self.policy
        result = ask.result
        spec = TOOLS.get(ask.tool)
        intent = spec.intent if spec is not None and spec.mutates else None
        if intent == "add":
            if p.allow_new_dependencies:
                return True, "allow-new-dependencies = true"
            return False, "policy: new dependencies are never added (allow-new-dependencies = false)"
        if intent not in ("upgrade", "fix"):
            return False, f"policy: AutoPilot never runs {ask.tool}"
        security = intent == "fix"
        if security:
            if not p.security:
                return False, "policy: security fixes are off (security = false)"
        else:
            asked = set(ask.args.get("packages") or [])
            if self.candidates is not None and (not asked or not asked <= self.candidates):
                return False, "policy: the call names packages AutoPilot did not choose"
        from uvmgr.tools.changes import ChangeSet

        every = list(result.changes) if isinstance(result, ChangeSet) else []
        for c in every:  # transitive ones included
            if c.name in p.held and (c.before is None or c.after is None):
                return False, f"policy: {c.name} is held but would be {'added' if c.after else 'removed'}"
            if c.before is None and not p.allow_new_dependencies:
                return False, (f"policy: {c.name} {c.after} would be new to the lock"
                               f"{'' if c.direct else ' (transitive)'}, and new dependencies are "
                               "never added (allow-new-dependencies = false)")
        changes = [c for c in every if c.before and c.after]
        for c in changes:
            if c.name in p.held:
                kind = "pinned" if c.name in p.pin else "ignored"
                return False, f"policy: {c.name} is {kind} ({c.before} -> {c.after})"
            for before, after in c.steps():  # each version of a forked package
                step = delta(before, after)
                if step == "none":
                    continue
                if security and step == "major":
                    return False, (f"policy: the fix moves {c.name} a major version "
                                   f"({before} -> {after})")
                if not security and step not in p.levels:
                    return False, (f"policy: {c.name} {before} -> {after} is a {step} update; "
                                   f"allowed levels are {', '.join(p.levels)}")
        direct = [c for c in changes if c.direct]
        if not security and len(direct) > p.max_packages:
            return False, f"policy: {len(direct)} packages exceed max-packages = {p.max_packages}"
        if security:
            return True, "security = true: lowest fixed versions, no major jumps"
        return True, (f"levels = {list(p.levels)}, {len(direct)} of max-packages = "
                      f"{p.max_packages}")
