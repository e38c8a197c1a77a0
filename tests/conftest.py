"""Shared fixtures: a local wheel index (built once per session), fixture projects over it,
fixture advisories, and helpers to run the CLI in-process and compare file bytes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from uvmgr.evals.fixtures import ADVISORIES_DIR, build_full_index, make_project

from uvmgr.cli import main

# UVMGR_SHARED_ADVISORY_DB points at it from a clone elsewhere (a worktree)
SHARED_ADVISORY_DB = Path(os.environ.get("UVMGR_SHARED_ADVISORY_DB") or
                          Path(__file__).resolve().parents[2] / "shared" / "advisory-db" / "vulns")


@pytest.fixture(autouse=True)
def user_config_home(tmp_path_factory, monkeypatch) -> Path:
    """Every test gets its own empty user config folder: the person's real
    ~/.config/uvmgr/config.toml never leaks into a test."""
    home = tmp_path_factory.mktemp("xdg-config")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    return home


@pytest.fixture(autouse=True)
def user_state_home(tmp_path_factory, monkeypatch) -> Path:
    """uvmgr keeps its per-project identity tokens in the user's state folder: tests use their
    own, never the real one (subprocesses inherit it through the environment)."""
    home = tmp_path_factory.mktemp("state-home")
    monkeypatch.setenv("XDG_STATE_HOME", str(home))
    return home


@pytest.fixture(autouse=True)
def user_cache_home(tmp_path_factory, monkeypatch) -> Path:
    """uvmgr's own cache (the offline advisory database) is per test: a real download in the
    person's cache never changes what an audit in a test sees. uv keeps its own cache."""
    home = tmp_path_factory.mktemp("uvmgr-cache")
    monkeypatch.setenv("UVMGR_CACHE_DIR", str(home))
    return home


@pytest.fixture(scope="session")
def wheel_index(tmp_path_factory) -> Path:
    return build_full_index(tmp_path_factory.mktemp("index"))


@pytest.fixture
def project_factory(tmp_path, wheel_index):
    counter = iter(range(1000))

    def factory(dependencies, locked=None, **kwargs):
        dest = tmp_path / f"app{next(counter)}"
        return make_project(dest, wheel_index, dependencies, locked, **kwargs)

    return factory


@pytest.fixture
def demo_project(project_factory):
    """demo-http (range), demo-json (pinned) and demo-cli, locked at old versions."""
    return project_factory(
        ["demo-http>=1.0,<1.1", "demo-json==2.0.0", "demo-cli>=0.9"],
        {"demo-http": "1.0.0", "demo-json": "2.0.0", "demo-cli": "1.0.0"},
    )


@pytest.fixture
def fixture_advisories() -> Path:
    return ADVISORIES_DIR


@pytest.fixture
def shared_advisories() -> Path:
    if not SHARED_ADVISORY_DB.is_dir():
        pytest.skip("../shared/advisory-db is not present")
    return SHARED_ADVISORY_DB


class CliResult:
    def __init__(self, code: int, out: str, err: str):
        self.code, self.out, self.err = code, out, err

    def json(self):
        return json.loads(self.out)


@pytest.fixture
def cli(capsys):
    def run(*args: str) -> CliResult:
        capsys.readouterr()
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run



def pytest_addoption(parser):
    parser.addoption("--registry", action="store_true",
                     help="also run the tests marked `registry`, which install real packages "
                          "from the package registry (the bundled demo)")
    parser.addoption("--private-index-full", action="store_true",
                     help="also run the longer private-index tests (`private_index_full`: "
                          "--safe, add, ask, the keyring and AutoPilot against pypiserver, about 100 s)")
    group = parser.getgroup("fault", "fault injection (tests/test_faults.py)")
    group.addoption("--fault-full", action="store_true",
                    help="run the full fault-injection campaign (default: a small sample)")
    group.addoption("--fault-trials", type=int, default=None, metavar="N",
                    help="number of fault trials (default 10, or 600 with --fault-full)")
    group.addoption("--fault-seed", type=int, default=None, metavar="SEED",
                    help="seed of the fault trials (default 17; printed in the summary)")


def pytest_collection_modifyitems(config, items):
    opt_in = {"registry": ("--registry", "uses the real package registry"),
              "private_index_full": ("--private-index-full", "a longer private-index run")}
    for marker, (option, why) in opt_in.items():
        if config.getoption(option):
            continue
        skip = pytest.mark.skip(reason=f"{why}: run with {option}")
        for item in items:
            if marker in item.keywords:
                item.add_marker(skip)


def pytest_terminal_summary(terminalreporter, config):
    """Every fault trial's outcome (JSONL under the pytest tmp dir), as one table."""
    factory = getattr(config, "_tmp_path_factory", None)
    if factory is None:
        return
    try:
        base = factory.getbasetemp()
    except OSError:
        return
    files = sorted(base.glob("**/fault-results.jsonl"))
    if not files:
        return
    from faults.harness import summary

    outcomes = [json.loads(line) for f in files for line in f.read_text().splitlines() if line]
    terminalreporter.section("fault injection")
    terminalreporter.write_line(f"seed {outcomes[0]['trial']['seed']}, {len(outcomes)} trials; "
                                f"outcomes in {', '.join(map(str, files))}")
    terminalreporter.write_line(summary(outcomes))


@pytest.fixture(scope="session")
def matcher():
    """The offline planner's intent matcher (TF-IDF over its examples; read-only once built)."""
    from uvmgr.agent.matcher import IntentMatcher

    return IntentMatcher()
