"""Handing a run's spans to OpenTelemetry's own exporters: OTLP over HTTP when
`OTEL_EXPORTER_OTLP_ENDPOINT` (or `..._TRACES_ENDPOINT`) is set, the console when
`UVMGR_TRACE=console`. The SDK loads only then. Never raises: a failure is a warning.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING

from uvmgr.redaction import redact_text

if TYPE_CHECKING:
    from uvmgr.telemetry import Span


def exporters(env: Mapping[str, str]) -> list[str]:
    """The exporters the environment asks for."""
    kinds = []
    if env.get("OTEL_EXPORTER_OTLP_ENDPOINT") or env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"):
        kinds.append("otlp")
    if "console" in env.get("UVMGR_TRACE", "").split(","):
        kinds.append("console")
    return kinds


def export(spans: list[Span], kinds: list[str], env: Mapping[str, str], kept_in: str) -> list[str]:
    """Export the spans with each exporter; returns the warnings (`kept_in`: where the spans
    are kept anyway, for the message)."""
    warnings: list[str] = []
    try:
        readable = _to_readable_spans(spans)
    except Exception as exc:  # noqa: BLE001 - telemetry must never fail a command
        return [f"could not prepare spans for export: {exc}"]
    for kind in kinds:
        try:
            if kind == "console":
                from opentelemetry.sdk.trace.export import ConsoleSpanExporter

                ConsoleSpanExporter(out=sys.stderr).export(readable)
            else:
                from opentelemetry.exporter.otlp.proto.http.trace_exporter import (
                    OTLPSpanExporter,
                )

                timeout = float(env.get("UVMGR_OTLP_TIMEOUT", "3"))
                endpoint = env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or (
                    env["OTEL_EXPORTER_OTLP_ENDPOINT"].rstrip("/") + "/v1/traces")
                import logging

                # The exporter logs each retry; one warning from us is enough.
                logging.getLogger("opentelemetry").setLevel(logging.CRITICAL)
                result = OTLPSpanExporter(endpoint=endpoint, timeout=timeout).export(readable)
                if getattr(result, "name", "SUCCESS") != "SUCCESS":
                    endpoint = env.get("OTEL_EXPORTER_OTLP_ENDPOINT", "")
                    warnings.append(
                        f"OTLP export to {redact_text(endpoint)} failed; spans kept in {kept_in}"
                    )
        except Exception as exc:  # noqa: BLE001 - an unreachable collector is a warning
            warnings.append(f"{kind} trace export failed: {redact_text(str(exc))}")
    return warnings


def _to_readable_spans(spans: list[Span]) -> list:
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import ReadableSpan
    from opentelemetry.sdk.util.instrumentation import InstrumentationScope
    from opentelemetry.trace import SpanContext, Status, StatusCode, TraceFlags

    from uvmgr import __version__

    resource = Resource.create({"service.name": "uvmgr", "service.version": __version__})
    scope = InstrumentationScope("uvmgr", __version__)
    codes = {"ok": StatusCode.OK, "error": StatusCode.ERROR, "unset": StatusCode.UNSET}
    out = []
    for s in spans:
        trace_id = int(s.trace_id, 16)
        ctx = SpanContext(trace_id, int(s.span_id, 16), False, TraceFlags(TraceFlags.SAMPLED))
        parent = (
            SpanContext(trace_id, int(s.parent_id, 16), False, TraceFlags(TraceFlags.SAMPLED))
            if s.parent_id
            else None
        )
        out.append(
            ReadableSpan(
                s.name,
                context=ctx,
                parent=parent,
                resource=resource,
                attributes=s.attributes,
                status=Status(codes[s.status], s.status_message or None)
                if s.status == "error"
                else Status(codes[s.status]),
                start_time=s.start_ns,
                end_time=s.end_ns,
                instrumentation_scope=scope,
            )
        )
    return out
