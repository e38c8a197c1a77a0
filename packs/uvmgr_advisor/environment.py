"""What the project's own environment holds, asked of its interpreter (`uv run --frozen
python`): each installed distribution's size and modules, and the standard library's names.

The probe is a stdlib-only script; sizes are the files each distribution's RECORD lists.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from uvmgr.tools.context import ToolContext
from uvmgr.tools.project import normalize_name

PROBE = r"""
import importlib.metadata as md, json, re, sys
dists = {}
for dist in md.distributions():
    name = re.sub(r"[-_.]+", "-", dist.metadata["Name"] or "").lower()
    if not name or name in dists:
        continue
    size = 0
    for f in dist.files or ():
        try:
            size += f.locate().stat().st_size
        except OSError:
            pass
    dists[name] = {"version": dist.version, "size": size}
modules = {m: sorted({re.sub(r"[-_.]+", "-", d).lower() for d in ds})
           for m, ds in md.packages_distributions().items()}
print(json.dumps({"dists": dists, "modules": modules,
                  "stdlib": sorted(sys.stdlib_module_names)}))
"""


class EnvironmentUnavailable(Exception):
    """The project's environment could not be run (no lock, a sync that failed)."""


@dataclass(frozen=True)
class Environment:
    sizes: dict[str, int]  # distribution -> bytes installed
    modules: dict[str, list[str]]  # top-level module -> distributions
    stdlib: frozenset[str]

    def distribution_of(self, module: str, project_modules: frozenset[str]) -> str:
        top = module.split(".", 1)[0]
        if top in project_modules:
            return "(project)"
        found = self.modules.get(top)
        if found:
            return found[0]
        return "(stdlib)" if top in self.stdlib or top.startswith("_") else "(unknown)"

    def modules_of(self, distribution: str) -> frozenset[str]:
        name = normalize_name(distribution)
        return frozenset(m for m, ds in self.modules.items() if name in ds)


def run_python(ctx: ToolContext, args: list[str], *, env: dict[str, str] | None = None):
    """`uv run --frozen python ARGS` in the project: its own interpreter and packages."""
    return ctx.runner.uv(["run", "--frozen", "python", *args], ctx.project.root,
                         timeout=ctx.settings.timeout, env=env)


def probe(ctx: ToolContext) -> Environment:
    result = run_python(ctx, ["-c", PROBE])
    if not result.ok:
        tail = " ".join((result.stderr or result.stdout).strip().splitlines()[-2:])
        raise EnvironmentUnavailable(tail or f"exit code {result.returncode}")
    try:
        data = json.loads(result.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError) as exc:
        raise EnvironmentUnavailable(f"unreadable probe output: {exc}") from exc
    return Environment({k: int(v["size"]) for k, v in data["dists"].items()},
                       {k: list(v) for k, v in data["modules"].items()},
                       frozenset(data["stdlib"]))
