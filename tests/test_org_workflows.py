"""`uvmgr autopilot init-ci --org`: the reusable workflow, the caller template and the
fleet-report workflow fit together, and the artefacts they move are what `fleet report` reads."""

from __future__ import annotations

import json

import yaml

from uvmgr.fleet_report import collect
from uvmgr.org_workflows import ARTIFACT, CALLER_PATH, FLEET_REPORT_PATH, REUSABLE_PATH


def _steps(workflow: dict, job: str) -> list[dict]:
    return workflow["jobs"][job]["steps"]


def test_org_workflows_fit_together(cli, tmp_path):
    org = tmp_path / "org-dot-github"  # the org's workflows repository: not a uv project
    org.mkdir()
    r = cli("autopilot", "init-ci", "--org", "--dry-run", "--project", org)
    assert r.code == 0 and "workflow_call:" in r.out and list(org.iterdir()) == []
    r = cli("autopilot", "init-ci", "--org", "--project", org)
    assert r.code == 0, r.err
    reusable = yaml.safe_load((org / REUSABLE_PATH).read_text())
    call = reusable[True]["workflow_call"]  # YAML reads the `on:` key as True
    assert call["inputs"]["uvmgr-source"]["required"] is True
    [run] = [s for s in _steps(reusable, "autopilot") if "uvmgr autopilot" in s.get("run", "")]
    assert 'uvx --from "$UVMGR_SOURCE" uvmgr autopilot --json' in run["run"]
    assert "> autopilot.json" in run["run"] and "--from uvmgr " not in run["run"]
    assert run["env"]["UVMGR_REPOSITORY"] == "${{ github.repository }}"  # the metrics' label
    [upload] = [s for s in _steps(reusable, "autopilot")
                if s.get("uses", "").startswith("actions/upload-artifact")]
    assert upload["with"]["name"] == ARTIFACT and "autopilot.json" in upload["with"]["path"]

    caller = yaml.safe_load((org / CALLER_PATH).read_text())
    assert caller["jobs"]["autopilot"]["uses"].startswith(f"ORG/REPO/{REUSABLE_PATH}@")
    assert caller["jobs"]["autopilot"]["with"]["uvmgr-source"] == "${{ vars.UVMGR_SOURCE }}"
    assert caller[True]["schedule"][0]["cron"]
    assert json.loads((org / CALLER_PATH.with_suffix(".properties.json")).read_text())["name"]

    report = yaml.safe_load((org / FLEET_REPORT_PATH).read_text())
    download, build = _steps(report, "report")[1:3]
    assert f"-n {ARTIFACT}" in download["run"] and "uvmgr-autopilot.yml" in download["run"]
    assert "uvmgr fleet report reports" in build["run"]

    # an edited file is kept unless --force
    (org / CALLER_PATH).write_text("# ours\n")
    r = cli("autopilot", "init-ci", "--org", "--project", org)
    assert r.code == 2 and "--force" in r.err and (org / CALLER_PATH).read_text() == "# ours\n"
    r = cli("autopilot", "init-ci", "--org", "--force", "--project", org)
    assert r.code == 0 and (org / CALLER_PATH).read_text() != "# ours\n"


def test_downloaded_artefacts_are_grouped_by_repository(tmp_path):
    """`gh run download -D reports/<owner__name>/<run>` as the fleet-report workflow does."""
    doc = {"project": "api", "started_at": "2026-11-20T03:17:00+00:00", "exit_code": 0,
           "duration": 1.0, "policy": {"levels": ["patch"]}, "audit_before": {"findings": []},
           "changes": [], "security_fixes": [], "held_back": [], "deferred": [],
           "majors_available": [], "gates": [], "restored": False, "needs_person": []}
    for run, day in (("101", 13), ("102", 20)):
        path = tmp_path / "reports" / "acme__api" / run / "autopilot.json"
        path.parent.mkdir(parents=True)
        path.write_text(json.dumps({**doc, "started_at": f"2026-11-{day}T03:17:00+00:00"}))
    runs, warnings = collect(tmp_path / "reports")
    assert warnings == [] and [r.repository for r in runs] == ["acme__api", "acme__api"]
    assert [r.figures.started_at.day for r in runs] == [13, 20]
