"""`uvmgr autopilot init-ci --org`: AutoPilot for many repositories, run by the organization's
own CI. It writes, into the repository that holds the organization's shared workflows (such as
`<org>/.github`):

- a reusable workflow (`workflow_call`) that runs AutoPilot in the calling repository and
  uploads its JSON report, Markdown report and SARIF as one artefact;
- a caller template (GitHub offers `workflow-templates/` of an org's `.github` repository to
  every repository of the org) that calls it on a schedule;
- a fleet-report workflow that downloads the latest artefacts of the listed repositories and
  builds the dashboard with `uvmgr fleet report`.

uvmgr itself comes from `vars.UVMGR_SOURCE` (a pinned git URL), never from PyPI by name, as in
the per-repository workflow.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from uvmgr.autopilot_output import publish_steps
from uvmgr.errors import EXIT_OK

REUSABLE_PATH = Path(".github/workflows/uvmgr-autopilot-reusable.yml")
CALLER_PATH = Path("workflow-templates/uvmgr-autopilot.yml")
CALLER_PROPERTIES_PATH = Path("workflow-templates/uvmgr-autopilot.properties.json")
FLEET_REPORT_PATH = Path(".github/workflows/uvmgr-fleet-report.yml")
ARTIFACT = "uvmgr-autopilot-report"

_SOURCE_CHECK = """\
          if [ -z "$UVMGR_SOURCE" ]; then
            echo "::error::set the variable UVMGR_SOURCE (organization or repository: Settings > Secrets and variables > Actions > Variables) to where uvmgr comes from, e.g. git+https://github.com/<owner>/uvmgr@<commit>"
            exit 2
          fi"""

REUSABLE = f"""\
# Written by `uvmgr autopilot init-ci --org`. A reusable workflow: each repository calls it
# (see workflow-templates/uvmgr-autopilot.yml) and it runs uvmgr AutoPilot there, uploads the
# reports as the artefact "{ARTIFACT}" (autopilot.json is what `uvmgr fleet report` reads)
# and opens a pull request with the changes that passed the gates.
name: uvmgr autopilot (reusable)

on:
  workflow_call:
    inputs:
      uvmgr-source:
        description: where uvmgr comes from, pinned, e.g. git+https://github.com/<owner>/uvmgr@<commit>
        type: string
        required: true
      policy:
        description: a policy file in the calling repository (default [tool.uvmgr.autopilot])
        type: string
        default: ""
      otlp-endpoint:
        description: an OTLP/HTTP collector for the run's spans and metrics (empty for none)
        type: string
        default: ""
    secrets:
      otlp-headers:
        description: OTEL_EXPORTER_OTLP_HEADERS for the collector (e.g. an API key)
        required: false
    outputs:
      exit-code:
        description: uvmgr autopilot's exit code
        value: ${{{{ jobs.autopilot.outputs.exit-code }}}}

permissions:
  contents: write
  pull-requests: write
  security-events: write

jobs:
  autopilot:
    runs-on: ubuntu-latest
    timeout-minutes: 60
    outputs:
      exit-code: ${{{{ steps.autopilot.outputs.exit_code }}}}
    steps:
      - uses: actions/checkout@v4
      - uses: astral-sh/setup-uv@v6
      - name: Run uvmgr autopilot
        id: autopilot
        env:
          UVMGR_SOURCE: ${{{{ inputs.uvmgr-source }}}}
          UVMGR_POLICY: ${{{{ inputs.policy }}}}
          UVMGR_REPOSITORY: ${{{{ github.repository }}}}
          OTEL_EXPORTER_OTLP_ENDPOINT: ${{{{ inputs.otlp-endpoint }}}}
          OTEL_EXPORTER_OTLP_HEADERS: ${{{{ secrets.otlp-headers }}}}
        run: |
{_SOURCE_CHECK}
          set +e
          uvx --from "$UVMGR_SOURCE" uvmgr autopilot --json ${{UVMGR_POLICY:+--policy "$UVMGR_POLICY"}} \\
            --report autopilot-report.md --sarif autopilot.sarif > autopilot.json
          echo "exit_code=$?" >> "$GITHUB_OUTPUT"
""" + publish_steps(ARTIFACT, retention_days=90)

CALLER = """\
# uvmgr AutoPilot, from the organization's reusable workflow. Written by
# `uvmgr autopilot init-ci --org`; replace ORG/REPO with the repository that holds
# .github/workflows/uvmgr-autopilot-reusable.yml, and pin @REF to a commit or tag.
#
# Stagger the schedule: give each repository its own minute and hour (for the n-th one,
# e.g. minute (7 * n) % 60 and hour 1 + n % 5), so the runs do not all queue at once and
# finish before the fleet report runs (Tuesdays at 07:00 UTC in uvmgr-fleet-report.yml).
name: uvmgr autopilot

on:
  schedule:
    - cron: "17 3 * * 1"
  workflow_dispatch: {}

permissions:
  contents: write
  pull-requests: write
  security-events: write

