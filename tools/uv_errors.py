"""Turning a failed uv call into the right typed error with a message a person can act on.

Each error says the cause in one line and the next step in its hint, and carries uv's own
explanation (its `error:` line and every `cause:` under it, continuation lines included) as
`explanation`, multi-line and intact: uv explains a conflict far better than a summary could.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from uvmgr.tools.runner import ProcessResult

from uvmgr.errors import (
    IndexAuthFailed,
    LockNeedsNewerUv,
    OperationFailed,
    PackageNotFound,
    PythonNotFound,
    ResolutionConflict,
    SourceUnreachable,
    UvmgrError,
)

_NOT_FOUND = re.compile(
    r"Because (?P<name>[A-Za-z0-9._-]+) was not found in the (package registry|provided package locations)"
)
_NO_VERSIONS = re.compile(r"there (is|are) no versions of (?P<name>[A-Za-z0-9._-]+)")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_MAX_EXPLANATION = 4000


def uv_message(result: ProcessResult) -> str:
    """uv's own error lines (`error:`, `cause:`), trimmed to one readable line."""
    lines = [ln.strip() for ln in result.stderr.splitlines() if ln.strip()]
    start = next((i for i, ln in enumerate(lines) if ln.startswith(("error:", "×"))), None)
    # from uv's first error line on, whole: a cause continues over several lines ("And
    # because ..."), and cutting it leaves the conflict unexplained
    keep = []
    for line in lines[start:] if start is not None else []:
        if line.startswith("hint:"):
            break
        keep.append(line)
    text = " ".join(keep or lines[-3:])
    return re.sub(r"\s+", " ", text)[:3000] or f"uv exited with code {result.returncode}"


def uv_explanation(stderr: str) -> str:
    """uv's error as it printed it: from the first `error:` line to the end, line breaks and
    indentation kept (progress lines before it left out)."""
    lines = _ANSI.sub("", stderr).rstrip().splitlines()
    start = next((i for i, ln in enumerate(lines) if ln.lstrip().startswith(("error:", "×"))),
                 None)
    if start is None:
        return ""
    text = "\n".join(ln.rstrip() for ln in lines[start:])
    if len(text) > _MAX_EXPLANATION:
        text = text[:_MAX_EXPLANATION].rstrip() + "\n…"
    return text


def suggest(name: str, candidates: list[str] | set[str]) -> list[str]:
    import difflib  # only when a name is unknown

    return difflib.get_close_matches(name, sorted(set(candidates)), n=3, cutoff=0.6)


def did_you_mean(name: str, candidates: list[str] | set[str]) -> str | None:
    close = suggest(name, candidates)
    return f"did you mean {' or '.join(close)}?" if close else None


# -- the environment's failures, each: (stderr, action) -> the error, or None -------------------

_PY_MISSING = re.compile(r"No interpreter found for Python (?P<req>\S+)")
_PY_PYENV = re.compile(r"pyenv: version `(?P<req>[^']+)' is not installed(?: \(set by (?P<by>[^)]+)\))?")
_PY_PIN = re.compile(r"resolved to Python (?P<found>\S+), which is incompatible with the project's "
                     r"Python requirement: `(?P<req>[^`]+)`")


def _install_version(request: str) -> str:
    found = re.search(r"\d+(?:\.\d+){0,2}", request)
    return found.group(0) if found else request


