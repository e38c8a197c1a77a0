"""The audit family: vulnerabilities of the locked dependencies through `uv audit` (OSV).
Fixing them is `tools/audit_fix.py`."""

from __future__ import annotations

import json
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated

from uvmgr.tools.advisory_db import CachedDB, cached_db, require_cached_db
from uvmgr.tools.context import ToolContext
from uvmgr.tools.progress import Progress
from uvmgr.tools.resolve import ensure_lock_current
from uvmgr.tools.results import MAX_ITEMS, plural
from uvmgr.tools.spec import Arg
from uvmgr.tools.targets import Targets, location, url
from uvmgr.tools.uv_errors import uv_message

from uvmgr.errors import (
    EXIT_FAILED,
    EXIT_OK,
    AdvisoryServiceUnavailable,
    CouldNotAudit,
    UsageError,
)

AUDIT_ARGS = ["audit", "--preview-features", "audit-command", "--preview-features",
              "json-output", "--output-format", "json", "--frozen"]


@dataclass(frozen=True)
class Finding:
    package: str
    version: str
    id: str
    aliases: list[str]
    fix_versions: list[str]
    summary: str
    link: str = ""
    members: list[str] = field(default_factory=list)  # the workspace members it reaches
    # locked from a private index: an advisory for the PyPI project of that name matched it
    index: str = field(default="", metadata={"json": "omit-empty"})


@dataclass(frozen=True)
class AuditReport:
    audited_packages: int
    findings: list[Finding]
    source: str  # the advisory database folder, or the service URL
    # Which advisories were used and how old they are, when that is not plain from `source`:
    # the cached offline database (asked for, or because the service was unreachable).
    source_note: str = ""
    withdrawn: list[str] = field(default_factory=list)  # ids of withdrawn records, ignored

    @property
    def vulnerable(self) -> bool:
        return bool(self.findings)

    @property
    def exit_status(self) -> int:
        return EXIT_FAILED if self.findings else EXIT_OK

    @property
    def withdrawn_note(self) -> str:
        """"1 withdrawn advisory ignored (ID)", or "" when there was none."""
        if not self.withdrawn:
            return ""
        return (f"{plural(len(self.withdrawn), 'withdrawn advisory')} ignored "
                f"({', '.join(self.withdrawn[:5])})")

    def headline(self) -> str:
        packages = plural(self.audited_packages, "locked package")
        source = f" (advisories: {self.source_note})" if self.source_note else ""
        if not self.findings:
            return f"No known vulnerabilities in {packages}{source}."
        return f"{plural(len(self.findings), 'vulnerability')} in {packages}{source}"

    def summary(self) -> str:
        note = [self.withdrawn_note] if self.withdrawn else []
        if not self.findings:
            return "\n".join([self.headline(), *note])
        rows = [f"{f.package} {f.version}"
                + (f" (from index {f.index}; the advisory is for the PyPI project of that name)"
                   if f.index else "")
                + f": {f.id} ({', '.join(f.aliases[:2]) or 'no alias'}), "
                f"fixed in {', '.join(f.fix_versions) or 'no release yet'}: {f.summary[:120]}"
                for f in self.findings]
        return "\n".join([self.headline() + ":", *rows[:MAX_ITEMS], *note])


def _audit_source(ctx: ToolContext, db: str | None, service_url: str | None):
    """(the server to run, the source's name, a note on it, whether it is a service: then
    the cached database stands in when it cannot be reached)."""
    if db and service_url:
        raise UsageError("pass either --db or --service-url, not both")
    # A path given on the command line is relative to the current directory; one from
    # [tool.uvmgr] is relative to the project.
    base = Path.cwd()
    if not db and not service_url:
        db, service_url, base = ctx.settings.audit_db, ctx.settings.audit_service_url, ctx.project.root
        if not db and not service_url and ctx.settings.audit_offline:
            return (*_cached_source(ctx, require_cached_db(), "asked for offline"), False)
    if db:
        path = Path(db).expanduser()
        if not path.is_absolute():
            path = (base / path).resolve()
        return _db_server(ctx, path), str(path), "", False
    return nullcontext(service_url), service_url or "https://api.osv.dev", "", True


def _db_server(ctx: ToolContext, path: Path):
    from uvmgr.tools.osv import OsvServer, load_advisories

    return OsvServer(load_advisories(path, set(ctx.project.locked_packages())))


def _cached_source(ctx: ToolContext, cached: CachedDB, why: str):
    note = f"the offline advisory database, {cached.describe()} ({why})"
    return _db_server(ctx, Path(cached.path)), cached.path, note


