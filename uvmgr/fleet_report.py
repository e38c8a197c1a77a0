"""`uvmgr fleet report`: many AutoPilot JSON reports (CI artefacts of many repositories, many
runs each) read into one summary: per repository the latest state, the open vulnerabilities
with their age against the days-to-fix (the SLA), and the trend over the runs.

Which repository a report belongs to is the first folder under DIR that holds it (as `uvmgr
fleet run --out DIR` and `gh run download --dir DIR/<repo>` lay them out); a report directly in
DIR goes by its project's name. Every file is untrusted: a link is not followed, a file over
MAX_BYTES is not read, and anything that is not an AutoPilot report is skipped with a warning
that names it.
"""

from __future__ import annotations

import datetime
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from uvmgr.run_figures import SEVERITIES, NotAReport, RunFigures, figures

MAX_BYTES = 20_000_000
DEFAULT_DAYS_TO_FIX = 30.0
FLEET_RUN_FILE = "fleet-run.json"  # `fleet run`'s list of outcomes, beside the reports


@dataclass(frozen=True)
class Run:
    repository: str
    source: str  # the file, relative to DIR
    figures: RunFigures
    days_to_fix: float | None  # the policy's, when the report's policy states one


@dataclass(frozen=True)
class JobFailure:
    """A `fleet run` job that left no report (a missing folder, not a uv project, a crash, a
    timeout), from the newest `fleet-run.json` under DIR."""
    repository: str
    status: str
    message: str
    finished_at: str


def collect(folder: Path) -> tuple[list[Run], list[str]]:
    """Every AutoPilot report under `folder` (oldest first per repository), and a warning for
    each file skipped."""
    runs: dict[tuple[str, str, str], Run] = {}
    warnings: list[str] = []
    for path in sorted(_json_files(folder)):
        rel = path.relative_to(folder).as_posix()
        if path.name == FLEET_RUN_FILE:
            continue  # read by `job_failures`
        try:
            document = _read(path)
            run = figures(document)
        except NotAReport as exc:
            warnings.append(f"skipped {rel}: not an AutoPilot report ({exc})")
            continue
        repository = rel.split("/")[0] if "/" in rel else run.project
        key = (repository, run.project, run.started_at.isoformat())  # the same run, twice
        runs.setdefault(key, Run(repository, rel, run, _days_to_fix(document)))
    ordered = sorted(runs.values(), key=lambda r: (r.repository, r.figures.started_at))
    return ordered, warnings


def job_failures(folder: Path) -> tuple[list[JobFailure], list[str]]:
    """The failed jobs without a report in the newest `fleet-run.json` under `folder` (every
    field type-checked: the file may have come from anywhere), and warnings."""
    newest: tuple[str, list] | None = None
    warnings = []
    for path in _json_files(folder):
        if path.name != FLEET_RUN_FILE:
            continue
        try:
            doc = _read(path)
        except NotAReport as exc:
            warnings.append(f"skipped {path.relative_to(folder).as_posix()}: {exc}")
            continue
        if not isinstance(doc, dict) or not isinstance(doc.get("finished_at"), str) \
                or not isinstance(doc.get("repositories"), list):
            warnings.append(f"skipped {path.relative_to(folder).as_posix()}: not a fleet run's "
                            "list of outcomes")
            continue
        if newest is None or doc["finished_at"] > newest[0]:
            newest = (doc["finished_at"], doc["repositories"])
    if newest is None:
        return [], warnings
    failures = [JobFailure(row["repository"], row["status"], row["message"], newest[0])
                for row in newest[1] if isinstance(row, dict)
                and all(isinstance(row.get(k), str) for k in ("repository", "status", "message"))
                and row.get("report") is None and row["status"] not in ("ok", "needs-person")]
    return failures, warnings


def _json_files(folder: Path):
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs.sort()
        for name in files:
            path = Path(root) / name
            if name.endswith(".json") and not path.is_symlink():
                yield path


def _read(path: Path) -> object:
    try:
        if path.stat().st_size > MAX_BYTES:
            raise NotAReport(f"over {MAX_BYTES // 1_000_000} MB")
        return json.loads(path.read_bytes())
    except (OSError, UnicodeDecodeError) as exc:
        raise NotAReport(f"cannot be read: {exc}") from exc
    except ValueError as exc:
        raise NotAReport(f"not JSON: {exc}") from exc
    except RecursionError as exc:
        raise NotAReport("nested too deeply") from exc