def _python(stderr: str, action: str) -> UvmgrError | None:
    pin = _PY_PIN.search(stderr)
    if pin:
        version = _install_version(pin["req"])
        if "request from `.python-version`" in stderr:
            return PythonNotFound(
                f"{action}: `.python-version` selects Python {pin['found']}, but the project "
                f"requires {pin['req']}",
                hint=f"run `uv python pin {version}` (and `uv python install {version}` if you do "
                     "not have it), or delete `.python-version`")
        # chosen by UV_PYTHON or --python (setup-uv sets UV_PYTHON in CI), not by a pin file
        return PythonNotFound(
            f"{action}: the requested interpreter is Python {pin['found']}, but the project "
            f"requires {pin['req']}",
            hint=f"point UV_PYTHON (or --python) at a Python {pin['req']}, or unset it; "
                 f"`uv python install {version}` if you do not have one")
    found = _PY_MISSING.search(stderr) or _PY_PYENV.search(stderr)
    if found is None:
        return None
    version = _install_version(found["req"])
    via_pyenv = "pyenv:" in stderr
    where = f" (asked for by {found['by']})" if via_pyenv and found["by"] else ""
    step = (f"run `uv python install {version}`, or pick a Python you have for this project "
            "(`uv python list`; change `.python-version` or `requires-python`)")
    if via_pyenv:
        step += (f"; pyenv's shim answered for it: `pyenv install {version}`, or set "
                 "`UV_PYTHON` to an interpreter uv should use")
    elif "downloads are set to 'never'" in stderr or "downloads are disabled" in stderr:
        step += "; Python downloads are turned off here (UV_PYTHON_DOWNLOADS)"
    return PythonNotFound(f"{action}: uv cannot find Python {found['req']}{where}", hint=step)


_GIT_SOURCE = re.compile(r"Failed to (?:download and build|fetch|resolve) `?(?P<name>[A-Za-z0-9._-]+)"
                         r"\s*@\s*(?P<url>git\+[^`\s]+)`?")
_GIT_URL = re.compile(r"(?:git fetch|clone)\b[^\n]*?'(?P<url>[^']+)'")
_FETCH = re.compile(r"Failed to fetch: `?(?P<url>[^`\s]+)`?")
_NETWORK = ("error sending request", "tcp connect error", "Connection refused", "dns error",
            "Could not connect", "Couldn't connect", "Failed to connect", "timed out",
            "Network is unreachable", "failed to lookup address", "Could not resolve host")


def _git(stderr: str, action: str) -> UvmgrError | None:
    if "Git operation failed" not in stderr and "git fetch" not in stderr:
        return None
    source = _GIT_SOURCE.search(stderr)
    url = source["url"] if source else (m["url"] if (m := _GIT_URL.search(stderr)) else "?")
    name = source["name"] if source else "a git dependency"
    unreachable = any(marker in stderr for marker in _NETWORK)
    cause = "could not be reached" if unreachable else "could not be fetched"
    return SourceUnreachable(
        f"{action}: the git source of {name} ({url}) {cause}",
        hint="check the network and your access to that host (credentials, VPN); if it is gone "
             f"or private, point {name} at another source (`[tool.uv.sources]` in pyproject.toml); "
             "nothing was changed")


_DIRECT = re.compile(r"Failed to (?:download|download and build|build) `(?P<name>[A-Za-z0-9._-]+)"
                     r"\s*@\s*(?P<url>(?!git\+)[a-z]+://[^`\s]+)`")


def _url_source(stderr: str, action: str) -> UvmgrError | None:
    direct = _DIRECT.search(stderr)
    if direct is None or not any(marker in stderr for marker in _NETWORK):
        return None
    name = direct["name"]
    return SourceUnreachable(
        f"{action}: the URL source of {name} ({direct['url']}) could not be reached",
        hint=f"check the network and that the file is still there; or point {name} at another "
             "source in pyproject.toml; nothing was changed")


_PATH_SOURCE = re.compile(r"`(?P<name>[A-Za-z0-9._-]+)(?:==\S+)?\s*@\s*(?:editable|directory|path)\+"
                          r"(?P<path>[^`]+)`[^\n]*\n(?:.*\n)*?.*Distribution not found at: "
                          r"(?:file://)?(?P<where>\S+)")


