"""Import time: `python -X importtime -c "import <package>"` in the project's environment.

Each line of the report is a module with its own and cumulative microseconds, indented by
depth; a module's children come before it. The top imports are the first import of each
top-level module, attributed to the distribution that ships it.
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass
from pathlib import Path

from uvmgr.tools.context import ToolContext

from uvmgr_advisor.environment import Environment, run_python
from uvmgr_advisor.findings import Finding, ImportCost

RUNS = 5  # the fastest of these is kept: import time is noisy on a busy machine
LONG_IMPORT_US = 2_000_000
SLOW_MS, SLOW_SHARE = 100.0, 0.10  # a dependency costing both is a finding
REGRESSION_RATIO, REGRESSION_MS = 1.5, 50.0
SHOWN = 8
MAX_SOURCE_BYTES = 1 << 20
SKIP_DIRS = frozenset({".venv", "venv", ".git", "tests", "test", "build", "dist", "node_modules",
                       ".uvmgr", "__pycache__", ".tox", ".nox", "docs"})


class ImportsUnavailable(Exception):
    """The package could not be imported, or the project has no importable package."""


@dataclass(frozen=True)
class ImportLine:
    module: str
    self_us: int
    cumulative_us: int
    depth: int


def parse_importtime(stderr: str) -> list[ImportLine]:
    lines = []
    for raw in stderr.splitlines():
        if not raw.startswith("import time:"):
            continue
        parts = raw[len("import time:"):].split("|")
        if len(parts) != 3 or not parts[0].strip().isdigit():
            continue  # the header
        name = parts[2].removeprefix(" ")
        depth = (len(name) - len(name.lstrip(" "))) // 2
        lines.append(ImportLine(name.strip(), int(parts[0]), int(parts[1]), depth))
    return lines


def project_modules(root: Path, env: Environment, project_name: str) -> list[str]:
    """The project's own top-level import names: from its installed distribution, else a
    package or module named after the project at the root or under src/."""
    from uvmgr.tools.project import normalize_name

    # Names become `import NAME` statements: only identifiers (package metadata is untrusted).
    installed = sorted(m for m in env.modules_of(project_name)
                       if m.isidentifier() and not m.startswith("_"))
    if installed:
        return installed
    guess = normalize_name(project_name).replace("-", "_")
    if not guess.isidentifier():
        return []
    for base in (root, root / "src"):
        if (base / guess / "__init__.py").is_file() or (base / f"{guess}.py").is_file():
            return [guess]
    return []


def measure(ctx: ToolContext, modules: list[str]) -> list[ImportLine]:
    """The fastest of `RUNS` runs of `python -X importtime -c "import ..."`."""
    best: list[ImportLine] | None = None
    statement = "; ".join(f"import {m}" for m in modules)
    for _ in range(RUNS):
        if best is not None and _total(best, modules) >= LONG_IMPORT_US:
            break  # a slow import is measured well enough by two runs; five would take long
        result = run_python(ctx, ["-X", "importtime", "-c", statement])
        if not result.ok:
            tail = " ".join(result.stderr.strip().splitlines()[-1:])
            raise ImportsUnavailable(f"`import {', '.join(modules)}` failed: {tail}")
        lines = parse_importtime(result.stderr)
        if best is None or _total(lines, modules) < _total(best, modules):
            best = lines
    return best or []


def _total(lines: list[ImportLine], modules: list[str]) -> int:
    return sum(line.cumulative_us for line in lines if line.depth == 0 and line.module in modules)


def own_subtree(lines: list[ImportLine], own: frozenset[str]) -> list[ImportLine]:
    """The lines under `import <project module>` (children come before their parent), not
    what the interpreter imported at start-up (site, encodings, sitecustomize)."""
    keep: list[ImportLine] = []
    block: list[ImportLine] = []
    for line in lines:
        block.append(line)
        if line.depth == 0:
            if line.module in own:
                keep += block
            block = []
    return keep


def top_imports(lines: list[ImportLine], env: Environment, own: frozenset[str],
                ) -> list[ImportCost]:
    """The first import of each third-party top-level module under the project's own import,
    costliest first."""
    lines = own_subtree(lines, own)
    seen: dict[str, ImportCost] = {}
    for i, line in enumerate(lines):
        top = line.module.split(".", 1)[0]
        dist = env.distribution_of(top, own)
        if dist in ("(project)", "(stdlib)") or top in seen:
            continue
        if line.module != top:  # a submodule imported before its package finished: use the package
            continue
        seen[top] = ImportCost(top, round(line.cumulative_us / 1000, 1), dist,
                               _importer(lines, i, top))
    return sorted(seen.values(), key=lambda c: -c.cumulative_ms)


def _importer(lines: list[ImportLine], i: int, top: str) -> str:
    """The first module outside `top` that `lines[i]` was imported under (its parents come
    after it, less indented): `from requests.utils import x` wraps `requests` in requests.utils."""
    depth = lines[i].depth
    for later in lines[i + 1:]:
        if later.depth < depth:
            if later.module.split(".", 1)[0] != top:
                return later.module
            depth = later.depth
    return ""


def import_findings(ctx: ToolContext, costs: list[ImportCost], total_ms: float,
                    last: dict[str, float], own: list[str]) -> list[Finding]:
    findings = []
    before = last.get("(total)")
    if (before is not None and total_ms >= before * REGRESSION_RATIO
            and total_ms - before >= REGRESSION_MS):
        findings.append(Finding(
            "imports", "import-regression", " ".join(own), total_ms, "ms",
            f"`import {', '.join(own)}` took {total_ms:.0f} ms, last run {before:.0f} ms",
            "see the top imports below for what got slower; import new heavy modules lazily",
            regression=True))
    importers = _top_level_importers(ctx.project.root, own)
    for cost in costs:
        if cost.via.split(".", 1)[0] not in own:
            continue  # pulled in by a dependency: counted in the one the project imports
        previous = last.get(cost.module)
        regression = (previous is not None and cost.cumulative_ms >= previous * REGRESSION_RATIO
                      and cost.cumulative_ms - previous >= REGRESSION_MS)
        slow = cost.cumulative_ms >= SLOW_MS and cost.cumulative_ms >= SLOW_SHARE * total_ms
        if not (slow or regression):
            continue
        share = cost.cumulative_ms / total_ms if total_ms else 0.0
        evidence = (f"{share:.0%} of `import {', '.join(own)}` ({total_ms:.0f} ms); "
                    f"from {cost.distribution}" + (f", imported by {cost.via}" if cost.via else ""))
        pulled = [c for c in costs if c.via.split(".", 1)[0] == cost.module][:3]
        if pulled:
            evidence += "; it pulls in " + ", ".join(f"{c.module} ({c.cumulative_ms:.0f} ms)"
                                                      for c in pulled)
        if previous is not None:
            evidence += f"; last run {previous:.0f} ms"
        findings.append(Finding("imports", "slow-import", cost.module, cost.cumulative_ms, "ms",
                                evidence, _advice(cost, importers.get(cost.module, [])),
                                regression))
    return findings


def _advice(cost: ImportCost, files: list[str]) -> str:
    if len(files) == 1:
        return (f"only {files[0]} imports it at module level: import it inside the function(s) "
                "that use it (a lazy import), so other code paths do not pay for it")
    if files:
        shown = ", ".join(files[:4]) + (" ..." if len(files) > 4 else "")
        return (f"imported at module level in {len(files)} files ({shown}): import it where it "
                "is used, or behind a single lazily-loaded helper")
    return ("it is imported through another of your modules' imports: import it lazily where "
            "it is used, or look for a lighter alternative")


def _top_level_importers(root: Path, own: list[str]) -> dict[str, list[str]]:
    """{top-level module: [files of the project that import it at module level]}."""
    found: dict[str, list[str]] = {}
    for path in _source_files(root, own):
        try:
            if path.is_symlink() or path.stat().st_size > MAX_SOURCE_BYTES:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
            continue
        rel = path.relative_to(root).as_posix()
        for node in tree.body:  # module level only: imports inside functions are already lazy
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module] if isinstance(node, ast.ImportFrom) and node.module
                     and not node.level else [])
            for name in names:
                files = found.setdefault(name.split(".", 1)[0], [])
                if rel not in files:
                    files.append(rel)
    return found


def package_paths(root: Path, own: list[str]) -> list[Path]:
    """Where the project's own modules live: `NAME/` or `NAME.py`, at the root or under src/."""
    found = []
    for base in (root, root / "src"):
        for name in own:
            for path in (base / name, base / f"{name}.py"):
                if (path.is_dir() or path.is_file()) and not path.is_symlink():
                    found.append(path)
    return found


def _source_files(root: Path, own: list[str]) -> list[Path]:
    files: list[Path] = []
    for package in package_paths(root, own):
        if package.is_file():
            files.append(package)
            continue
        for top, dirs, names in os.walk(package, followlinks=False):
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
            files += [Path(top, n) for n in sorted(names) if n.endswith(".py")]
    return files[:5000]
