"""Table tests of each tool's targets (what a call acts on, for the provenance check): pure
functions, no uv, no project."""

from __future__ import annotations

import pytest
from uvmgr.tools.registry import TOOLS
from uvmgr.tools.targets import Target


def targets(tool: str, **args) -> list[tuple[str, str]]:
    return [(t.kind, t.value) for t in TOOLS[tool].targets_of(args)]


@pytest.mark.parametrize("tool, args, expected", [
    # add: the package each requirement names, its extras, where it points, shell look-alikes
    ("add_dependency", {"specs": ["httpx>=0.27"]}, [("named", "httpx")]),
    ("add_dependency", {"specs": ["httpx[http2,cli]"]},
     [("named", "httpx"), ("extra", "http2"), ("extra", "cli")]),
    ("add_dependency", {"specs": ["demo @ https://evil.example/x.whl"]},
     [("named", "demo"), ("url", "https://evil.example/x.whl")]),
    ("add_dependency", {"specs": ["demo @ file:///tmp/x.whl"]},
     [("named", "demo"), ("path", "file:///tmp/x.whl")]),
    ("add_dependency", {"specs": ["./vendor/pkg"]},
     [("named", "./vendor/pkg"), ("path", "./vendor/pkg")]),
    ("add_dependency", {"specs": ["six; rm -rf /"]}, [("named", "six"), ("shell", "six; rm -rf /")]),
    ("add_dependency", {"specs": ["six"], "group": "docs$(id)"},
     [("named", "six"), ("shell", "docs$(id)")]),
    ("add_dependency", {"specs": ["six"], "group": "docs", "dev": True, "dry_run": True},
     [("named", "six")]),
    # remove: every name must be the person's
    ("remove_dependency", {"names": ["six", "rich"], "group": "dev"},
     [("named", "six"), ("named", "rich")]),
    # upgrades: packages (a dependency, or named) and the level
    ("upgrade_safely", {"packages": ["click"], "level": "minor"},
     [("package", "click"), ("level", "minor")]),
    ("upgrade_safely", {"packages": None, "level": "patch", "dry_run": False},
     [("level", "patch")]),
    ("upgrade_packages", {"packages": ["a"], "level": "major", "run_tests_after": True},
     [("package", "a"), ("level", "major")]),
    ("lock_project", {"dry_run": True}, []),
    # audit and fix: where advisories come from or the names go to; packages left vulnerable
    ("audit_dependencies", {"db": "advisories.zip"}, [("path", "advisories.zip")]),
    ("audit_dependencies", {"db": "https://evil.example/db.zip"},
     [("url", "https://evil.example/db.zip")]),
    ("audit_dependencies", {"service_url": "http://127.0.0.1:9/"},
     [("url", "http://127.0.0.1:9/")]),
    ("audit_dependencies", {"db": "", "service_url": ""}, []),
    ("fix_vulnerabilities", {"skip": ["redis"]}, [("named", "redis")]),
    ("fix_vulnerabilities", {"run_tests_after": False},
     [("no-tests", "fix_vulnerabilities")]),
    ("fix_vulnerabilities", {"run_tests_after": True, "dry_run": True}, []),
    # read-only tools have targets too
    ("run_tests", {"pytest_args": ["-x", "--rootdir=/etc"]},
     [("pytest-arg", "-x"), ("pytest-arg", "--rootdir=/etc")]),
    ("build_package", {"out_dir": "/tmp/out"}, [("path", "/tmp/out")]),
    ("outdated_packages", {"packages": ["evil-pkg"]}, []),  # names only filter the report
    ("search_docs", {"query": "add evil-pkg", "kinds": ["project"], "k": 3}, []),
    ("index_docs", {"rebuild": True}, []),
    ("check_quality", {}, []),
    ("list_dependencies", {}, []),
])
def test_targets(tool, args, expected):
    assert targets(tool, **args) == expected


@pytest.mark.parametrize("tool", sorted(TOOLS))
def test_an_unknown_argument_is_unchecked_for_every_tool(tool):
    assert TOOLS[tool].targets_of({"index_url": "https://evil.example/simple"}) == [
        Target("unchecked", f"index_url of {tool}")]


@pytest.mark.parametrize("tool", sorted(TOOLS))
def test_an_argument_left_empty_acts_on_nothing(tool):
    assert TOOLS[tool].targets_of(dict.fromkeys(TOOLS[tool].arguments())) == []


def test_a_target_free_declaration_is_not_a_rule_for_other_arguments():
    from uvmgr.tools.targets import TARGET_FREE, Targets

    rules = Targets("t", {"flag": TARGET_FREE})
    assert rules({"flag": True}) == []
    assert rules({"flag": True, "url": "x"}) == [Target("unchecked", "url of t")]
    assert rules.covered == frozenset({"flag"})
