"""The offline advisory database: PyPI's OSV advisories as one zip in the person's cache
(`$UVMGR_CACHE_DIR`, else `$XDG_CACHE_HOME/uvmgr`, else `~/.cache/uvmgr`), downloaded by
`uvmgr advisories update` and used by every audit when the OSV service cannot be reached or
when the person asks for offline (`--offline`, `audit-offline`).

A download is checked before it replaces anything: under the size cap, a valid zip whose CRCs
match, every `.json` entry an OSV record (`id` and `modified`). Only then does it replace the
old copy (`os.replace`), and the date is recorded beside it. A bad download keeps the old one.
Its index by package (`osv_index`) is built right after, so audits read only the records of
the locked packages.
Where to download from is the person's choice (flag, `UVMGR_ADVISORY_DB_URL`, user config),
never a project's.
"""

from __future__ import annotations

import datetime
import json
import os
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from uvmgr.tools.progress import Progress, ProgressObserver, no_progress

from uvmgr.errors import OperationFailed, ServiceUnavailable, UsageError

DEFAULT_URL = "https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip"
MAX_BYTES = 512 << 20  # the download; PyPI's zip is tens of MB
MAX_UNPACKED = 4 << 30  # what its entries claim to unpack to (a zip bomb stops here)
DB_NAME = "pypi-osv.zip"
META_NAME = "pypi-osv.json"
CHUNK = 1 << 16


@dataclass(frozen=True)
class CachedDB:
    """The cached database: where it is, how many advisories, when and whence it came."""

    path: str
    advisories: int
    updated: str  # ISO 8601, UTC
    url: str
    bytes: int

    def age(self, now: datetime.datetime | None = None) -> str:
        """`3 days ago`, `2 hours ago`, `just now`."""
        now = now or datetime.datetime.now(datetime.UTC)
        try:
            then = datetime.datetime.fromisoformat(self.updated)
        except ValueError:
            return "at an unknown time"
        seconds = max(0, int((now - then).total_seconds()))
        for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
            if seconds >= size:
                count = seconds // size
                return f"{count} {unit}{'s' if count != 1 else ''} ago"
        return "just now"

    def describe(self) -> str:
        return f"{self.advisories} advisories, updated {self.age()}"


def cache_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    own = Path(env.get("UVMGR_CACHE_DIR", "")).expanduser()
    if own.is_absolute():  # a relative one would land in whatever folder uvmgr runs in
        return own
    from uvmgr.user_dirs import user_dir

    return user_dir("XDG_CACHE_HOME", env)


