"""`uvmgr fleet run` over real clones (each job a real uvmgr process running real uv over the
local wheel index) and `uvmgr fleet report` over what they and CI artefacts leave."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from uvmgr import fleet_run

NOW = datetime.datetime.now(datetime.UTC)


def _pinned_vulnerable(project_factory, fixture_advisories, name: str, extra: str = ""):
    """A clone whose vulnerable package its policy pins: the run changes nothing and needs a
    person (quick: an audit and an outdated check, no tests)."""
    project = project_factory(["demo-json==2.0.0"], {"demo-json": "2.0.0"})
    config = Path(os.environ["XDG_CONFIG_HOME"]) / "uvmgr" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'audit-db = "{fixture_advisories}"\n')
    project.pyproject.write_text(project.pyproject.read_text()
                                 + '\n[tool.uvmgr.autopilot]\npin = ["demo-json"]\n' + extra)
    subprocess.run(["uv", "lock", "-q"], cwd=project.root, check=True,
                   env={k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"})
    clone = project.root.with_name(name)
    project.root.rename(clone)
    return clone


@contextmanager
def _slow_advisories() -> Iterator[None]:
    """The user's advisory service: one on loopback that answers nothing for 30 s, so a job
    (its audit) is still running when a test stops it, however fast uvmgr itself is."""
    import threading
    from http.server import BaseHTTPRequestHandler

    from uvmgr.tools.loopback import LoopbackServer

    released = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            released.wait(30)
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    config = Path(os.environ["XDG_CONFIG_HOME"]) / "uvmgr" / "config.toml"
    before = config.read_text()
    with LoopbackServer(Handler) as url:
        config.write_text(f'audit-service-url = "{url}"\n')
        try:
            yield
        finally:
            released.set()
            config.write_text(before)


def test_one_clones_failure_never_stops_the_others(cli, project_factory, fixture_advisories,
                                                    tmp_path):
    good = _pinned_vulnerable(project_factory, fixture_advisories, "billing",
                              "\n[tool.uvmgr.policy]\ndays-to-fix = 5\n")
    planted = tmp_path / "planted"  # not a uv project, and it carries a `uvmgr` of its own
    (planted / "uvmgr").mkdir(parents=True)
    marker = tmp_path / "PLANTED-RAN"
    for module in ("__init__.py", "cli.py"):
        (planted / "uvmgr" / module).write_text(f"open({str(marker)!r}, 'w').write('x')\n")
    out = tmp_path / "out"
    before = (good / "pyproject.toml").read_bytes(), (good / "uv.lock").read_bytes()
    r = cli("fleet", "run", good, tmp_path / "no-such-clone", planted, good, "--jobs", "2",
            "--out", out, "--json")
    assert r.code == 1, r.err  # one failed, so the fleet failed
    doc = r.json()
    rows = {row["repository"]: row for row in doc["repositories"]}
    assert list(rows) == ["billing", "no-such-clone", "planted"]  # the same clone runs once
    assert rows["billing"]["status"] == "needs-person" and rows["billing"]["exit_code"] == 3
    assert "1 vulnerability open, 1 for a person" in rows["billing"]["message"]
    assert rows["no-such-clone"]["status"] == "missing"
    assert "is not a folder" in rows["no-such-clone"]["message"]
    assert rows["planted"]["status"] == "error" and rows["planted"]["exit_code"] == 2
    assert "not a uv project" in rows["planted"]["message"]
    assert not marker.exists()  # the clone's own `uvmgr` package was never imported
    assert ((good / "pyproject.toml").read_bytes(), (good / "uv.lock").read_bytes()) == before
    [report] = (out / "billing").glob("autopilot-*.json")
    assert rows["billing"]["report"] == str(report)
    document = json.loads(report.read_text())
    assert document["exit_code"] == 3
    # the effective policy's SLA and layers travel with the report, for the dashboard
    assert document["policy"]["days_to_fix"] == 5
    assert document["policy"]["layers"] == ["[tool.uvmgr.autopilot]", "[tool.uvmgr.policy]"]
    assert list((out / "billing").glob("autopilot-*.md"))  # the Markdown report beside it
    assert json.loads((out / "fleet-run.json").read_text())["exit_code"] == 1

    # the dashboard over what the run left: fleet-run.json is its own index, not a warning
    html = tmp_path / "fleet.html"
    r = cli("fleet", "report", out, "--out", html, "--json", tmp_path / "summary.json")
    assert r.code == 0, r.err
    assert "warning" not in r.err
    summary = json.loads((tmp_path / "summary.json").read_text())
    [repo] = summary["repositories"]
    assert repo["name"] == "billing" and repo["open_by_severity"]["unknown"] == 1
    assert (repo["days_to_fix"], repo["sla_source"]) == (5, "the policy in its latest report")
    # the jobs that left no report are listed with why, from the run's fleet-run.json
    assert {(f["repository"], f["status"]) for f in summary["jobs_without_report"]} == {
        ("no-such-clone", "missing"), ("planted", "error")}
    assert "is not a folder" in html.read_text()
    [vuln] = repo["vulnerabilities"]
    # the fixture advisory was published 2024-05-01: long past the default 30 days
    assert vuln["id"] == "DEMO-2024-0001" and vuln["clock"] == "published" and vuln["overdue"]


def test_a_job_over_its_time_is_stopped_and_the_clone_left_intact(cli, project_factory,
                                                                 fixture_advisories, tmp_path):
    clone = _pinned_vulnerable(project_factory, fixture_advisories, "slow")
    before = (clone / "pyproject.toml").read_bytes(), (clone / "uv.lock").read_bytes()
    with _slow_advisories():
        r = cli("fleet", "run", clone, "--timeout", "0.5", "--out", tmp_path / "out", "--json")
    assert r.code == 1
    [row] = r.json()["repositories"]
    assert row["status"] == "timeout" and "stopped after 0.5 s" in row["message"]
    assert ((clone / "pyproject.toml").read_bytes(), (clone / "uv.lock").read_bytes()) == before


def test_a_command_this_uvmgr_lacks_fails_clearly_per_clone(project_factory, tmp_path,
                                                           monkeypatch):
    """`policy check` may be missing from an older uvmgr: each clone's row says so."""
    project = project_factory(["demo-cli>=1.0"], {"demo-cli": "1.1.0"}, sync=False)
    monkeypatch.setitem(fleet_run.COMMANDS, fleet_run.POLICY_CHECK, ("vet", "--json"))
    [row] = fleet_run.run_fleet([str(project.root)], fleet_run.POLICY_CHECK, 1, tmp_path)
    assert row.status == "error" and row.exit_code == 2
    assert "this uvmgr has no `uvmgr vet` command" in row.message


