"""Every tool is one `ToolSpec`: typed, documented for a model, flagged as mutating or not,
with its targets declared for every argument and its command line generated from it."""

from __future__ import annotations

import inspect

import pytest
from uvmgr.tools.registry import AGENT_TOOLS, REGISTRY, TOOLS
from uvmgr.tools.spec import RESERVED_ARGS, ToolSpec


def test_every_tool_is_described_for_a_model():
    assert len(TOOLS) == len(REGISTRY)
    for spec in REGISTRY:
        assert len(spec.description) > 40, spec.name
        params = list(inspect.signature(spec.func).parameters)
        assert params[0] == "ctx", spec.name
        for name, (hint, description) in spec.arguments().items():
            assert hint is not None, f"{spec.name}.{name} has no type"
            assert description, f"{spec.name}.{name} has no Arg description"
            assert name not in RESERVED_ARGS, f"{spec.name}.{name} is a front end's name"
        assert isinstance(spec.mutates, bool)
        assert spec.result_type is not None, f"{spec.name} has no return annotation"


def test_mutating_flags_match_what_the_tools_do():
    mutating = {s.name for s in REGISTRY if s.mutates}
    assert mutating == {"add_dependency", "remove_dependency", "upgrade_packages", "lock_project",
                        "fix_vulnerabilities", "upgrade_safely"}
    for name in mutating:
        assert "dry_run" in inspect.signature(TOOLS[name].func).parameters
        assert TOOLS[name].intent, f"{name}: --yes and the evals need its intent"


def test_the_planners_tools_and_their_order_are_unchanged():
    # The order is the order the model reads them in (prompts, cassettes).
    assert AGENT_TOOLS == (
        "outdated_packages", "list_dependencies", "upgrade_safely", "audit_dependencies",
        "fix_vulnerabilities", "add_dependency", "remove_dependency", "run_tests",
        "build_package", "check_quality", "lock_project", "search_docs")


def test_every_tool_argument_is_provenance_checked_or_declared_target_free():
    for spec in REGISTRY:
        covered = spec.target_rules().covered
        arguments = set(spec.arguments())
        assert arguments <= covered, (spec.name, "no rule for", arguments - covered)
        assert covered <= arguments, (spec.name, "a rule for no argument", covered - arguments)


def test_a_spec_without_targets_cannot_be_registered():
    with pytest.raises(TypeError):
        ToolSpec(function="uvmgr.tools.deps:list_dependencies", family="deps",  # type: ignore[call-arg]
                 mutates=False)
    for missing in ("", None, "uvmgr.tools.deps", ":list_dependencies_targets"):
        with pytest.raises(ValueError, match="targets"):
            ToolSpec(function="uvmgr.tools.deps:list_dependencies", family="deps",
                     mutates=False, targets=missing)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        ToolSpec(function="uvmgr.tools.deps:list_dependencies", family="deps",
                 mutates="no", targets="uvmgr.tools.deps:list_dependencies_targets")  # type: ignore[arg-type]


def test_targets_of_another_tool_are_not_accepted():
    spec = ToolSpec(function="uvmgr.tools.deps:add_dependency", family="deps", mutates=True,
                    targets="uvmgr.tools.deps:list_dependencies_targets")
    with pytest.raises(TypeError, match="not the Targets of add_dependency"):
        spec.targets_of({"specs": ["evil"]})


def test_an_argument_no_rule_covers_is_refused_not_waved_through():
    from uvmgr.tools.targets import Targets

    # Before: targets_of returned [] for a tool or argument it did not know (fail open).
    assert [t.kind for t in Targets("publish_package", {})({"index_url": "https://evil/"})] == [
        "unchecked"]
    assert [t.kind for t in TOOLS["upgrade_safely"].targets_of({"index": "https://evil/"})] == [
        "unchecked"]
    assert TOOLS["list_dependencies"].targets_of({}) == []
    assert TOOLS["search_docs"].targets_of({"query": "pin a package", "k": 3}) == []


def test_every_cli_flag_binds_a_real_argument_of_its_tool():
    for spec in REGISTRY:
        if spec.cli is None:
            continue
        arguments = set(spec.arguments())
        for flag in spec.cli.flags:
            if flag.arg is not None:
                assert flag.arg in arguments, (spec.name, flag.names)
            if flag.positional:
                assert flag.names == (flag.arg,), (spec.name, flag.names)


@pytest.mark.parametrize("argv, tool, kwargs", [
    (["deps", "list"], "list_dependencies", {}),
    (["deps", "outdated"], "outdated_packages", {"packages": None}),
    (["deps", "outdated", "a", "b"], "outdated_packages", {"packages": ["a", "b"]}),
    (["deps", "add", "httpx>=0.27", "--dev"], "add_dependency",
     {"specs": ["httpx>=0.27"], "group": None, "dev": True, "dry_run": False}),
    (["deps", "remove", "six", "--group", "docs", "--dry-run"], "remove_dependency",
     {"names": ["six"], "group": "docs", "dev": False, "dry_run": True}),
    (["deps", "upgrade", "--level", "patch", "--test"], "upgrade_packages",
     {"packages": None, "level": "patch", "run_tests_after": True, "dry_run": False}),
    (["deps", "upgrade", "click", "--safe"], "upgrade_safely",
     {"packages": ["click"], "level": "minor", "dry_run": False}),
    (["deps", "lock"], "lock_project", {"dry_run": False}),
    (["audit", "--db", "adv.zip"], "audit_dependencies", {"db": "adv.zip", "service_url": None}),
    (["audit", "--fix", "--no-tests"], "fix_vulnerabilities",
     {"db": None, "service_url": None, "run_tests_after": False, "packages": None,
      "dry_run": False}),
    (["audit", "--fix", "requests"], "fix_vulnerabilities",
     {"db": None, "service_url": None, "run_tests_after": True, "packages": ["requests"],
      "dry_run": False}),
    (["index", "--rebuild"], "index_docs", {"rebuild": True}),
    (["docs", "search", "pin", "--kind", "uv", "-k", "3"], "search_docs",
     {"query": "pin", "kinds": ["uv"], "k": 3}),
    (["build", "--out-dir", "dist"], "build_package", {"out_dir": "dist"}),
    (["check"], "check_quality", {}),
    (["test"], "run_tests", {"pytest_args": None}),
])
def test_the_command_line_is_generated_from_the_specs(argv, tool, kwargs):
    from uvmgr.cli import build_parser
    from uvmgr.tool_commands import tool_call

    spec, got = tool_call(build_parser().parse_args(argv), [])
    assert (spec.name, got) == (tool, kwargs)


def test_words_after_double_dash_go_to_the_tool_that_takes_them():
    from uvmgr.cli import build_parser
    from uvmgr.tool_commands import tool_call

    spec, got = tool_call(build_parser().parse_args(["test"]), ["-k", "login"])
    assert (spec.name, got) == ("run_tests", {"pytest_args": ["-k", "login"]})


def test_every_spec_passes_the_spec_check():
    from uvmgr.tools.spec_check import registry_problems

    assert registry_problems(REGISTRY) == []


def test_a_registry_check_finds_clashes_between_tools():
    from uvmgr.tools.spec_check import registry_problems

    safe = TOOLS["upgrade_safely"]
    clash = (TOOLS["upgrade_packages"], safe.replace(cli=safe.cli.replace(when=None)),
             TOOLS["list_dependencies"], TOOLS["list_dependencies"])
    found = registry_problems(clash)
    assert "two tools are named list_dependencies" in found
    assert any("`uvmgr deps upgrade` runs upgrade_packages or upgrade_safely" in p for p in found)
