"""Tracing: spans for the command, each tool call and each process.

Spans are recorded with the standard library only (the OpenTelemetry SDK takes
~150 ms to import, more than the budget of a plain command), always written as
JSONL under `.uvmgr/traces/` (`trace_files.py`), and handed to OpenTelemetry's own
exporters as `ReadableSpan`s when `OTEL_EXPORTER_OTLP_ENDPOINT` is set or
`UVMGR_TRACE=console` (`trace_export.py`). Every attribute and message is redacted
(`redaction.py`). Telemetry never fails a command: an export error becomes a warning.
"""

from __future__ import annotations

import contextvars
import json
import os
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from uvmgr.redaction import REDACTED, redact, redact_text, secret_name, secret_values
from uvmgr.trace_export import export, exporters
from uvmgr.trace_files import MAX_TRACE_BYTES, TRACE_FILE, read_traces, recent_runs, write_spans

__all__ = ["MAX_TRACE_BYTES", "REDACTED", "TRACE_FILE", "Span", "Tracer", "read_traces",
           "recent_runs", "redact", "redact_text", "secret_name", "secret_values"]


def _attribute(value: object) -> object:
    """Span attributes are primitives or lists of primitives (OpenTelemetry's rule)."""
    if isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, (list, tuple)) and all(isinstance(v, (str, bool, int, float)) for v in value):
        return list(value)
    return json.dumps(value, default=str, sort_keys=True)


@dataclass
class Span:
    name: str
    trace_id: str
    span_id: str
    parent_id: str | None
    start_ns: int
    end_ns: int = 0
    attributes: dict[str, object] = field(default_factory=dict)
    status: str = "unset"  # unset | ok | error
    status_message: str = ""

    def set(self, key: str, value: object) -> None:
        self.attributes[key] = _attribute(redact(value, key))

    def fail(self, message: str) -> None:
        self.status = "error"
        self.status_message = redact_text(message)[:500]

    def to_dict(self) -> dict:
        return {
            "trace_id": self.trace_id,
            "span_id": self.span_id,
            "parent_span_id": self.parent_id,
            "name": self.name,
            "start_time_unix_nano": self.start_ns,
            "end_time_unix_nano": self.end_ns,
            "duration_ms": round((self.end_ns - self.start_ns) / 1e6, 3),
            "status": self.status,
            "status_message": self.status_message,
            "attributes": self.attributes,
            "resource": {"service.name": "uvmgr"},
        }


class Tracer:
    """Records the spans of one uvmgr run; `finish()` writes and exports them."""

    def __init__(self, trace_dir: Path | None = None, *, env: Mapping[str, str] | None = None):
        self.trace_dir = trace_dir
        self.trace_id = os.urandom(16).hex()
        self.spans: list[Span] = []
        self._current: contextvars.ContextVar[Span | None] = contextvars.ContextVar(
            "uvmgr_span", default=None
        )
        self._env = os.environ if env is None else env
        self.warnings: list[str] = []

    @contextmanager
    def span(self, name: str, **attributes: object) -> Iterator[Span]:
        parent = self._current.get()
        span = Span(name, self.trace_id, os.urandom(8).hex(),
                    parent.span_id if parent else None, time.time_ns())
        for key, value in attributes.items():
            span.set(key, value)
        token = self._current.set(span)
        try:
            yield span
        except BaseException as exc:
            span.fail(f"{type(exc).__name__}: {exc}")
            raise
        finally:
            self._current.reset(token)
            span.end_ns = time.time_ns()
            if span.status == "unset":
                span.status = "ok"
            self.spans.append(span)

    def finish(self) -> None:
        """Write the spans as JSONL and export them; never raises."""
        if not self.spans:
            return
        if self.trace_dir is not None:
            try:
                write_spans(self.trace_dir, self.spans)
            except OSError as exc:
                self.warnings.append(f"could not write traces to {self.trace_dir}: {exc}")
        kinds = exporters(self._env)
        if kinds:
            self.warnings += export(self.spans, kinds, self._env, str(self.trace_dir or "memory"))
        for warning in self.warnings:
            print(f"uvmgr: warning: {warning}", file=sys.stderr)
