"""An approval is binding: what is applied is exactly what the approved preview showed.

A release published to the index between the preview and the apply (added to a find-links
folder from inside the confirmer), or a new transitive package that it brings, rolls the
change back (exit 4) with a message naming what differed, and both files stay
byte-identical. Real uv, real safety layer; the model is scripted.
"""

from __future__ import annotations

from pathlib import Path

from test_agent import make_ctx, run
from uvmgr.evals.scripted_lm import ScriptedEngine
from uvmgr.evals.wheel_index import DemoPackage, DemoRelease, build_demo_wheel


def _publish(folder: Path, name: str, version: str, requires: tuple[str, ...] = (),
             extras: tuple[str, ...] = ()) -> None:
    build_demo_wheel(folder, DemoPackage(name), DemoRelease(version, requires, extras=extras))


class PublishThenApprove:
    """The person approves what they were shown; meanwhile a release lands on the index."""

    def __init__(self, publish):
        self.publish = publish
        self.asked = []

    def __call__(self, ask):
        self.asked.append(ask)
        self.publish()
        return True


def _project(project_factory, tmp_path, deps, locked, releases=()):
    extra = tmp_path / "late-index"
    extra.mkdir()
    for args in releases:
        _publish(extra, *args)
    return project_factory(deps, locked, find_links=[extra]), extra


def test_a_release_published_after_the_preview_is_not_applied(project_factory, tmp_path):
    project, extra = _project(project_factory, tmp_path, ["demo-http>=1.0,<2"],
                              {"demo-http": "1.0.0"})
    before = project.snapshot()
    confirm = PublishThenApprove(lambda: _publish(extra, "demo-http", "1.0.4",
                                                  ("demo-json>=1.0",)))
    engine = ScriptedEngine([("upgrade_safely", {"packages": ["demo-http"], "level": "patch"})])
    summary = run(make_ctx(project), "upgrade demo-http to the latest patch",
                        engine=engine, confirmer=confirm)
    assert confirm.asked, summary.steps
    assert "demo-http: 1.0.0 -> 1.0.3" in confirm.asked[0].preview
    assert summary.exit_code == 4, summary.steps
    observation = summary.steps[0].observation
    assert observation.startswith("ROLLED BACK") and "demo-http" in observation
    assert "1.0.4" in observation and "preview" in observation
    assert project.snapshot() == before


def test_a_new_transitive_package_after_the_preview_is_not_applied(project_factory, tmp_path):
    project, extra = _project(project_factory, tmp_path, ["demo-json==2.0.0"],
                              {"demo-json": "2.0.0"}, [("demo-ext", "1.0.0")])
    before = project.snapshot()
    confirm = PublishThenApprove(lambda: (_publish(extra, "demo-evil", "1.0.0"),
                                          _publish(extra, "demo-ext", "1.0.1",
                                                   ("demo-evil>=1",))))
    engine = ScriptedEngine([("add_dependency", {"specs": ["demo-ext"]})])
    summary = run(make_ctx(project), "add demo-ext", engine=engine, confirmer=confirm)
    assert "demo-ext: (new) -> 1.0.0" in confirm.asked[0].preview
    assert summary.exit_code == 4, summary.steps
    assert "demo-evil" in summary.steps[0].observation
    assert project.snapshot() == before


def test_an_extra_that_gains_a_transitive_package_is_not_applied(project_factory, tmp_path):
    project, extra = _project(project_factory, tmp_path, ["demo-ext[fast]>=1.0"],
                              {"demo-ext": "1.0.0"},
                              [("demo-ext", "1.0.0", (), ("fast",)),
                               ("demo-ext", "1.0.1", (), ("fast",))])
    before = project.snapshot()
    confirm = PublishThenApprove(lambda: (
        _publish(extra, "demo-evil", "1.0.0"),
        _publish(extra, "demo-ext", "1.0.2", ('demo-evil>=1; extra == "fast"',), ("fast",))))
    engine = ScriptedEngine([("upgrade_safely", {"packages": ["demo-ext"], "level": "patch"})])
    ctx = make_ctx(project, cooldown_days=0)
    summary = run(ctx, "upgrade demo-ext", engine=engine, confirmer=confirm)
    assert "demo-ext: 1.0.0 -> 1.0.1" in confirm.asked[0].preview
    assert summary.exit_code == 4, summary.steps
    assert "demo-evil" in summary.steps[0].observation
    assert project.snapshot() == before


def test_what_was_previewed_is_applied(project_factory, tmp_path):
    """The check does not get in the way when nothing moved in between."""
    project, _extra = _project(project_factory, tmp_path, ["demo-http>=1.0,<2"],
                               {"demo-http": "1.0.0"})
    confirm = PublishThenApprove(lambda: None)
    engine = ScriptedEngine([("upgrade_safely", {"packages": ["demo-http"], "level": "patch"})])
    summary = run(make_ctx(project), "upgrade demo-http to the latest patch",
                        engine=engine, confirmer=confirm)
    assert summary.exit_code == 0, summary.steps
    assert project.locked_version("demo-http") == "1.0.3"


def test_differences_name_what_moved_beyond_the_preview():
    from uvmgr.tools.binding import differences
    from uvmgr.tools.changes import ChangeResult, PackageChange

    shown = ChangeResult("upgrade", True, [PackageChange("demo-http", "1.0.0", "v1.0.3"),
                                           PackageChange("app", None, "0.1.0")])
    same = [PackageChange("demo-http", "1.0.0", "1.0.3")]
    assert differences(shown, same, project="app") == []
    newer = [PackageChange("demo-http", "1.0.0", "1.0.4"), PackageChange("demo-evil", None, "1")]
    assert differences(shown, newer, project="app") == [
        "demo-http 1.0.0 -> 1.0.4, the preview showed 1.0.3",
        "demo-evil (new) -> 1 was not in the preview"]
    # upgrade_safely may keep less than it previewed, never more
    older = [PackageChange("demo-http", "1.0.0", "1.0.1")]
    assert differences(shown, older, ceiling=True, project="app") == []
    assert differences(shown, newer, ceiling=True, project="app") != []
    assert differences(None, newer) == []  # no preview was approved: a plain command
