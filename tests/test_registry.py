"""Every tool is typed, documented for a model, and flagged as mutating or not."""

from __future__ import annotations

import inspect

from uvmgr.tools.registry import REGISTRY, TOOLS


def test_every_tool_is_described_for_a_model():
    assert len(TOOLS) == len(REGISTRY)
    for spec in REGISTRY:
        assert len(spec.description) > 40, spec.name
        params = list(inspect.signature(spec.func).parameters)
        assert params[0] == "ctx", spec.name
        for name, (hint, description) in spec.arguments().items():
            assert hint is not None, f"{spec.name}.{name} has no type"
            assert description, f"{spec.name}.{name} has no Arg description"
        assert isinstance(spec.mutates, bool)


def test_mutating_flags_match_what_the_tools_do():
    mutating = {s.name for s in REGISTRY if s.mutates}
    assert mutating == {"add_dependency", "remove_dependency", "upgrade_packages", "lock_project",
                        "fix_vulnerabilities", "upgrade_safely"}
    for name in mutating:
        assert "dry_run" in inspect.signature(TOOLS[name].func).parameters


def test_every_tool_argument_is_provenance_checked_or_declared_target_free():
    from uvmgr.agent.safety import CHECKED_ARGS, TARGET_FREE_ARGS

    for spec in REGISTRY:
        declared = CHECKED_ARGS.get(spec.name, frozenset()) | TARGET_FREE_ARGS.get(
            spec.name, frozenset())
        assert set(spec.arguments()) <= declared, (spec.name, set(spec.arguments()) - declared)


def test_an_argument_no_rule_covers_is_refused_not_waved_through():
    from uvmgr.agent.safety import targets_of

    # Before: targets_of returned [] for a tool or argument it did not know (fail open).
    assert [t.kind for t in targets_of("publish_package", {"index_url": "https://evil/"})] == [
        "unchecked"]
    assert [t.kind for t in targets_of("upgrade_safely", {"index": "https://evil/"})] == [
        "unchecked"]
    assert targets_of("list_dependencies", {}) == []
    assert targets_of("search_docs", {"query": "pin a package", "k": 3}) == []
