"""AutoPilot's OpenTelemetry metrics: sent over OTLP/HTTP to a real receiver on loopback, with
the names, values and attributes a collector's dashboards read, and no secret in them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
)
from uvmgr.tools.loopback import OtlpReceiver

from uvmgr.otel_metrics import export_run_metrics
from uvmgr.run_figures import NotAReport, figures


@pytest.fixture
def receiver():
    server = OtlpReceiver()
    with server:
        yield server


def _points(server) -> dict[str, list[tuple[float, dict]]]:
    """metric name -> [(value, attributes)] from every OTLP metrics request received."""
    out: dict[str, list[tuple[float, dict]]] = {}
    for path, body in server.received:
        if path != "/v1/metrics":
            continue
        request = ExportMetricsServiceRequest.FromString(body)
        for rm in request.resource_metrics:
            resource = {a.key: a.value.string_value for a in rm.resource.attributes}
            assert resource["service.name"] == "uvmgr"
            for sm in rm.scope_metrics:
                for metric in sm.metrics:
                    kind = metric.WhichOneof("data")
                    for p in getattr(metric, kind).data_points:
                        value = p.sum if kind == "histogram" else (
                            p.as_int if p.WhichOneof("value") == "as_int" else p.as_double)
                        attrs = {a.key: (a.value.string_value or a.value.int_value)
                                 for a in p.attributes}
                        out.setdefault(metric.name, []).append((value, attrs))
    return out


def _report(**overrides) -> dict:
    base = {
        "project": "app", "started_at": "2026-11-20T05:17:00+00:00", "exit_code": 1,
        "duration": 12.5, "policy": {"levels": ["patch", "minor"], "max_packages": 10},
        "audit_before": {"findings": [
            {"package": "demo-http", "version": "1.0.0", "id": "DEMO-1", "severity": "HIGH"},
            {"package": "demo-json", "version": "2.0.0", "id": "DEMO-2"}]},
        "audit_after": None,
        "changes": [{"name": "demo-cli", "before": "1.0", "after": "1.1", "direct": True},
                    {"name": "dep", "before": "1.0", "after": "1.1", "direct": False}],
        "security_fixes": [], "held_back": [{"name": "demo-http"}], "deferred": [{}, {}],
        "majors_available": [], "gates": [{"name": "tests", "ok": True},
                                          {"name": "build", "ok": False}],
        "restored": False, "needs_person": [],
    }
    return {**base, **overrides}


def test_a_runs_figures_reach_the_receiver_with_their_attributes(receiver):
    endpoint = receiver.url
    secret_repo = "https://alice:hunter2hunter2@git.example/org/app"
    warnings = export_run_metrics(figures(_report()), secret_repo, "org-policy.toml",
                                  env={"OTEL_EXPORTER_OTLP_ENDPOINT": endpoint})
    assert warnings == []
    points = _points(receiver)
    assert set(points) == {
        "uvmgr.autopilot.runs", "uvmgr.autopilot.vulnerabilities.open",
        "uvmgr.autopilot.upgrades.applied", "uvmgr.autopilot.security_fixes",
        "uvmgr.autopilot.upgrades.held_back", "uvmgr.autopilot.upgrades.deferred",
        "uvmgr.autopilot.gate.results", "uvmgr.autopilot.duration"}
    [(runs, attrs)] = points["uvmgr.autopilot.runs"]
    assert runs == 1 and attrs["uvmgr.outcome"] == "failed" and attrs["uvmgr.exit_code"] == 1
    assert attrs["uvmgr.repository"] == "https://***@git.example/org/app"
    assert attrs["uvmgr.policy.source"] == "org-policy.toml"
    assert attrs["uvmgr.policy.levels"] == "patch,minor" and len(attrs["uvmgr.policy"]) == 12
    by_severity = {a["uvmgr.severity"]: v for v, a in points["uvmgr.autopilot.vulnerabilities.open"]}
    assert by_severity == {"critical": 0, "high": 1, "medium": 0, "low": 0, "unknown": 1}
    assert [v for v, _ in points["uvmgr.autopilot.upgrades.applied"]] == [1]  # direct only
    assert [v for v, _ in points["uvmgr.autopilot.upgrades.held_back"]] == [1]
    assert [v for v, _ in points["uvmgr.autopilot.upgrades.deferred"]] == [2]
    gates = {(a["uvmgr.gate"], a["uvmgr.gate.result"]): v
             for v, a in points["uvmgr.autopilot.gate.results"]}
    assert gates == {("tests", "pass"): 1, ("build", "fail"): 1}
    assert [v for v, _ in points["uvmgr.autopilot.duration"]] == [12.5]
    assert all(b"hunter2" not in body for _, body in receiver.received)


def test_no_endpoint_sends_nothing_and_an_unreachable_one_is_a_warning():
    run = figures(_report())
    assert export_run_metrics(run, "app", "p", env={}) == []
    warnings = export_run_metrics(run, "app", "p", env={
        "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9", "UVMGR_OTLP_TIMEOUT": "1"})
    assert len(warnings) == 1 and "metrics export to http://127.0.0.1:9/v1/metrics" in warnings[0]


@pytest.mark.parametrize("change, reason", [
    ({"exit_code": True}, "exit_code"),
    ({"started_at": "yesterday"}, "started_at"),
    ({"gates": ["tests"]}, "gates"),
    ({"audit_before": {"findings": [{"package": 1}]}}, "package"),
])
def test_a_document_that_is_not_a_report_is_refused_with_the_field(change, reason):
    with pytest.raises(NotAReport, match=reason):
        figures(_report(**change))


def test_every_autopilot_run_sends_its_metrics(cli, project_factory, fixture_advisories,
                                               receiver, monkeypatch):
    """A real run (the vulnerable package pinned by the policy, so nothing changes): its
    metrics arrive next to its spans, named for the repository."""
    project = project_factory(["demo-json==2.0.0"], {"demo-json": "2.0.0"})
    rated = project.root.parent / "advisories"  # DEMO-2024-0001 rated by its database
    shutil.copytree(fixture_advisories, rated)
    record = json.loads((rated / "DEMO-2024-0001.json").read_text())
    (rated / "DEMO-2024-0001.json").write_text(json.dumps(
        {**record, "database_specific": {"severity": "MODERATE"}}))
    config = Path(os.environ["XDG_CONFIG_HOME"]) / "uvmgr" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'audit-db = "{rated}"\n')
    project.pyproject.write_text(project.pyproject.read_text()
                                 + '\n[tool.uvmgr.autopilot]\npin = ["demo-json"]\n')
    subprocess.run(["uv", "lock", "-q"], cwd=project.root, check=True,
                   env={k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"})
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT",
                       receiver.url)
    monkeypatch.setenv("UVMGR_REPOSITORY", "org/app")
    r = cli("autopilot", "--json", "--project", project.root)
    assert r.code == 3, r.err  # the pinned vulnerability needs a person
    assert {path for path, _ in receiver.received} == {"/v1/metrics", "/v1/traces"}
    points = _points(receiver)
    [(_, attrs)] = points["uvmgr.autopilot.runs"]
    assert attrs["uvmgr.repository"] == "org/app" and attrs["uvmgr.outcome"] == "needs-person"
    assert attrs["uvmgr.policy.source"] == "[tool.uvmgr.autopilot]"
    open_ = {a["uvmgr.severity"]: v for v, a in points["uvmgr.autopilot.vulnerabilities.open"]}
    assert open_["medium"] == 1 and sum(open_.values()) == 1  # GitHub's "moderate"
    assert [v for v, _ in points["uvmgr.autopilot.upgrades.applied"]] == [0]


def test_a_run_that_stops_with_an_error_is_counted(cli, project_factory, receiver, monkeypatch,
                                                   tmp_path):
    project = project_factory(["demo-cli>=1.0"], {"demo-cli": "1.1.0"}, sync=False)
    policy = tmp_path / "policy.toml"
    policy.write_text('levels = ["huge"]\n')
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT",
                       receiver.url)
    r = cli("autopilot", "--policy", policy, "--project", project.root)
    assert r.code == 2 and "invalid AutoPilot policy" in r.err
    points = _points(receiver)
    assert set(points) == {"uvmgr.autopilot.runs"}
    [(runs, attrs)] = points["uvmgr.autopilot.runs"]
    assert runs == 1 and attrs["uvmgr.outcome"] == "error" and attrs["uvmgr.exit_code"] == 2
    assert attrs["uvmgr.repository"] == project.root.name
    assert attrs["uvmgr.policy.source"] == str(policy)
