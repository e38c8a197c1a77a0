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
import functools
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
# Every pattern here runs on untrusted text (tool output, model answers, 100 KB requests) and
# must stay linear: a scheme or a KEY= name may only start where a run of its characters
# starts (the look-behinds), so no position inside a long run is tried again.
_URL_CREDENTIALS = re.compile(
    r"(?<![a-z0-9+.-])(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<cred>[^/@\s:]+(:[^/@\s]*)?)@",
    re.IGNORECASE)
_SECRET_VALUE = re.compile(
    r"(sk-[A-Za-z0-9_-]{8,}|gh[pousr]_[A-Za-z0-9]{16,}|pypi-[A-Za-z0-9_-]{16,}|"
    r"(?i:bearer)\s+[A-Za-z0-9._~+/=-]{8,}|xox[abp]-[A-Za-z0-9-]{8,})"
)
_ASSIGNMENT = re.compile(r"(?<![A-Za-z0-9_])([A-Za-z0-9_]+)=")
_VALUE = re.compile(r"[^\s\"'`]+")
_NAME_PARTS = re.compile(r"[^a-z0-9]+")
MIN_SECRET_CHARS = 6  # shorter values are too likely to be ordinary words or numbers
REDACTED = "***"


@functools.lru_cache(maxsize=4096)
def secret_name(name: str) -> bool:
    """True when a variable, setting or field name says its value is a secret: it contains
    KEY, TOKEN, SECRET, PASSWORD, AUTH or PASS (but `max_tokens`, `passed`, `author` and
    `keyring` are counts and names, not secrets)."""
    for part in _NAME_PARTS.split(name.lower()):
        if any(word in part for word in ("secret", "password", "passwd", "credential",
                                          "cookie", "apikey")):
            return True
        if "token" in part and not part.endswith("tokens"):
            return True
        if part.endswith("key") or (part.startswith("auth") and part not in ("author", "authors")):
            return True
        if part.endswith("pass") and part != "bypass":
            return True
    return False


def _is_candidate(name: str, value: str) -> bool:
    return bool(value) and (secret_name(name) or name.upper().startswith("AZURE_")
                            or ("://" in value and "@" in value))


def _variants(name: str, value: str) -> set[str]:
    """The values to mask for one variable: the whole value when its name says secret, the
    credentials inside any URL it holds, and their JSON-escaped and percent-coded forms."""
    from urllib.parse import quote, unquote

    found = set()
    if secret_name(name) or name.upper().startswith("AZURE_"):
        found.add(value)
    for match in _URL_CREDENTIALS.finditer(value):
        cred = match.group("cred")
        found.add(cred)
        if ":" in cred:
            found.add(cred.split(":", 1)[1])
    out = set()
    for v in found:
        v = v.strip()
        if len(v) < MIN_SECRET_CHARS or v.replace(".", "").isdigit() or v.lower() in (
                "true", "false", "none", "null"):
            continue
        out |= {v, json.dumps(v)[1:-1], unquote(v), quote(v, safe="")}
    return {v for v in out if len(v) >= MIN_SECRET_CHARS}


@functools.lru_cache(maxsize=16)
def _values_for(candidates: tuple[tuple[str, str], ...], config: tuple) -> tuple[str, ...]:
    pairs = list(candidates)
    if config:
        from uvmgr.user_config import secret_settings

        pairs += secret_settings(Path(config[0]))
    values: set[str] = set()
    for name, value in pairs:
        values |= _variants(name, value)
    return tuple(sorted(values, key=len, reverse=True))  # the longest first: no partial leak


def secret_values(env: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """Values of secret-looking variables in the environment and the person's user config
    (API keys, tokens, passwords, index credentials in URLs), longest first. Looked up on
    each call (a scan of the environment and one stat), parsed once per change."""
    env = os.environ if env is None else env
    # os.environ keeps its raw bytes in `_data`: copying that is ~50x cheaper than decoding
    # every variable on each call, and the decoding below is cached per environment.
    raw = getattr(env, "_data", None)
    items = tuple(raw.items()) if isinstance(raw, dict) else tuple(env.items())
    path = _user_config_file(env.get("XDG_CONFIG_HOME", ""), env.get("HOME", ""))
    try:
        stat = os.stat(path)
        config: tuple = (path, stat.st_mtime_ns, stat.st_size)
    except OSError:
        config = ()
    return _values_for(_candidates(items), config)


@functools.lru_cache(maxsize=16)
def _candidates(items: tuple) -> tuple[tuple[str, str], ...]:
    pairs = ((os.fsdecode(k), os.fsdecode(v)) if isinstance(k, bytes) else (k, v)
             for k, v in items)
    return tuple(sorted((k, v) for k, v in pairs if _is_candidate(k, v)))


@functools.lru_cache(maxsize=16)
def _user_config_file(xdg: str, home: str) -> str:
    from uvmgr.user_config import user_config_path

    env = {k: v for k, v in (("XDG_CONFIG_HOME", xdg), ("HOME", home)) if v}
    return str(user_config_path(env))


def redact_text(text: str, *, patterns: bool = True) -> str:
    """Mask the values of the person's secrets (by value: wherever they appear), and with
    `patterns` also credentials in URLs, values shaped like tokens or keys, and KEY=value pairs
    whose name says secret. Without `patterns` only exact values are replaced, which never
    changes the structure of a JSON document. Linear in the length of the text."""
    for value in secret_values():
        if value in text:
            text = text.replace(value, REDACTED)
    if not patterns:
        return text
    text = _URL_CREDENTIALS.sub(lambda m: f"{m.group('scheme')}{REDACTED}@", text)
    text = _SECRET_VALUE.sub(REDACTED, text)
    return _mask_assignments(text)


def _mask_assignments(text: str) -> str:
    """`NAME=value` (environment-style arguments): the value goes when the name says secret."""
    out, pos = [], 0
    for match in _ASSIGNMENT.finditer(text):
        if match.start() < pos or not secret_name(match.group(1)):
            continue
        value = _VALUE.match(text, match.end())
        out += [text[pos:match.end()], REDACTED if value else ""]
        pos = value.end() if value else match.end()
    out.append(text[pos:])
    return "".join(out)


def redact(value: object, key: str = "", *, by_key: bool = True) -> object:
    """Redact a value for a span, a log, a report or an output document. With `by_key`, the
    values of keys that name secrets are masked whole; without it (documents whose keys are
    uvmgr's own, such as `--json` output and eval results) only text is redacted."""
    if by_key and key and secret_name(key):
        return REDACTED
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, Mapping):
        return {str(k): redact(v, str(k), by_key=by_key) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact(v, by_key=by_key) for v in value]
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
