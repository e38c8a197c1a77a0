"""The eval scenarios of the active packs (`Pack.scenarios`): YAML in the evals' format from
the pack's "package:folder", run and scored like the built-in ones and reported under the
pack's name. A malformed scenario, or one whose id is taken (a built-in's or another pack's),
is skipped with a one-line warning naming the pack: a pack never replaces a scenario."""

from __future__ import annotations

from uvmgr.evals.scenario import Scenario, load_scenario

from uvmgr.errors import UsageError


def pack_scenarios(loaded: list, taken: set[str]) -> tuple[list[Scenario], list[str]]:
    """Each active pack's scenarios (`loaded`: `uvmgr.packs.loading.LoadedPack`s), and a
    warning per scenario or folder skipped. `taken`: the ids already in the suite."""
    from uvmgr.packs.resources import PackResourceError, pack_folder

    owners = dict.fromkeys(taken, "uvmgr")
    out: list[Scenario] = []
    warnings: list[str] = []
    for loaded_pack in loaded:
        name, reference = loaded_pack.pack.name, loaded_pack.pack.scenarios
        if not reference:
            continue
        try:
            folder = pack_folder(reference)
        except PackResourceError as exc:
            warnings.append(f"pack {name!r}: its scenarios are skipped: {exc}")
            continue
        for path in sorted(folder.glob("*.yaml")):
            try:
                scenario = load_scenario(path)
            except UsageError as exc:
                why = exc.message.replace(str(path), path.name).splitlines()[0]
                warnings.append(f"pack {name!r}: scenario {path.name} skipped: {why}")
                continue
            owner = owners.get(scenario.id)
            if owner is not None:
                warnings.append(f"pack {name!r}: scenario {scenario.id} skipped: the id is "
                                f"taken by {'a built-in scenario' if owner == 'uvmgr' else owner}")
                continue
            owners[scenario.id] = f"pack {name!r}"
            out.append(scenario.model_copy(update={"pack": name}))
    return out, warnings
