"""The advisory rules of a policy (`max-severity`, `days-to-fix`), checked offline against the
advisory database the audit uses: `--db`, else `audit-db`, else the cached copy
(`uvmgr advisories update`). Matching is the audit's own (`tools/osv.py`), withdrawn records
left out."""

from __future__ import annotations

import datetime
from pathlib import Path

from uvmgr.policy_rules import normalise_severity, severity_rank


def open_database(project, settings, db: str | None, names: set[str]):
    """(the loaded database, what it is), or (None, why there is none)."""
    from uvmgr.tools.advisory_db import cached_db
    from uvmgr.tools.osv import load_advisories

    if db:
        path = Path(db).expanduser().resolve()
    elif settings.audit_db:
        path = (project.root / Path(settings.audit_db).expanduser()).resolve()
    else:
        cached = cached_db()
        if cached is None:
            return None, ("no advisory database: run `uvmgr advisories update` once while "
                          "online, or pass --db PATH")
        return load_advisories(Path(cached.path), names), (
            f"the offline advisory database, {cached.describe()}")
    return load_advisories(path, names), str(path)


def severity_of(record: dict) -> str | None:
    """The advisory's severity: the highest its CVSS vectors give, else the database's own
    rating (GitHub's `database_specific.severity`); None when it gives neither."""
    from cvss import CVSS3, CVSS4
    from cvss.exceptions import CVSSError

    found = []
    for entry in record.get("severity") or []:
        kind, score = str(entry.get("type", "")), str(entry.get("score", ""))
        try:
            if kind.startswith("CVSS_V3"):
                found.append(CVSS3(score).severities()[0])
            elif kind == "CVSS_V4":
                found.append(CVSS4(score).severity)
        except (CVSSError, ValueError, KeyError):
            continue
    named = [normalise_severity(str(s)) for s in found]
    own = (record.get("database_specific") or {}).get("severity")
    if isinstance(own, str):
        named.append(normalise_severity(own))
    ranked = [n for n in named if n is not None]
    return max(ranked, key=severity_rank) if ranked else None


def _published(record: dict) -> datetime.datetime | None:
    text = str(record.get("published") or "")
    try:
        when = datetime.datetime.fromisoformat(text)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=datetime.UTC)


def advisory_results(policy, database, locked, now: datetime.datetime) -> list:
    from uvmgr.policy_check import RuleResult
    from uvmgr.tools.osv import fixed_versions

    rules, settings = policy.rules, policy.settings
    out = []
    for name, package in sorted(locked.items()):
        seen = set()
        for version in package.versions:
            for record in database.matching(name, version):
                if record["id"] in seen:
                    continue
                seen.add(record["id"])
                fixes = fixed_versions(record, name)
                what = f"{name} {version}: {record['id']}"
                fix = f"fixed in {', '.join(fixes)}" if fixes else "no fix released yet"
                if rules.max_severity is not None:
                    level = severity_of(record)
                    source = settings["max_severity"].source
                    if level is None:
                        out.append(RuleResult("max-severity", "unknown", f"{what} gives no "
                                              f"severity ({fix})", name, version, source))
                    else:
                        bad = severity_rank(level) > severity_rank(rules.max_severity)
                        out.append(RuleResult("max-severity", "fail" if bad else "pass",
                                              f"{what} is {level} (allowed up to "
                                              f"{rules.max_severity}; {fix})", name, version,
                                              source))
                if rules.days_to_fix is not None:
                    published = _published(record)
                    source = settings["days_to_fix"].source
                    if published is None:
                        out.append(RuleResult("days-to-fix", "unknown", f"{what} gives no "
                                              f"publication date ({fix})", name, version,
                                              source))
                        continue
                    days = (now - published).days
                    late = days > rules.days_to_fix
                    out.append(RuleResult("days-to-fix", "fail" if late else "pass",
                                          f"{what} published {published.date()}, open {days} "
                                          f"days (days-to-fix {rules.days_to_fix}; {fix})",
                                          name, version, source))
    if not out:
        out.append(RuleResult("max-severity" if rules.max_severity is not None
                              else "days-to-fix", "pass",
                              "no advisory affects a locked package"))
    return out