def _days_to_fix(document: object) -> float | None:
    policy = document.get("policy") if isinstance(document, dict) else None
    if not isinstance(policy, dict):
        return None
    value = policy.get("days_to_fix", policy.get("days-to-fix"))
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1e6:
        return None
    return float(value)


def summarize(runs: list[Run], *, days_to_fix: float | None = None, skipped: int = 0,
              now: datetime.datetime | None = None,
              failures: list[JobFailure] = ()) -> dict:
    """The dashboard's data (also written as the JSON summary). `days_to_fix`: the person's
    SLA, over what the reports' policies say."""
    now = now or datetime.datetime.now(datetime.UTC)
    by_repo: dict[str, list[Run]] = {}
    for run in runs:
        by_repo.setdefault(run.repository, []).append(run)
    repositories = [_repository(name, history, days_to_fix, now)
                    for name, history in sorted(by_repo.items())]
    open_total = dict.fromkeys(SEVERITIES, 0)
    for repo in repositories:
        for severity, count in repo["open_by_severity"].items():
            open_total[severity] += count
    return {
        "generated_at": now.isoformat(timespec="seconds"),
        "runs": len(runs),
        "skipped_files": skipped,
        "totals": {
            "repositories": len(repositories),
            "open_by_severity": open_total,
            "overdue": sum(r["overdue"] for r in repositories),
            "failing_now": sum(1 for r in repositories if r["latest"]["gate_failures"]),
        },
        "repositories": repositories,
        "jobs_without_report": [asdict(f) for f in failures],
    }


def _repository(name: str, history: list[Run], person_days: float | None,
                now: datetime.datetime) -> dict:
    latest = history[-1]
    if person_days is not None:
        days, source = person_days, "--days-to-fix"
    elif latest.days_to_fix is not None:
        days, source = latest.days_to_fix, "the policy in its latest report"
    else:
        days, source = DEFAULT_DAYS_TO_FIX, "the default"
    first_seen: dict[tuple[str, str], datetime.datetime] = {}
    for run in history:
        for v in run.figures.open_vulnerabilities:
            first_seen.setdefault((v.package, v.id), run.figures.started_at)
    vulnerabilities = []
    for v in latest.figures.open_vulnerabilities:
        opened = v.published or first_seen[(v.package, v.id)]
        age = max(0.0, (now - opened).total_seconds() / 86400)
        vulnerabilities.append({
            "package": v.package, "version": v.version, "id": v.id, "severity": v.severity,
            "opened_at": opened.isoformat(timespec="seconds"),
            "clock": "published" if v.published else "first seen",
            "age_days": round(age, 1), "days_left": round(days - age, 1),
            "overdue": age > days})
    vulnerabilities.sort(key=lambda v: (-v["age_days"], v["package"]))
    f = latest.figures
    return {
        "name": name,
        "project": f.project,
        "runs": len(history),
        "days_to_fix": days,
        "sla_source": source,
        "latest": _point(latest) | {"source": latest.source, "audited": f.audited,
                                    "majors_available": f.majors_available,
                                    "needs_person": f.needs_person,
                                    "gates": [{"name": g.name, "ok": g.ok} for g in f.gates]},
        "open_by_severity": f.open_by_severity(),
        "vulnerabilities": vulnerabilities,
        "overdue": sum(1 for v in vulnerabilities if v["overdue"]),
        "totals": {"upgrades_applied": sum(r.figures.upgrades_applied for r in history),
                   "security_fixes": sum(r.figures.security_fixes for r in history),
                   "gate_failures": sum(r.figures.gate_failures for r in history)},
        "trend": [_point(r) for r in history],
    }


def _point(run: Run) -> dict:
    f = run.figures
    return {"started_at": f.started_at.isoformat(timespec="seconds"), "exit_code": f.exit_code,
            "duration": f.duration,
            "open": len(f.open_vulnerabilities) if f.audited else None,
            "upgrades_applied": f.upgrades_applied, "security_fixes": f.security_fixes,
            "held_back": f.held_back, "deferred": f.deferred, "gate_failures": f.gate_failures}
