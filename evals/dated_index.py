"""A package index whose files carry upload dates, served on loopback, so a cooldown
(`exclude-newer`) can be tested with the real `uv`.

Flat find-links folders have no upload dates (uv keeps their files eligible under any
cooldown); a PEP 691 JSON simple index does: each file lists its `upload-time`.
`serve_dated_index(folder, dates)` serves every wheel in `folder` with the date given for it
(by file name prefix, e.g. `demo_dep-1.1.0`), or an old default date, and yields the index
URL to put in `[[tool.uv.index]]`.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import re
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from uvmgr.tools.loopback import LoopbackServer

OLD = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
_JSON = "application/vnd.pypi.simple.v1+json"


def _project_of(wheel: Path) -> str:
    return re.sub(r"[-_.]+", "-", wheel.name.split("-", 1)[0]).lower()


def _metadata(wheel: Path) -> bytes:
    import zipfile

    with zipfile.ZipFile(wheel) as zf:
        meta = next((n for n in zf.namelist() if n.endswith(".dist-info/METADATA")), None)
        return zf.read(meta) if meta else b""


def _requires_python(metadata: bytes) -> str | None:
    match = re.search(r"^Requires-Python:\s*(.+)$", metadata.decode(), re.MULTILINE)
    return match.group(1).strip() if match else None


def project_pages(folder: Path, dates: dict[str, datetime.datetime]) -> dict[str, dict]:
    """{project: PEP 691 JSON page}; `dates` maps a wheel name prefix to its upload time."""
    pages: dict[str, dict] = {}
    for wheel in sorted(folder.glob("*.whl")):
        when = next((d for prefix, d in dates.items() if wheel.name.startswith(prefix)), OLD)
        metadata = _metadata(wheel)
        entry = {"filename": wheel.name, "url": f"/files/{wheel.name}",
                 "hashes": {"sha256": hashlib.sha256(wheel.read_bytes()).hexdigest()},
                 "size": wheel.stat().st_size,
                 "core-metadata": {"sha256": hashlib.sha256(metadata).hexdigest()},
                 "upload-time": when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")}
        if (rp := _requires_python(metadata)) is not None:
            entry["requires-python"] = rp
        name = _project_of(wheel)
        page = pages.setdefault(name, {"meta": {"api-version": "1.1"}, "name": name, "files": []})
        page["files"].append(entry)
    return pages


def _handler(folder: Path, pages: dict[str, dict]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._answer(with_body=True)

        def do_HEAD(self) -> None:
            self._answer(with_body=False)

        def _answer(self, with_body: bool) -> None:
            path = self.path.split("?", 1)[0]
            if path.startswith("/simple/"):
                name = re.sub(r"[-_.]+", "-", path.removeprefix("/simple/").strip("/")).lower()
                if name in pages:
                    return self._send(json.dumps(pages[name]).encode(), _JSON, with_body)
            elif path.startswith("/files/"):
                name = Path(path).name
                wheel = folder / name.removesuffix(".metadata")
                if wheel.is_file():
                    body = _metadata(wheel) if name.endswith(".metadata") else wheel.read_bytes()
                    return self._send(body, "application/octet-stream", with_body)
            self.send_error(404)

        def _send(self, body: bytes, kind: str, with_body: bool) -> None:
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if with_body:
                self.wfile.write(body)

        def log_message(self, *args) -> None:  # quiet: tests read uv's output, not ours
            return

    return Handler


@contextlib.contextmanager
def serve_dated_index(folder: Path, dates: dict[str, datetime.datetime] | None = None,
                      ) -> Iterator[str]:
    """Serve `folder`'s wheels as a simple index on 127.0.0.1; yields its URL."""
    with LoopbackServer(_handler(folder, project_pages(folder, dates or {}))) as url:
        yield f"{url}/simple"
