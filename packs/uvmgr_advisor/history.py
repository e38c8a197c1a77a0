"""The advisor's last run, kept in `.uvmgr/advisor/last.json` to show regressions.

`.uvmgr/` is untrusted (it can arrive with a clone): the file is read through the state-file
helpers (no link followed, size-capped) and every value is type-checked; a planted or damaged
file only informs (a regression that is not one), and is never an error.
"""

from __future__ import annotations

import json
from pathlib import Path

from uvmgr.tools.project import Project
from uvmgr.tools.state_files import read_bytes, real_dir, state_dir_if_writable, write_atomic

from uvmgr.errors import UvmgrError

LAST_RUN = "last.json"
MAX_BYTES = 4 << 20


def _folder(project: Project) -> Path | None:
    state = state_dir_if_writable(project)
    return None if state is None else real_dir(state / "advisor")


def load_last(project: Project) -> dict[str, dict[str, float]]:
    """{"tests": {id: seconds}, "imports": {module: ms}, ...} of the last run; {} if none."""
    path = project.state_dir / "advisor" / LAST_RUN
    try:
        data = json.loads(read_bytes(path, limit=MAX_BYTES))
    except (OSError, ValueError, UvmgrError):
        return {}
    if not isinstance(data, dict):
        return {}
    out: dict[str, dict[str, float]] = {}
    for section, values in data.items():
        if isinstance(section, str) and isinstance(values, dict):
            out[section] = {str(k): float(v) for k, v in values.items()
                            if isinstance(v, (int, float)) and not isinstance(v, bool)}
    return out


def save_run(project: Project, measured: dict[str, dict[str, float]]) -> None:
    """Record this run's figures (sections not measured this time keep their last values);
    skipped in a read-only checkout."""
    try:
        folder = _folder(project)
    except OSError:
        return
    if folder is None:
        return
    merged = {**load_last(project), **{k: v for k, v in measured.items() if v}}
    try:
        write_atomic(folder / LAST_RUN, json.dumps(merged, indent=1, sort_keys=True).encode())
    except OSError:
        return
