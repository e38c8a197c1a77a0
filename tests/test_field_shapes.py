"""Shapes found on real public uv projects (docs/field-results.md), each reproduced on a small
generated project over the local wheel index. Real uv throughout."""

from __future__ import annotations

from uvmgr.evals.fixtures import make_project
from uvmgr.evals.source_fixtures import GIT_PACKAGE, bare_git_repo


def test_a_preview_that_cannot_relock_lists_only_real_moves(cli, tmp_path, wheel_index,
                                                             monkeypatch):
    # pydantic-ai: a git source whose host is unreachable here, so `uv lock --dry-run` over
    # the batch fails; the preview fell back to every plan, listing `httpx: 0.28.1 -> 0.28.1`
    # (kind "downgrade") for packages already up to date.
    repo = bare_git_repo(tmp_path / "sources", GIT_PACKAGE)
    project = make_project(tmp_path / "app", wheel_index,
                           ["demo-json>=2.0,<3", "demo-yaml>=5.0,<6",
                            f"{GIT_PACKAGE} @ git+file://{repo}"],
                           {"demo-json": "2.1.0", "demo-yaml": "5.0.0"}, dev=[], sync=False)
    repo.rename(repo.with_name("moved.git"))  # the git host is now unreachable,
    monkeypatch.setenv("UV_CACHE_DIR", str(tmp_path / "fresh-cache"))  # and not in uv's cache
    before = project.snapshot()
    r = cli("deps", "upgrade", "--safe", "--dry-run", "--project", project.root, "--json")
    assert r.code == 0, r.out + r.err
    moves = {c["name"]: (c["before"], c["after"]) for c in r.json()["changes"]}
    assert moves == {"demo-yaml": ("5.0.0", "5.1.0")}
    assert "demo-json" in r.json()["up_to_date"]
    assert project.snapshot() == before