def cached_db(env: Mapping[str, str] | None = None) -> CachedDB | None:
    """The cached database, or None if there is none (or its record is unreadable)."""
    folder = cache_dir(env)
    try:
        meta = json.loads((folder / META_NAME).read_text(encoding="utf-8"))
        db = CachedDB(str(folder / DB_NAME), int(meta["advisories"]), str(meta["updated"]),
                      str(meta["url"]), int(meta["bytes"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return db if Path(db.path).is_file() else None


def require_cached_db(env: Mapping[str, str] | None = None) -> CachedDB:
    db = cached_db(env)
    if db is None:
        raise UsageError("no offline advisory database is cached yet",
                         hint="download it once while online with `uvmgr advisories update` "
                              "(or audit a folder of OSV records with `uvmgr audit --db PATH`)")
    return db


def _request(url: str):
    """The request for `url`, or an input error that never shows a password. Credentials in
    it (`https://user:password@mirror/...`) become a Basic `Authorization` header (urllib
    would read them as part of the host name), one that is not sent on after a redirect."""
    import base64
    import urllib.request
    from urllib.parse import unquote, urlsplit, urlunsplit

    def bad(why: str) -> UsageError:
        return UsageError(f"cannot download the advisory database from {_shown(url)!r}: {why}",
                          hint="give an https:// (or http://, file://) URL of an OSV zip")

    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError as exc:
        raise bad(f"it is not a valid URL ({exc})") from None
    if parts.scheme not in ("https", "http", "file"):
        raise bad("only https://, http:// and file:// URLs are downloaded")
    if parts.scheme != "file" and not host:
        raise bad("it names no host")
    auth = None
    if parts.username or parts.password:
        pair = f"{unquote(parts.username or '')}:{unquote(parts.password or '')}"
        auth = "Basic " + base64.b64encode(pair.encode()).decode()
        netloc = (f"[{host}]" if host and ":" in host else host or "") + (
            f":{port}" if port else "")
        url = urlunsplit(parts._replace(netloc=netloc))
    request = urllib.request.Request(url, headers={"User-Agent": "uvmgr"})
    if auth:
        request.add_unredirected_header("Authorization", auth)
    return request


def update_db(url: str = DEFAULT_URL, *, env: Mapping[str, str] | None = None,
              max_bytes: int = MAX_BYTES, timeout: float = 60.0,
              progress: ProgressObserver = no_progress) -> CachedDB:
    """Download the OSV zip at `url`, check it, and make it the cached database."""
    folder = cache_dir(env)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=".download-", suffix=".zip", dir=folder)
    except OSError as exc:
        raise UsageError(f"cannot write the advisory cache {folder}: {exc.strerror or exc}",
                         hint="make it writable, or set UVMGR_CACHE_DIR to a writable folder"
                         ) from exc
    tmp = Path(tmp_name)
    kept = "the cached copy was kept" if cached_db(env) else "nothing was cached"
    try:
        with os.fdopen(fd, "wb") as out:
            size = _download(url, out, max_bytes, timeout, progress, kept)
        progress(Progress("downloading", "checking the advisories"))
        count = verify_zip(tmp, url, kept)
        updated = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
        meta = {"advisories": count, "updated": updated, "url": _shown(url), "bytes": size}
        os.replace(tmp, folder / DB_NAME)
        _write_json(folder / META_NAME, meta)
    finally:
        tmp.unlink(missing_ok=True)
    progress(Progress("downloading", "indexing the advisories by package"))
    _index(folder / DB_NAME, env)
    return CachedDB(str(folder / DB_NAME), count, updated, _shown(url), size)


def _index(path: Path, env: Mapping[str, str] | None) -> None:
    """Build the package index of the new database now, so the first audit need not."""
    from uvmgr.tools.osv import open_records
    from uvmgr.tools.osv_index import record_index

    with open_records(path) as listing:
        record_index(listing, env)


def _shown(url: str) -> str:
    """The URL without credentials (a mirror's user:password never reaches a file or log)."""
    from urllib.parse import urlsplit, urlunsplit

    try:
        parts = urlsplit(url)
        if not (parts.username or parts.password):
            return url
        return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
    except ValueError:  # malformed: keep only what follows the last "@" of the address
        scheme, sep, rest = url.partition("://")
        return scheme + sep + rest.rpartition("@")[2] if "@" in rest else url


def _download(url: str, out, max_bytes: int, timeout: float, progress: ProgressObserver,
              kept: str) -> int:
    import http.client
    import urllib.error
    import urllib.request

    shown = _shown(url)
    request = _request(url)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            total = int(response.headers.get("Content-Length") or 0)
            if total > max_bytes:
                raise _too_big(shown, max_bytes, kept)
            size = 0
            progress(Progress("downloading", "advisories", 0, total))
            while chunk := response.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise _too_big(shown, max_bytes, kept)
                out.write(chunk)
                progress(Progress("downloading", "advisories", size, total))
    except urllib.error.HTTPError as exc:
        raise OperationFailed(f"the advisory database download from {shown} failed: HTTP "
                              f"{exc.code} {exc.reason}; {kept}",
                              hint="check the URL (advisory-db-url in your user config, "
                                   "UVMGR_ADVISORY_DB_URL or --url)") from exc
    except http.client.InvalidURL as exc:
        raise UsageError(f"cannot download the advisory database from {shown!r}: it is not a "
                         "valid URL", hint="give an https:// (or http://, file://) URL of an "
                                           "OSV zip") from exc
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ServiceUnavailable(f"could not reach {shown} to download the advisory database: "
                                 f"{reason}; {kept}",
                                 hint="check the network, or point advisory-db-url in your "
                                      "user config (or UVMGR_ADVISORY_DB_URL, --url) at a "
                                      "mirror") from exc
    return size


def _too_big(shown: str, max_bytes: int, kept: str) -> OperationFailed:
    return OperationFailed(f"the download from {shown} is larger than {max_bytes >> 20} MiB, "
                           f"which is not an advisory database; {kept}",
                           hint="check the URL points at an OSV zip (…/PyPI/all.zip)")


def verify_zip(path: Path, url: str, kept: str = "the cached copy was kept") -> int:
    """The number of OSV records in the zip at `path`; raises unless every JSON entry is one."""
    shown = _shown(url)

    def bad(why: str) -> OperationFailed:
        return OperationFailed(f"the download from {shown} is not an OSV advisory zip ({why}); "
                               f"{kept}",
                               hint="check the URL points at an OSV zip (…/PyPI/all.zip)")

    if not zipfile.is_zipfile(path):
        raise bad("not a zip file")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = [i for i in zf.infolist() if not i.is_dir()]
            if sum(i.file_size for i in infos) > MAX_UNPACKED:
                raise bad("it would unpack to more than 4 GiB")
            count = 0
            for info in infos:
                if not info.filename.lower().endswith(".json"):
                    continue
                try:
                    record = json.loads(zf.read(info))
                except (ValueError, UnicodeDecodeError) as exc:
                    raise bad(f"{info.filename} is not JSON") from exc
                if not (isinstance(record, dict) and "id" in record and "modified" in record):
                    raise bad(f"{info.filename} is not an OSV record")
                count += 1
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        raise bad(f"damaged: {exc}") from exc
    if not count:
        raise bad("it holds no advisories")
    return count


def _write_json(path: Path, data: dict) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".meta-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=2)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
