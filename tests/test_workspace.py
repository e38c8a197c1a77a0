"""uv workspaces: a virtual root, two members (api, web -> api) and one lock, with real uv over
the local wheel index. Every command at the root and in a member; a rollback that restores the
root lock and every member's pyproject.toml byte for byte."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from uvmgr.evals.workspace_fixture import make_workspace
from uvmgr.tools.project import Project

from uvmgr.errors import UsageError

TRACKED = ("pyproject.toml", "uv.lock", "packages/api/pyproject.toml",
           "packages/web/pyproject.toml")


@pytest.fixture
def workspace(tmp_path, wheel_index):
    """A workspace of the test's own, for tests that change it."""
    return make_workspace(tmp_path / "ws", wheel_index)


@pytest.fixture(scope="module")
def shared(tmp_path_factory, wheel_index):
    """One workspace for the read-only tests of this module (they change no file)."""
    return make_workspace(tmp_path_factory.mktemp("shared") / "ws", wheel_index)


def _bytes(root: Path) -> dict[str, bytes]:
    return {name: (root / name).read_bytes() for name in TRACKED}


# -- finding the workspace ----------------------------------------------------------------------

def test_root_and_member_find_the_same_workspace(shared):
    root = Project(shared.root)
    member = Project(shared.root / "packages" / "web")
    assert root.root == member.root == shared.root.resolve()
    assert [m.name for m in root.workspace.members] == ["api", "web"]  # scratch is excluded
    assert root.workspace.virtual and root.package is None
    assert member.package == "web" and member.lock_path == shared.lock.resolve()
    assert root.tracked_files() == TRACKED
    assert Project(shared.root, package="API").package == "api"


def test_unknown_member_and_package_outside_a_workspace_are_usage_errors(cli, shared,
                                                                          demo_project):
    r = cli("deps", "list", "--project", shared.root, "--package", "nope")
    assert r.code == 2 and "no such member" in r.err and "api, web" in r.err
    r = cli("deps", "list", "--project", demo_project.root, "--package", "api")
    assert r.code == 2 and "not a uv workspace" in r.err
    with pytest.raises(UsageError):
        Project(shared.root, package="scratch")


def test_excluded_folder_is_a_project_of_its_own(shared):
    scratch = Project(shared.root / "packages" / "scratch")
    assert not scratch.is_workspace and scratch.name == "scratch"


# -- reading ------------------------------------------------------------------------------------

def test_list_at_the_root_groups_every_member_and_in_a_member_only_its_own(cli, shared):
    r = cli("deps", "list", "--project", shared.root, "--json")
    assert r.code == 0, r.err
    rows = {(d["member"], d["name"]) for d in r.json()["dependencies"]}
    assert {("api", "demo-http"), ("api", "demo-json"), ("web", "demo-cli"),
            ("web", "demo-yaml"), ("web", "api"), ("", "pytest")} <= rows
    text = cli("deps", "list", "--project", shared.root).out
    assert "member" in text and "api" in text and "web" in text
    r = cli("deps", "list", "--project", shared.root / "packages" / "api", "--json")
    assert r.code == 0, r.err
    assert {d["member"] for d in r.json()["dependencies"]} == {"api"}
    assert r.json()["project"] == "api"


def test_outdated_at_the_root_and_with_package(cli, shared):
    r = cli("deps", "outdated", "--project", shared.root, "--json")
    assert r.code == 0, r.err
    by = {(o["member"], o["name"]): o for o in r.json()}
    assert by[("api", "demo-http")]["latest_compatible"] == "1.0.3"
    assert by[("web", "demo-cli")]["latest"] == "1.1.0"
    assert ("web", "api") not in by  # a workspace source, not an index package
    r = cli("deps", "outdated", "--project", shared.root, "--package", "web", "--json")
    assert {o["member"] for o in r.json()} == {"web"}
    r = cli("deps", "outdated", "demo-http", "--project", shared.root / "packages" / "web")
    assert r.code == 2 and "--package api" in r.err  # declared by the other member


def test_audit_at_the_root_names_members_and_a_member_sees_its_own(cli, shared,
                                                                    fixture_advisories):
    r = cli("audit", "--db", fixture_advisories, "--project", shared.root, "--json")
    assert r.code == 1, r.err
    found = {f["package"]: f["members"] for f in r.json()["findings"]}
    assert found["demo-json"] == ["api", "web"]  # web reaches it through api
    assert found["demo-yaml"] == ["web"]
    r = cli("audit", "--db", fixture_advisories, "--project", shared.root / "packages" / "api",
            "--json")
    assert "demo-yaml" not in {f["package"] for f in r.json()["findings"]}


