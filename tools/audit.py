"""The audit family: vulnerabilities of the locked dependencies through `uv audit` (OSV),
and fixing them by moving each vulnerable package to its lowest fixed version."""

from __future__ import annotations

import json
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated, ClassVar

from uvmgr.tools.advisory_db import CachedDB, cached_db, require_cached_db
from uvmgr.tools.changes import (
    ChangeResult,
    ConstraintEdit,
    PackageChange,
    apply_locked_change,
    constraint_edit_for,
)
from uvmgr.tools.context import ToolContext
from uvmgr.tools.progress import Progress
from uvmgr.tools.resolve import ensure_lock_current
from uvmgr.tools.results import MAX_ITEMS
from uvmgr.tools.spec import Arg
from uvmgr.tools.targets import TARGET_FREE, Target, Targets, each, location, url
from uvmgr.tools.transaction import Transaction
from uvmgr.tools.uv_errors import uv_message

from uvmgr.errors import EXIT_FAILED, EXIT_OK, OperationFailed, ServiceUnavailable, UsageError

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


@dataclass(frozen=True)
class AuditReport:
    audited_packages: int
    findings: list[Finding]
    source: str  # the advisory database folder, or the service URL
    # Which advisories were used and how old they are, when that is not plain from `source`:
    # the cached offline database (asked for, or because the service was unreachable).
    source_note: str = ""

    @property
    def vulnerable(self) -> bool:
        return bool(self.findings)

    @property
    def exit_status(self) -> int:
        return EXIT_FAILED if self.findings else EXIT_OK

    def summary(self) -> str:
        source = f" (advisories: {self.source_note})" if self.source_note else ""
        if not self.findings:
            return f"No known vulnerabilities in {self.audited_packages} locked packages{source}."
        rows = [f"{f.package} {f.version}: {f.id} ({', '.join(f.aliases[:2]) or 'no alias'}), "
                f"fixed in {', '.join(f.fix_versions) or 'no release yet'}: {f.summary[:120]}"
                for f in self.findings]
        return (f"{len(rows)} vulnerabilities in {self.audited_packages} locked packages"
                f"{source}:\n" + "\n".join(rows[:MAX_ITEMS]))


@dataclass(frozen=True)
class SkippedFix:
    package: str
    version: str
    ids: list[str]
    reason: str


@dataclass(frozen=True)
class FixResult:
    """An audit, the change that fixes what it found (None: nothing to fix), and the audit
    after it. A `ChangeSet` through its change."""

    before: AuditReport
    change: ChangeResult | None
    after: AuditReport | None
    skipped: list[SkippedFix] = field(default_factory=list)

    operation = "audit-fix"
    json_omit: ClassVar[tuple[str, ...]] = ("changed",)  # its change carries it in --json

    @property
    def remaining(self) -> list[Finding]:
        if self.after is not None:
            return self.after.findings
        return self.before.findings

    @property
    def dry_run(self) -> bool:
        return self.change is not None and self.change.dry_run

    @property
    def changes(self) -> list[PackageChange]:
        return self.change.changes if self.change is not None else []

    @property
    def constraint_edits(self) -> list[ConstraintEdit]:
        return self.change.constraint_edits if self.change is not None else []

    @property
    def changed(self) -> bool:
        return self.change is not None and self.change.changed

    @property
    def exit_status(self) -> int:
        if self.dry_run:
            return EXIT_FAILED if self.skipped else EXIT_OK  # the plan would fix everything
        return EXIT_FAILED if self.remaining or self.skipped else EXIT_OK

    def summary(self) -> str:
        note = self.before.source_note
        lines = [f"audit found {len(self.before.findings)} vulnerabilities"
                 + (f" (advisories: {note})." if note else ".")]
        lines += [f"  {f.package} {f.version}: {f.id}, fixed in "
                  f"{', '.join(f.fix_versions) or 'no release yet'}: {f.summary[:120]}"
                  for f in self.before.findings[:MAX_ITEMS]]
        if self.change is not None:
            lines.append(self.change.summary())
        lines += [f"not fixed: {s.package} {s.version}: {s.reason}" for s in self.skipped]
        if self.after is not None:
            lines.append(f"{len(self.after.findings)} vulnerabilities remain.")
        return "\n".join(lines)


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
    """In a workspace: each finding names the members it reaches; with a member selected,
    only that member's findings are kept (the lock, and so `uv audit`, covers them all)."""
    from uvmgr.tools.lock_graph import members_by_package
    from uvmgr.tools.project import normalize_name

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
        return by_member(ctx, parse_audit_json(result.stdout, source, note))
    message = uv_message(result)
    if "error sending request" in result.stderr or "dns error" in result.stderr or \
            "Connect" in result.stderr:
        cached = cached_db() if service else None
        if cached is not None:  # the person's own download stands in, and the report says so
            server, source, note = _cached_source(
                ctx, cached, f"the advisory service at {source} could not be reached")
            result = _run_audit(ctx, server, local=True)
            if result.returncode in (0, 1) and result.stdout.strip().startswith("{"):
                return by_member(ctx, parse_audit_json(result.stdout, source, note))
            raise OperationFailed(f"uv audit failed: {uv_message(result)}",
                                  details=result.stderr[-4000:])
        raise ServiceUnavailable(
            f"the advisory service at {source} could not be reached",
            hint="download the advisories once while online with `uvmgr advisories update`: "
                 "later audits use that copy when the service is unreachable (or always, with "
                 "`uvmgr audit --offline` or audit-offline = true in your user config)",
            details=message,
        )
    raise OperationFailed(f"uv audit failed: {message}", details=result.stderr[-4000:])


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


