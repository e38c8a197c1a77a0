"""The two steps every lock change shares: apply it inside a transaction (edit constraints,
re-lock), then finish it (check it against the approved preview, sync, test if asked, commit;
roll back on any failure); and the snapshot a change is diffed against."""

from __future__ import annotations

from dataclasses import replace

from uvmgr.tools.changes import (
    ChangeResult,
    ConstraintEdit,
    diff_locked,
    requirement_edits,
    with_index,
)
from uvmgr.tools.context import ToolContext
from uvmgr.tools.progress import Progress
from uvmgr.tools.transaction import Transaction, record_state, sync_environment
from uvmgr.tools.uv_errors import raise_for_uv

from uvmgr.errors import RolledBack, TestsDidNotFinish


def changed_files(before: dict[str, str | None], ctx: ToolContext) -> list[str]:
    from uvmgr.tools.transaction import file_hashes

    after = file_hashes(ctx.project)
    return [name for name in after if after[name] != before.get(name)]


def snapshot(ctx: ToolContext):
    """Locked packages, file hashes and declared requirements, to diff against later."""
    from uvmgr.tools.transaction import file_hashes

    project = ctx.project
    locked = project.locked_packages() if project.has_lock() else {}
    return locked, file_hashes(project), project.direct_dependencies()


def change_since(ctx: ToolContext, operation: str, dry_run: bool, locked_before, hashes,
                 declared_before) -> ChangeResult:
    """What changed since `snapshot` returned (`locked_before`, `hashes`, `declared_before`)."""
    project = ctx.project
    project.reload()
    declared = project.direct_dependencies()
    direct = {d.name for d in declared} | {d.name for d in declared_before}
    return ChangeResult(operation, dry_run,
                        diff_locked(locked_before, project.locked_packages(), direct),
                        requirement_edits(declared_before, declared),
                        files_changed=changed_files(hashes, ctx))


def apply_locked_change(ctx: ToolContext, tx: Transaction, operation: str, lock_args: list[str],
                        edits: list[ConstraintEdit], dry_run: bool, verify_tests: bool,
                        ) -> ChangeResult:
    """Inside `tx`: edit constraints, re-lock with `lock_args`, then either report (dry run) or
    sync, optionally test, and commit. Raises (and so rolls back) on any failure."""
    from uvmgr.tools.pyproject_edit import apply_constraint_edits
    from uvmgr.tools.resolve import parse_dry_run  # resolve builds PackageChange: import late
    from uvmgr.tools.transaction import file_hashes

    project = ctx.project
    before = project.locked_packages()
    hashes = file_hashes(project)
    if edits:
        apply_constraint_edits(project, edits)
        record_state(project)  # uvmgr's own write: recovery may restore it
    direct = {d.name for d in project.direct_dependencies()}
    if dry_run:
        result = ctx.runner.uv(["lock", "--dry-run", *lock_args], project.root,
                               timeout=ctx.settings.timeout)
        raise_for_uv(result, operation)
        return ChangeResult(operation, True, with_index(parse_dry_run(result.stderr, direct),
                                                        before), edits)
    ctx.progress(Progress("resolving", operation))
    result = ctx.runner.uv(["lock", *lock_args], project.root, timeout=ctx.settings.timeout)
    raise_for_uv(result, operation)
    changes = diff_locked(before, project.locked_packages(), direct)
    change = ChangeResult(operation, False, changes, edits,
                          files_changed=changed_files(hashes, ctx))
    return finish_change(ctx, tx, change, verify_tests)


def finish_change(ctx: ToolContext, tx: Transaction, result: ChangeResult,
                  verify_tests: bool) -> ChangeResult:
    """Check the change against the approved preview, sync the environment, run the tests
    if asked, and commit; roll back on failure."""
    from uvmgr.tools.binding import enforce_approved

    enforce_approved(ctx, tx, result.operation, result.changes, result.constraint_edits)
    ctx.progress(Progress("syncing", result.operation))
    if not sync_environment(ctx.project, ctx.runner):
        tx.rollback()
        raise RolledBack(f"{result.operation}: the new lock could not be installed (uv sync "
                         "failed); pyproject.toml and uv.lock were restored",
                         result=replace(result, rolled_back=True))
    tests = None
    if verify_tests and result.changed:
        try:
            from uvmgr.tools.testing import run_tests

            tests = run_tests(ctx)
        except TestsDidNotFinish as exc:  # no verdict is not a pass: undo, exit 4
            tx.rollback()
            raise RolledBack(f"{result.operation}: {exc.message}; pyproject.toml and uv.lock "
                             "were restored byte for byte", hint=exc.hint,
                             result=replace(result, rolled_back=True)) from exc
        result = replace(result, tests=tests)
        if not tests.ok:
            tx.rollback()
            failing = ", ".join(f.id for f in tests.failures[:5]) or tests.counts()
            raise RolledBack(
                f"{result.operation}: tests failed after the change ({failing}); "
                "pyproject.toml and uv.lock were restored byte for byte",
                hint="run `uvmgr test` to see the failures, or upgrade fewer packages",
                result=replace(result, rolled_back=True),
            )
    tx.commit()
    return result
