"""SARIF 2.1.0 for audit findings, so CI can show them as code-scanning alerts."""

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
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "uvmgr", "version": __version__,
                                "informationUri": "https://github.com/uvmgr/uvmgr",
                                "rules": list(rules.values())}},
            "results": results,
        }],
    }
