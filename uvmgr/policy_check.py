"""`uvmgr policy check`: the effective policy's rules evaluated on the lock, offline.

Each rule gives one result per package it looks at: `pass`, `fail`, or `unknown` when the
answer cannot be known here (no license metadata, no upload date, no severity in the
advisory, no advisory database). Unknown is never shown as a pass; the policy's `on-unknown`
says whether it fails the check.
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from uvmgr.errors import EXIT_FAILED, EXIT_NOT_AUDITED, EXIT_OK
from uvmgr.policy_layers import EffectivePolicy, dashed

if TYPE_CHECKING:
    from uvmgr.config import Settings
    from uvmgr.policy_rules import Rules
    from uvmgr.tools.project import LockedPackage, Project

    Locked = dict[str, LockedPackage]

RULE_TEXT = {
    "banned": "banned packages are not in the lock",
    "licenses": "every locked package's license is allowed",
    "max-severity": "no advisory above the allowed severity",
    "days-to-fix": "no advisory open longer than the days to fix",
    "max-release-age-days": "direct dependencies are not locked at too old a release",
    "required-gates": "AutoPilot runs the required gates",
}


@dataclass(frozen=True)
class RuleResult:
    rule: str  # a key of RULE_TEXT
    status: str  # pass | fail | unknown
    message: str
    package: str = ""
    version: str = ""
    source: str = ""  # the policy layer that set the rule


@dataclass
class CheckReport:
    project: str
    results: list[RuleResult]
    rules: dict[str, str]  # rule -> the value it was checked against, or "not set"
    advisories: str  # the database the advisory rules read, or why there was none
    on_unknown: str
    layers: list[str]
    duration: float = 0.0
    exit_code: int = EXIT_OK
    summary: dict[str, dict[str, int]] = field(default_factory=dict)
    """Per rule checked, and `all`: how many results passed, failed, were unknown."""

    def counts(self, rule: str) -> dict[str, int]:
        out = {"pass": 0, "fail": 0, "unknown": 0}
        for r in self.results:
            if r.rule == rule:
                out[r.status] += 1
        return out

    @property
    def failed(self) -> list[RuleResult]:
        return [r for r in self.results if r.status == "fail" or (
            r.status == "unknown" and self.on_unknown == "fail")]


def check_policy(project: Project, policy: EffectivePolicy, settings: Settings,
                 db: str | None = None, now: datetime.datetime | None = None) -> CheckReport:
    """Evaluate every rule the policy sets on `project`'s lock (and installed metadata)."""
    import time

    start = time.perf_counter()
    now = now or datetime.datetime.now(datetime.UTC)
    rules, s = policy.rules, policy.settings
    locked = project.locked_packages()
    own = {n for n, p in locked.items() if p.source in ("editable", "virtual")}
    shown: dict[str, str] = {}
    results: list[RuleResult] = []
    if rules.banned:
        shown["banned"] = ", ".join(b.name for b in rules.banned)
        results += _banned(rules, locked)
    if rules.licenses is not None:
        shown["licenses"] = " ".join(rules.licenses) or "(none allowed)"
        results += _licenses(project, rules.licenses, locked, own, s["licenses"].source)
    advisories, audited = "not needed (no advisory rule is set)", True
    if rules.advisory_rules:
        for key in ("max_severity", "days_to_fix"):
            value = getattr(rules, key)
            if value is not None:
                shown[dashed(key)] = str(value)
        found, advisories, audited = _advisory_results(project, policy, settings, db, locked,
                                                       now)
        results += found
    if rules.max_release_age_days is not None:
        shown["max-release-age-days"] = str(rules.max_release_age_days)
        results += _release_ages(project, rules.max_release_age_days, locked, now,
                                 s["max_release_age_days"].source)
    if rules.required_gates:
        shown["required-gates"] = ", ".join(rules.required_gates)
        results += _gates(policy)
    report = CheckReport(project.name, results, shown, advisories, rules.on_unknown,
                         list(policy.layers))
    if report.failed:
        report.exit_code = EXIT_FAILED
    elif not audited:
        report.exit_code = EXIT_NOT_AUDITED
    report.summary = {rule: report.counts(rule) for rule in shown}
    report.summary["all"] = {k: sum(c[k] for c in report.summary.values())
                             for k in ("pass", "fail", "unknown")}
    report.duration = time.perf_counter() - start
    return report


