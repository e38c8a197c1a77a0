"""The quality family: formatting and lint (ruff through `uv format` / `uvx ruff`) and type
checks (`uv check`) where the installed uv has them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from uvmgr.tools.context import ToolContext
from uvmgr.tools.results import MAX_ITEMS
from uvmgr.tools.targets import Targets
from uvmgr.tools.uv_errors import uv_message

from uvmgr.errors import EXIT_FAILED, EXIT_OK


@dataclass(frozen=True)
class QualityFinding:
    file: str
    line: int | None
    code: str
    message: str
    check: str  # format | lint | types


@dataclass(frozen=True)
class CheckRun:
    check: str
    command: str
    ok: bool
    available: bool
    note: str = ""

    @property
    def state(self) -> str:
        return "ok" if self.ok else ("unavailable" if not self.available else "findings")


@dataclass(frozen=True)
class QualityReport:
    runs: list[CheckRun]
    findings: list[QualityFinding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.runs if r.available) and not self.findings

    @property
    def exit_status(self) -> int:
        return EXIT_OK if self.ok else EXIT_FAILED

    def summary(self) -> str:
        lines = [f"{r.check}: {r.state}" for r in self.runs]
        lines += [f"  {f.file}:{f.line or ''} [{f.check}] {f.code} {f.message[:120]}"
                  for f in self.findings[:MAX_ITEMS]]
        return "\n".join(lines)


def _unavailable(stderr: str) -> bool:
    text = stderr.lower()
    return any(s in text for s in ("unrecognized subcommand", "failed to download", "dns error",
                                   "error sending request", "network connectivity is disabled",
                                   "failed to fetch", "unexpected argument"))


def _run_first(ctx: ToolContext, attempts: list[list[str]]):
    """Run the first command uv can serve: its built-in (offline, so a missing binary fails
    fast instead of downloading) and then the same tool from the package index."""
    result = None
    for args in attempts:
        result = ctx.runner.uv(args, ctx.project.root, timeout=ctx.settings.timeout)
        if not _unavailable(result.stderr):
            return args, result
    return attempts[-1], result


def check_quality(ctx: ToolContext) -> QualityReport:
    """Check formatting (ruff format), lint (ruff check) and types (ty, as `uv check` runs it)
    and report findings per file and line. Read-only: changes no file."""
    runs: list[CheckRun] = []
    findings: list[QualityFinding] = []

    args, fmt = _run_first(ctx, [
        ["format", "--check", "--offline", "--", "--output-format", "concise"],
        ["tool", "run", "ruff", "format", "--check", "--output-format", "concise"],
    ])
    findings += _parse_concise(fmt.stdout + fmt.stderr, "format")
    runs.append(_run_record("format", args, fmt))

    args, lint = _run_first(ctx, [["tool", "run", "ruff", "check", "--output-format", "json"]])
    if lint.stdout.strip().startswith("["):
        for item in json.loads(lint.stdout):
            findings.append(QualityFinding(
                item.get("filename", ""), (item.get("location") or {}).get("row"),
                item.get("code") or "", item.get("message", ""), "lint"))
    runs.append(_run_record("lint", args, lint))

    # --frozen: `uv check` syncs the environment first, and would rewrite a stale uv.lock
    args, types = _run_first(ctx, [["check", "--offline", "--frozen"],
                                   ["tool", "run", "ty", "check", "--output-format", "concise"]])
    findings += _parse_concise(types.stdout + types.stderr, "types")
    runs.append(_run_record("types", args, types))
    return QualityReport(runs, findings)


check_quality_targets = Targets("check_quality", {})


def _parse_concise(text: str, check: str) -> list[QualityFinding]:
    """`path:line:col: code message` lines (ruff's and ty's concise output)."""
    out = []
    for line in text.splitlines():
        parts = line.split(":", 3)
        if len(parts) == 4 and parts[1].strip().isdigit():
            code, _, message = parts[3].strip().partition(" ")
            out.append(QualityFinding(parts[0].strip(), int(parts[1]), code.rstrip(":"),
                                      message.strip(), check))
    return out


def _run_record(check: str, args: list[str], result) -> CheckRun:
    available = not _unavailable(result.stderr) and result.returncode in (0, 1)
    note = "" if available else uv_message(result)
    return CheckRun(check, "uv " + " ".join(args), result.ok, available, note)
