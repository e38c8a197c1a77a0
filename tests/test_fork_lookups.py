"""Newest-version lookups on a lock split by Python version, where a requirement has no
release for part of the project's Python range (pallets/click: `sphinx>=9.1.0` needs Python
3.12, the project supports 3.10, and uvmgr runs on 3.11). Real uv over the local wheel index."""

from __future__ import annotations

import tomllib

import pytest
from uvmgr.evals.dated_index import serve_dated_index
from uvmgr.evals.fixtures import _uv, make_project
from uvmgr.tools.context import ToolContext
from uvmgr.tools.project import Project
from uvmgr.tools.runner import ProcessRunner

from uvmgr.config import Settings
from uvmgr.telemetry import Tracer


@pytest.fixture(scope="module")
def future_project(tmp_path_factory, wheel_index):
    # a simple index that states each file's Requires-Python, as PyPI does (uv reads no
    # Requires-Python from a find-links folder until it picks a file)
    with serve_dated_index(wheel_index) as url:
        yield _future_project(tmp_path_factory, wheel_index, url)


def _future_project(tmp_path_factory, wheel_index, url):
    """requires-python >=3.10, demo-future locked at 1.0.0 below 3.12 and 1.1.0 from 3.12 on
    (1.2.0 and 1.3.0, which needs 3.13, are there to upgrade to)."""
    dest = tmp_path_factory.mktemp("future") / "future"
    # a marker of its own, kept on each lookup beside the Python floor
    project = make_project(dest, wheel_index, ["demo-future>=1.0 ; sys_platform != 'win32'",
                                               "demo-json>=2.0"],
                           lock=False, sync=False, requires_python=">=3.10", dev=[],
                           index_url=url)
    _uv(["lock", "--upgrade-package", "demo-future<1.2", "--upgrade-package", "demo-json<2.1"],
        dest)
    locked = sorted(p["version"] for p in tomllib.loads(project.lock.read_text())["package"]
                    if p["name"] == "demo-future")
    assert locked == ["1.0.0", "1.1.0"]  # the fixture: one version per fork
    return project


def _ctx(root, events: list) -> ToolContext:
    tracer = Tracer()
    ctx = ToolContext(Project(root), ProcessRunner(tracer), tracer, Settings())
    ctx.progress = events.append
    return ctx


def test_a_requirement_with_no_release_below_a_python_is_looked_up_above_it(future_project):
    # what AutoPilot asks: the newest within the level from the highest locked version; on the
    # old code the whole lookup failed ("dependency conflict ... needs Python>=3.12")
    from uvmgr.tools.resolve import resolve_latest

    events: list = []
    found = resolve_latest(_ctx(future_project.root, events),
                           {"demo-future": ">=1.1.0,<2", "demo-json": ">=2.0.0,<3"})
    assert found == {"demo-future": "1.3.0", "demo-json": "2.1.0"}
    notes = [e.detail for e in events if "demo-future" in e.detail]
    assert any("no release for Python <3.12" in n for n in notes), notes


def test_a_requirement_no_python_can_meet_is_still_an_error(future_project):
    from uvmgr.tools.resolve import resolve_latest

    from uvmgr.errors import ResolutionConflict

    with pytest.raises(ResolutionConflict):
        resolve_latest(_ctx(future_project.root, []), {"demo-future": ">=9"})


def test_autopilot_plans_over_the_fork(cli, future_project):
    r = cli("autopilot", "--offline", "--project", future_project.root, "--json")
    assert "looking up versions" not in r.err, r.err
    assert r.code in (0, 3), r.out + r.err
    # the plan reached the fork: demo-future has a newer release within the level (for 3.12+)
    [step] = r.json()["steps"]
    assert "demo-future" in step["args"]["packages"]


@pytest.mark.parametrize(("name", "requirement", "stderr", "named"), [
    ("pytest", "pytest>=8", "because you require pytest-xdist>=3", False),
    ("pytest-xdist", "pytest-xdist>=3", "because you require pytest-xdist>=3", True),
    ("zope-interface", "zope.interface>=5", "zope.interface>=6 depends on Python>=3.12", True),
    ("sphinx", "Sphinx>=9", "and sphinx>=9.1.0,<=9.1.1 cannot be used", True),
])
def test_the_packages_uvs_explanation_names(name, requirement, stderr, named):
    from uvmgr.tools.resolve import _mentions

    assert _mentions(stderr, name, requirement) is named
