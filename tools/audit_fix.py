"""Fixing what the audit found: each vulnerable package (or only those asked for) moved to
the lowest version that fixes its advisories, tested; when the tests fail, the fixes are
bisected exactly as `upgrade_safely` bisects upgrades (the passing ones kept)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Annotated, ClassVar

from uvmgr.tools.audit import AuditReport, Finding, audit_dependencies
from uvmgr.tools.changes import (
    ChangeResult,
    ConstraintEdit,
    HeldBack,
    PackageChange,
    constraint_edit_for,
)
from uvmgr.tools.context import ToolContext
from uvmgr.tools.lock_change import apply_locked_change, changed_files
from uvmgr.tools.results import MAX_ITEMS, plural
from uvmgr.tools.spec import Arg
from uvmgr.tools.targets import TARGET_FREE, Target, Targets, each, location, url
from uvmgr.tools.transaction import Transaction

from uvmgr.errors import EXIT_FAILED, EXIT_OK, RolledBack, UsageError

if TYPE_CHECKING:
    from uvmgr.tools.project import DirectDependency


@dataclass(frozen=True)
class FixCandidate:
    """A vulnerable package and the lowest fixed version (`target`); `dep` is the direct
    requirement to raise, if any (None for a transitive package)."""

    dep: DirectDependency | None
    current: str
    target: str
    name: str

    @property
    def bound(self) -> str:
        return f"=={self.target}"

    def edit_for(self, bound: str) -> ConstraintEdit | None:
        return constraint_edit_for(self.dep, bound.removeprefix("==")) if self.dep else None


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
    failed: list[HeldBack] = field(default_factory=list)  # fixes that broke the tests, restored
    picked: list[str] | None = None  # the packages asked for (None: every vulnerable one)

    operation = "audit-fix"
    json_omit: ClassVar[tuple[str, ...]] = ("changed",)  # its change carries it in --json

    @property
    def remaining(self) -> list[Finding]:
        """The findings still there, of the packages asked for."""
        from uvmgr.tools.project import normalize_name

        report = self.after if self.after is not None else self.before
        return [f for f in report.findings
                if self.picked is None or normalize_name(f.package) in self.picked]

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
        return EXIT_FAILED if self.remaining or self.skipped or self.failed else EXIT_OK

    def summary(self) -> str:
        note = self.before.source_note
        lines = [f"audit found {plural(len(self.before.findings), 'vulnerability')}"
                 + (f" (advisories: {note})." if note else ".")]
        lines += [f"  {f.package} {f.version}: {f.id}, fixed in "
                  f"{', '.join(f.fix_versions) or 'no release yet'}: {f.summary[:120]}"
                  for f in self.before.findings[:MAX_ITEMS]]
        if self.change is not None:
            lines.append(self.change.summary())
        lines += [f"not fixed: {s.package} {s.version}: {s.reason}" for s in self.skipped]
        for held in self.failed:
            tests = f" (failing: {', '.join(held.failing_tests[:3])})" if held.failing_tests else ""
            lines.append(f"not fixed: {held.name} {held.current} -> {held.wanted}: {held.reason}"
                         f"{tests}; restored")
        if self.after is not None:
            left = len(self.after.findings)
            lines.append(f"{plural(left, 'vulnerability')} {'remains' if left == 1 else 'remain'}.")
        return "\n".join(lines)


def plan_fixes(ctx: ToolContext, report: AuditReport, skip: list[str] | None = None,
               packages: list[str] | None = None) -> tuple[list[FixCandidate], list[SkippedFix]]:
    """For each vulnerable package (of `packages`, when given): the lowest fixed version above
    the locked one (the candidate's target; its `dep` is the direct requirement to raise, if
    any), or why it is left alone."""
    from packaging.version import Version
    from uvmgr.tools.project import normalize_name
    from uvmgr.tools.versions import lowest_at_least

    by_package: dict[tuple[str, str], list[Finding]] = {}
    for finding in report.findings:
        by_package.setdefault((normalize_name(finding.package), finding.version),
                              []).append(finding)
    picked = _picked(packages, {name for name, _ in by_package}, ctx)
    direct = {d.name: d for d in ctx.project.direct_dependencies()}
    candidates: list[FixCandidate] = []
    skipped: list[SkippedFix] = []
    held = {normalize_name(n) for n in skip or []}
    for (name, version), findings in by_package.items():
        if picked is not None and name not in picked:
            continue
        if name in held:
            skipped.append(SkippedFix(name, version, [f.id for f in findings],
                                      "left alone as asked (skip)"))
            continue
        # The fix must clear every advisory for this package: the highest of the per-advisory
        # lowest fixes.
        targets = [lowest_at_least(f.fix_versions, version) for f in findings]
        unfixed = next((f for f, t in zip(findings, targets) if t is None), None)
        if unfixed is not None:
            skipped.append(SkippedFix(name, version, [f.id for f in findings],
                                      f"{unfixed.id} has no fixed version yet"))
            continue
        target = str(max((t for t in targets if t), key=Version))
        candidates.append(FixCandidate(direct.get(name), version, target, name))
    return candidates, skipped


def _picked(packages: list[str] | None, vulnerable: set[str], ctx: ToolContext) -> set[str] | None:
    """The normalised names asked for; each must be a vulnerable package of this lock."""
    if not packages:
        return None
    from uvmgr.tools.project import normalize_name
    from uvmgr.tools.uv_errors import did_you_mean

    picked = {normalize_name(p) for p in packages}
    for name in sorted(picked - vulnerable):
        locked = set(ctx.project.locked_packages())
        where = ("has no known vulnerability in this lock" if name in locked
                 else "is not in uv.lock")
        raise UsageError(f"{name} {where}, so there is nothing to fix",
                         hint=did_you_mean(name, vulnerable | locked) or
                         (f"the vulnerable packages are {', '.join(sorted(vulnerable))}"
                          if vulnerable else "`uvmgr audit` lists what is vulnerable"))
    return picked


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
    packages: Annotated[list[str] | None, Arg("Only fix these vulnerable packages; empty for "
                                              "every one.")] = None,
) -> FixResult:
    """Audit the lock, then move each vulnerable package to the lowest version that fixes its
    advisories (raising a constraint in pyproject.toml only where it excludes that version),
    re-lock, sync, run the tests and re-audit. If the lock or the tests fail, pyproject.toml
    and uv.lock are restored byte for byte. Mutates pyproject.toml and uv.lock."""
    # (The model reads the docstring above; recorded replays match it word for word.) With
    # tests, failing fixes are bisected out and the passing ones kept; `packages` is the
    # person's pick on the command line, hidden from planners (agent/toolcalls.py).
    from uvmgr.tools.project import normalize_name

    before = audit_dependencies(ctx, db, service_url)
    if not before.findings and not packages:
        return FixResult(before, None, before)
    candidates, skipped = plan_fixes(ctx, before, skip, packages)
    picked = sorted({normalize_name(p) for p in packages}) if packages else None
    if not candidates:
        return FixResult(before, None, None, skipped, picked=picked)
    if dry_run or not run_tests_after:
        args = [a for c in candidates for a in ("--upgrade-package", f"{c.name}=={c.target}")]
        edits = [e for c in candidates if c.dep and (e := constraint_edit_for(c.dep, c.target))]
        with Transaction(ctx.project, ctx.runner, "audit-fix", resync=not dry_run) as tx:
            change = apply_locked_change(ctx, tx, "audit-fix", args, edits, dry_run,
                                         run_tests_after)
        change = replace(change, operation="audit-fix")
        after = None if dry_run else audit_dependencies(ctx, db, service_url)
        return FixResult(before, change, after, skipped, picked=picked)
    change, failed = _fix_tested(ctx, before, candidates, skipped, picked)
    return FixResult(before, change, audit_dependencies(ctx, db, service_url), skipped, failed,
                     picked)


def _fix_tested(ctx: ToolContext, before: AuditReport, candidates: list[FixCandidate],
                skipped: list[SkippedFix], picked: list[str] | None,
                ) -> tuple[ChangeResult, list[HeldBack]]:
    """Every fix in one change gated by the tests; on failure the fixes are bisected exactly as
    `upgrade_safely` bisects upgrades: what passes is kept, what fails is restored."""
    from uvmgr.tools.changes import diff_locked
    from uvmgr.tools.safe_upgrade import Trials, bisect_failures
    from uvmgr.tools.transaction import RunTransaction, file_hashes

    project = ctx.project
    locked, hashes = project.locked_packages(), file_hashes(project)
    direct = {d.name for d in project.direct_dependencies()}
    with RunTransaction(project, ctx.runner, "audit-fix") as run:
        trials = Trials(ctx, direct, None, len(candidates), "audit-fix")
        failing = bisect_failures(trials, candidates)
        failed = [HeldBack(c.name, c.current, c.target, reason,
                           [f.id for f in report.failures] if report else [])
                  for c, report, reason in failing]
        project.reload()
        change = ChangeResult("audit-fix", False, diff_locked(locked, project.locked_packages(),
                                                              direct),
                              trials.edits, tests=trials.last_passed,
                              files_changed=changed_files(hashes, ctx))
        if failing and not change.changed:
            raise RolledBack(
                "audit-fix: no fix passed the tests or resolved ("
                + "; ".join(f"{h.name} {h.wanted}: {h.reason}"
                            + (f" ({', '.join(h.failing_tests[:3])})" if h.failing_tests else "")
                            for h in failed)
                + "); pyproject.toml and uv.lock were restored byte for byte",
                hint="run `uvmgr test` to see the failures, or fix fewer packages "
                     "(`uvmgr audit --fix NAME`)",
                result=FixResult(before, replace(change, rolled_back=True), None, skipped, failed,
                                 picked))
        run.commit()
    return change, failed


def _skips_tests(value: object) -> list[Target]:
    return [Target("no-tests", "fix_vulnerabilities")] if value is False else []  # default: run


fix_vulnerabilities_targets = Targets("fix_vulnerabilities", {
    "db": location("path"), "service_url": url, "skip": each("named"),
    "run_tests_after": _skips_tests, "dry_run": TARGET_FREE, "packages": each("package")})
