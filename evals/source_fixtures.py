"""Dependencies that do not come from an index: a path to a local package, a URL to a wheel
served on loopback, and a git repository (a local bare one, through `git+file://`).

`sources_project(dest, index, server)` writes a fixture project with one of each beside a
registry dependency, locked and synced by the real uv. `WheelServer` serves a folder over
HTTP on 127.0.0.1 for as long as its `with` block lasts (uv fetches the URL when it locks and
syncs).
"""

from __future__ import annotations

import functools
import os
import subprocess
from http.server import SimpleHTTPRequestHandler
from pathlib import Path

from uvmgr.evals.fixtures import _BACKEND, FixtureProject, make_project
from uvmgr.evals.wheel_index import DemoPackage, DemoRelease, build_demo_wheel
from uvmgr.tools.loopback import LoopbackServer

REGISTRY_DEPENDENCY = "demo-json==2.0.0"
PATH_PACKAGE, URL_PACKAGE, GIT_PACKAGE = "local-lib", "url-lib", "git-lib"


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class WheelServer(LoopbackServer):
    """`with WheelServer(folder) as base_url:` serves `folder` on a free loopback port."""

    def __init__(self, folder: Path):
        super().__init__(functools.partial(_Quiet, directory=str(folder)))


def source_package(dest: Path, name: str, version: str = "1.0.0") -> Path:
    """A buildable package (the in-tree fixture backend: no index needed to build it)."""
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "pyproject.toml").write_text("\n".join([
        "[project]", f'name = "{name}"', f'version = "{version}"', "dependencies = []", "",
        "[build-system]", "requires = []", 'build-backend = "fixture_backend"',
        'backend-path = ["_backend"]', ""]), encoding="utf-8")
    (dest / "_backend").mkdir(exist_ok=True)
    (dest / "_backend" / "fixture_backend.py").write_text(_BACKEND, encoding="utf-8")
    return dest


def _git(args: list[str], cwd: Path) -> None:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_DATE": "2024-01-01T00:00:00Z",
           "GIT_COMMITTER_DATE": "2024-01-01T00:00:00Z"}
    subprocess.run(["git", "-c", "user.name=fixture", "-c", "user.email=fixture@example.invalid",
                    "-c", "init.defaultBranch=main", *args], cwd=cwd, env=env, check=True,
                   capture_output=True, timeout=60)


def bare_git_repo(dest: Path, name: str) -> Path:
    """A local bare repository holding one commit of a buildable package; returns its path."""
    work = source_package(dest / f"{name}-work", name)
    _git(["init", "-q"], work)
    _git(["add", "-A"], work)
    _git(["commit", "-q", "-m", "release 1.0.0"], work)
    bare = dest / f"{name}.git"
    _git(["clone", "-q", "--bare", str(work), str(bare)], dest)
    return bare


def url_wheel(folder: Path, name: str, version: str = "1.0.0") -> str:
    """A wheel in `folder` (to be served); returns its file name."""
    return build_demo_wheel(folder, DemoPackage(name, (DemoRelease(version),)),
                            DemoRelease(version)).name


def sources_project(dest: Path, index: Path, base_url: str, served: Path) -> FixtureProject:
    """A project with a registry dependency, a path dependency, a URL wheel (in `served`, at
    `base_url`) and a git dependency, locked and synced by the real uv."""
    extras = dest.parent / f"{dest.name}-sources"
    local = source_package(extras / PATH_PACKAGE, PATH_PACKAGE)
    repo = bare_git_repo(extras, GIT_PACKAGE)
    wheel = url_wheel(served, URL_PACKAGE)
    dependencies = [REGISTRY_DEPENDENCY, PATH_PACKAGE,
                    f"{URL_PACKAGE} @ {base_url}/{wheel}",
                    f"{GIT_PACKAGE} @ git+file://{repo}"]
    sources = f'sources = {{ {PATH_PACKAGE} = {{ path = "{local}" }} }}'
    return make_project(dest, index, dependencies, {"demo-json": "2.0.0"}, extra_tool_uv=sources)
