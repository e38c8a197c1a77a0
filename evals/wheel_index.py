"""A local wheel index of small generated packages, so real `uv` runs offline.

`build_index(dest)` writes several versions of a few `demo-*` packages (with
dependencies between them) as real wheels into a flat folder that a project uses
through `[tool.uv] find-links` with `no-index = true`. `repack_installed(name, dest)`
turns an installed distribution (pytest and its dependencies) back into a wheel so
fixture projects can run their tests with no network at all.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

# A fixed timestamp keeps the wheels byte-for-byte reproducible.
_ZIP_DATE = (2024, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class DemoRelease:
    """One version of a generated package."""

    version: str
    requires: tuple[str, ...] = ()
    breaking: bool = False  # drops `stable_api()`, so tests that call it fail
    summary: str = ""
    description: str = ""
    extras: tuple[str, ...] = ()  # Provides-Extra; gate requirements with `; extra == "x"`
    requires_python: str = ">=3.8"  # a narrower one makes uv fork the lock by Python version


@dataclass(frozen=True)
class DemoPackage:
    name: str
    releases: tuple[DemoRelease, ...] = field(default_factory=tuple)


def _releases(*versions: str, requires: tuple[str, ...] = (), breaking: tuple[str, ...] = ()):
    return tuple(DemoRelease(v, requires, v in breaking) for v in versions)


DEFAULT_PACKAGES: tuple[DemoPackage, ...] = (
    DemoPackage(
        "demo-http",
        _releases(
            "1.0.0", "1.0.1", "1.0.3", "1.1.0", "1.2.0", "2.0.0", "2.1.0",
            requires=("demo-json>=1.0",),
            breaking=("1.2.0", "2.0.0", "2.1.0"),
        ),
    ),
    DemoPackage("demo-json", _releases("1.0.0", "2.0.0", "2.0.1", "2.1.0", "3.0.0")),
    DemoPackage(
        "demo-cli",
        _releases("0.9.0", "1.0.0", "1.0.1", "1.1.0", requires=("demo-http>=1.0",)),
    ),
    DemoPackage("demo-yaml", _releases("5.0.0", "5.0.1", "5.1.0", "6.0.0")),
    DemoPackage("demo-pinned", _releases("1.0.0", "1.0.1")),
    # Conflicts with demo-http >= 1.1 through its own upper bound on demo-json.
    DemoPackage("demo-legacy", _releases("1.0.0", requires=("demo-json<2.1",))),
    # A minor release that drags a transitive dependency across a major.
    DemoPackage("demo-plugin", (DemoRelease("1.0.0", ("demo-json>=1.0,<2.1",)),
                                DemoRelease("1.1.0", ("demo-json>=3",)))),
)


def _dist_name(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _record_line(path: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}"


def write_wheel(
    dest: Path,
    name: str,
    version: str,
    files: dict[str, bytes],
    *,
    metadata: str | None = None,
    wheel_meta: str | None = None,
    extra_dist_info: dict[str, bytes] | None = None,
) -> Path:
    """Write a py3-none-any wheel holding `files` (paths relative to site-packages)."""
    dist = _dist_name(name)
    info = f"{dist}-{version}.dist-info"
    metadata = metadata or f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    wheel_meta = wheel_meta or (
        "Wheel-Version: 1.0\nGenerator: uvmgr-fixtures\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    entries = dict(files)
    entries[f"{info}/METADATA"] = metadata.encode()
    entries[f"{info}/WHEEL"] = wheel_meta.encode()
    for rel, data in (extra_dist_info or {}).items():
        entries[f"{info}/{rel}"] = data
    record = [_record_line(p, d) for p, d in sorted(entries.items())]
    record.append(f"{info}/RECORD,,")
    entries[f"{info}/RECORD"] = ("\n".join(record) + "\n").encode()
    dest.mkdir(parents=True, exist_ok=True)
    path = dest / f"{dist}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for rel, data in sorted(entries.items()):
            zf.writestr(zipfile.ZipInfo(rel, _ZIP_DATE), data)
    return path


def _module_source(package: DemoPackage, release: DemoRelease) -> str:
    lines = [
        f'"""{package.name} {release.version} (generated for uvmgr tests)."""',
        f'VERSION = "{release.version}"',
        "",
        "def greet():",
        f'    return "{package.name} " + VERSION',
    ]
    if not release.breaking:
        lines += ["", "def stable_api():", "    return True"]
    return "\n".join(lines) + "\n"


def build_demo_wheel(dest: Path, package: DemoPackage, release: DemoRelease) -> Path:
    summary = release.summary or f"{package.name}, a generated package for uvmgr tests"
    meta = [
        "Metadata-Version: 2.1",
        f"Name: {package.name}",
        f"Version: {release.version}",
        f"Summary: {summary}",
        f"Requires-Python: {release.requires_python}",
    ]
    meta += [f"Provides-Extra: {e}" for e in release.extras]
    meta += [f"Requires-Dist: {r}" for r in release.requires]
    body = "\n".join(meta) + "\n\n" + (release.description or f"{package.name} {release.version}\n")
    module = _dist_name(package.name)
    return write_wheel(
        dest,
        package.name,
        release.version,
        {f"{module}/__init__.py": _module_source(package, release).encode()},
        metadata=body,
    )


def build_index(dest: Path, packages: tuple[DemoPackage, ...] = DEFAULT_PACKAGES) -> Path:
    """Write every release of `packages` as a wheel into `dest` and return it."""
    for package in packages:
        for release in package.releases:
            build_demo_wheel(dest, package, release)
    return dest


def repack_installed(dist_name: str, dest: Path) -> Path:
    """Rebuild a wheel from an installed pure-Python distribution (no network needed)."""
    dist = importlib.metadata.distribution(dist_name)
    version = dist.version
    base = Path(dist.locate_file(""))
    files: dict[str, bytes] = {}
    info_files: dict[str, bytes] = {}
    for entry in dist.files or ():
        rel = entry.as_posix()
        if rel.startswith("..") or rel.endswith(".pyc") or "__pycache__" in rel:
            continue
        data = (base / entry).read_bytes()
        head, _, tail = rel.partition("/")
        if head.endswith(".dist-info"):
            if tail in ("RECORD", "INSTALLER", "REQUESTED", "direct_url.json", "METADATA", "WHEEL"):
                continue
            info_files[tail] = data
        else:
            files[rel] = data
    return write_wheel(
        dest,
        dist.metadata["Name"],
        version,
        files,
        metadata=dist.read_text("METADATA"),
        wheel_meta=dist.read_text("WHEEL"),
        extra_dist_info=info_files,
    )


TEST_RUNNER_DISTS = ("pytest", "pluggy", "iniconfig", "packaging", "pygments")


def add_test_runner(dest: Path) -> None:
    """Repack pytest and what it needs into `dest`, so fixture projects can run tests offline."""
    for name in TEST_RUNNER_DISTS:
        try:
            repack_installed(name, dest)
        except importlib.metadata.PackageNotFoundError:
            continue
