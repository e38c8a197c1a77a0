"""Turning a failed uv call into the right typed error with a message a person can act on."""

from __future__ import annotations

import difflib
import re

from uvmgr.errors import OperationFailed, PackageNotFound, ResolutionConflict
from uvmgr.tools.runner import ProcessResult

_NOT_FOUND = re.compile(
    r"Because (?P<name>[A-Za-z0-9._-]+) was not found in the (package registry|provided package locations)"
)
_NO_VERSIONS = re.compile(r"there (is|are) no versions of (?P<name>[A-Za-z0-9._-]+)")


def uv_message(result: ProcessResult) -> str:
    """uv's own error lines (`error:`, `cause:`), trimmed to something readable."""
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


def suggest(name: str, candidates: list[str] | set[str]) -> list[str]:
    return difflib.get_close_matches(name, sorted(set(candidates)), n=3, cutoff=0.6)


def did_you_mean(name: str, candidates: list[str] | set[str]) -> str | None:
    close = suggest(name, candidates)
    return f"did you mean {' or '.join(close)}?" if close else None


def raise_for_uv(result: ProcessResult, action: str, candidates: set[str] | None = None) -> None:
    """Raise the typed error for a failed uv call; return if it succeeded."""
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
    missing = _NOT_FOUND.search(result.stderr) or _NO_VERSIONS.search(result.stderr)
    if missing and "was not found" in missing.group(0):
        name = missing.group("name")
        hint = did_you_mean(name, candidates or set()) or "check the spelling on the package index"
        raise PackageNotFound(f"{action}: {name} was not found on the package index", hint=hint,
                              details=message)
    if "No solution found" in result.stderr or "unsatisfiable" in result.stderr:
        raise ResolutionConflict(f"{action}: dependency conflict: {message}",
                                 hint="nothing was changed; relax the conflicting constraint "
                                      "or choose a lower level", details=result.stderr[-4000:])
    raise OperationFailed(f"{action} failed: {message}", details=result.stderr[-4000:])

