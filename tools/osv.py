"""An offline OSV advisory database, served to `uv audit` on loopback.

`load_advisories(path)` reads OSV records from a folder (searched recursively for
`.json`, `.yaml` and `.yml`) or an OSV zip dump. `OsvServer` answers the two calls
uv makes: `POST /v1/querybatch` and `GET /v1/vulns/{id}`, so `uv audit` matches
the project against local data exactly as it would against the public service.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from uvmgr.tools.loopback import LoopbackServer
from uvmgr.tools.project import normalize_name

from uvmgr.errors import UsageError

MAX_RECORD = 1 << 20  # one OSV record is a few KB; a bigger entry is not one (or is a bomb)


def _parse_record(text: str, suffix: str) -> dict | None:
    if suffix == ".json":
        data = json.loads(text)
    else:
        import yaml

        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        if "&" in text and "*" in text and any(
                isinstance(e, yaml.AliasEvent) for e in yaml.parse(text, Loader=loader)):
            return None  # OSV records have no aliases; a nest of them expands to billions
        data = yaml.load(text, Loader=loader)
    if isinstance(data, dict) and "id" in data and "affected" in data:
        return data
    return None


RECORD_SUFFIXES = (".json", ".yaml", ".yml")


@dataclass(frozen=True)
class Listing:
    """The record files of a database, in reading order, and `key`: a digest of what they
    hold (a zip's central directory: names, CRCs, sizes, offsets; a folder's paths, sizes,
    mtimes, ctimes and inodes), which changes whenever a record could read differently."""

    path: Path
    archive: zipfile.ZipFile | None  # open while the listing is in use
    entries: list  # zipfile.ZipInfo, or a folder's record files as paths relative to it
    key: str


@contextmanager
def open_records(path: Path) -> Iterator[Listing]:
    """The files that may hold a record: entries over `MAX_RECORD`, links and other non-files
    are not read (a folder may come from a cloned repository), and links to folders not
    followed."""
    import hashlib
    import os
    import stat

    if path.is_file() and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            entries = [info for info in zf.infolist()
                       if os.path.splitext(info.filename)[1].lower() in RECORD_SUFFIXES
                       and not info.is_dir() and info.file_size <= MAX_RECORD]
            with open(path, "rb") as fh:  # the central directory and the end record
                fh.seek(zf.start_dir)
                key = "zip:" + hashlib.sha256(fh.read()).hexdigest()
            yield Listing(path, zf, entries, key)
        return
    digest = hashlib.sha256()
    files = []
    for folder, dirs, names in os.walk(path):  # followlinks=False: no loops, nothing outside
        dirs.sort()
        for name in sorted(names):
            if os.path.splitext(name)[1].lower() not in RECORD_SUFFIXES:
                continue
            file = os.path.join(folder, name)
            try:
                st = os.lstat(file)
            except OSError:
                continue
            if stat.S_ISREG(st.st_mode):  # not a link, not a device or pipe
                rel = os.path.relpath(file, path)
                files.append(rel)
                digest.update(f"{rel}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ctime_ns}\0"
                              f"{st.st_ino}\n".encode())
    yield Listing(path, None, files, "dir:" + digest.hexdigest())


def read_records(listing: Listing, chosen: list[int] | None = None
                 ) -> Iterator[tuple[int, str, str]]:
    """(position in the listing, text, suffix) of each record file, or of the `chosen`
    positions only (ascending); a folder's file that has grown over `MAX_RECORD` is left out."""
    import os

    entries = listing.entries
    order = range(len(entries)) if chosen is None else [i for i in chosen
                                                        if 0 <= i < len(entries)]
    if listing.archive is not None:
        for i in order:
            info = entries[i]
            yield i, listing.archive.read(info).decode("utf-8", "replace"), os.path.splitext(
                info.filename)[1].lower()
        return
    for i in order:
        try:
            with open(os.path.join(listing.path, entries[i]), "rb") as fh:
                data = fh.read(MAX_RECORD + 1)
        except OSError:
            continue
        if len(data) <= MAX_RECORD:
            yield i, data.decode("utf-8", "replace"), os.path.splitext(entries[i])[1].lower()


@dataclass
class AdvisoryDB:
    records: dict[str, dict]  # id -> OSV record
    by_package: dict[str, list[str]]  # normalised PyPI name -> ids
    skipped: int = 0

    def matching(self, name: str, version: str) -> list[dict]:
        """The records that affect `name` at `version`; withdrawn ones are left out (OSV: a
        withdrawn record was published in error and applies to nothing)."""
        return [r for r in self._affecting(name, version) if not r.get("withdrawn")]

    def withdrawn_matching(self, name: str, version: str) -> list[dict]:
        """The withdrawn records that would otherwise affect `name` at `version`."""
        return [r for r in self._affecting(name, version) if r.get("withdrawn")]

    def _affecting(self, name: str, version: str) -> list[dict]:
        return [self.records[i] for i in self.by_package.get(normalize_name(name), [])
                if affects(self.records[i], name, version)]


# A `name` key's value, in YAML (`name: x`) or JSON (`"name": "x"`) of any layout. It starts
# with the literal `name` (a quote before it changes no match) so the search skips ahead: 20x
# faster over a full download's 48 MB of records.
_NAME_VALUE = re.compile(r"""name["']?\s*:\s*["']?([A-Za-z0-9][A-Za-z0-9._-]*)""")


def named_packages(text: str) -> set[str]:
    """The normalised `name:` values of a record's text (its affected packages among them).
    Not a substring search of the whole text: with a real lock's hundred-odd names, nearly
    every record mentions one somewhere, and parsing all of them took seconds."""
    return {normalize_name(found) for found in _NAME_VALUE.findall(text)}


