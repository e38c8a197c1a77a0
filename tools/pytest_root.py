"""Rooting a pytest run at the project. Left to itself, pytest takes the first configuration
file in any folder above the tests, even outside the project: a project inside another
repository (the bundled `examples/demo` inside uvmgr's, whose `addopts` asks for pytest-xdist)
would run with that repository's options. When the project has no configuration of its own,
the run gets an empty one and the project's folder as its root."""

from __future__ import annotations

from pathlib import Path

# Where pytest looks for its configuration in a folder, in its order, and what makes each file
# one (pytest.ini always is; the others only with their pytest section).
_CONFIG_FILES = (("pytest.ini", ""), (".pytest.ini", ""), ("pytest.toml", ""),
                 (".pytest.toml", ""), ("pyproject.toml", "[tool.pytest"),
                 ("tox.ini", "[pytest]"), ("setup.cfg", "[tool:pytest]"))


def own_config_args(folder: Path, top: Path, scratch: Path) -> list[str]:
    """pytest arguments for a run in `folder` of the project whose root is `top` (a workspace
    member's folder and the workspace root, or the project's root twice): none when the
    project has its own configuration (pytest finds it before any folder above), else an empty
    configuration written in `scratch`, `folder` as the root and no conftest.py above `top`."""
    if own_pytest_config(folder, top) is not None:
        return []
    config = scratch / "pytest.ini"
    config.write_text("[pytest]\n", encoding="utf-8")
    return ["--rootdir", str(folder), "-c", str(config), "--confcutdir", str(top)]


def own_pytest_config(folder: Path, top: Path) -> Path | None:
    """The configuration file pytest would pick in `folder` or a folder above it up to `top`."""
    for place in (folder, *folder.parents):
        for name, section in _CONFIG_FILES:
            if _is_config(place / name, section):
                return place / name
        if place == top:
            break
    return None


def _is_config(path: Path, section: str) -> bool:
    if not path.is_file():
        return False
    if not section:
        return True
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return any(line.strip().startswith(section) for line in text.splitlines())
