"""Tracing: spans for the command, each tool call and each process.

Spans are recorded with the standard library only (the OpenTelemetry SDK takes
~150 ms to import, more than the budget of a plain command), always written as
JSONL under `.uvmgr/traces/`, and handed to OpenTelemetry's own exporters as
`ReadableSpan`s when `OTEL_EXPORTER_OTLP_ENDPOINT` is set or `UVMGR_TRACE=console`.
Telemetry never fails a command: an export error becomes a warning.
"""

from __future__ import annotations

import contextvars
import errno
import json
import os
import re
import stat
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

TRACE_FILE = "traces.jsonl"
MAX_TRACE_BYTES = 5_000_000  # then the file is rotated to traces.1.jsonl
_SECRET_KEY = re.compile(r"(?i)(token|secret|passw(or)?d|api[_-]?key|auth|credential|cookie)")
_URL_CREDENTIALS = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<cred>[^/@\s:]+(:[^/@\s]*)?)@")
_SECRET_VALUE = re.compile(
    r"(sk-[A-Za-z0-9_-]{8,}|gh[pousr]_[A-Za-z0-9]{16,}|pypi-[A-Za-z0-9_-]{16,}|"
    r"(?i:bearer)\s+[A-Za-z0-9._~+/=-]{8,}|xox[abp]-[A-Za-z0-9-]{8,})"
)
REDACTED = "***"


def redact_text(text: str) -> str:
    """Mask credentials in URLs and values that look like tokens or keys."""
    text = _URL_CREDENTIALS.sub(lambda m: f"{m.group('scheme')}{REDACTED}@", text)
    text = _SECRET_VALUE.sub(REDACTED, text)
    # KEY=value pairs whose key names a secret (environment-style arguments).
    return re.sub(
        r"(?i)\b([A-Z0-9_]*(TOKEN|SECRET|PASSWORD|API_KEY|APIKEY)[A-Z0-9_]*)=(\S+)",
        lambda m: f"{m.group(1)}={REDACTED}",
        text,
    )


def redact(value: object, key: str = "") -> object:
    """Redact a value for a span, a log or a report; keys that name secrets are masked whole."""
    if key and _SECRET_KEY.search(key):
        return REDACTED
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, Mapping):
        return {str(k): redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact(v) for v in value]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return redact_text(str(value))


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
                self._write_jsonl()
            except OSError as exc:
                self.warnings.append(f"could not write traces to {self.trace_dir}: {exc}")
        exporters = self._exporters()
        if exporters:
            self._export(exporters)
        for warning in self.warnings:
            print(f"uvmgr: warning: {warning}", file=sys.stderr)

    def _write_jsonl(self) -> None:
        """Append the spans to `.uvmgr/traces/traces.jsonl`. The folder can come with a clone:
        a link in place of the folder or the file is refused (`O_NOFOLLOW`), never written
        through, and the rotated file is only ever renamed over, not opened."""
        folder = self.trace_dir
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            raise OSError(errno.ELOOP, "is a symbolic link or not a folder", str(folder))
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / TRACE_FILE
        if not path.is_symlink() and path.exists() and path.stat().st_size > MAX_TRACE_BYTES:
            os.replace(path, folder / "traces.1.jsonl")
        lines = "".join(json.dumps(s.to_dict(), sort_keys=True) + "\n" for s in self.spans)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
                     | os.O_NONBLOCK, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as fh:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise OSError(errno.EINVAL, "not a regular file", str(path))
            if info.st_nlink > 1:  # a hard link: appending would change the other name's file
                raise OSError(errno.EMLINK, "a hard link to another file", str(path))
            fh.write(lines)

    def _exporters(self) -> list[str]:
        kinds = []
        if self._env.get("OTEL_EXPORTER_OTLP_ENDPOINT") or self._env.get(
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
        ):
            kinds.append("otlp")
        if "console" in self._env.get("UVMGR_TRACE", "").split(","):
            kinds.append("console")
        return kinds

    def _export(self, kinds: list[str]) -> None:
        try:
            readable = _to_readable_spans(self.spans)
        except Exception as exc:  # noqa: BLE001 - telemetry must never fail a command
            self.warnings.append(f"could not prepare spans for export: {exc}")
            return
        for kind in kinds:
            try:
                if kind == "console":
                    from opentelemetry.sdk.trace.export import ConsoleSpanExporter

                    ConsoleSpanExporter(out=sys.stderr).export(readable)
                else:
                    from opentelemetry.exporter.otlp.proto.http.trace_exporter import (
                        OTLPSpanExporter,
                    )

                    timeout = float(self._env.get("UVMGR_OTLP_TIMEOUT", "3"))
                    endpoint = self._env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or (
                        self._env["OTEL_EXPORTER_OTLP_ENDPOINT"].rstrip("/") + "/v1/traces")
                    import logging

                    # The exporter logs each retry; one warning from us is enough.
                    logging.getLogger("opentelemetry").setLevel(logging.CRITICAL)
                    result = OTLPSpanExporter(endpoint=endpoint, timeout=timeout).export(readable)
                    if getattr(result, "name", "SUCCESS") != "SUCCESS":
                        endpoint = self._env.get("OTEL_EXPORTER_OTLP_ENDPOINT", "")
                        self.warnings.append(
                            f"OTLP export to {redact_text(endpoint)} failed; spans kept in "
                            f"{self.trace_dir or 'memory'}"
                        )
            except Exception as exc:  # noqa: BLE001 - an unreachable collector is a warning
                self.warnings.append(f"{kind} trace export failed: {redact_text(str(exc))}")


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


