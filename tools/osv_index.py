"""Which records of an OSV database name which packages, so that an audit or a policy check
reads the few records of the locked packages instead of all ~26k of PyPI's download.

The index is derived data in the user cache (`<cache>/osv-index/`, one file per database
path): for each normalised `name:` value found in a record's text, the positions of those
records in the database's listing (`osv.open_records`). It holds positions, never paths, so
it can only ever choose among the database's own files. It is used only when the key it was
built for equals the database's key now (a digest of the zip's names, CRCs and sizes, or of
the folder's paths, sizes, mtimes, ctimes and inodes) and its own digest checks out; missing,
stale, corrupt or unreadable, it is rebuilt from the database (and an unwritable cache only
means it is rebuilt next time too). Parsing, withdrawn records, aliases and ecosystem
filtering stay in `osv.load_advisories`: the index only narrows which texts it reads, to
exactly the records the loader's own name filter (`osv.named_packages`) would let through.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from uvmgr.tools.osv import Listing, named_packages, read_records

FORMAT = 1
FOLDER = "osv-index"


@dataclass(frozen=True)
class RecordIndex:
    key: str  # the database's key when the index was built
    files: int  # record files read at build time (an empty database is an error)
    by_name: dict[str, list[int]]  # normalised package name -> positions in the listing

    def naming(self, names: set[str]) -> list[int]:
        """The positions of the records that name one of `names` (normalised), ascending."""
        return sorted({i for name in names for i in self.by_name.get(name, ())})


def record_index(listing: Listing, env: Mapping[str, str] | None = None) -> RecordIndex:
    """The index of `listing`'s database: the cached one if it is current and intact, else a
    new one, built from the records and cached."""
    file = index_path(listing.path, env)
    cached = _read(file, listing.key)
    if cached is not None:
        return cached
    index = build_index(listing)
    _write(file, index)
    return index


def build_index(listing: Listing) -> RecordIndex:
    by_name: dict[str, list[int]] = {}
    files = 0
    for position, text, _ in read_records(listing):
        files += 1
        for name in named_packages(text):
            by_name.setdefault(name, []).append(position)
    return RecordIndex(listing.key, files, by_name)


def index_path(database: Path, env: Mapping[str, str] | None = None) -> Path:
    from uvmgr.tools.advisory_db import cache_dir

    where = hashlib.sha256(str(database.resolve()).encode()).hexdigest()[:32]
    return cache_dir(env) / FOLDER / f"{where}.json"


def _digest(key: str, files: int, by_name: dict[str, list[int]]) -> str:
    body = json.dumps([key, files, by_name], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


def _read(file: Path, key: str) -> RecordIndex | None:
    """The index in `file` if it was built for `key` and is intact; None otherwise."""
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
        if data["format"] != FORMAT or data["key"] != key:
            return None
        files, by_name = data["files"], data["names"]
        if not (isinstance(files, int) and isinstance(by_name, dict) and all(
                isinstance(ids, list) and all(type(i) is int for i in ids)
                for ids in by_name.values())):
            return None
        if data["digest"] != _digest(key, files, by_name):
            return None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return RecordIndex(key, files, by_name)


def _write(file: Path, index: RecordIndex) -> None:
    """Cache `index` (atomically); a cache that cannot be written is no error."""
    data = {"format": FORMAT, "key": index.key, "files": index.files, "names": index.by_name,
            "digest": _digest(index.key, index.files, index.by_name)}
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".index-", dir=file.parent)
    except OSError:
        return
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, separators=(",", ":"))
        os.replace(tmp, file)
    except OSError:
        pass
    finally:
        Path(tmp).unlink(missing_ok=True)
