"""What an AutoPilot run leaves behind: the Markdown report, the commit message, SARIF for the
remaining vulnerabilities, an optional commit on a new branch, and the CI workflow."""

from __future__ import annotations

from pathlib import Path
from typing import Any

EXIT_MEANING = {
    0: "nothing to do, or every change kept passes the gates",
    1: "a gate failed; everything was restored",
    3: "something needs a person (outside the policy)",
    4: "a change failed verification and was rolled back",
}


def markdown(result: Any, trace_id: str = "") -> str:

    r = result
    lines = [f"# uvmgr AutoPilot: {r.project}", "",
             f"{r.started_at} · {r.duration:.1f} s · exit {r.exit_code}: "
             f"{EXIT_MEANING.get(r.exit_code, '')}", ""]
    lines += ["## Changes", ""]
    if r.changes:
        lines += ["| package | before | after | |", "|---|---|---|---|"]
        fixed = {f.package for f in r.security_fixes}
        for c in r.changes:
            why = "security fix" if c.name in fixed else ("direct" if c.direct else "transitive")
            why += f", from index {c.index}" if c.index else ""
            lines.append(f"| {c.name} | {c.before or '—'} | {c.after or '—'} | {why} |")
        lines += [""] + [f"- {e.member + ': ' if e.member else ''}pyproject.toml [{e.group}]: "
                         f"{e.describe()}" for e in r.constraint_edits]
        for name, hit in r.excerpts.items():
            quoted = "\n".join("> " + line for line in hit.text.strip().splitlines()[:8])
            lines += ["", f"{name}: from {hit.citation} (quoted, not instructions)", "", quoted]
    elif r.restored:
        lines.append("Changes were made but a gate failed, so pyproject.toml and uv.lock were "
                     "restored to how this run found them.")
    else:
        lines.append("Nothing changed.")
    lines += ["", "## Vulnerabilities", ""]
    if r.audit_before is None:
        lines.append("The audit could not run (see below).")
    else:
        lines.append(f"Advisories: {r.audit_before.source_note or r.audit_before.source}.")
        lines.append("")
        for fix in r.security_fixes:
            lines.append(f"- fixed: {fix.package} {fix.before} -> {fix.after} ({', '.join(fix.ids)})")
        for f in r.remaining_vulnerabilities:
            fixed_in = ", ".join(f.fix_versions) or "no fix yet"
            lines.append(f"- remaining: {f.package} {f.version} {f.id} (fixed in {fixed_in}): "
                         f"{f.summary[:140]}")
        if not r.security_fixes and not r.remaining_vulnerabilities:
            lines.append("No known vulnerabilities.")
        if r.audit_before.withdrawn:
            lines.append(f"- {r.audit_before.withdrawn_note}")
    lines += ["", "## Held back", ""]
    for h in r.held_back:
        tests = f"; failing tests: {', '.join(h.failing_tests[:5])}" if h.failing_tests else ""
        lines.append(f"- {h.name} {h.current} -> {h.wanted}: {h.reason}{tests}")
    for m in r.majors_available:
        lines.append(f"- {m.name} {m.current} -> {m.latest}{m.where}: a {m.delta} update, outside the "
                     f"policy's levels ({', '.join(r.policy.levels)})")
    if not r.held_back and not r.majors_available:
        lines.append("Nothing.")
    if r.deferred:
        lines += ["", "## Deferred to the next run", "",
                  f"Over max-packages = {r.policy.max_packages} this run (the oldest locked "
                  "releases go first):", ""]
        lines += [f"- {d.name} {d.current} -> {d.latest_compatible}" for d in r.deferred]
    if r.by_policy:
        lines += ["", "## Ignored or pinned by the policy", ""]
        lines += [f"- {h.name} {h.current} ({h.latest} available): {h.reason}"
                  for h in r.by_policy]
    lines += ["", "## Needs a person", ""]
    lines += [f"- {n}" for n in r.needs_person] or ["Nothing."]
    lines += ["", "## Gates", ""]
    lines += [f"- {g.name}: {'pass' if g.ok else 'FAIL'} ({g.detail})" for g in r.gates] or [
        "Not run: nothing changed."]
    from uvmgr.agent.offline import OFFLINE_MODEL

    explained = [run.answer for run in r.runs
                 if any(m != OFFLINE_MODEL for m in run.models_used) and run.answer]
    if explained:  # a configured model wrote explanations; the offline planner's are the above
        lines += ["", "## Notes from the model", "", *explained]
    models = sorted({m for run in r.runs for m in run.models_used}) or ["none"]
    lines += ["", "## Run", "", f"- policy: {r.policy.describe()}",
              f"- model: {', '.join(models)}"]
    if trace_id:
        lines.append(f"- trace: {trace_id} (`uvmgr traces`)")
    return "\n".join(lines) + "\n"


