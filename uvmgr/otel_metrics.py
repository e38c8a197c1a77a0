"""OpenTelemetry metrics of an AutoPilot run, sent over OTLP/HTTP next to its spans.

When `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT`) is set, each run
sends: runs (by outcome), vulnerabilities open (by severity), upgrades applied, security fixes,
upgrades held back and deferred, gate results and the run's duration, each with the repository
and the policy as attributes, so an organization's collector sees the same figures as the
fleet dashboard. Only the environment turns this on, never the repository's settings (data
sent somewhere is the person's call). Like spans, metrics never fail a command: an export error
is a warning. The SDK is imported only when there is somewhere to send.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from uvmgr.run_figures import SEVERITIES, RunFigures

PREFIX = "uvmgr.autopilot."
OUTCOMES = {0: "ok", 1: "failed", 3: "needs-person", 4: "rolled-back"}  # else "other"


def metrics_endpoint(env: Mapping[str, str]) -> str | None:
    """Where metrics go: the metrics endpoint as given, or the base endpoint's /v1/metrics."""
    if env.get("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"):
        return env["OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"]
    base = env.get("OTEL_EXPORTER_OTLP_ENDPOINT")
    return base.rstrip("/") + "/v1/metrics" if base else None


def repository_name(env: Mapping[str, str], fallback: str) -> str:
    """The `repository` attribute: UVMGR_REPOSITORY (set by `uvmgr fleet run`), then
    GITHUB_REPOSITORY (set by GitHub Actions), then `fallback` (the project's folder)."""
    return env.get("UVMGR_REPOSITORY") or env.get("GITHUB_REPOSITORY") or fallback


def attributes(run: RunFigures, repository: str, policy_source: str) -> dict[str, str]:
    """The attributes every point carries (masked like span attributes: no secret leaves)."""
    from uvmgr.telemetry import redact_text

    return {"uvmgr.repository": redact_text(repository),
            "uvmgr.policy": run.policy_digest,
            "uvmgr.policy.levels": ",".join(run.policy_levels) or "none",
            "uvmgr.policy.source": redact_text(policy_source)}


def export_run_metrics(run: RunFigures, repository: str, policy_source: str,
                       env: Mapping[str, str] | None = None) -> list[str]:
    """Record and send one run's metrics; returns warnings (empty when sent or not asked)."""
    return _send(lambda meter: _record(meter, run, attributes(run, repository, policy_source)),
                 env)


def export_failed_run(exit_code: int, repository: str, policy_source: str,
                      env: Mapping[str, str] | None = None) -> list[str]:
    """A run that stopped with an error before it had figures (a malformed policy, an audit
    that could not run, a lock held by another uvmgr): counted in `runs` as outcome `error`."""
    from uvmgr.telemetry import redact_text

    attrs = {"uvmgr.repository": redact_text(repository), "uvmgr.policy": "unknown",
             "uvmgr.policy.levels": "unknown", "uvmgr.policy.source": redact_text(policy_source)}
    return _send(lambda meter: _runs(meter).add(
        1, {**attrs, "uvmgr.outcome": "error", "uvmgr.exit_code": exit_code}), env)


def _send(record, env: Mapping[str, str] | None) -> list[str]:
    env = os.environ if env is None else env
    endpoint = metrics_endpoint(env)
    if not endpoint:
        return []
    from uvmgr.telemetry import redact_text

    try:
        data = _collect(record)
        import logging

        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter

        logging.getLogger("opentelemetry").setLevel(logging.CRITICAL)  # one warning is enough
        timeout = float(env.get("UVMGR_OTLP_TIMEOUT", "3"))
        result = OTLPMetricExporter(endpoint=endpoint, timeout=timeout).export(data)
    except Exception as exc:  # noqa: BLE001 - telemetry must never fail a command
        return [f"metrics export failed: {redact_text(str(exc))}"]
    if getattr(result, "name", "SUCCESS") != "SUCCESS":
        return [f"OTLP metrics export to {redact_text(endpoint)} failed"]
    return []


def _runs(meter):
    return meter.create_counter(PREFIX + "runs", unit="{run}",
                                description="AutoPilot runs, by outcome")


def _collect(record):
    """The points `record(meter)` makes, recorded through the SDK and read back as one
    MetricsData."""
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.resources import Resource

    from uvmgr import __version__

    reader = InMemoryMetricReader()
    provider = MeterProvider(metric_readers=[reader], resource=Resource.create(
        {"service.name": "uvmgr", "service.version": __version__}))
    record(provider.get_meter("uvmgr", __version__))
    data = reader.get_metrics_data()
    provider.shutdown()
    return data


def _record(meter, run: RunFigures, attrs: dict[str, str]) -> None:
    outcome = OUTCOMES.get(run.exit_code, "other")
    _runs(meter).add(1, {**attrs, "uvmgr.outcome": outcome, "uvmgr.exit_code": run.exit_code})
    if run.audited:  # an audit that could not run knows no count: nothing is sent for it
        gauge = meter.create_gauge(PREFIX + "vulnerabilities.open", unit="{vulnerability}",
                                   description="known vulnerabilities left open, by severity")
        counts = run.open_by_severity()
        for severity in SEVERITIES:
            gauge.set(counts[severity], {**attrs, "uvmgr.severity": severity})
    meter.create_counter(PREFIX + "upgrades.applied", unit="{package}",
                         description="direct dependencies upgraded and kept").add(
        run.upgrades_applied, attrs)
    meter.create_counter(PREFIX + "security_fixes", unit="{package}",
                         description="packages moved to a fixed version").add(
        run.security_fixes, attrs)
    meter.create_gauge(PREFIX + "upgrades.held_back", unit="{package}",
                       description="upgrades held back (failing tests, a cap, the policy)").set(
        run.held_back, attrs)
    meter.create_gauge(PREFIX + "upgrades.deferred", unit="{package}",
                       description="upgrades deferred to the next run (max-packages)").set(
        run.deferred, attrs)
    gates = meter.create_counter(PREFIX + "gate.results", unit="{gate}",
                                 description="gate results, by gate and result")
    for gate in run.gates:
        gates.add(1, {**attrs, "uvmgr.gate": gate.name,
                      "uvmgr.gate.result": "pass" if gate.ok else "fail"})
    meter.create_histogram(PREFIX + "duration", unit="s",
                           description="how long the AutoPilot run took").record(
        run.duration, attrs)
