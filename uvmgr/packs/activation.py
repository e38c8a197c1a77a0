"""Which installed packs are on: the person's choice alone (their user config's `[packs]`,
and the packs uvmgr disabled for them). Nothing from a project is read here."""

from __future__ import annotations

from collections.abc import Mapping

from uvmgr.packs.discovery import DeclaredPack

from uvmgr.user_config import UserConfig


def active(declared: list[DeclaredPack], user: UserConfig,
           env: Mapping[str, str] | None = None) -> tuple[list[DeclaredPack], list[str]]:
    """The declared packs the person keeps on, and a line for each one uvmgr disabled."""
    from uvmgr.packs.disabled import disabled_packs

    stopped = disabled_packs(env)
    out, notes = [], []
    for d in declared:
        if user.packs_enabled is not None and d.name not in user.packs_enabled:
            continue
        if d.name in user.packs_disabled:
            continue
        record = stopped.get(d.name)
        if record is not None and record.get("version") == d.version:
            notes.append(f"pack {d.name!r} {d.version} stays disabled: {record.get('reason')} "
                         f"(`uvmgr packs enable {d.name}`)")
            continue
        out.append(d)
    return out, notes
