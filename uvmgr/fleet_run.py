"""`uvmgr fleet run`: one job per local clone, each a separate `uvmgr` process whose working
folder is the clone, at most `jobs` at a time.

A separate process per clone is what keeps each clone's own lock, transaction, journal and
report: nothing is shared between them but this loop. One clone's failure (a missing folder,
not a uv project, a failing gate, a crash, a timeout) is that clone's row in the summary; the
others run on. Each clone's output goes to `OUT/<name>/`: the JSON report, the Markdown report,
SARIF and the job's log, stamped with the time, so runs into the same folder accumulate a
history for `uvmgr fleet report`.

A clone is untrusted like any repository: the job is an ordinary uvmgr run (its
`[tool.uvmgr]` settings are read as every run reads them), and the child starts with `-P`
so a module planted in the clone (a `uvmgr/` folder of its own) is never imported.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from uvmgr.fleet_jobs import AUTOPILOT, COMMANDS, DEFAULT_TIMEOUT, POLICY_CHECK

STATUS_BY_EXIT = {0: "ok", 1: "failed", 2: "error", 3: "needs-person", 4: "rolled-back",
                  5: "error", 6: "error", 130: "interrupted", 143: "interrupted"}
__all__ = ["AUTOPILOT", "COMMANDS", "POLICY_CHECK", "clones", "run_fleet", "run_job"]


@dataclass(frozen=True)
class Clone:
    name: str  # its folder under OUT: the clone's folder name, made unique
    path: Path


@dataclass(frozen=True)
class JobOutcome:
    repository: str
    path: str
    status: str  # ok | needs-person | failed | rolled-back | error | timeout | crashed | missing
    exit_code: int | None  # None: no process ran, or it was killed
    duration: float
    message: str  # one line: what happened
    output_dir: str
    report: str | None  # the JSON report written, if the job printed one

    @property
    def failed(self) -> bool:
        return self.status not in ("ok", "needs-person")


def clones(paths: list[str]) -> list[Clone]:
    """Each clone once, with a folder name unique in this run (`app`, `app-2`, ...)."""
    seen: dict[str, int] = {}
    out, given = [], set()
    for raw in paths:
        path = Path(os.path.abspath(Path(raw).expanduser()))  # `..` resolved, links kept
        if path.resolve() in given:  # the same clone twice would only wait for its own lock
            continue
        given.add(path.resolve())
        base = _safe_name(path.name or "repository")
        seen[base] = seen.get(base, 0) + 1
        out.append(Clone(base if seen[base] == 1 else f"{base}-{seen[base]}", path))
    return out


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip(".-") or "repository"


def run_fleet(paths: list[str], command: str, jobs: int, out: Path,
              timeout: float = DEFAULT_TIMEOUT, extra: tuple[str, ...] = (),
              on_done=None) -> list[JobOutcome]:
    """Run `command` in every clone, `jobs` at a time; outcomes in the order given.
    `on_done(outcome)` is called as each finishes (from a worker thread)."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from uvmgr.telemetry import Tracer
    from uvmgr.tools.runner import ProcessRunner

    cancel = threading.Event()  # Ctrl+C or SIGTERM: every job in flight is stopped
    runner = ProcessRunner(Tracer(None), cancel=cancel)  # the jobs trace in their clones
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")

    def job(clone: Clone) -> JobOutcome:
        try:
            outcome = run_job(runner, clone, command, out, stamp, timeout, extra)
        except OSError as exc:  # its output could not be written: this clone's row, no more
            outcome = JobOutcome(clone.name, str(clone.path), "error", None, 0.0,
                                 _one_line(f"could not write its output under {out}: {exc}"),
                                 str(out / clone.name), None)
        if on_done is not None:
            on_done(outcome)
        return outcome

    pool = ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="fleet")
    try:
        futures = [pool.submit(job, clone) for clone in clones(paths)]
        return [future.result() for future in futures]
    except BaseException:
        cancel.set()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def run_job(runner, clone: Clone, command: str, out: Path, stamp: str, timeout: float,
            extra: tuple[str, ...] = ()) -> JobOutcome:
    """One clone's job; every failure becomes its outcome, never an exception."""
    folder = out / clone.name
    folder.mkdir(parents=True, exist_ok=True)

    def outcome(status: str, message: str, code: int | None = None, duration: float = 0.0,
                report: Path | None = None) -> JobOutcome:
        return JobOutcome(clone.name, str(clone.path), status, code, round(duration, 2),
                          _one_line(message), str(folder), str(report) if report else None)

    if not clone.path.is_dir():
        return outcome("missing", f"{clone.path} is not a folder")
    stem = folder / f"{command}-{stamp}"
    argv = [sys.executable, "-P", "-m", "uvmgr.cli", *COMMANDS[command]]
    if command == AUTOPILOT:
        argv += ["--report", f"{stem}.md", "--sarif", f"{stem}.sarif"]
    argv += list(extra)
    result = runner.run(argv, clone.path, timeout=timeout,
                        env={"UVMGR_REPOSITORY": clone.name, "NO_COLOR": "1"})
    _write(Path(f"{stem}.log"), result.stderr)
    document = _json(result.stdout)
    report = None
    if document is not None and "error" not in document:
        report = Path(f"{stem}.json")
        _write(report, result.stdout, json_document=True)
    if result.timed_out:
        return outcome("timeout", f"stopped after {timeout:g} s; a change in flight was rolled "
                       "back (or is, by the next uvmgr run there)", None, result.duration, report)
    code = result.returncode
    # killed by a signal, or Python died before uvmgr could answer (no JSON: a traceback)
    if code < 0 or (document is None and "Traceback (most recent call last)" in result.stderr):
        last = result.stderr.strip().splitlines()[-1:] or [f"signal {-code}"]
        return outcome("crashed", f"crashed: {last[0]}", code, result.duration, report)
    status = STATUS_BY_EXIT.get(code, "failed")
    return outcome(status, _message(command, code, document, result.stderr), code,
                   result.duration, report)


