"""The trace files under `.uvmgr/traces/`: appending a run's spans as JSONL, reading them back
(the folder can come with a clone: nothing in it is followed or trusted), and the recent runs
as trees for `uvmgr traces`.
"""

from __future__ import annotations

import errno
import json
import os
import stat
from pathlib import Path

TRACE_FILE = "traces.jsonl"
MAX_TRACE_BYTES = 5_000_000  # then the file is rotated to traces.1.jsonl


def write_spans(folder: Path, spans: list) -> None:
    """Append the spans (`Span`s) to `.uvmgr/traces/traces.jsonl`. The folder can come with a clone:
    a link in place of the folder or the file is refused (`O_NOFOLLOW`), never written
    through, and the rotated file is only ever renamed over, not opened."""
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise OSError(errno.ELOOP, "is a symbolic link or not a folder", str(folder))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / TRACE_FILE
    if not path.is_symlink() and path.exists() and path.stat().st_size > MAX_TRACE_BYTES:
        os.replace(path, folder / "traces.1.jsonl")
    lines = "".join(json.dumps(s.to_dict(), sort_keys=True) + "\n" for s in spans)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
                 | os.O_NONBLOCK, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as fh:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        if info.st_nlink > 1:  # a hard link: appending would change the other name's file
            raise OSError(errno.EMLINK, "a hard link to another file", str(path))
        fh.write(lines)


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
