"""`uvmgr autopilot init-ci` (and `--org`) write workflow files into a repository, which may
have come from a stranger: a planted link on the way (`.github`, `.github/workflows`, the file
itself) must not carry the write outside the repository. Before, `init-ci --force` replaced the
file a link pointed at (say `~/.bashrc`) with the workflow, and a linked `.github` folder got
new files written wherever it led."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def repo(tmp_path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "0"\n')
    return root


@pytest.fixture
def victim(tmp_path) -> Path:
    path = tmp_path / "victim.txt"
    path.write_text("precious")
    return path


@pytest.mark.parametrize("force", [[], ["--force"]])
def test_a_linked_workflow_file_is_not_written_through(cli, repo, victim, force):
    (repo / ".github/workflows").mkdir(parents=True)
    (repo / ".github/workflows/uvmgr-autopilot.yml").symlink_to(victim)
    r = cli("autopilot", "init-ci", *force, "--project", repo)
    assert r.code == 2, r.out + r.err
    assert "symbolic link" in r.out + r.err
    assert victim.read_text() == "precious"


def test_a_dangling_link_creates_nothing_outside(cli, repo, tmp_path):
    (repo / ".github/workflows").mkdir(parents=True)
    elsewhere = tmp_path / "elsewhere.yml"
    (repo / ".github/workflows/uvmgr-autopilot.yml").symlink_to(elsewhere)
    r = cli("autopilot", "init-ci", "--project", repo)
    assert r.code == 2, r.out + r.err
    assert not elsewhere.exists()


def test_a_linked_folder_on_the_way_is_not_written_into(cli, repo, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (repo / ".github").symlink_to(outside)
    r = cli("autopilot", "init-ci", "--project", repo)
    assert r.code == 2, r.out + r.err
    assert list(outside.iterdir()) == []


def test_the_org_workflows_are_not_written_through_links(cli, tmp_path, victim):
    org = tmp_path / "org-dot-github"
    org.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (org / "workflow-templates").symlink_to(outside)
    r = cli("autopilot", "init-ci", "--org", "--force", "--project", org)
    assert r.code == 2, r.out + r.err
    assert list(outside.iterdir()) == []
    assert not (org / ".github").exists()  # refused before the first file, not half way


def test_plain_init_ci_still_writes_the_workflow(cli, repo):
    r = cli("autopilot", "init-ci", "--project", repo)
    assert r.code == 0, r.out + r.err
    assert (repo / ".github/workflows/uvmgr-autopilot.yml").read_text().startswith("# Written")
