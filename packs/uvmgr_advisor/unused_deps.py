"""Unused and undeclared dependencies, found by deptry (run through uv like the quality tools)
and turned into the advisor's findings.

deptry runs in its own tool environment (`uv tool run`), so it cannot see what the project's
environment installs; the advisor gives it that knowledge instead: the module names of every
declared distribution (`--package-module-name-map`, so `pyyaml` is known to provide `yaml`),
and for a module deptry calls missing (DEP001), whether the project's environment has it
through another package, which makes it a transitive import.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from uvmgr.tools.context import ToolContext
from uvmgr.tools.project import normalize_name

from uvmgr_advisor.environment import Environment
from uvmgr_advisor.findings import Finding

DEPTRY = "deptry==0.25.1"  # pinned: its JSON report is what is read here
UNAVAILABLE = ("failed to download", "dns error", "error sending request", "failed to fetch",
               "network connectivity is disabled", "no solution found")


class DeptryUnavailable(Exception):
    """deptry could not be installed or run."""


def run_deptry(ctx: ToolContext, env: Environment, own: list[str]) -> list[dict]:
    """deptry's findings as its JSON report lists them, over the project's own package (its
    runtime code: not its docs, examples or scripts) or, without one, the whole project."""
    from uvmgr_advisor.import_time import package_paths

    root = ctx.project.root
    scanned = [p.relative_to(root).as_posix() for p in package_paths(root, own)] or ["."]
    declared = {d.name for d in ctx.project.direct_dependencies()}
    mapping = ",".join(f"{name}={'|'.join(sorted(mods))}" for name in sorted(declared)
                       if (mods := sorted(env.modules_of(name))))
    with tempfile.TemporaryDirectory(prefix="uvmgr-deptry-") as tmp:
        report = Path(tmp) / "deptry.json"
        args = ["tool", "run", DEPTRY, *scanned, "--no-ansi", "--json-output", str(report)]
        if own:
            args += ["--known-first-party", ",".join(own)]
        if mapping:
            args += ["--package-module-name-map", mapping]
        result = ctx.runner.uv(args, ctx.project.root, timeout=ctx.settings.timeout)
        if not report.exists():
            text = result.stderr.lower()
            why = ("deptry could not be installed (no network?)" if any(
                s in text for s in UNAVAILABLE) else
                " ".join(result.stderr.strip().splitlines()[-1:]) or
                f"deptry exited with code {result.returncode}")
            raise DeptryUnavailable(why)
        try:
            data = json.loads(report.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise DeptryUnavailable(f"deptry's report is unreadable: {exc}") from exc
    return data if isinstance(data, list) else []


def dependency_findings(issues: list[dict], env: Environment) -> list[Finding]:
    """One finding per module and kind of issue; the first place it occurs is the evidence,
    with how many more there are."""
    places: dict[tuple[str, str], list[str]] = {}
    for issue in issues:
        code = str((issue.get("error") or {}).get("code", ""))
        module = str(issue.get("module", ""))
        location = issue.get("location") or {}
        where = str(location.get("file", ""))
        if location.get("line"):
            where += f":{location['line']}"
        places.setdefault((code, module), []).append(where)
    findings = []
    for (code, module), wheres in places.items():
        where = wheres[0] + (f" (and {len(wheres) - 1} more places)" if len(wheres) > 1 else "")
        finding = _finding(code, module, where, env)
        if finding is not None:
            findings.append(finding)
    return findings


def _finding(code: str, module: str, where: str, env: Environment) -> Finding | None:
    if code == "DEP002":
        return Finding("deps", "unused", module, 0, "",
                       f"declared in pyproject.toml but no module of it is imported ({DEPTRY} "
                       "DEP002)",
                       f"if nothing needs it (a plugin, a runtime-only extra), remove it: "
                       f"`uvmgr deps remove {module}` (previewed and confirmed like any change)")
    if code in ("DEP001", "DEP003"):
        provider = (env.modules.get(module.split(".", 1)[0]) or [None])[0]
        if provider is None:
            return Finding("deps", "undeclared", module, 0, "",
                           f"imported at {where} but no declared dependency provides it and "
                           f"the environment does not have it ({code})",
                           "declare the distribution that provides it (`uvmgr deps add NAME`), "
                           "or remove the import")
        return Finding("deps", "transitive", module, 0, "",
                       f"imported at {where}; it is installed only because another dependency "
                       f"needs {provider} ({code})",
                       f"declare it (`uvmgr deps add {normalize_name(provider)}`): a dependency "
                       "that drops it would break this import")
    if code == "DEP004":
        return Finding("deps", "dev-at-runtime", module, 0, "",
                       f"imported at {where} by runtime code, but declared only in a dev "
                       f"group ({code})",
                       "move it to [project] dependencies, or keep the import out of the "
                       "package's runtime code")
    return None
