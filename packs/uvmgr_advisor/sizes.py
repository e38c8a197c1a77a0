"""Heavy dependencies: the installed size of each direct dependency with everything it pulls
in (the dependency graph comes from `uv.lock`, the sizes from the project's environment)."""

from __future__ import annotations

import tomllib

from uvmgr.tools.project import MAIN_GROUP, Project, normalize_name

from uvmgr.errors import ProjectError
from uvmgr_advisor.environment import Environment
from uvmgr_advisor.findings import MB, DependencySize, Finding

HEAVY_MB, HEAVY_SHARE = 5.0, 0.5  # a runtime dependency whose own share is both: a finding
VERY_HEAVY_MB = 50.0  # ... or this much on its own, whatever the share

Graph = dict[str, set[str]]


def lock_graph(project: Project) -> tuple[Graph, str | None]:
    """{package: the packages it needs, extras included} from uv.lock, and the root package."""
    project.require_lock()
    try:
        data = tomllib.loads(project.lock_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ProjectError(f"uv.lock cannot be read: {exc}",
                           hint="recreate it with `uvmgr deps lock` (runs `uv lock`)") from exc
    graph: Graph = {}
    extras: dict[tuple[str, str], set[str]] = {}
    root = None
    for entry in data.get("package", []):
        name = normalize_name(str(entry.get("name", "")))
        needs = graph.setdefault(name, set())
        for dep in entry.get("dependencies", []) or []:
            needs.add(normalize_name(dep["name"]))
            needs.update(f"{normalize_name(dep['name'])}[{x}]" for x in dep.get("extra", []))
        for extra, deps in (entry.get("optional-dependencies") or {}).items():
            extras[(name, extra)] = {normalize_name(d["name"]) for d in deps}
        if name == normalize_name(project.name):
            root = name
    for (name, extra), deps in extras.items():
        graph[f"{name}[{extra}]"] = {name, *deps}
    return graph, root


def closure(graph: Graph, start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        todo.extend(graph.get(node, ()))
    return {n for n in seen if "[" not in n}


def dependency_sizes(project: Project, env: Environment) -> list[DependencySize]:
    graph, root = lock_graph(project)
    reach: dict[tuple[str, str], set[str]] = {}
    for dep in project.direct_dependencies():
        if dep.name == root:
            continue
        starts = [dep.name, *(f"{dep.name}[{x}]" for x in _extras(dep.requirement))]
        reach.setdefault((dep.name, dep.group), set()).update(
            *(closure(graph, s) for s in starts))
    rows = []
    for key, mine in reach.items():
        others = set().union(*(r for k, r in reach.items() if k[0] != key[0]))
        total = sum(env.sizes.get(p, 0) for p in mine)
        exclusive = sum(env.sizes.get(p, 0) for p in mine - others)
        rows.append(DependencySize(key[0], key[1], round(total / MB, 2),
                                   round(exclusive / MB, 2), len(mine)))
    return sorted(rows, key=lambda r: -r.total_mb)


def _extras(requirement: str) -> list[str]:
    head = requirement.split(";", 1)[0]
    if "[" in head and "]" in head:
        inner = head[head.index("[") + 1:head.index("]")]
        return [normalize_name(x.strip()) for x in inner.split(",") if x.strip()]
    return []


def size_findings(rows: list[DependencySize]) -> list[Finding]:
    runtime = [r for r in rows if r.group == MAIN_GROUP]
    total = sum(r.exclusive_mb for r in runtime)
    findings = []
    for r in runtime:
        share = r.exclusive_mb / total if total else 0.0
        if not (r.exclusive_mb >= VERY_HEAVY_MB or
                (r.exclusive_mb >= HEAVY_MB and share >= HEAVY_SHARE)):
            continue
        findings.append(Finding(
            "sizes", "heavy-dependency", r.name, r.exclusive_mb, "MB",
            f"{r.total_mb:.1f} MB installed with what it pulls in ({r.packages} packages), "
            f"{r.exclusive_mb:.1f} MB of it only through {r.name}: {share:.0%} of the runtime "
            "dependencies' own size",
            f"check that {r.name} is needed by every user: a lighter alternative, or an optional "
            "extra (`[project.optional-dependencies]`) for the code path that needs it, would "
            "save that much per install"))
    return findings
