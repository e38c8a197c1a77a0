"""Fixture projects over the local wheel index, for the tests and the eval scenarios.

`make_project` writes a uv project that resolves only from a local find-links
folder, locks it at chosen versions with the real `uv lock`, syncs it, and gives
it a pytest suite that passes, fails, or fails once a chosen package is upgraded.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from uvmgr.evals.wheel_index import (
    DemoPackage,
    DemoRelease,
    add_test_runner,
    build_demo_wheel,
    build_index,
)

ADVISORIES_DIR = Path(__file__).parent / "data" / "advisories"

# Real package names at real versions (generated code), so the real advisory database matches.
REAL_NAMED_PACKAGES = (
    DemoPackage("requests", (DemoRelease("2.19.0"), DemoRelease("2.20.0"), DemoRelease("2.31.0"))),
)

# Shapes of real projects (issue 13). demo-modern's newest release needs Python 3.11, so a
# project with `requires-python = ">=3.9"` locks it at two versions, one per fork.
SHAPE_PACKAGES = (
    DemoPackage("demo-modern", (DemoRelease("1.0.0"), DemoRelease("1.1.0"),
                                DemoRelease("1.2.0", requires_python=">=3.11"),
                                DemoRelease("1.3.0", requires_python=">=3.11"))),
    # Newer than the interpreter running the tests (3.11): from 1.1 on it needs 3.12, 1.3 needs
    # 3.13. A project with `requires-python = ">=3.10"` locks 1.0.0 below 3.12 and 1.1+ above,
    # and `>=1.1.0` has no release at all for its lower fork (sphinx 9.1+ in pallets/click).
    DemoPackage("demo-future", (DemoRelease("1.0.0"),
                                DemoRelease("1.1.0", requires_python=">=3.12"),
                                DemoRelease("1.2.0", requires_python=">=3.12"),
                                DemoRelease("1.3.0", requires_python=">=3.13"))),
    # What pytest needs on Python 3.10 (generated stand-ins: never installed on 3.11)
    DemoPackage("exceptiongroup", (DemoRelease("1.2.2"),)),
    DemoPackage("tomli", (DemoRelease("2.2.1"),)),
)
# pytest itself needs 3.10: a fixture with `requires-python = ">=3.9"` declares it so
FORK_DEV = ["pytest; python_version >= '3.10'"]

# For a cooldown: demo-base 1.1.0 is old but needs demo-dep>=1.1, and demo-dep 1.1.0 was
# uploaded yesterday (served with upload dates by `evals/dated_index.py`).
COOLDOWN_PACKAGES = (
    DemoPackage("demo-base", (DemoRelease("1.0.0", ("demo-dep>=1.0",)),
                              DemoRelease("1.0.1", ("demo-dep>=1.0",)),
                              DemoRelease("1.1.0", ("demo-dep>=1.1",)))),
    DemoPackage("demo-dep", (DemoRelease("1.0.0"), DemoRelease("1.0.1"), DemoRelease("1.1.0"))),
)
COOLDOWN_NEW = ("demo_dep-1.1.0",)  # wheel name prefixes uploaded "yesterday"

# A minimal in-tree PEP 517 backend, so `uv build` works with no index at all.
_BACKEND = '''
import base64, hashlib, io, os, tarfile, zipfile, tomllib

def _meta():
    p = tomllib.load(open("pyproject.toml", "rb"))["project"]
    lines = ["Metadata-Version: 2.1", "Name: " + p["name"], "Version: " + p["version"]]
    requires = p.get("dependencies", [])
    if "dependencies" in p.get("dynamic", []):  # filled at build time, like a build plugin
        requires = [r.strip() for r in open("requirements.in").read().splitlines() if r.strip()]
    lines += ["Requires-Dist: " + r for r in requires]
    return p["name"].replace("-", "_"), p["version"], "\\n".join(lines) + "\\n"

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    dist, version, meta = _meta()
    info = f"{dist}-{version}.dist-info"
    files = {f"{dist}/__init__.py": b"", f"{info}/METADATA": meta.encode(),
             f"{info}/WHEEL": b"Wheel-Version: 1.0\\nGenerator: fixture\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"}
    record = []
    for name, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(data)}")
    files[f"{info}/RECORD"] = ("\\n".join(record + [f"{info}/RECORD,,"]) + "\\n").encode()
    name = f"{dist}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as zf:
        for path, data in files.items():
            zf.writestr(path, data)
    return name

def build_sdist(sdist_directory, config_settings=None):
    dist, version, meta = _meta()
    name = f"{dist}-{version}.tar.gz"
    with tarfile.open(os.path.join(sdist_directory, name), "w:gz") as tf:
        for path in ("pyproject.toml", "_backend/fixture_backend.py"):
            tf.add(path, arcname=f"{dist}-{version}/{path}")
        data = meta.encode()
        info = tarfile.TarInfo(f"{dist}-{version}/PKG-INFO")
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))
    return name

def get_requires_for_build_wheel(config_settings=None):
    return []

get_requires_for_build_sdist = get_requires_for_build_wheel
get_requires_for_build_editable = get_requires_for_build_wheel
build_editable = build_wheel
'''


def build_full_index(dest: Path) -> Path:
    """The demo packages, real-named packages for real advisories, and pytest (repacked)."""
    build_index(dest)
    for package in (*REAL_NAMED_PACKAGES, *SHAPE_PACKAGES):
        for release in package.releases:
            build_demo_wheel(dest, package, release)
    add_test_runner(dest)
    return dest


@dataclass(frozen=True)
class FixtureProject:
    root: Path
    index: Path

    @property
    def pyproject(self) -> Path:
        return self.root / "pyproject.toml"

    @property
    def lock(self) -> Path:
        return self.root / "uv.lock"

    def locked(self) -> dict[str, str]:
        """Locked versions by normalised name; empty when there is no uv.lock."""
        from uvmgr.tools.project import Project

        project = Project(self.root)
        if not project.has_lock():
            return {}
        return {name: p.version for name, p in project.locked_packages().items()}

    def locked_version(self, name: str) -> str | None:
        from uvmgr.tools.project import normalize_name

        return self.locked().get(normalize_name(name))

    def snapshot(self) -> tuple[bytes, bytes | None]:
        lock = self.lock.read_bytes() if self.lock.exists() else None
        return self.pyproject.read_bytes(), lock


def _toml_list(items: list[str]) -> str:
    return "[" + ", ".join(f'"{i}"' for i in items) + "]"


def _module(name: str) -> str:
    return name.replace("-", "_")


def suite_source(dependencies: list[str], tests: str) -> str:
    """A pytest suite: `pass`, `fail`, `none` (no tests), `slow` or `fail-after-upgrade:<pkg>`
    (calls the package's `stable_api()`, which the breaking releases drop)."""
    from uvmgr.tools.project import requirement_name

    names = [requirement_name(d) for d in dependencies]
    lines = [f"import {_module(n)}" for n in names if n.startswith("demo-")]
    lines += ["", "", "def test_imports():"]
    lines += [f"    assert {_module(n)}.greet().startswith('{n}')" for n in names
              if n.startswith("demo-")] or ["    assert True"]
    if tests == "fail":
        lines += ["", "", "def test_always_fails():", "    assert 1 == 2, 'deliberate failure'"]
    elif tests == "slow":
        lines = ["import time", *lines, "", "", "def test_slow():", "    time.sleep(60)"]
    elif tests.startswith("fail-after-upgrade:"):
        pkg = tests.split(":", 1)[1]
        lines += ["", "", f"def test_{_module(pkg)}_stable_api():",
                  f"    assert {_module(pkg)}.stable_api()"]
    return "\n".join(lines) + "\n"


def make_project(
    dest: Path,
    index: Path,
    dependencies: list[str],
    locked: dict[str, str] | None = None,
    *,
    tests: str = "pass",
    dev: list[str] | None = None,
    groups: dict[str, list[str]] | None = None,
    build_system: bool = False,
    extra_tool_uv: str = "",
    docs: dict[str, str] | None = None,
    lock: bool = True,
    sync: bool = True,
    find_links: list[Path] | None = None,
    requires_python: str = ">=3.11",
    dynamic_dependencies: bool = False,
    index_url: str | None = None,
) -> FixtureProject:
    """`dynamic_dependencies`: `dynamic = ["dependencies"]`, filled by the in-tree build backend
    from `requirements.in` (so only the lock's metadata lists them). `index_url`: resolve from
    that simple index instead of the local find-links folder."""
    dest.mkdir(parents=True, exist_ok=True)
    dev = ["pytest"] if dev is None else dev
    group_lines = [f"dev = {_toml_list(dev)}"] if dev else []
    for name, reqs in (groups or {}).items():
        group_lines.append(f"{name} = {_toml_list(reqs)}")
    text = [
        "[project]",
        f'name = "{dest.name.lower().replace("_", "-")}"',
        'version = "0.1.0"',
        f'requires-python = "{requires_python}"',
        'dynamic = ["dependencies"]' if dynamic_dependencies
        else f"dependencies = {_toml_list(dependencies)}",
        "",
    ]
    if dynamic_dependencies:
        build_system = True
        (dest / "requirements.in").write_text("\n".join(dependencies) + "\n", encoding="utf-8")
    if group_lines:
        text += ["[dependency-groups]", *group_lines, ""]
    if build_system:
        text += ["[build-system]", "requires = []", 'build-backend = "fixture_backend"',
                 'backend-path = ["_backend"]', ""]
        (dest / "_backend").mkdir(exist_ok=True)
        (dest / "_backend" / "fixture_backend.py").write_text(_BACKEND, encoding="utf-8")
    links = ", ".join(f'"{p}"' for p in [index, *(find_links or [])])
    if index_url is None:
        text += ["[tool.uv]", "no-index = true", f"find-links = [{links}]"]
    else:
        text += ["[tool.uv]"]
    text += ["environments = [\"sys_platform == 'linux'\"]"]
    if extra_tool_uv:
        text.append(extra_tool_uv)
    if index_url is not None:
        text += ["", "[[tool.uv.index]]", 'name = "fixture"', f'url = "{index_url}"',
                 "default = true"]
    (dest / "pyproject.toml").write_text("\n".join(text) + "\n", encoding="utf-8")
    if tests != "none":
        (dest / "tests").mkdir(exist_ok=True)
        (dest / "tests" / "test_app.py").write_text(suite_source(dependencies, tests),
                                                    encoding="utf-8")
    for rel, content in (docs or {}).items():
        path = dest / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    project = FixtureProject(dest, index)
    if lock:
        pins = [a for name, version in (locked or {}).items()
                for a in ("--upgrade-package", f"{name}=={version}")]
        _uv(["lock", *pins], dest)
        if sync:
            _uv(["sync"], dest)
    return project


def _uv(args: list[str], cwd: Path) -> None:
    from uvmgr.tools.runner import find_uv

    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    env["UV_NO_PROGRESS"] = "1"
    result = subprocess.run([find_uv(), *args], cwd=cwd, env=env, capture_output=True, text=True,
                            timeout=300)
    if result.returncode != 0:
        raise RuntimeError(f"uv {' '.join(args)} failed in {cwd}:\n{result.stderr}")
