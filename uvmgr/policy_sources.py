"""Where a shared policy comes from: an `extends` entry (a path, or an https URL with its
`#sha256=`), read or fetched, cached in the person's cache and verified on every use.

A remote policy is fetched once into `<uvmgr cache>/policies/<sha256>.toml` and read from
there after that, its hash checked each time; a mismatch, an unreachable source or a cached copy
that no longer matches is an error naming the source, never skipped. Plain http is allowed only
for loopback hosts (a test's server); anything else must be https, redirects included.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from uvmgr.errors import UsageError

MAX_POLICY_BYTES = 1 << 20  # a policy is a few KB of TOML
FETCH_TIMEOUT = 15.0
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
_HASH = re.compile(r"sha256=([0-9a-fA-F]{64})")


class PolicyError(UsageError):
    """The policy cannot be loaded: a malformed file, an `extends` that cannot be fetched or
    does not match its hash, a project loosening a locked setting. Exit 2."""


@dataclass(frozen=True)
class Source:
    """One `extends` entry, parsed: a URL or a path, and the hash it must have ("" if none)."""

    text: str  # as written, without the fragment
    sha256: str
    remote: bool


def parse_entry(entry: object, where: str) -> Source:
    """`https://host/org.toml#sha256=<64 hex>` or `path/to/policy.toml[#sha256=...]`."""
    if not isinstance(entry, str) or not entry.strip():
        raise PolicyError(f"`extends` in {where} must be a list of paths or https URLs",
                          hint='e.g. extends = ["https://example.org/policy.toml#sha256=<hex>"]')
    text, _, fragment = entry.strip().partition("#")
    sha = ""
    if fragment:
        match = _HASH.fullmatch(fragment)
        if not match:
            raise PolicyError(f"`extends` entry {entry!r} in {where} has a fragment that is not "
                              "sha256=<64 hex digits>",
                              hint="compute it with `sha256sum policy.toml`")
        sha = match.group(1).lower()
    remote = "://" in text
    if remote:
        _check_url(text, where)
        if not sha:
            raise PolicyError(f"the remote policy {text} in {where} carries no hash",
                              hint=f"pin it: {text}#sha256=<the sha256 of the file> (what it "
                                   "says may never change under you)")
    return Source(text, sha, remote)


def _check_url(url: str, where: str) -> None:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError as exc:
        raise PolicyError(f"the policy URL {url!r} in {where} is not valid: {exc}") from None
    if parts.username or parts.password:
        raise PolicyError(f"the policy URL in {where} carries credentials",
                          hint="host the policy where it can be read without them (its "
                               "sha256 already guards what it says)")
    if parts.scheme == "https" and host:
        return
    if parts.scheme == "http" and host in LOOPBACK_HOSTS:
        return
    raise PolicyError(f"the policy URL {url} in {where} is not https",
                      hint="policies are fetched over https only (plain http only from this "
                           "machine's loopback address)")


def read_local(path: Path, name: str) -> bytes:
    """The bytes of a local policy file. A FIFO or device in its place (a cloned repository can
    name one) is refused without blocking, and a file over `MAX_POLICY_BYTES` unread."""
    import os
    import stat

    hint = "check the path in `extends` (or --policy)"
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise PolicyError(f"cannot read the policy {name}: {exc.strerror or exc}",
                          hint=hint) from exc
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise PolicyError(f"cannot read the policy {name}: Is a directory", hint=hint)
        if not stat.S_ISREG(info.st_mode):
            raise PolicyError(f"the policy {name} is not a regular file (a pipe or a device)",
                              hint=hint)
        if info.st_size > MAX_POLICY_BYTES:
            raise PolicyError(f"the policy {name} is larger than {MAX_POLICY_BYTES >> 10} KiB",
                              hint="a policy is a few KB of TOML; " + hint)
        return fh.read(MAX_POLICY_BYTES + 1)


def read_verified(path: Path, sha256: str, name: str) -> bytes:
    """The bytes of a local policy file, checked against `sha256` when one is given."""
    data = read_local(path, name)
    if sha256 and hashlib.sha256(data).hexdigest() != sha256:
        raise PolicyError(f"the policy {name} does not match its sha256 "
                          f"(expected {sha256}, found {hashlib.sha256(data).hexdigest()})",
                          hint="the file changed since it was pinned: review it and pin the "
                               "new hash, or restore it")
    return data


def cached_path(sha256: str) -> Path:
    from uvmgr.tools.advisory_db import cache_dir

    return cache_dir() / "policies" / f"{sha256}.toml"


def remote_policy(source: Source) -> bytes:
    """The remote policy's bytes: the cached copy (verified), or fetched, verified, cached."""
    cached = cached_path(source.sha256)
    if cached.exists():
        data = cached.read_bytes()
        found = hashlib.sha256(data).hexdigest()
        if found != source.sha256:
            raise PolicyError(f"the cached copy of the policy {source.text} at {cached} does "
                              f"not match its sha256 (expected {source.sha256}, found {found})",
                              hint=f"something changed the cache; delete {cached} and run "
                                   "again to fetch it anew")
        return data
    data = _fetch(source.text)
    found = hashlib.sha256(data).hexdigest()
    if found != source.sha256:
        raise PolicyError(f"the policy fetched from {source.text} does not match its sha256 "
                          f"(expected {source.sha256}, found {found})",
                          hint="the file at that URL changed since it was pinned: review it "
                               "and pin the new hash (or fix the URL); nothing was cached")
    _store(cached, data)
    return data


def _store(path: Path, data: bytes) -> None:
    import os
    import tempfile

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".policy-", dir=path.parent)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        raise PolicyError(f"cannot cache the policy in {path.parent}: {exc.strerror or exc}",
                          hint="make it writable, or set UVMGR_CACHE_DIR to a writable "
                               "folder") from exc


def _fetch(url: str) -> bytes:
    import urllib.error
    import urllib.request

    class HttpsOnly(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, req, fp, code, msg, headers, newurl):
            _check_url(newurl, f"the redirect from {url}")
            return super().redirect_request(req, fp, code, msg, headers, newurl)

    opener = urllib.request.build_opener(HttpsOnly)
    request = urllib.request.Request(url, headers={"User-Agent": "uvmgr"})
    hint = "check the URL and the network; the policy is fetched once, then read from the cache"
    try:
        with opener.open(request, timeout=FETCH_TIMEOUT) as response:
            data = response.read(MAX_POLICY_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise PolicyError(f"could not fetch the policy {url}: HTTP {exc.code} {exc.reason}",
                          hint=hint) from exc
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        reason = getattr(exc, "reason", exc)
        raise PolicyError(f"could not reach {url} to fetch the policy: {reason}",
                          hint=hint) from exc
    if len(data) > MAX_POLICY_BYTES:
        raise PolicyError(f"the policy at {url} is larger than {MAX_POLICY_BYTES >> 10} KiB",
                          hint="a policy is a small TOML file; check the URL")
    return data


def inside(root: Path, path: Path, entry: str, where: str) -> Path:
    """`path` resolved (links followed) if it stays inside `root`, else an error: a project's
    policy may not read files outside the project."""
    root = root.resolve()
    target = path.resolve()
    if target != root and root not in target.parents:
        raise PolicyError(f"`extends` entry {entry!r} in {where} leads outside the project "
                          f"(to {target})",
                          hint="a project may extend policies inside it, or an https URL with "
                               "its #sha256=; a policy elsewhere belongs in your user config "
                               "([policy] extends) or --policy")
    return target