def test_fix_dry_run_in_a_member_plans_only_what_reaches_it(cli, shared, fixture_advisories):
    before = _bytes(shared.root)
    r = cli("audit", "--fix", "--dry-run", "--db", fixture_advisories, "--project",
            shared.root / "packages" / "api", "--json")
    assert r.code == 0, r.err
    planned = {c["name"] for c in r.json()["change"]["changes"]}
    assert "demo-json" in planned and "demo-yaml" not in planned  # demo-yaml is web's alone
    assert _bytes(shared.root) == before


def test_tests_run_per_member_at_the_root_and_alone_in_a_member(cli, shared):
    r = cli("test", "--project", shared.root, "--json")
    assert r.code == 0, r.err
    assert r.json()["passed"] == 2 and "--package web" in r.json()["command"]
    r = cli("test", "--project", shared.root / "packages" / "web", "--json")
    assert r.json()["passed"] == 1


def test_build_a_member_and_at_a_virtual_root_a_hint(cli, shared, tmp_path):
    r = cli("build", "--project", shared.root)
    assert r.code == 2 and "--package" in r.err
    r = cli("build", "--project", shared.root / "packages" / "api", "--out-dir", tmp_path,
            "--json")
    assert r.code == 0, r.err
    assert r.json()["metadata"]["name"] == "api"


def test_ask_at_a_workspace_root_reads_every_member(cli, shared):
    r = cli("ask", "what's outdated?", "--project", shared.root, "--json")
    assert r.code == 0, r.err
    assert "demo-cli" in r.out and "demo-http" in r.out


# -- changing -----------------------------------------------------------------------------------

def test_a_missing_lock_in_a_member_is_created_at_the_root_no_hint_loop(cli, workspace):
    workspace.lock.unlink()
    api = workspace.root / "packages" / "api"
    r = cli("deps", "list", "--project", api)
    assert r.code == 2 and "uvmgr deps lock" in r.err
    r = cli("deps", "lock", "--project", api)  # the hint, followed from the member
    assert r.code == 0, r.err
    assert workspace.lock.is_file() and not (api / "uv.lock").exists()
    assert cli("deps", "list", "--project", api).code == 0


def test_upgrade_at_the_root_edits_the_declaring_member(cli, workspace):
    before = _bytes(workspace.root)
    r = cli("deps", "upgrade", "demo-http", "--project", workspace.root, "--json")
    assert r.code == 0, r.err
    edit, = r.json()["constraint_edits"]
    assert (edit["member"], edit["after"]) == ("api", "demo-http>=1.0,<1.3")
    after = _bytes(workspace.root)
    changed = {n for n in TRACKED if before[n] != after[n]}
    assert changed == {"uv.lock", "packages/api/pyproject.toml"}
    assert workspace.locked_version("demo-http") == "1.2.0"
    r = cli("undo", "--project", workspace.root / "packages" / "web")  # from any member
    assert r.code == 0, r.err
    assert _bytes(workspace.root) == before


def test_upgrade_in_a_member_and_safe_dry_run(cli, workspace):
    web = workspace.root / "packages" / "web"
    r = cli("deps", "upgrade", "--safe", "--dry-run", "--project", web, "--json")
    assert r.code == 0, r.err
    assert {c["name"] for c in r.json()["changes"]} == {"demo-cli", "demo-yaml"}
    r = cli("deps", "upgrade", "demo-cli", "--project", web, "--test", "--json")
    assert r.code == 0, r.err
    assert workspace.locked_version("demo-cli") == "1.1.0"
    assert r.json()["tests"]["passed"] == 1


def test_add_at_a_virtual_root_asks_for_a_member_and_package_picks_one(cli, workspace):
    r = cli("deps", "add", "demo-pinned", "--project", workspace.root)
    assert r.code == 2 and "--package" in r.err
    r = cli("deps", "add", "demo-pinned", "--package", "web", "--project", workspace.root,
            "--json")
    assert r.code == 0, r.err
    assert "demo-pinned" in (workspace.root / "packages/web/pyproject.toml").read_text()
    assert "demo-pinned" not in (workspace.root / "packages/api/pyproject.toml").read_text()
    r = cli("deps", "remove", "demo-pinned", "--project", workspace.root / "packages" / "api")
    assert r.code == 2 and "--package web" in r.err  # the other member declares it
    r = cli("deps", "remove", "demo-pinned", "--project", workspace.root / "packages" / "web")
    assert r.code == 0, r.err
    assert "demo-pinned" not in (workspace.root / "packages/web/pyproject.toml").read_text()


def test_audit_fix_at_the_root_raises_the_pin_in_the_member(cli, workspace, fixture_advisories):
    r = cli("audit", "--fix", "--db", fixture_advisories, "--project", workspace.root, "--json")
    assert r.code in (0, 1), r.err
    edits = {e["name"]: e for e in r.json()["change"]["constraint_edits"]}
    assert edits["demo-json"]["member"] == "api"
    assert "demo-json==2.0.0" not in (workspace.root / "packages/api/pyproject.toml").read_text()