def _message(command: str, code: int, document: dict | None, stderr: str) -> str:
    """Why the job ended as it did, in one line, from the job's own JSON when it has one."""
    if document is not None and isinstance(document.get("message"), str):
        message = document["message"]
        if "invalid choice" in message and command != AUTOPILOT:
            verb = " ".join(w for w in COMMANDS[command] if not w.startswith("-"))
            return (f"this uvmgr has no `uvmgr {verb}` command (a newer uvmgr has it); the "
                    "other clones were not affected")
        hint = document.get("hint")
        return message + (f" (hint: {hint})" if isinstance(hint, str) and hint else "")
    if document is not None and command == AUTOPILOT:
        from uvmgr.run_figures import NotAReport, figures

        try:
            return _summary(figures(document))
        except NotAReport as exc:
            return f"the job's report is not readable: {exc}"
    if document is not None and isinstance(document.get("results"), list):
        return _check_summary(document["results"])
    lines = [ln for ln in stderr.strip().splitlines() if ln.strip()]
    return lines[-1] if lines else f"exit {code}"


def _check_summary(results: list) -> str:
    """`policy check --json`'s rule results in one line: counts, and the first failure."""
    rows = [r for r in results if isinstance(r, dict)]
    counts = {s: sum(1 for r in rows if r.get("status") == s) for s in ("fail", "unknown", "pass")}
    text = f"{counts['fail']} failed, {counts['unknown']} unknown, {counts['pass']} passed"
    first = next((r.get("message") for r in rows if r.get("status") == "fail"), None)
    return text + (f"; first: {first}" if isinstance(first, str) else "")


def _summary(run) -> str:
    from uvmgr.tools.results import plural

    parts = [f"{run.upgrades_applied} upgraded", plural(run.security_fixes, "security fix"),
             f"{run.held_back} held back", f"{run.deferred} deferred"]
    parts.append(f"{plural(len(run.open_vulnerabilities), 'vulnerability')} open" if run.audited
                 else "not audited")
    if run.gate_failures:
        parts.append(f"{plural(run.gate_failures, 'gate')} failed, restored")
    if run.needs_person:
        parts.append(f"{run.needs_person} for a person")
    return ", ".join(parts)


def _json(text: str) -> dict | None:
    try:
        document = json.loads(text)
    except ValueError:
        return None
    return document if isinstance(document, dict) else None


def _write(path: Path, text: str, json_document: bool = False) -> None:
    """Secrets masked; in a JSON document only exact values, which keeps its structure."""
    from uvmgr.telemetry import redact_text

    path.write_text(redact_text(text, patterns=not json_document), encoding="utf-8")


def _one_line(text: str, limit: int = 300) -> str:
    """Job output is untrusted: no control characters (terminal escapes), one short line."""
    clean = "".join(" " if unicodedata.category(c).startswith("C") else c for c in text)
    clean = " ".join(clean.split())
    return clean if len(clean) <= limit else clean[:limit - 1] + "…"


def exit_code(outcomes: list[JobOutcome]) -> int:
    """0 every job ok; 1 at least one failed (any cause); 3 none failed, some need a person."""
    from uvmgr.errors import EXIT_FAILED, EXIT_OK, EXIT_REFUSED

    if any(o.failed for o in outcomes):
        return EXIT_FAILED
    return EXIT_REFUSED if any(o.status == "needs-person" for o in outcomes) else EXIT_OK


def write_summary(outcomes: list[JobOutcome], out: Path, command: str) -> Path:
    from dataclasses import asdict

    path = out / "fleet-run.json"
    finished = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    doc = {"command": command, "finished_at": finished, "exit_code": exit_code(outcomes),
           "repositories": [asdict(o) for o in outcomes]}
    _write(path, json.dumps(doc, indent=2) + "\n", json_document=True)
    return path