def parse_audit_json(stdout: str, source: str, note: str = "") -> AuditReport:
    data = json.loads(stdout)
    findings = []
    for vuln in data.get("vulnerabilities", []):
        dep = vuln.get("dependency", {})
        summary = vuln.get("summary") or (vuln.get("description") or "").strip().split("\n")[0]
        findings.append(Finding(
            package=dep.get("name", ""),
            version=str(dep.get("version", "")),
            id=vuln.get("id", ""),
            aliases=list(vuln.get("aliases") or []),
            fix_versions=[str(v) for v in vuln.get("fix_versions") or []],
            summary=summary[:300],
            link=vuln.get("link") or "",
        ))
    return AuditReport(int(data.get("summary", {}).get("audited_packages", 0)), findings, source,
                       note)


def by_member(ctx: ToolContext, report: AuditReport) -> AuditReport:
    """Each finding says the private index its package is locked from, if any. In a
    workspace: each finding names the members it reaches; with a member selected, only that
    member's findings are kept (the lock, and so `uv audit`, covers them all)."""
    from uvmgr.tools.lock_graph import members_by_package
    from uvmgr.tools.project import normalize_name

    locked = ctx.project.locked_packages()
    report = replace(report, findings=[
        replace(f, index=locked[name].index) if (name := normalize_name(f.package)) in locked
        else f for f in report.findings])
    reach = members_by_package(ctx.project)
    if not reach:
        return report
    findings = [replace(f, members=reach.get(normalize_name(f.package), [])) for f in report.findings]
    if ctx.project.package:
        findings = [f for f in findings if ctx.project.package in f.members]
    return replace(report, findings=findings)


def audit_dependencies(
    ctx: ToolContext,
    db: Annotated[str | None, Arg("Path to an offline OSV advisory database (folder or zip). "
                                  "Leave empty to use the configured one or the OSV service.")] = None,
    service_url: Annotated[str | None, Arg("An OSV-compatible service URL. Usually empty.")] = None,
) -> AuditReport:
    """Check every package locked in uv.lock against known vulnerabilities (OSV advisories,
    matched by `uv audit`). Each finding names the package, its locked version, the advisory
    id and aliases (CVE, GHSA), the versions that fix it, and a summary. Read-only."""
    ensure_lock_current(ctx)
    server, source, note, service = _audit_source(ctx, db, service_url)
    result = _run_audit(ctx, server, local=not service)
    if result.returncode in (0, 1) and result.stdout.strip().startswith("{"):
        report = _without_withdrawn(ctx, parse_audit_json(result.stdout, source, note),
                                    server, service)
        return by_member(ctx, report)
    message = uv_message(result)
    if "error sending request" in result.stderr or "dns error" in result.stderr or \
            "Connect" in result.stderr:
        cached = cached_db() if service else None
        if cached is not None:  # the person's own download stands in, and the report says so
            server, source, note = _cached_source(
                ctx, cached, f"the advisory service at {source} could not be reached")
            result = _run_audit(ctx, server, local=True)
            if result.returncode in (0, 1) and result.stdout.strip().startswith("{"):
                report = _without_withdrawn(ctx, parse_audit_json(result.stdout, source, note),
                                            server, False)
                return by_member(ctx, report)
            raise CouldNotAudit(f"uv audit failed: {uv_message(result)}",
                                details=result.stderr[-4000:])
        raise AdvisoryServiceUnavailable(
            f"the advisory service at {source} could not be reached",
            hint="download the advisories once while online with `uvmgr advisories update`: "
                 "later audits use that copy when the service is unreachable (or always, with "
                 "`uvmgr audit --offline` or audit-offline = true in your user config)",
            details=message,
        )
    raise CouldNotAudit(f"uv audit failed: {message}", details=result.stderr[-4000:],
                        hint="nothing is known about vulnerabilities yet; fix the cause above "
                             "and audit again")


def _without_withdrawn(ctx: ToolContext, report: AuditReport, server, service: bool,
                       ) -> AuditReport:
    """The report without withdrawn OSV records (published in error), which it counts. An
    offline database knows them; uv's report from a service drops the flag, so the service is
    asked for each finding's full record."""
    if service:
        from uvmgr.tools.osv_withdrawn import withdrawn_on_service

        withdrawn = withdrawn_on_service(report.source, [f.id for f in report.findings])
    else:
        locked = ctx.project.locked_packages().values()
        withdrawn = sorted({r["id"] for p in locked
                            for r in server.db.withdrawn_matching(p.name, p.version)})
    return replace(report, withdrawn=withdrawn,
                   findings=[f for f in report.findings if f.id not in withdrawn])


def _run_audit(ctx: ToolContext, server, *, local: bool):
    ctx.progress(Progress("auditing", f"{len(ctx.project.locked_packages())} packages"))
    with server as url:
        args = list(AUDIT_ARGS)
        env = {}
        if url:
            args += ["--service-url", url]
        if local:
            env["UV_HTTP_RETRIES"] = "0"  # our own loopback server does not flake
        return ctx.runner.uv(args, ctx.project.root, timeout=ctx.settings.timeout, env=env)


# Where the audit reads advisories from, or sends the locked names to.
audit_dependencies_targets = Targets("audit_dependencies", {
    "db": location("path"), "service_url": url})