def _path_source(stderr: str, action: str) -> UvmgrError | None:
    """A path dependency (`[tool.uv.sources] x = { path = "../x" }`) whose folder is gone: a
    sibling in a monorepo not checked out, moved or renamed."""
    missing = _PATH_SOURCE.search(stderr)
    if missing is None:
        return None
    name = missing["name"]
    return SourceUnreachable(
        f"{action}: the path source of {name} ({missing['path']}) does not exist: "
        f"{missing['where']}",
        hint=f"check out or restore that folder (in a monorepo, work in the whole checkout), or "
             f"point {name} at another source in `[tool.uv.sources]`; nothing was changed")


def _index_named(url: str, cwd: str) -> tuple[str, str]:
    """(how to name the index `url` belongs to in a message, its name or ""): its name in the
    project's `[[tool.uv.index]]` when it has one, and its host, never a user or password."""
    from pathlib import Path

    from uvmgr.tools.indexes import index_for_url, indexes_at, shown_url

    clean = shown_url(url)
    host = re.match(r"[a-z+]+://[^/]+", clean)
    where = host.group(0) if host else clean
    found = index_for_url(url, indexes_at(Path(cwd))) if cwd else None
    return (f"`{found.name}` ({where})" if found else f"at {where}"), found.name if found else ""


def _index(stderr: str, action: str, cwd: str = "") -> UvmgrError | None:
    fetch = _FETCH.search(stderr)
    if fetch is None or not any(marker in stderr for marker in _NETWORK):
        return None
    named, _ = _index_named(fetch["url"], cwd)
    return SourceUnreachable(
        f"{action}: the package index {named} could not be reached",
        hint="check the network and the index URL (`[[tool.uv.index]]` in pyproject.toml, "
             "UV_INDEX_URL, UV_DEFAULT_INDEX); nothing was changed")


_AUTH = (re.compile(r"An index URL \((?P<url>[^)\s]+)\) could not be queried due to a lack of "
                    r"valid authentication credentials \((?P<status>[^)]+)\)"),
         re.compile(r"An index \((?P<url>[^)\s]+)\) returned a (?P<status>40[13] [A-Za-z]+) error"),
         re.compile(r"HTTP status client error \((?P<status>40[13] [A-Za-z]+)\) for url "
                    r"\((?P<url>[^)\s]+)\)"))


def _index_auth(stderr: str, action: str, cwd: str = "") -> UvmgrError | None:
    """A private index that wanted credentials and got none, or refused the ones uv sent. uv
    then says the package "was not found", which is not the cause."""
    import os

    from uvmgr.tools.indexes import PackageIndex

    found = next((m for rule in _AUTH if (m := rule.search(stderr))), None)
    if found is None:
        return None
    named, name = _index_named(found["url"], cwd)
    user_var, password_var = PackageIndex(name or "NAME", "").credential_variables
    sent = bool(name) and bool(os.environ.get(user_var) or os.environ.get(password_var))
    if sent:
        return IndexAuthFailed(
            f"{action}: the package index {named} refused the credentials ({found['status']})",
            hint=f"check {user_var} and {password_var} (and that this account may read the "
                 "index); nothing was changed")
    # none in the environment: a 401 asks for some; a 403 may refuse ones uv found elsewhere
    cause = "needs credentials" if found["status"].startswith("401") else "refused access"
    return IndexAuthFailed(
        f"{action}: the package index {named} {cause} ({found['status']})",
        hint=f"set {user_var} and {password_var} in the environment (or check the credentials "
             "uv finds in its keyring provider or netrc for that host); nothing was changed")


_SCHEMA = re.compile(r"unsupported schema version \(v(?P<lock>\d+), but only v(?P<ours>\d+) is "
                     r"supported\)")


def _lock_schema(stderr: str, action: str) -> UvmgrError | None:
    schema = _SCHEMA.search(stderr)
    if schema is None:
        return None
    if int(schema["lock"]) < int(schema["ours"]):
        return LockNeedsNewerUv(
            f"{action}: uv.lock uses lock schema v{schema['lock']}, older than this uv reads "
            f"(v{schema['ours']})", hint="recreate it with `uvmgr deps lock`")
    return LockNeedsNewerUv(
        f"{action}: uv.lock was written by a newer uv (lock schema v{schema['lock']}; this uv "
        f"reads v{schema['ours']})",
        hint="upgrade uv (`uv self update`, or upgrade the `uv` package in uvmgr's environment: "
             "`uv tool upgrade uvmgr`); uv.lock was left as it is")


