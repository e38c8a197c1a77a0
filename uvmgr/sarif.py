"""SARIF 2.1.0 for audit findings and policy violations, so CI can show them as code-scanning
alerts."""

from __future__ import annotations

from typing import Any

from uvmgr import __version__


def audit_sarif(findings: list[Any], lock_file: str = "uv.lock") -> dict:
    rules: dict[str, dict] = {}
    results = []
    for f in findings:
        rules.setdefault(f.id, {
            "id": f.id,
            "name": f.id.replace("-", ""),
            "shortDescription": {"text": f.summary or f.id},
            "helpUri": f.link or f"https://osv.dev/vulnerability/{f.id}",
            "properties": {"aliases": f.aliases, "tags": ["security", "vulnerability"]},
        })
        fix = f", fixed in {', '.join(f.fix_versions)}" if f.fix_versions else ", no fix yet"
        results.append({
            "ruleId": f.id,
            "level": "error",
            "message": {"text": f"{f.package} {f.version} is affected by {f.id}{fix}: {f.summary}"},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": lock_file}}}],
            "properties": {"package": f.package, "version": f.version,
                           "fix_versions": f.fix_versions},
        })
    return _log(list(rules.values()), results)


def policy_sarif(report: Any, lock_file: str = "uv.lock") -> dict:
    """A policy check's failures (`error`) and unknowns (`warning`, or `error` when the policy
    says on-unknown = "fail"); passes are not alerts."""
    from uvmgr.policy_check import RULE_TEXT

    used = sorted({r.rule for r in report.results if r.status != "pass"})
    rules = [{"id": f"policy/{rule}", "name": rule.replace("-", " ").title().replace(" ", ""),
              "shortDescription": {"text": RULE_TEXT.get(rule, rule)},
              "properties": {"tags": ["policy"]}} for rule in used]
    unknown = "error" if report.on_unknown == "fail" else "warning"
    results = []
    for r in report.results:
        if r.status == "pass":
            continue
        where = "pyproject.toml" if r.rule == "required-gates" else lock_file
        results.append({
            "ruleId": f"policy/{r.rule}",
            "level": "error" if r.status == "fail" else unknown,
            "message": {"text": f"{r.message} (policy: {r.source or 'default'})"},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": where}}}],
            "properties": {"package": r.package, "version": r.version, "status": r.status},
        })
    return _log(rules, results)


def _log(rules: list[dict], results: list[dict]) -> dict:
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "uvmgr", "version": __version__,
                                "informationUri": "https://github.com/uvmgr/uvmgr",
                                "rules": rules}},
            "results": results,
        }],
    }