def commit_message(result: Any) -> str:
    fixes = {f.package for f in result.security_fixes}
    direct = [c for c in result.changes if c.direct]
    title = f"chore(deps): {len(direct)} dependency update{'s' if len(direct) != 1 else ''}"
    if fixes:
        title += f", {len(fixes)} security fix{'es' if len(fixes) != 1 else ''}"
    body = [f"- {c.name} {c.before} -> {c.after}" + (" (security)" if c.name in fixes else "")
            for c in direct]
    body += [f"- held back {h.name} {h.wanted}: {h.reason}" for h in result.held_back]
    return f"{title}\n\n" + "\n".join(body) + "\n\nBy uvmgr autopilot; gates: " + ", ".join(
        f"{g.name} {'pass' if g.ok else 'fail'}" for g in result.gates) + "\n"


def _git(ctx: Any, *argv: str):
    return ctx.runner.run(["git", *argv], ctx.project.root, timeout=60)


def check_commit_possible(ctx: Any) -> None:
    """Before the run: --commit needs a git repository where pyproject.toml and uv.lock have
    no uncommitted edits (they would end up in AutoPilot's commit)."""
    from uvmgr.errors import UsageError

    if not _git(ctx, "rev-parse", "--show-toplevel").ok:
        raise UsageError("--commit needs a git repository", hint="run `git init`, or drop --commit")
    if not _git(ctx, "diff", "--quiet", "HEAD", "--", *ctx.project.tracked_files()).ok:
        raise UsageError("pyproject.toml or uv.lock has uncommitted changes, which --commit would "
                         "sweep into AutoPilot's commit",
                         hint="commit or stash them first, or drop --commit")


def git_commit(ctx: Any, message_file: Path, date: str) -> tuple[str, str]:
    """Commit pyproject.toml and uv.lock on a new branch `uvmgr/autopilot-<date>`, then go back
    to the branch that was checked out (whose files are left as they were). Never pushes.
    Returns (branch, commit); on failure undoes the branch and raises OperationFailed."""
    from uvmgr.errors import OperationFailed

    original = _git(ctx, "symbolic-ref", "--quiet", "--short", "HEAD").stdout.strip()
    branch = f"uvmgr/autopilot-{date}"
    n = 1
    while _git(ctx, "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}").ok:
        n += 1
        branch = f"uvmgr/autopilot-{date}-{n}"
    identity = []
    if not _git(ctx, "config", "user.name").ok:
        identity += ["-c", "user.name=uvmgr autopilot"]
    if not _git(ctx, "config", "user.email").ok:
        identity += ["-c", "user.email=autopilot@uvmgr.invalid"]
    switched = _git(ctx, "switch", "-c", branch)
    if not switched.ok:
        raise OperationFailed(f"git could not create {branch}: {switched.stderr.strip()[:300]}")
    committed = _git(ctx, *identity, "commit", "-F", str(message_file), "--",
                     *ctx.project.tracked_files())  # in a workspace, every member's too
    if not committed.ok:
        _git(ctx, "switch", "-") if original else None
        _git(ctx, "branch", "-D", branch)
        raise OperationFailed(f"git commit failed: {committed.stderr.strip()[:300]}")
    sha = _git(ctx, "rev-parse", "HEAD").stdout.strip()
    if original:
        from uvmgr.tools.transaction import sync_environment

        _git(ctx, "switch", original)
        ctx.project.reload()
        sync_environment(ctx.project, ctx.runner)  # the environment follows the files again
    return branch, sha


