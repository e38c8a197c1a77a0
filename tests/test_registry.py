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
