"""Which advisories an OSV service marks `withdrawn`.

`uv audit` reports every record the service matches and drops the `withdrawn` field from its
JSON, so a record withdrawn as published in error would count as a vulnerability on every
run. The service uv just asked is asked again, for the full record of each finding only.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor


def _record(base_url: str, advisory_id: str, timeout: float) -> dict | None:
    url = f"{base_url.rstrip('/')}/v1/vulns/{urllib.parse.quote(advisory_id, safe='')}"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            record = json.loads(response.read(4_000_000))
    except (OSError, urllib.error.URLError, ValueError):
        return None  # not known: the finding stays, as not withdrawn
    return record if isinstance(record, dict) else None


def service_records(base_url: str, ids: list[str], timeout: float = 10.0) -> dict[str, dict]:
    """The full records of `ids` at the OSV service `base_url` (for the withdrawn flag and the
    severity uv's report leaves out); a record that cannot be fetched is missing here, and its
    finding is kept (fail closed)."""
    if not ids or not base_url.startswith(("http://", "https://")):
        return {}
    unique = sorted(set(ids))
    with ThreadPoolExecutor(max_workers=min(8, len(unique))) as pool:
        found = list(pool.map(lambda i: _record(base_url, i, timeout), unique))
    return {i: r for i, r in zip(unique, found, strict=True) if r is not None}


def withdrawn_on_service(base_url: str, ids: list[str], timeout: float = 10.0) -> list[str]:
    """The ids among `ids` whose record at the OSV service `base_url` is withdrawn. A record
    that cannot be fetched counts as not withdrawn (the finding is kept: fail closed)."""
    records = service_records(base_url, ids, timeout)
    return [i for i, r in sorted(records.items()) if r.get("withdrawn")]
