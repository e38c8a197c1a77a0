"""An example tool: where the locked packages come from (the README's "Adding a tool").

Read-only, so it needs no transaction and no dry run; its one argument names nothing the
safety layer must trace back to the person, so it is declared target-free.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from uvmgr.tools.context import ToolContext
from uvmgr.tools.spec import Arg
from uvmgr.tools.targets import TARGET_FREE, Targets


@dataclass(frozen=True)
class LockSources:
    project: str
    sources: dict[str, list[str]]  # source kind -> locked package names

    exit_status = 0

    def summary(self) -> str:
        """What the model reads, and what `uvmgr deps sources` prints."""
        return "\n".join(f"{kind}: {len(names)} ({', '.join(names)})"
                         for kind, names in sorted(self.sources.items())) or "uv.lock is empty"


def lock_sources(
    ctx: ToolContext,
    kind: Annotated[str | None, Arg("Only this source kind: registry, git, path, url, "
                                    "directory, editable. Empty for all.")] = None,
) -> LockSources:
    """List the packages in uv.lock by where they come from (the package index, git, a local
    path, a URL). Use it to find dependencies that do not come from an index. Read-only."""
    sources: dict[str, list[str]] = {}
    for package in ctx.project.locked_packages().values():
        if kind in (None, package.source):
            sources.setdefault(package.source, []).append(package.name)
    return LockSources(ctx.project.name, sources)


lock_sources_targets = Targets("lock_sources", {"kind": TARGET_FREE})