jobs:
  autopilot:
    uses: ORG/REPO/.github/workflows/uvmgr-autopilot-reusable.yml@REF
    with:
      uvmgr-source: ${{ vars.UVMGR_SOURCE }}
      otlp-endpoint: ${{ vars.UVMGR_OTLP_ENDPOINT }}
    secrets:
      otlp-headers: ${{ secrets.UVMGR_OTLP_HEADERS }}
"""

CALLER_PROPERTIES = """\
{
  "name": "uvmgr AutoPilot",
  "description": "Weekly policy-bound dependency upgrades and vulnerability fixes for a uv project, through the organization's reusable workflow.",
  "iconName": "octicon package-dependencies",
  "categories": ["Python"],
  "filePatterns": ["^uv\\\\.lock$"]
}
"""

FLEET_REPORT = f"""\
# Written by `uvmgr autopilot init-ci --org`. Weekly, after the repositories' AutoPilot runs:
# downloads the "{ARTIFACT}" artefacts of the last runs of every repository listed in the
# variable UVMGR_FLEET_REPOS (space-separated owner/name), builds the dashboard with
# `uvmgr fleet report`, and uploads it as the artefact "uvmgr-fleet-dashboard".
# UVMGR_FLEET_TOKEN: a token that may read the Actions artefacts of those repositories
# (a fine-grained token with "Actions: read").
name: uvmgr fleet report

on:
  schedule:
    - cron: "0 7 * * 2"
  workflow_dispatch: {{}}

permissions:
  contents: read

jobs:
  report:
    runs-on: ubuntu-latest
    steps:
      - uses: astral-sh/setup-uv@v6
      - name: Download the repositories' AutoPilot reports
        env:
          GH_TOKEN: ${{{{ secrets.UVMGR_FLEET_TOKEN }}}}
          REPOS: ${{{{ vars.UVMGR_FLEET_REPOS }}}}
          RUNS: "8"
        run: |
          for repo in $REPOS; do
            for run in $(gh run list -R "$repo" --workflow uvmgr-autopilot.yml --limit "$RUNS" \\
                           --json databaseId -q '.[].databaseId'); do
              gh run download "$run" -R "$repo" -n {ARTIFACT} -D "reports/${{repo//\\//__}}/$run" \\
                || echo "::warning::no report in run $run of $repo"
            done
          done
      - name: Build the dashboard
        env:
          UVMGR_SOURCE: ${{{{ vars.UVMGR_SOURCE }}}}
        run: |
{_SOURCE_CHECK}
          uvx --from "$UVMGR_SOURCE" uvmgr fleet report reports --out dashboard/index.html \\
            --json dashboard/summary.json
      - uses: actions/upload-artifact@v4
        with:
          name: uvmgr-fleet-dashboard
          path: dashboard/
"""

FILES = ((REUSABLE_PATH, REUSABLE), (CALLER_PATH, CALLER),
         (CALLER_PROPERTIES_PATH, CALLER_PROPERTIES), (FLEET_REPORT_PATH, FLEET_REPORT))


def init_org_ci(folder: Path, args: argparse.Namespace) -> int:
    """Write the four files under `folder` (the organization's workflows repository); a file
    that exists and differs is kept unless --force. It need not be a uv project."""
    from uvmgr import render
    from uvmgr.autopilot_command import written_files
    from uvmgr.errors import UsageError, UvmgrError
    from uvmgr.tools.state_files import repository_file, write_atomic

    folder = folder.resolve()
    planned = [(folder / rel, text) for rel, text in FILES]
    try:
        if not folder.is_dir():
            raise UsageError(f"{folder} is not a folder",
                             hint="pass the clone of your organization's workflows repository "
                                  "with --project")
        if args.dry_run:
            if args.json:
                render.print_json(written_files(planned, written=False))
            else:
                for path, text in planned:
                    print(f"# would write {path}\n{text}")
            return EXIT_OK
        # a planted link never carries a write elsewhere: all are checked before the first
        for rel, _text in FILES:
            repository_file(folder, rel)
        differing = [rel for rel, text in FILES if (folder / rel).exists()
                     and (folder / rel).read_text(encoding="utf-8") != text]
        if differing and not args.force:
            one = len(differing) == 1
            raise UsageError(f"{', '.join(map(str, differing))} exist{'s' if one else ''} in "
                             f"{folder} and differ{'s' if one else ''}",
                             hint="pass --force to overwrite, or --dry-run to see the new ones")
        for rel, text in FILES:
            write_atomic(repository_file(folder, rel, create=True), text.encode("utf-8"))
            if not args.json:
                print(f"wrote {folder / rel}")
    except UvmgrError as exc:
        render.error(exc, args.json)
        return exc.exit_code
    if args.json:
        render.print_json(written_files(planned, written=True))
    print("next: replace ORG/REPO@REF in the caller template, set the variables UVMGR_SOURCE "
          "and UVMGR_FLEET_REPOS and the secret UVMGR_FLEET_TOKEN (see the README's 'Many "
          "repositories')", file=sys.stderr)
    return EXIT_OK