def read_traces(trace_dir: Path) -> list[dict]:
    """Every span recorded under `trace_dir`, oldest first; unreadable lines are skipped."""
    path = trace_dir / TRACE_FILE
    if not path.exists() or path.is_symlink():
        return []
    spans = []
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    if not stat.S_ISREG(os.fstat(fd).st_mode):  # a planted folder, FIFO or device
        os.close(fd)
        return []
    with open(fd, "rb") as fh:
        # uvmgr rotates the file past MAX_TRACE_BYTES: read no more than the newest part of a
        # bigger (planted) one, so it cannot fill memory
        size = os.fstat(fh.fileno()).st_size
        if size > 2 * MAX_TRACE_BYTES:
            fh.seek(size - 2 * MAX_TRACE_BYTES)
            fh.readline()  # the first line is cut: skip it
        for line in fh:
            try:
                span = json.loads(line)
            except ValueError:  # torn, not JSON, not UTF-8
                continue
            if _is_span(span):
                spans.append(span)
    return spans


def _is_span(span: object) -> bool:
    """The fields `recent_runs` relies on, with their types (the file may be planted)."""
    return (isinstance(span, dict) and isinstance(span.get("trace_id"), str)
            and isinstance(span.get("span_id"), str)
            and isinstance(span.get("parent_span_id"), (str, type(None)))
            and type(span.get("start_time_unix_nano")) is int
            and isinstance(span.get("name"), str)
            and type(span.get("duration_ms")) in (int, float)
            and isinstance(span.get("attributes"), dict))


def _tree(span: dict, children: dict[str | None, list[dict]],
          seen: frozenset[str] = frozenset()) -> dict:
    """A span with its children; a span id already on the path (a cycle in a planted or
    corrupt file) is not descended into again."""
    seen = seen | {span["span_id"]}
    return {**span, "children": [_tree(c, children, seen)
                                 for c in children.get(span["span_id"], [])
                                 if c["span_id"] not in seen]}


def recent_runs(trace_dir: Path, last: int) -> list[dict]:
    """The last `last` runs as trees: {"root": span, "children": [...]} per trace."""
    by_trace: dict[str, list[dict]] = {}
    for span in read_traces(trace_dir):
        by_trace.setdefault(span["trace_id"], []).append(span)
    runs = []
    for spans in by_trace.values():
        children: dict[str | None, list[dict]] = {}
        for s in sorted(spans, key=lambda s: s["start_time_unix_nano"]):
            children.setdefault(s.get("parent_span_id"), []).append(s)

        runs.extend(_tree(root, children) for root in children.get(None, []))
    runs.sort(key=lambda r: r["start_time_unix_nano"])
    return runs[-last:] if last > 0 else runs
