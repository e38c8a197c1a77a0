"""The AutoPilot policy (`[tool.uvmgr.autopilot]`) and the confirmer that applies it.

The policy confirmer sees the dry run's typed result of every mutating call and approves
it only when every change fits a rule, naming the rule; anything else is refused and
becomes "needs a person". It never prompts.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from uvmgr.agent.events import ApprovalAsked
from uvmgr.errors import UsageError

LEVEL_ORDER = ("patch", "minor", "major")
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
    """Most direct dependencies upgraded in one run (security fixes are not capped)."""
    gates: tuple[str, ...] = ("tests",)
    """Checks that must pass after the changes: tests, build, check."""
    allow_new_dependencies: bool = False
    """Whether a run may ever add a dependency."""
    test_args: tuple[str, ...] = ()
    """Extra pytest arguments for the test gate and the upgrade trials."""

    @classmethod
    def from_table(cls, table: dict[str, Any], source: str) -> Policy:
        known = {f.name for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, value in table.items():
            name = key.replace("-", "_")
            if name not in known:
                raise UsageError(f"unknown AutoPilot policy key {key!r} in {source}",
                                 hint=f"known keys: {', '.join(sorted(k.replace('_', '-') for k in known))}")
            values[name] = value
        try:
            for name in ("levels", "ignore", "pin", "gates", "test_args"):
                if name in values:
                    values[name] = tuple(values[name]) if not isinstance(values[name], str) \
                        else (values[name],)
            for name, kind in (("cooldown_days", float), ("max_packages", int),
                               ("security", bool), ("allow_new_dependencies", bool)):
                if name in values:
                    values[name] = kind(values[name])
        except (TypeError, ValueError) as exc:
            raise UsageError(f"invalid AutoPilot policy in {source}: {exc}") from exc
        policy = cls(**values)
        bad = [lvl for lvl in policy.levels if lvl not in LEVEL_ORDER]
        bad += [g for g in policy.gates if g not in GATES]
        if bad or policy.max_packages < 0:
            raise UsageError(f"invalid AutoPilot policy in {source}: {bad or 'max-packages < 0'}",
                             hint="levels are patch/minor/major; gates are tests/build/check")
        from uvmgr.tools.project import normalize_name

        return cls(**{**values, "ignore": tuple(normalize_name(n) for n in policy.ignore),
                      "pin": tuple(normalize_name(n) for n in policy.pin)})

    @classmethod
    def load(cls, pyproject: dict, policy_file: Path | None = None) -> Policy:
        if policy_file is not None:
            try:
                data = tomllib.loads(policy_file.read_text(encoding="utf-8"))
            except (OSError, tomllib.TOMLDecodeError) as exc:
                raise UsageError(f"cannot read the policy file {policy_file}: {exc}") from exc
            table = data.get("tool", {}).get("uvmgr", {}).get("autopilot", data)
            return cls.from_table(table, str(policy_file))
        table = pyproject.get("tool", {}).get("uvmgr", {}).get("autopilot", {})
        return cls.from_table(table, "[tool.uvmgr.autopilot]")

    @property
    def max_level(self) -> str:
        return max(self.levels, key=LEVEL_ORDER.index) if self.levels else "patch"

    @property
    def held(self) -> set[str]:
        return set(self.ignore) | set(self.pin)

    def describe(self) -> str:
        return (f"levels={list(self.levels)} security={self.security} "
                f"cooldown-days={self.cooldown_days:g} ignore={list(self.ignore)} "
                f"pin={list(self.pin)} max-packages={self.max_packages} gates={list(self.gates)} "
                f"allow-new-dependencies={self.allow_new_dependencies}")


class PolicyConfirmer:
    """Approves a mutating call when every change it would make fits the policy."""

    def __init__(self, policy: Policy):
        self.policy = policy

    def __call__(self, ask: ApprovalAsked) -> tuple[bool, str]:
        from uvmgr.tools.versions import delta

        p = self.policy
        result = ask.result
        if ask.tool == "add_dependency":
            if p.allow_new_dependencies:
                return True, "allow-new-dependencies = true"
            return False, "policy: new dependencies are never added (allow-new-dependencies = false)"
        if ask.tool == "remove_dependency":
            return False, "policy: AutoPilot never removes dependencies"
        security = ask.tool == "fix_vulnerabilities"
        if security:
            if not p.security:
                return False, "policy: security fixes are off (security = false)"
            result = getattr(result, "change", None)
        changes = [c for c in getattr(result, "changes", []) if c.direct and c.before and c.after]
        for c in changes:
            if c.name in p.held:
                kind = "pinned" if c.name in p.pin else "ignored"
                return False, f"policy: {c.name} is {kind}"
            step = delta(c.before, c.after)
            if security and step == "major":
                return False, (f"policy: the fix for {c.name} needs a major jump "
                               f"({c.before} -> {c.after})")
            if not security and step not in p.levels:
                return False, (f"policy: {c.name} {c.before} -> {c.after} is a {step} update; "
                               f"allowed levels are {', '.join(p.levels)}")
        if not security and len(changes) > p.max_packages:
            return False, f"policy: {len(changes)} packages exceed max-packages = {p.max_packages}"
        if security:
            return True, "security = true: lowest fixed versions, within the major"
        return True, f"levels = {list(p.levels)}, {len(changes)} <= max-packages = {p.max_packages}"
