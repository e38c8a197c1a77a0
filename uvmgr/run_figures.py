"""The figures of one AutoPilot run, read from its JSON report (`uvmgr autopilot --json`).

One reader for both places that count: the OpenTelemetry metrics every run sends and the fleet
dashboard that aggregates many runs' reports. A report file may come from anywhere (a CI
artefact, a planted file), so every field is type-checked here and a document that is not an
AutoPilot report is refused with the reason (`NotAReport`), never half-read.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass

SEVERITIES = ("critical", "high", "medium", "low", "unknown")
_SEVERITY_WORDS = {"critical": "critical", "high": "high", "medium": "medium",
                   "moderate": "medium", "low": "low"}


class NotAReport(ValueError):
    """The document is not an AutoPilot JSON report; the message says which field is wrong."""


@dataclass(frozen=True)
class OpenVulnerability:
    package: str
    version: str
    id: str
    severity: str  # one of SEVERITIES
    published: datetime.datetime | None  # when the advisory was published, if it says


@dataclass(frozen=True)
class GateResult:
    name: str
    ok: bool


@dataclass(frozen=True)
class RunFigures:
    """What one run found and did, as counts."""
    project: str
    started_at: datetime.datetime
    exit_code: int
    duration: float  # seconds
    policy_levels: tuple[str, ...]
    policy_digest: str  # a short hash of the whole policy: which runs shared one
    audited: bool  # False: the audit could not run, so the open count is unknown
    open_vulnerabilities: tuple[OpenVulnerability, ...]
    upgrades_applied: int  # direct dependencies moved and kept
    security_fixes: int
    held_back: int
    deferred: int
    majors_available: int
    gates: tuple[GateResult, ...]
    restored: bool
    needs_person: int

    @property
    def gate_failures(self) -> int:
        return sum(1 for g in self.gates if not g.ok)

    def open_by_severity(self) -> dict[str, int]:
        counts = dict.fromkeys(SEVERITIES, 0)
        for v in self.open_vulnerabilities:
            counts[v.severity] += 1
        return counts


def finding_severity(finding: dict) -> str:
    """A finding's severity as one of SEVERITIES: its `severity` word when it has one that is
    known (GitHub's `moderate` is `medium`), else `unknown`."""
    word = finding.get("severity")
    if isinstance(word, dict):  # {"level": "high", ...} from a richer audit
        word = word.get("level")
    return _SEVERITY_WORDS.get(word.strip().lower(), "unknown") if isinstance(word, str) \
        else "unknown"


def parse_time(text: object) -> datetime.datetime | None:
    """An ISO 8601 time as an aware datetime (UTC when it names no zone); None if it is not one."""
    if not isinstance(text, str) or not text:
        return None
    try:
        moment = datetime.datetime.fromisoformat(text)  # 3.11+ reads a trailing Z
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


def figures(report: object) -> RunFigures:
    """The figures of one AutoPilot JSON report; NotAReport when it is not one."""
    if not isinstance(report, dict):
        raise NotAReport("not a JSON object")
    project = _field(report, "project", str)
    started = parse_time(_field(report, "started_at", str))
    if started is None:
        raise NotAReport("started_at is not a date and time")
    exit_code = _field(report, "exit_code", int)
    duration = _field(report, "duration", (int, float))
    policy = _field(report, "policy", dict)
    levels = tuple(v for v in _field(policy, "levels", list) if isinstance(v, str))
    gates = tuple(GateResult(_field(g, "name", str), _field(g, "ok", bool))
                  for g in _dicts(report, "gates"))
    changes = _dicts(report, "changes")
    restored = _field(report, "restored", bool)
    after = report.get("audit_after")
    before = report.get("audit_before")
    audit = after if isinstance(after, dict) else before
    audited = isinstance(audit, dict)
    open_now = tuple(_vulnerability(f) for f in _dicts(audit, "findings")) if audited else ()
    return RunFigures(
        project=project, started_at=started, exit_code=exit_code, duration=float(duration),
        policy_levels=levels, policy_digest=_digest(policy), audited=audited,
        open_vulnerabilities=open_now,
        upgrades_applied=0 if restored else sum(1 for c in changes if c.get("direct") is True),
        security_fixes=len(_dicts(report, "security_fixes")),
        held_back=len(_dicts(report, "held_back")),
        deferred=len(_dicts(report, "deferred")),
        majors_available=len(_dicts(report, "majors_available")),
        gates=gates, restored=restored, needs_person=len(_field(report, "needs_person", list)))


def _vulnerability(finding: dict) -> OpenVulnerability:
    return OpenVulnerability(_field(finding, "package", str), _field(finding, "version", str),
                             _field(finding, "id", str), finding_severity(finding),
                             parse_time(finding.get("published")))


def _field(data: dict, key: str, kind: type | tuple[type, ...]) -> object:
    value = data.get(key)
    # a bool is an int to Python, never to a report
    if not isinstance(value, kind) or (isinstance(value, bool) and kind in (int, (int, float))):
        raise NotAReport(f"{key} is missing or not a {_kind_name(kind)}")
    return value


def _dicts(data: dict, key: str) -> list[dict]:
    items = _field(data, key, list)
    if not all(isinstance(item, dict) for item in items):
        raise NotAReport(f"{key} holds something that is not an object")
    return items


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {str: "text", int: "whole number", bool: "true/false", dict: "table", list: "list"}
    return "number" if isinstance(kind, tuple) else names.get(kind, kind.__name__)


def _digest(policy: dict) -> str:
    import json

    text = json.dumps(policy, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