def test_a_policy_checks_results_make_its_line():
    results = [{"rule": "banned", "status": "fail", "message": "tqdm is banned: use rich"},
               {"rule": "licenses", "status": "pass", "message": "ok"}, "junk"]
    line = fleet_run._message(fleet_run.POLICY_CHECK, 1, {"results": results}, "")
    assert line == "1 failed, 0 unknown, 1 passed; first: tqdm is banned: use rich"


def _report(project: str, started: datetime.datetime, findings: list[dict], **extra) -> dict:
    doc = {"project": project, "started_at": started.isoformat(timespec="seconds"),
           "exit_code": 0, "duration": 3.5, "policy": {"levels": ["patch", "minor"]},
           "audit_before": {"findings": findings}, "audit_after": None, "changes": [],
           "security_fixes": [], "held_back": [], "deferred": [], "majors_available": [],
           "gates": [], "restored": False, "needs_person": []}
    return {**doc, **extra}


def _write(path: Path, doc: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc) if not isinstance(doc, str) else doc)


def test_report_aggregates_runs_escapes_content_and_skips_foreign_files(cli, tmp_path):
    evil = "<script>alert(1)</script>"
    artefacts = tmp_path / "artefacts"
    old = {"package": evil, "version": "1.0", "id": "GHSA-old", "severity": "HIGH"}
    new = {"package": "demo-http", "version": "1.0.0", "id": "DEMO-new",
           "published": (NOW - datetime.timedelta(days=2)).isoformat()}
    _write(artefacts / "org-api" / "run-1" / "autopilot.json",
           _report("api", NOW - datetime.timedelta(days=60), [old]))
    _write(artefacts / "org-api" / "run-2" / "autopilot.json", _report(
        "api", NOW - datetime.timedelta(days=1), [old, new], exit_code=1, restored=True,
        changes=[{"name": "x", "direct": True}], gates=[{"name": "tests", "ok": False}],
        held_back=[{"name": "y"}], deferred=[{"name": "z"}]))
    _write(artefacts / "<img src=x onerror=alert(2)>" / "autopilot.json", _report(evil, NOW, []))
    _write(artefacts / "top-level.json", _report("bell\x07\x1b[31m", NOW, []))  # by its name
    _write(artefacts / "org-api" / "notes.json", {"something": "else"})
    _write(artefacts / "broken.json", "{not json")
    (artefacts / "link.json").symlink_to(artefacts / "org-api" / "run-1" / "autopilot.json")
    html = tmp_path / "out" / "dash.html"
    r = cli("fleet", "report", artefacts, "--out", html, "--json", tmp_path / "s.json")
    assert r.code == 0, r.err
    assert "skipped broken.json: not an AutoPilot report (not JSON" in r.err
    assert "skipped org-api/notes.json: not an AutoPilot report (project is missing" in r.err
    assert "link.json" not in r.err  # a link is not followed, nor read
    summary = json.loads((tmp_path / "s.json").read_text())
    assert summary["runs"] == 4 and summary["skipped_files"] == 2
    assert "bell\x07\x1b[31m" in {r["name"] for r in summary["repositories"]}
    api = next(r for r in summary["repositories"] if r["name"] == "org-api")
    assert api["runs"] == 2 and api["open_by_severity"]["high"] == 1
    assert api["open_by_severity"]["unknown"] == 1
    by_id = {v["id"]: v for v in api["vulnerabilities"]}
    # no published date: the clock starts at the first run that saw it open, 60 days ago
    assert by_id["GHSA-old"]["clock"] == "first seen" and by_id["GHSA-old"]["overdue"]
    assert not by_id["DEMO-new"]["overdue"] and by_id["DEMO-new"]["days_left"] == 28
    assert api["overdue"] == 1 and summary["totals"]["overdue"] == 1
    latest = api["latest"]
    assert (latest["gate_failures"], latest["upgrades_applied"], latest["held_back"],
            latest["deferred"]) == (1, 0, 1, 1)  # a restored run applied nothing
    assert [p["open"] for p in api["trend"]] == [1, 2]
    page = html.read_text()
    assert "<script" not in page.lower() and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(2)&gt;" in page
    assert "class='overdue'" in page
    assert page.count("src='data:image/svg+xml;base64,") == 2 + 3  # fleet charts + one per repo
    assert "http://" not in page and "https://" not in page  # nothing fetched: works offline

    r = cli("fleet", "report", artefacts, "--out", html, "--json", tmp_path / "s.json",
            "--days-to-fix", "90")
    summary = json.loads((tmp_path / "s.json").read_text())
    assert summary["totals"]["overdue"] == 0
    assert summary["repositories"][0]["sla_source"] == "--days-to-fix"