def _banned(rules: Rules, locked: Locked) -> list[RuleResult]:
    out = []
    for ban in rules.banned:
        package = locked.get(ban.name)
        if package is not None:
            reason = f": {ban.reason}" if ban.reason else ""
            out.append(RuleResult("banned", "fail", f"{ban.name} {package.version} is banned"
                                  f"{reason}", ban.name, package.version, ban.source))
    if not out:
        out.append(RuleResult("banned", "pass", f"none of {len(rules.banned)} banned packages "
                              "is in the lock"))
    return out


def project_venv(project: Project) -> Path:
    configured = os.environ.get("UV_PROJECT_ENVIRONMENT")
    if configured:
        path = Path(configured)
        return path if path.is_absolute() else project.root / path
    return project.root / ".venv"


def _licenses(project: Project, ids: tuple[str, ...], locked: Locked, own: set[str],
              source: str) -> list[RuleResult]:
    from uvmgr.licenses import allowed, installed_licenses

    venv = project_venv(project)
    installed = installed_licenses(venv)
    out = []
    for name, package in sorted(locked.items()):
        if name in own:
            continue
        version, lic = installed.get(name, (None, None))
        if lic is None or version not in package.versions:
            if lic is None:
                why = f"not installed in {venv.name}: run `uv sync`, or it is for another platform"
            else:
                why = f"{version} is installed in {venv.name}: run `uv sync`"
            out.append(RuleResult("licenses", "unknown", f"{name} {package.version}: license "
                                  f"unknown ({why})", name, package.version, source))
        elif lic.expression is None:
            out.append(RuleResult("licenses", "unknown", f"{name} {version}: license unknown "
                                  f"({lic.origin})", name, version, source))
        elif allowed(lic.expression, ids):
            out.append(RuleResult("licenses", "pass", f"{name} {version}: {lic.expression} "
                                  f"(from {lic.origin})", name, version, source))
        else:
            out.append(RuleResult("licenses", "fail", f"{name} {version}: {lic.expression} "
                                  f"(from {lic.origin}) is not allowed", name, version, source))
    return out


def _advisory_results(project: Project, policy: EffectivePolicy, settings: Settings,
                      db: str | None, locked: Locked, now: datetime.datetime,
                      ) -> tuple[list[RuleResult], str, bool]:
    """(results, the database used or why there is none, whether there was one)."""
    from uvmgr.advisory_rules import advisory_results, open_database

    database, described = open_database(project, settings, db, set(locked))
    if database is None:
        rules = [k for k in ("max_severity", "days_to_fix") if getattr(policy.rules, k) is not None]
        return [RuleResult(dashed(k), "unknown", f"not checked: {described}", source=
                           policy.settings[k].source) for k in rules], f"none: {described}", False
    return advisory_results(policy, database, locked, now), described, True


def _release_ages(project: Project, max_days: int, locked: Locked, now: datetime.datetime,
                  source: str) -> list[RuleResult]:
    uploads = project.locked_upload_times()
    out, seen = [], set()
    for dep in project.direct_dependencies(locked):
        package = locked.get(dep.name)
        if dep.name in seen or package is None or package.source in ("editable", "virtual"):
            continue
        seen.add(dep.name)
        when = uploads.get(dep.name)
        rule = "max-release-age-days"
        if when is None:
            why = ("its index gives no upload time" if package.source == "registry"
                   else f"it comes from a {package.source} source, not an index")
            out.append(RuleResult(rule, "unknown", f"{dep.name} {package.version}: release age "
                                  f"unknown ({why})", dep.name, package.version, source))
            continue
        uploaded = datetime.datetime.fromisoformat(when)
        days = (now - uploaded).days
        status = "fail" if days > max_days else "pass"
        out.append(RuleResult(rule, status, f"{dep.name} {package.version} was released "
                              f"{days} days ago ({uploaded.date()}); the limit is {max_days}",
                              dep.name, package.version, source))
    return out


def _gates(policy: EffectivePolicy) -> list[RuleResult]:
    gates = policy.autopilot.gates
    where = policy.settings["gates"].source
    out = []
    for gate in policy.rules.required_gates:
        if gate in gates:
            out.append(RuleResult("required-gates", "pass", f"AutoPilot runs the {gate} gate",
                                  source=policy.settings["required_gates"].source))
        else:
            out.append(RuleResult("required-gates", "fail", f"the {gate} gate is required but "
                                  f"AutoPilot's gates ({', '.join(gates) or 'none'}, from "
                                  f"{where}) leave it out",
                                  source=policy.settings["required_gates"].source))
    return out
