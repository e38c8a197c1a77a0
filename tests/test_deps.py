"""deps list / outdated / upgrade / add / remove / lock against the real uv and the local index."""

from __future__ import annotations

import pytest



def test_list_shows_groups_and_locked_versions(cli, demo_project):
    r = cli("deps", "list", "--project", demo_project.root, "--json")
    assert r.code == 0, r.err
    rows = {(d["group"], d["name"]): d for d in r.json()["dependencies"]}
    assert rows[("main", "demo-http")]["locked"] == "1.0.0"
    assert rows[("main", "demo-json")]["requirement"] == "demo-json==2.0.0"
    assert rows[("dev", "pytest")]["locked"]


def test_outdated_reports_each_delta_kind(cli, project_factory):
    project = project_factory(
        ["demo-http>=1.0", "demo-json>=2.0", "demo-yaml>=5.0,<5.1", "demo-pinned"],
        {"demo-http": "1.0.0", "demo-json": "2.0.1", "demo-yaml": "5.0.0", "demo-pinned": "1.0.0"},
    )
    r = cli("deps", "outdated", "--project", project.root, "--json")
    assert r.code == 0, r.err
    rows = {row["name"]: row for row in r.json()}
    assert rows["demo-http"]["latest"] == "2.1.0" and rows["demo-http"]["delta"] == "major"
    assert rows["demo-json"]["latest"] == "3.0.0"
    assert rows["demo-yaml"]["latest_compatible"] == "5.0.1"  # the range stops before 5.1
    assert rows["demo-yaml"]["latest"] == "6.0.0"
    assert rows["demo-pinned"]["delta"] == "patch"
    assert "pytest" not in rows  # up to date


def test_outdated_minor_delta(cli, project_factory):
    project = project_factory(["demo-cli>=0.9"], {"demo-cli": "1.0.1"})
    rows = cli("deps", "outdated", "--project", project.root, "--json").json()
    assert rows == [{**rows[0], "name": "demo-cli", "current": "1.0.1", "latest": "1.1.0",
                     "delta": "minor"}]


def test_upgrade_patch_stays_within_minor(cli, demo_project):
    r = cli("deps", "upgrade", "--level", "patch", "--project", demo_project.root, "--json")
    assert r.code == 0, r.err
    result = r.json()
    changes = {c["name"]: (c["before"], c["after"]) for c in result["changes"]}
    assert changes["demo-http"] == ("1.0.0", "1.0.3")
    assert changes["demo-json"] == ("2.0.0", "2.0.1")  # the pin is raised: allowed by patch
    assert changes["demo-cli"] == ("1.0.0", "1.0.1")
    assert demo_project.locked_version("demo-http") == "1.0.3"
    assert 'demo-json==2.0.1' in demo_project.pyproject.read_text()
    assert 'demo-http>=1.0,<1.1' in demo_project.pyproject.read_text()  # not needed: unchanged


def test_upgrade_minor_raises_the_constraint_only_when_needed(cli, demo_project):
    r = cli("deps", "upgrade", "demo-http", "--level", "minor", "--project", demo_project.root,
            "--json")
    assert r.code == 0, r.err
    result = r.json()
    assert [e["after"] for e in result["constraint_edits"]] == ["demo-http>=1.0,<1.3"]
    assert demo_project.locked_version("demo-http") == "1.2.0"
    assert demo_project.locked_version("demo-json") == "2.0.0"  # not named: untouched
    assert [h["latest"] for h in result["held_back"]] == ["2.1.0"]


def test_upgrade_major(cli, demo_project):
    r = cli("deps", "upgrade", "demo-http", "--level", "major", "--project", demo_project.root,
            "--json")
    assert r.code == 0, r.err
    assert demo_project.locked_version("demo-http") == "2.1.0"
    assert "demo-http>=1.0,<2.2" in demo_project.pyproject.read_text()  # keeps the cap's precision


def test_upgrade_dry_run_changes_nothing(cli, demo_project):
    before = demo_project.snapshot()
    r = cli("deps", "upgrade", "--level", "minor", "--dry-run", "--project", demo_project.root,
            "--json")
    assert r.code == 0, r.err
    result = r.json()
    assert result["dry_run"] is True
    assert {c["name"]: c["after"] for c in result["changes"]}["demo-http"] == "1.2.0"
    assert demo_project.snapshot() == before
    assert not (demo_project.root / ".uvmgr" / "journal").exists()


def test_upgrade_conflict_is_reported_and_nothing_changes(cli, project_factory):
    # demo-legacy needs demo-json<2.1, so raising the pin to 2.1.0 cannot resolve.
    project = project_factory(["demo-json==2.0.0", "demo-legacy"], {"demo-json": "2.0.0"})
    before = project.snapshot()
    r = cli("deps", "upgrade", "demo-json", "--level", "minor", "--project", project.root)
    assert r.code == 1
    assert "conflict" in r.err and "hint:" in r.err
    assert project.snapshot() == before


