"""upgrade_safely: batch, tests, bisection, the next lower version, held back with reasons."""

from __future__ import annotations


def test_bisects_to_the_breaking_package_and_keeps_the_rest(cli, project_factory):
    project = project_factory(
        ["demo-http>=1.0,<1.1", "demo-json>=2.0,<3", "demo-cli>=0.9"],
        {"demo-http": "1.0.0", "demo-json": "2.0.0", "demo-cli": "1.0.0"},
        tests="fail-after-upgrade:demo-http",
    )
    # named, so the cap `<1.1` may be raised for 1.2.0 (then undone: its tests fail)
    r = cli("deps", "upgrade", "--safe", "demo-http", "demo-json", "demo-cli", "--level", "minor",
            "--project", project.root, "--json")
    assert r.code == 0, r.out + r.err
    result = r.json()
    changes = {c["name"]: (c["before"], c["after"]) for c in result["changes"]}
    # demo-http 1.2.0 breaks the tests: the newest patch of 1.0 is kept instead
    assert changes == {"demo-http": ("1.0.0", "1.0.3"), "demo-json": ("2.0.0", "2.1.0"),
                       "demo-cli": ("1.0.0", "1.1.0")}
    [held] = result["held_back"]
    assert held["name"] == "demo-http" and held["wanted"] == "1.2.0"
    assert any("stable_api" in t for t in held["failing_tests"])
    assert {m["name"]: m["latest"] for m in result["majors_available"]} == {
        "demo-http": "2.1.0", "demo-json": "3.0.0"}
    assert project.locked_version("demo-http") == "1.0.3"
    assert "demo-http>=1.0,<1.1" in project.pyproject.read_text()  # the failed raise was undone
    assert result["trials"] >= 3


def test_all_upgrades_pass_in_one_trial(cli, demo_project):
    r = cli("deps", "upgrade", "--safe", "demo-http", "demo-json", "demo-cli", "--level", "patch",
            "--project", demo_project.root, "--json")
    assert r.code == 0, r.err
    assert r.json()["trials"] == 1
    assert demo_project.locked_version("demo-json") == "2.0.1"


def test_nothing_kept_is_a_rollback(cli, project_factory):
    # 1.2.0 breaks the tests and there is no newer 1.1.x patch to fall back to
    project = project_factory(["demo-http>=1.1,<1.2"], {"demo-http": "1.1.0"},
                              tests="fail-after-upgrade:demo-http")
    before = project.snapshot()
    r = cli("deps", "upgrade", "--safe", "demo-http", "--level", "minor", "--project", project.root,
            "--json")
    assert r.code == 4
    assert r.json()["result"]["held_back"][0]["wanted"] == "1.2.0"
    assert project.snapshot() == before


def test_tests_failing_before_the_upgrade_stop_it(cli, project_factory):
    project = project_factory(["demo-http>=1.0,<1.1"], {"demo-http": "1.0.0"}, tests="fail")
    before = project.snapshot()
    r = cli("deps", "upgrade", "--safe", "--project", project.root)
    assert r.code == 1 and "already fail before any upgrade" in r.err
    assert project.snapshot() == before


def test_dry_run_plans_without_touching(cli, demo_project):
    before = demo_project.snapshot()
    r = cli("deps", "upgrade", "--safe", "--dry-run", "--project", demo_project.root, "--json")
    assert r.code == 0
    # demo-json is pinned (`==2.0.0`) and no package was named: the pin is kept
    assert {c["name"] for c in r.json()["changes"]} == {"demo-http", "demo-cli"}
    assert "held by your pin `==2.0.0`" in {h["name"]: h["reason"]
                                           for h in r.json()["held_back"]}["demo-json"]
    assert demo_project.snapshot() == before