def test_failing_member_tests_roll_back_the_lock_and_every_member_byte_identical(
        cli, tmp_path, wheel_index):
    ws = make_workspace(tmp_path / "ws", wheel_index, tests={"api": "fail-after-upgrade:demo-http"})
    before = _bytes(ws.root)
    # named, so its cap `<1.1` is raised (an unnamed cap is kept: tools/upgrade_targets.py)
    r = cli("deps", "upgrade", "demo-http", "--project", ws.root, "--test", "--json")
    assert r.code == 4, r.err
    result = r.json()["result"]
    assert {e["member"] for e in result["constraint_edits"]} == {"api"}  # it did edit a member
    assert _bytes(ws.root) == before
    assert not (ws.root / ".uvmgr" / "journal").exists()


def test_safe_upgrade_at_the_root_holds_back_what_breaks_a_member_and_keeps_the_rest(
        cli, tmp_path, wheel_index):
    ws = make_workspace(tmp_path / "ws", wheel_index, tests={"api": "fail-after-upgrade:demo-http"})
    web_before = (ws.root / "packages/web/pyproject.toml").read_bytes()
    # named, so demo-http's cap `<1.1` is raised (an unnamed cap is kept and the tests pass)
    r = cli("deps", "upgrade", "--safe", "demo-http", "demo-cli", "--project", ws.root, "--json")
    assert r.code == 0, r.err
    run = r.json()
    assert [h["name"] for h in run["held_back"]] == ["demo-http"]
    assert "api: " in run["held_back"][0]["failing_tests"][0]  # which member's test failed
    assert ws.locked_version("demo-http") == "1.0.3"  # the newest patch that passes
    assert ws.locked_version("demo-cli") == "1.1.0"
    assert (ws.root / "packages/web/pyproject.toml").read_bytes() == web_before
    assert "demo-http>=1.0,<1.1" in (ws.root / "packages/api/pyproject.toml").read_text()


def test_recovery_restores_a_member_pyproject_left_by_a_killed_change(workspace):
    from uvmgr.tools.journal import Journal
    from uvmgr.tools.recovery import recover_interrupted
    from uvmgr.tools.runner import ProcessRunner

    from uvmgr.telemetry import Tracer

    project = Project(workspace.root / "packages" / "api")
    before = _bytes(workspace.root)
    journal = Journal(project)
    journal.write("upgrade")
    member = workspace.root / "packages/api/pyproject.toml"
    member.write_text(member.read_text().replace("<1.1", "<1.3"))
    journal.record_state()  # as uvmgr does after its own write; then the process is killed
    message = recover_interrupted(project, ProcessRunner(Tracer()))
    assert "packages/api/pyproject.toml" in message
    assert _bytes(workspace.root) == before


def test_autopilot_at_the_root_upgrades_members_and_passes_the_gates(cli, workspace,
                                                                       fixture_advisories):
    config = Path(os.environ["XDG_CONFIG_HOME"]) / "uvmgr" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'audit-db = "{fixture_advisories}"\n')
    r = cli("autopilot", "--project", workspace.root, "--json")
    assert r.code == 0, r.err
    run = r.json()
    assert {c["name"] for c in run["changes"]} >= {"demo-json", "demo-cli"}
    assert all(g["ok"] for g in run["gates"])


def test_a_members_dynamic_dependencies_are_read_from_its_own_lock_entry(cli, tmp_path,
                                                                          wheel_index):
    from uvmgr.evals.fixtures import _uv

    ws = make_workspace(tmp_path / "ws", wheel_index, sync=False)
    web = ws.root / "packages/web"
    text = (web / "pyproject.toml").read_text()
    deps_line = next(line for line in text.splitlines() if line.startswith("dependencies ="))
    (web / "pyproject.toml").write_text(text.replace(deps_line, 'dynamic = ["dependencies"]'))
    (web / "requirements.in").write_text("demo-cli>=0.9\ndemo-yaml>=5.0\napi\n")
    _uv(["lock"], ws.root)
    r = cli("deps", "list", "--project", ws.root, "--json")
    assert r.code == 0, r.err
    rows = {(d["member"], d["name"]): d for d in r.json()["dependencies"]}
    assert rows[("web", "demo-yaml")]["dynamic"] is True
    assert rows[("web", "demo-yaml")]["locked"] == "5.0.0"
    assert rows[("api", "demo-http")]["dynamic"] is False  # the other member's are written
    assert "dynamic (read from the lock)" in cli("deps", "list", "--project", ws.root).out
    before = _bytes(ws.root)
    r = cli("deps", "remove", "demo-yaml", "--package", "web", "--project", ws.root)
    assert r.code == 2 and "dynamic" in r.err, (r.out, r.err)
    assert _bytes(ws.root) == before