def publish_steps(artifact: str = "uvmgr-autopilot-report", retention_days: int | None = None,
                  ) -> str:
    """The steps after an AutoPilot run, in the per-repository and the organization's reusable
    workflow alike: upload the reports as one artefact (what `uvmgr fleet report` reads), the
    SARIF to code scanning, and open a pull request with what passed the gates."""
    retention = f"\n          retention-days: {retention_days}" if retention_days else ""
    return f"""\
      - uses: actions/upload-artifact@v4
        if: always()
        with:
          name: {artifact}{retention}
          path: |
            autopilot.json
            autopilot-report.md
            autopilot.sarif
      - uses: github/codeql-action/upload-sarif@v3
        if: always() && hashFiles('autopilot.sarif') != ''
        with:
          sarif_file: autopilot.sarif
      - uses: peter-evans/create-pull-request@v7
        if: steps.autopilot.outputs.exit_code == '0' || steps.autopilot.outputs.exit_code == '3'
        with:
          branch: uvmgr/autopilot
          title: "chore(deps): uvmgr autopilot"
          body-path: autopilot-report.md
          commit-message: "chore(deps): uvmgr autopilot"
          add-paths: |
            pyproject.toml
            uv.lock
"""


def policy_check_job() -> str:
    """The workflow's pull-request job: the policy gate (`uvmgr policy check`), its Markdown in
    the job summary and its SARIF uploaded as code-scanning alerts. Fails the check on a
    violation (exit 1), an unloadable policy (2) or an unchecked advisory rule (6)."""
    return """\
  policy:
    # Every pull request: uvmgr policy check, offline over the lock (uv sync installs the
    # locked distributions, whose metadata gives their licenses).
    if: github.event_name == 'pull_request'
    runs-on: ubuntu-latest
    permissions:
      contents: read
      security-events: write
    steps:
      - uses: actions/checkout@v4
      - uses: astral-sh/setup-uv@v6
      - name: uvmgr policy check
        env:
          UVMGR_SOURCE: ${{ vars.UVMGR_SOURCE }}
        run: |
          if [ -z "$UVMGR_SOURCE" ]; then
            echo "::error::set the repository variable UVMGR_SOURCE to where uvmgr comes from, e.g. git+https://github.com/<owner>/uvmgr@<commit>"
            exit 2
          fi
          uv sync --frozen --no-install-project
          uvx --from "$UVMGR_SOURCE" uvmgr advisories update
          uvx --from "$UVMGR_SOURCE" uvmgr policy check --sarif policy.sarif | tee -a "$GITHUB_STEP_SUMMARY"
      - uses: github/codeql-action/upload-sarif@v3
        if: always() && hashFiles('policy.sarif') != ''
        with:
          sarif_file: policy.sarif
          category: uvmgr-policy
"""


WORKFLOW = """\
# Written by `uvmgr autopilot init-ci`. Weekly (and on demand), uvmgr upgrades within the
# policy in [tool.uvmgr.autopilot], fixes known vulnerabilities, runs the gates, and opens a
# pull request with what passed. It never pushes to the default branch itself. On every pull
# request it checks the policy's rules (`uvmgr policy check`).
name: uvmgr autopilot

on:
  schedule:
    - cron: "17 5 * * 1"
  workflow_dispatch: {}
  pull_request: {}

permissions:
  contents: write
  pull-requests: write
  security-events: write

jobs:
  autopilot:
    if: github.event_name != 'pull_request'
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: astral-sh/setup-uv@v6
      # uvmgr is not taken from PyPI by name (a package called uvmgr there is not necessarily
      # this one): set the repository variable UVMGR_SOURCE to where yours comes from, e.g.
      # git+https://github.com/<owner>/uvmgr@<commit> (a pinned commit, not a branch).
      - name: Run uvmgr autopilot
        id: autopilot
        env:
          UVMGR_SOURCE: ${{ vars.UVMGR_SOURCE }}
        run: |
          if [ -z "$UVMGR_SOURCE" ]; then
            echo "::error::set the repository variable UVMGR_SOURCE (Settings > Secrets and variables > Actions > Variables) to where uvmgr comes from, e.g. git+https://github.com/<owner>/uvmgr@<commit>"
            exit 2
          fi
          set +e
          uvx --from "$UVMGR_SOURCE" uvmgr autopilot --json --report autopilot-report.md --sarif autopilot.sarif > autopilot.json
          echo "exit_code=$?" >> "$GITHUB_OUTPUT"
""" + publish_steps() + policy_check_job()

WORKFLOW_PATH = Path(".github/workflows/uvmgr-autopilot.yml")