@pytest.mark.parametrize("args, message", [
    (["fleet", "report", "{tmp}/nothing-here"], "is not a folder"),
    (["fleet", "report", "{tmp}"], "no AutoPilot JSON report under"),
    (["fleet", "run", "{tmp}", "--jobs", "0"], "--jobs must be at least 1"),
    (["fleet", "run", "{tmp}", "--command", "policy-check", "--offline"],
     "--offline is an option of the autopilot job"),
    (["fleet", "run", "{tmp}", "--policy", "{tmp}/no-such-policy.toml"], "does not exist"),
])
def test_bad_input_is_a_usage_error(cli, tmp_path, args, message):
    r = cli(*[a.replace("{tmp}", str(tmp_path)) for a in args])
    assert r.code == 2 and message in r.err


def test_sigterm_stops_the_jobs_in_flight(project_factory, fixture_advisories, tmp_path):
    """A cancelled CI job (SIGTERM) stops every clone's job: the clone is left as it was and
    its lock is free for the next run."""
    import signal
    import sys
    import time

    clone = _pinned_vulnerable(project_factory, fixture_advisories, "busy")
    before = (clone / "pyproject.toml").read_bytes(), (clone / "uv.lock").read_bytes()
    with _slow_advisories():
        fleet = subprocess.Popen([sys.executable, "-m", "uvmgr.cli", "fleet", "run", str(clone),
                                  "--out", str(tmp_path / "out")], cwd=tmp_path,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 20
        while not list((tmp_path / "out").glob("busy")) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # the job has started
        fleet.send_signal(signal.SIGTERM)
        _, err = fleet.communicate(timeout=30)
    assert fleet.returncode == 143 and "SIGTERM received" in err
    assert not list((tmp_path / "out" / "busy").glob("*.json"))  # stopped, not waited for
    assert ((clone / "pyproject.toml").read_bytes(), (clone / "uv.lock").read_bytes()) == before
    again = subprocess.run([sys.executable, "-m", "uvmgr.cli", "autopilot", "--json"],
                           check=False, cwd=clone, capture_output=True, text=True, timeout=120)
    assert again.returncode == 3, again.stderr  # no job left holding the clone's lock


@pytest.mark.parametrize("body, says", [
    ("raise RuntimeError('boom')", "crashed: RuntimeError: boom"),
    ("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)", "crashed: signal 9"),
])
def test_a_crashing_job_is_its_clones_row(tmp_path, monkeypatch, body, says):
    """A job whose Python dies (a broken install stands in: a `uvmgr` earlier on PYTHONPATH)."""
    broken = tmp_path / "broken" / "uvmgr"
    broken.mkdir(parents=True)
    (broken / "__init__.py").write_text("")
    (broken / "cli.py").write_text(body + "\n")
    monkeypatch.setenv("PYTHONPATH", str(broken.parent))
    (tmp_path / "clone").mkdir()
    [row] = fleet_run.run_fleet([str(tmp_path / "clone")], fleet_run.AUTOPILOT, 1,
                                tmp_path / "out")
    assert row.status == "crashed" and row.message == says
    assert list((tmp_path / "out" / "clone").glob("autopilot-*.log"))  # its output is kept