def test_upgrade_unknown_package_suggests_a_name(cli, demo_project):
    r = cli("deps", "upgrade", "demo-htp", "--project", demo_project.root)
    assert r.code == 2
    assert "demo-htp is not a direct dependency" in r.err and "demo-http" in r.err


def test_add_and_remove(cli, demo_project):
    r = cli("deps", "add", "demo-yaml>=5,<6", "--project", demo_project.root, "--json")
    assert r.code == 0, r.err
    assert {c["name"]: c["after"] for c in r.json()["changes"]} == {"demo-yaml": "5.1.0"}
    assert "demo-yaml>=5,<6" in demo_project.pyproject.read_text()
    assert (demo_project.root / ".venv/lib/python3.11/site-packages/demo_yaml").is_dir()
    r = cli("deps", "remove", "demo-yaml", "--project", demo_project.root, "--json")
    assert r.code == 0, r.err
    assert [c["after"] for c in r.json()["changes"]] == [None]
    assert "demo-yaml" not in demo_project.pyproject.read_text()


def test_add_to_a_group_and_dry_run(cli, demo_project):
    before = demo_project.snapshot()
    r = cli("deps", "add", "demo-yaml", "--group", "docs", "--dry-run", "--project",
            demo_project.root, "--json")
    assert r.code == 0, r.err
    assert r.json()["changes"][0]["name"] == "demo-yaml"
    assert demo_project.snapshot() == before
    r = cli("deps", "add", "demo-yaml", "--group", "docs", "--project", demo_project.root)
    assert r.code == 0, r.err
    assert "docs = [" in demo_project.pyproject.read_text()


def test_add_typo_suggests_close_names_and_changes_nothing(cli, demo_project):
    before = demo_project.snapshot()
    r = cli("deps", "add", "demo-yamll", "--project", demo_project.root)
    assert r.code == 2
    assert "demo-yamll was not found" in r.err and "demo-yaml" in r.err
    assert demo_project.snapshot() == before


@pytest.mark.parametrize("spec", ["demo-http>>1", "demo-http==", "not a spec!"])
def test_add_invalid_specifier(cli, demo_project, spec):
    before = demo_project.snapshot()
    r = cli("deps", "add", spec, "--project", demo_project.root)
    assert r.code == 2 and "invalid requirement" in r.err
    assert demo_project.snapshot() == before


def test_remove_unknown_package(cli, demo_project):
    r = cli("deps", "remove", "demo-jsno", "--project", demo_project.root)
    assert r.code == 2 and "did you mean demo-json" in r.err
    r = cli("deps", "remove", "pytest", "--project", demo_project.root)
    assert r.code == 2 and "--group dev" in r.err


def test_lock_creates_a_missing_lock(cli, project_factory):
    project = project_factory(["demo-json>=2"], lock=False)
    r = cli("deps", "list", "--project", project.root)
    assert r.code == 2 and "uv.lock is missing" in r.err and "uvmgr deps lock" in r.err
    r = cli("deps", "lock", "--project", project.root, "--json")
    assert r.code == 0, r.err
    assert project.locked_version("demo-json") == "3.0.0"


def test_adding_an_already_locked_package_is_still_a_change(cli, demo_project):
    # packaging is locked already (pytest needs it); declaring it edits both files
    before = demo_project.snapshot()
    r = cli("deps", "add", "packaging", "--dry-run", "--project", demo_project.root, "--json")
    result = r.json()
    assert result["changed"] is True
    [edit] = result["constraint_edits"]
    assert (edit["name"], edit["group"], edit["before"]) == ("packaging", "main", "")
    assert edit["after"].startswith("packaging>=")
    assert set(result["files_changed"]) == {"pyproject.toml", "uv.lock"}
    assert demo_project.snapshot() == before


def test_a_forked_upgrade_previews_every_version(cli, project_factory, tmp_path):
    """A release that needs a newer Python makes uv lock the package twice (one per Python
    range); the preview carries both versions, and the apply keeps what it showed."""
    from uvmgr.evals.wheel_index import DemoPackage, DemoRelease, build_demo_wheel

    links = tmp_path / "fork-index"
    fork = DemoPackage("demo-fork", (DemoRelease("1.0.0"), DemoRelease("1.0.1"),
                                     DemoRelease("1.1.0", requires_python=">=3.12")))
    for release in fork.releases:
        build_demo_wheel(links, fork, release)
    project = project_factory(["demo-fork>=1.0,<2"], {"demo-fork": "1.0.0"}, find_links=[links])
    r = cli("deps", "upgrade", "--level", "minor", "--dry-run", "--project", project.root, "--json")
    assert r.code == 0, r.err
    [change] = [c for c in r.json()["changes"] if c["name"] == "demo-fork"]
    assert (change["before"], change["after"]) == ("1.0.0", "1.1.0")
    assert change["versions_after"] == ["1.0.1", "1.1.0"]
    r = cli("deps", "upgrade", "--level", "minor", "--project", project.root, "--json")
    assert r.code == 0, r.err
    lock = project.root.joinpath("uv.lock").read_text()
    assert 'version = "1.0.1"' in lock and 'version = "1.1.0"' in lock