def load_advisories(path: Path, names: set[str] | None = None) -> AdvisoryDB:
    """Load OSV records; with `names`, only records whose text names one of those packages
    are read and parsed (the rest could not match, and parsing thousands of YAML files is
    slow). Which records those are comes from the database's index in the user cache
    (`osv_index`), built on first use and rebuilt whenever the database changed."""
    if not path.exists():
        raise UsageError(f"advisory database {path} does not exist",
                         hint="pass a folder of OSV .json/.yaml records or an OSV zip dump")
    # is_file first: is_zipfile opens the path, and a FIFO (which a cloned repository can
    # name as its audit-db) would block it for good
    if not (path.is_dir() or (path.is_file() and zipfile.is_zipfile(path))):
        raise UsageError(f"{path} is neither a folder nor a zip of OSV records")
    db = AdvisoryDB({}, {})
    wanted = {normalize_name(n) for n in names} if names else None
    with open_records(path) as listing:
        chosen, files = None, 0
        if wanted is not None:
            from uvmgr.tools.osv_index import record_index

            index = record_index(listing)
            chosen, files = index.naming(wanted), index.files
        for _, text, suffix in read_records(listing, chosen):
            files += chosen is None
            _add(db, text, suffix)
    if not files or (not db.records and wanted is None):
        raise UsageError(f"no OSV records found in {path}",
                         hint="the folder should hold OSV records as .json or .yaml files")
    return db


def _add(db: AdvisoryDB, text: str, suffix: str) -> None:
    """Parse one record into `db`, or count it as skipped."""
    try:
        record = _parse_record(text, suffix)
    except Exception:  # noqa: BLE001 - one bad file must not hide the rest
        record = None
    if record is None:
        db.skipped += 1
        return
    db.records[record["id"]] = record
    for affected in record.get("affected", []):
        pkg = affected.get("package", {})
        if pkg.get("ecosystem", "PyPI") == "PyPI" and pkg.get("name"):
            ids = db.by_package.setdefault(normalize_name(pkg["name"]), [])
            if record["id"] not in ids:
                ids.append(record["id"])


def affects(record: dict, name: str, version: str) -> bool:
    """OSV semantics for one PyPI package: explicit `versions`, or ECOSYSTEM ranges."""
    from packaging.version import InvalidVersion, Version

    try:
        v = Version(version)
    except InvalidVersion:
        return False
    for affected in record.get("affected", []):
        pkg = affected.get("package", {})
        if (normalize_name(pkg.get("name", "")) != normalize_name(name)
                or pkg.get("ecosystem", "PyPI") != "PyPI"):
            continue
        listed = affected.get("versions") or []
        if any(_same(v, x) for x in listed):
            return True
        for rng in affected.get("ranges", []):
            if rng.get("type") == "ECOSYSTEM" and _in_range(v, rng.get("events", [])):
                return True
    return False


def _same(v, text: str) -> bool:
    from packaging.version import InvalidVersion, Version

    try:
        return Version(str(text)) == v
    except InvalidVersion:
        return False


def _in_range(v, events: list[dict]) -> bool:
    """Walk the sorted events: introduced opens, fixed / last_affected closes."""
    from packaging.version import InvalidVersion, Version

    def key(event: dict):
        (_, value), = event.items()
        value = str(value)
        try:
            return Version("0") if value == "0" else Version(value)
        except InvalidVersion:
            return Version("0")

    affected = False
    for event in sorted((e for e in events if len(e) == 1), key=key):
        (kind, _), = event.items()
        bound = key(event)
        if kind == "introduced" and v >= bound:
            affected = True
        elif kind == "fixed" and v >= bound or kind == "last_affected" and v > bound:
            affected = False
    return affected


def fixed_versions(record: dict, name: str) -> list[str]:
    out = []
    for affected in record.get("affected", []):
        if normalize_name(affected.get("package", {}).get("name", "")) != normalize_name(name):
            continue
        for rng in affected.get("ranges", []):
            if rng.get("type") == "ECOSYSTEM":
                out += [str(e["fixed"]) for e in rng.get("events", []) if "fixed" in e]
    return out


class _Handler(BaseHTTPRequestHandler):
    db: AdvisoryDB

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _send(self, status: int, payload: object) -> None:
        body = json.dumps(payload, default=str).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        if self.path.rstrip("/") != "/v1/querybatch":
            self._send(404, {"code": 5, "message": "not found"})
            return
        length = int(self.headers.get("Content-Length", 0))
        try:
            queries = json.loads(self.rfile.read(length) or b"{}").get("queries", [])
        except json.JSONDecodeError:
            self._send(400, {"code": 3, "message": "invalid JSON"})
            return
        results = []
        for query in queries:
            pkg = query.get("package", {})
            if pkg.get("ecosystem", "PyPI") != "PyPI" or "version" not in query:
                results.append({})
                continue
            vulns = [{"id": r["id"], "modified": r.get("modified", "1970-01-01T00:00:00Z")}
                     for r in self.db.matching(pkg.get("name", ""), str(query["version"]))]
            results.append({"vulns": vulns} if vulns else {})
        self._send(200, {"results": results})

    def do_GET(self) -> None:
        match = re.fullmatch(r"/v1/vulns/(.+)", self.path)
        record = self.db.records.get(match.group(1)) if match else None
        if record is None:
            self._send(404, {"code": 5, "message": "Bug not found."})
        else:
            self._send(200, record)


class OsvServer(LoopbackServer):
    """`with OsvServer(db) as url:` serves `db` on 127.0.0.1 at a free port until the block ends."""

    def __init__(self, db: AdvisoryDB):
        self.db = db
        super().__init__(type("Handler", (_Handler,), {"db": db}))
