"""A pack's folders of data, named "package:folder" (`Pack.scenarios`, `Pack.docs`): found
through the import system without importing the package, and kept inside it."""

from __future__ import annotations

import importlib.util
from pathlib import Path


class PackResourceError(Exception):
    """Why a pack's "package:folder" names no folder (its message is one line)."""


def pack_folder(reference: str) -> Path:
    """The folder `reference` ("package:folder", the folder relative to the package) names."""
    package, _, folder = reference.partition(":")
    if not package or not folder or Path(folder).is_absolute() or ".." in Path(folder).parts:
        raise PackResourceError(f"{reference!r} is not 'package:folder' (a folder inside the "
                                "package)")
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError) as exc:
        raise PackResourceError(f"cannot find package {package!r}: {exc}") from exc
    locations = list(spec.submodule_search_locations or []) if spec else []
    if not locations:
        raise PackResourceError(f"{package!r} is not an installed package")
    for location in locations:
        base = Path(location).resolve()
        path = (base / folder).resolve()
        if path.is_dir() and path.is_relative_to(base):
            return path
    raise PackResourceError(f"no folder {folder!r} in package {package!r}")