def _conflict(stderr: str, action: str) -> UvmgrError | None:
    if "No solution found" not in stderr and "unsatisfiable" not in stderr:
        return None
    causes = [ln.strip().removeprefix("cause:").removeprefix("╰─▶").strip()
              for ln in stderr.splitlines() if ln.strip().startswith(("cause:", "╰─▶"))]
    cause = next((c for c in causes if c.startswith("Because")), causes[0] if causes else "")
    short = cause if len(cause) <= 300 else cause[:299] + "…"
    return ResolutionConflict(
        f"{action}: dependency conflict" + (f": {short}" if short else ""),
        hint="nothing was changed; relax the conflicting constraint or choose a lower level "
             "(uv's explanation above names the requirements that clash)")


# Checked in order: a git fetch failure also mentions the network; a conflict can name a
# package that was not found.
_ENVIRONMENT: tuple[Callable[[str, str], UvmgrError | None], ...] = (
    _python, _lock_schema, _git, _path_source, _url_source, _index, _conflict)


def environment_error(result: ProcessResult, action: str) -> UvmgrError | None:
    """The typed error for a uv call that failed because of its environment (no Python, an
    unreachable source, a lock from a newer uv, a conflict), uv's explanation attached; None
    when the failure is something else."""
    for rule in _ENVIRONMENT:
        error = rule(result.stderr, action, result.cwd) if rule is _index else \
            rule(result.stderr, action)
        if error is not None:
            error.details = result.stderr[-4000:]
            error.explanation = uv_explanation(result.stderr) or None
            return error
    return None


def raise_for_uv(result: ProcessResult, action: str, candidates: set[str] | None = None) -> None:
    """Raise the typed error for a failed uv call; return if it succeeded. What uvmgr changed
    about the call (`result.note`, e.g. interpreter downloads turned off) ends the hint."""
    try:
        _raise_for_uv(result, action, candidates)
    except UvmgrError as exc:
        if result.note:
            exc.hint = f"{exc.hint}; {result.note}" if exc.hint else result.note
        raise


def _raise_for_uv(result: ProcessResult, action: str, candidates: set[str] | None) -> None:
    if result.ok:
        return
    message = uv_message(result)
    if result.timed_out:
        raise OperationFailed(f"{action}: uv timed out", hint="raise [tool.uvmgr] timeout or "
                              "UVMGR_TIMEOUT, or check the network", details=result.stderr[-2000:])
    if result.returncode < 0:
        import signal

        raise OperationFailed(f"{action}: uv was interrupted (killed by "
                              f"{signal.Signals(-result.returncode).name}) before it finished",
                              hint="run the command again", details=result.stderr[-2000:])
    explanation = uv_explanation(result.stderr) or None
    refused = _index_auth(result.stderr, action, result.cwd)
    if refused is not None:  # uv reads it as "not found"; the cause is the credentials
        refused.details, refused.explanation = result.stderr[-4000:], explanation
        raise refused
    missing = _NOT_FOUND.search(result.stderr) or _NO_VERSIONS.search(result.stderr)
    if missing and "was not found" in missing.group(0):
        name = missing.group("name")
        hint = did_you_mean(name, candidates or set()) or "check the spelling on the package index"
        raise PackageNotFound(f"{action}: {name} was not found on the package index", hint=hint,
                              details=message, explanation=explanation)
    error = environment_error(result, action)
    if error is not None:
        raise error
    if explanation:  # the first line here, all of uv's words under it
        message = explanation.splitlines()[0].removeprefix("error:").strip()
    raise OperationFailed(f"{action} failed: {message}", details=result.stderr[-4000:],
                          explanation=explanation)
