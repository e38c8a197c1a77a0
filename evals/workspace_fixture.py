"""A generated uv workspace over the local wheel index: a virtual root, two members and one
shared `uv.lock` (issue 13's workspace shape).

    root/pyproject.toml            [tool.uv.workspace] members = ["packages/*"], exclude scratch
    root/packages/api/             [project] api, built by the in-tree fixture backend
    root/packages/web/             [project] web, depends on api (a workspace source)
    root/packages/scratch/         a pyproject the `exclude` glob keeps out of the workspace
    root/uv.lock                   one lock for both members

Each member has its own pytest suite (`suite_source`), so tests can run per member.
"""

from __future__ import annotations

from pathlib import Path

from uvmgr.evals.fixtures import _BACKEND, FixtureProject, _toml_list, _uv, suite_source

DEFAULT_MEMBERS = {
    "api": ["demo-http>=1.0,<1.1", "demo-json==2.0.0"],
    "web": ["demo-cli>=0.9", "demo-yaml>=5.0"],
}
DEFAULT_LOCKED = {"demo-http": "1.0.0", "demo-json": "2.0.0", "demo-cli": "1.0.0",
                  "demo-yaml": "5.0.0"}


def make_workspace(
    dest: Path,
    index: Path,
    members: dict[str, list[str]] | None = None,
    locked: dict[str, str] | None = None,
    *,
    tests: dict[str, str] | None = None,
    virtual: bool = True,
    sync: bool = True,
) -> FixtureProject:
    """Write the workspace, lock it at `locked` with the real `uv lock`, and sync every member.
    `tests` maps a member to its suite kind (`pass` by default; see `suite_source`)."""
    members = DEFAULT_MEMBERS if members is None else members
    locked = DEFAULT_LOCKED if locked is None else locked
    dest.mkdir(parents=True, exist_ok=True)
    root = []
    if not virtual:
        root += ["[project]", f'name = "{dest.name.lower()}"', 'version = "0.1.0"',
                 'requires-python = ">=3.11"', "dependencies = []", ""]
    root += [
        "[tool.uv.workspace]",
        'members = ["packages/*"]',
        'exclude = ["packages/scratch"]',
        "",
        "[dependency-groups]",
        'dev = ["pytest"]',
        "",
        "[tool.uv]",
        "no-index = true",
        f'find-links = ["{index}"]',
        "environments = [\"sys_platform == 'linux'\"]",
    ]
    (dest / "pyproject.toml").write_text("\n".join(root) + "\n", encoding="utf-8")
    names = list(members)
    for i, (name, deps) in enumerate(members.items()):
        # Every member after the first depends on the first through a workspace source.
        uses = names[0] if i else None
        _write_member(dest / "packages" / name, name, deps, uses, (tests or {}).get(name, "pass"))
    scratch = dest / "packages" / "scratch"
    scratch.mkdir(parents=True, exist_ok=True)
    (scratch / "pyproject.toml").write_text(
        '[project]\nname = "scratch"\nversion = "0.0.0"\ndependencies = ["demo-nothing"]\n',
        encoding="utf-8")
    pins = [a for name, version in locked.items() for a in ("--upgrade-package", f"{name}=={version}")]
    _uv(["lock", *pins], dest)
    if sync:
        _uv(["sync", "--all-packages"], dest)
    return FixtureProject(dest, index)


def _write_member(folder: Path, name: str, deps: list[str], uses: str | None, tests: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    text = ["[project]", f'name = "{name}"', 'version = "0.1.0"', 'requires-python = ">=3.11"',
            f"dependencies = {_toml_list([*deps, *([uses] if uses else [])])}", "",
            "[dependency-groups]", 'dev = ["pytest"]', "",
            "[build-system]", "requires = []", 'build-backend = "fixture_backend"',
            'backend-path = ["_backend"]', ""]
    if uses:
        text += ["[tool.uv.sources]", f"{uses} = {{ workspace = true }}", ""]
    (folder / "pyproject.toml").write_text("\n".join(text), encoding="utf-8")
    (folder / "_backend").mkdir(exist_ok=True)
    (folder / "_backend" / "fixture_backend.py").write_text(_BACKEND, encoding="utf-8")
    (folder / "tests").mkdir(exist_ok=True)
    (folder / "tests" / f"test_{name}.py").write_text(suite_source(deps, tests), encoding="utf-8")