def plan_fixes(ctx: ToolContext, report: AuditReport, skip: list[str] | None = None,
               ) -> tuple[list[str], list[ConstraintEdit], list[SkippedFix]]:
    """For each vulnerable package: the lowest fixed version above the locked one, the
    `--upgrade-package` pin for it, and a constraint edit when a direct requirement excludes it."""
    from uvmgr.tools.versions import lowest_at_least

    by_package: dict[tuple[str, str], list[Finding]] = {}
    for finding in report.findings:
        by_package.setdefault((finding.package, finding.version), []).append(finding)
    direct: dict[str, list] = {}
    for dep in ctx.project.direct_dependencies():  # in a workspace, every member declaring it
        direct.setdefault(dep.name, []).append(dep)
    args: list[str] = []
    edits: list[ConstraintEdit] = []
    skipped: list[SkippedFix] = []
    from uvmgr.tools.project import normalize_name

    held = {normalize_name(n) for n in skip or []}
    for (name, version), findings in by_package.items():
        if normalize_name(name) in held:
            skipped.append(SkippedFix(name, version, [f.id for f in findings],
                                      "left alone as asked (skip)"))
            continue
        # The fix must clear every advisory for this package: the highest of the per-advisory
        # lowest fixes.
        targets = []
        for finding in findings:
            target = lowest_at_least(finding.fix_versions, version)
            if target is None:
                skipped.append(SkippedFix(name, version, [f.id for f in findings],
                                          f"{finding.id} has no fixed version yet"))
                break
            targets.append(target)
        else:
            from packaging.version import Version

            target = str(max(targets, key=Version))
            args += ["--upgrade-package", f"{name}=={target}"]
            edits += [e for dep in direct.get(name, []) if (e := constraint_edit_for(dep, target))]
    return args, edits, skipped


def fix_vulnerabilities(
    ctx: ToolContext,
    db: Annotated[str | None, Arg("Offline OSV advisory database (folder or zip); usually "
                                  "empty.")] = None,
    service_url: Annotated[str | None, Arg("An OSV-compatible service URL; usually empty.")] = None,
    dry_run: Annotated[bool, Arg("Only report what would change.")] = False,
    run_tests_after: Annotated[bool, Arg("Run the tests after fixing and restore everything if "
                                         "they fail.")] = True,
    skip: Annotated[list[str] | None, Arg("Packages to leave alone even if vulnerable. Usually "
                                          "empty.")] = None,
) -> FixResult:
    """Audit the lock, then move each vulnerable package to the lowest version that fixes its
    advisories (raising a constraint in pyproject.toml only where it excludes that version),
    re-lock, sync, run the tests and re-audit. If the lock or the tests fail, pyproject.toml
    and uv.lock are restored byte for byte. Mutates pyproject.toml and uv.lock."""
    before = audit_dependencies(ctx, db, service_url)
    if not before.findings:
        return FixResult(before, None, before)
    args, edits, skipped = plan_fixes(ctx, before, skip)
    if not args:
        return FixResult(before, None, None, skipped)
    with Transaction(ctx.project, ctx.runner, "audit-fix", resync=not dry_run) as tx:
        change = apply_locked_change(ctx, tx, "audit-fix", args, edits, dry_run, run_tests_after)
    change = replace(change, operation="audit-fix")
    after = None if dry_run else audit_dependencies(ctx, db, service_url)
    return FixResult(before, change, after, skipped)


def _skips_tests(value: object) -> list[Target]:
    return [Target("no-tests", "fix_vulnerabilities")] if value is False else []  # default: run


fix_vulnerabilities_targets = Targets("fix_vulnerabilities", {
    "db": location("path"), "service_url": url, "skip": each("named"),
    "run_tests_after": _skips_tests, "dry_run": TARGET_FREE})
