"""Secrets out of every span, log, report, output document and cassette.

By value: the person's own secrets (secret-looking environment variables and user-config
settings, index credentials in URLs) are masked wherever they appear; by pattern: credentials in
URLs, values shaped like tokens or keys, and `KEY=value` pairs whose name says secret.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path

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
