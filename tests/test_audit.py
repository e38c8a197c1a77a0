"""audit through the real `uv audit`: offline --db (fixture and real advisories), the
unreachable online service, SARIF, and audit --fix end to end."""

from __future__ import annotations

import shutil
import zipfile

import pytest


def test_audit_with_fixture_advisories(cli, demo_project, fixture_advisories):
    r = cli("audit", "--db", fixture_advisories, "--project", demo_project.root, "--json")
    assert r.code == 1  # vulnerabilities found
    findings = {f["id"]: f for f in r.json()["findings"]}
    assert set(findings) == {"DEMO-2024-0001", "DEMO-2024-0002"}
    json_vuln = findings["DEMO-2024-0001"]
    assert (json_vuln["package"], json_vuln["version"]) == ("demo-json", "2.0.0")
    assert json_vuln["fix_versions"] == ["2.0.1"]
    assert "CVE-2099-0001" in json_vuln["aliases"]
    assert json_vuln["summary"].startswith("demo-json before 2.0.1")


def test_audit_clean_project_exits_zero(cli, project_factory, fixture_advisories):
    project = project_factory(["demo-json>=2.0.1"], {"demo-json": "2.0.1"})
    r = cli("audit", "--db", fixture_advisories, "--project", project.root)
    assert r.code == 0, r.err
    assert "No known vulnerabilities" in r.out


def test_audit_explicit_versions_and_last_affected(cli, project_factory, fixture_advisories):
    project = project_factory(["demo-yaml", "demo-cli"], {"demo-yaml": "5.0.0", "demo-cli": "0.9.0"})
    ids = {f["id"] for f in cli("audit", "--db", fixture_advisories, "--project", project.root,
                                "--json").json()["findings"]}
    assert {"DEMO-2024-0003", "DEMO-2024-0005"} <= ids
    project2 = project_factory(["demo-cli"], {"demo-cli": "1.0.0"})
    ids2 = {f["id"] for f in cli("audit", "--db", fixture_advisories, "--project", project2.root,
                                 "--json").json()["findings"]}
    assert "DEMO-2024-0005" not in ids2  # 1.0.0 is after last_affected 0.9.0


def test_audit_real_advisory_database(cli, project_factory, shared_advisories):
    project = project_factory(["requests==2.19.0"], {"requests": "2.19.0"})
    r = cli("audit", "--db", shared_advisories, "--project", project.root, "--json")
    assert r.code == 1
    findings = {f["id"]: f for f in r.json()["findings"]}
    assert "PYSEC-2018-28" in findings
    assert "CVE-2018-18074" in findings["PYSEC-2018-28"]["aliases"]
    assert "2.20.0" in findings["PYSEC-2018-28"]["fix_versions"]


def test_audit_zip_dump(cli, project_factory, fixture_advisories, tmp_path):
    dump = tmp_path / "osv.zip"
    with zipfile.ZipFile(dump, "w") as zf:
        for record in fixture_advisories.glob("*.json"):
            zf.write(record, record.name)
    project = project_factory(["demo-json"], {"demo-json": "2.0.0"})
    r = cli("audit", "--db", dump, "--project", project.root, "--json")
    assert [f["id"] for f in r.json()["findings"]] == ["DEMO-2024-0001"]


def test_audit_bad_db_path(cli, demo_project, tmp_path):
    r = cli("audit", "--db", tmp_path / "nope", "--project", demo_project.root)
    assert r.code == 2 and "does not exist" in r.err
    (tmp_path / "empty").mkdir()
    r = cli("audit", "--db", tmp_path / "empty", "--project", demo_project.root)
    assert r.code == 2 and "no OSV records" in r.err


def test_audit_sarif(cli, demo_project, fixture_advisories):
    r = cli("audit", "--db", fixture_advisories, "--sarif", "--project", demo_project.root)
    sarif = r.json()
    assert sarif["version"] == "2.1.0"
    results = sarif["runs"][0]["results"]
    assert {x["ruleId"] for x in results} == {"DEMO-2024-0001", "DEMO-2024-0002"}
    assert results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "uv.lock"


def test_audit_fix_end_to_end(cli, demo_project, fixture_advisories):
    r = cli("audit", "--fix", "--db", fixture_advisories, "--project", demo_project.root, "--json")
    assert r.code == 0, r.out + r.err
    result = r.json()
    changes = {c["name"]: (c["before"], c["after"]) for c in result["change"]["changes"]}
    assert changes == {"demo-http": ("1.0.0", "1.0.3"), "demo-json": ("2.0.0", "2.0.1")}
    # lowest fixed version, the pin raised only as far as needed
    assert "demo-json==2.0.1" in demo_project.pyproject.read_text()
    assert result["change"]["tests"]["failed"] == 0
    assert result["after"]["findings"] == []
    assert demo_project.locked_version("demo-json") == "2.0.1"


def test_audit_fix_dry_run_and_unfixable(cli, project_factory, fixture_advisories):
    project = project_factory(["demo-json==2.0.0", "demo-pinned"],
                              {"demo-json": "2.0.0", "demo-pinned": "1.0.0"})
    before = project.snapshot()
    r = cli("audit", "--fix", "--dry-run", "--db", fixture_advisories, "--project", project.root,
            "--json")
    assert r.code == 1  # demo-pinned has no fix
    result = r.json()
    assert [s["package"] for s in result["skipped"]] == ["demo-pinned"]
    assert [c["after"] for c in result["change"]["changes"]] == ["2.0.1"]
    assert project.snapshot() == before


def test_audit_fix_rolls_back_when_tests_fail(cli, project_factory, fixture_advisories):
    project = project_factory(["demo-json==2.0.0"], {"demo-json": "2.0.0"}, tests="fail")
    before = project.snapshot()
    r = cli("audit", "--fix", "--db", fixture_advisories, "--project", project.root)
    assert r.code == 4
    assert "restored" in r.err
    assert "changed:" not in r.out and "rolled back" in r.out  # never shown as a change made
    assert project.snapshot() == before


def test_audit_db_from_config(cli, project_factory, fixture_advisories, user_config_home):
    # Outside the project, audit-db belongs in the person's own config (a project's may only
    # name a path inside it: see tests/test_config_trust.py).
    project = project_factory(["demo-json"], {"demo-json": "2.0.0"})
    (user_config_home / "uvmgr").mkdir(exist_ok=True)
    (user_config_home / "uvmgr" / "config.toml").write_text(f'audit-db = "{fixture_advisories}"\n')
    r = cli("audit", "--project", project.root, "--json")
    assert [f["id"] for f in r.json()["findings"]] == ["DEMO-2024-0001"]
    shutil.rmtree(project.root / ".uvmgr", ignore_errors=True)


def test_audit_db_in_config_is_relative_to_the_project(cli, project_factory, fixture_advisories,
                                                       tmp_path, monkeypatch):
    project = project_factory(["demo-json"], {"demo-json": "2.0.0"})
    shutil.copytree(fixture_advisories, project.root / "advisories")
    project.pyproject.write_text(project.pyproject.read_text()
                                 + '\n[tool.uvmgr]\naudit-db = "advisories"\n')
    cli("deps", "lock", "--project", project.root)
    monkeypatch.chdir(tmp_path)
    r = cli("audit", "--project", project.root, "--json")
    assert [f["id"] for f in r.json()["findings"]] == ["DEMO-2024-0001"]


def _withdrawn_copy(fixture_advisories, dest):
    """The fixture advisories plus one withdrawn record for demo-json (every version)."""
    import json

    shutil.copytree(fixture_advisories, dest)
    record = json.loads((fixture_advisories / "DEMO-2024-0001.json").read_text())
    record.update(id="DEMO-2024-9001", withdrawn="2024-07-01T00:00:00Z", aliases=["CVE-2099-9001"],
                  summary="withdrawn: demo-json was never affected")
    record["affected"][0]["ranges"][0]["events"] = [{"introduced": "0"}]
    (dest / "DEMO-2024-9001.json").write_text(json.dumps(record))
    return dest


def test_audit_ignores_withdrawn_advisories_and_counts_them(cli, project_factory,
                                                            fixture_advisories, tmp_path):
    db = _withdrawn_copy(fixture_advisories, tmp_path / "osv")
    project = project_factory(["demo-json>=2.0.1"], {"demo-json": "2.0.1"})
    r = cli("audit", "--db", db, "--project", project.root)
    assert r.code == 0, r.out + r.err  # only the withdrawn record matches 2.0.1
    assert "No known vulnerabilities" in r.out
    assert "1 withdrawn advisory ignored" in r.out
    r = cli("audit", "--db", db, "--project", project.root, "--json")
    assert r.json()["findings"] == [] and r.json()["withdrawn"] == ["DEMO-2024-9001"]


def test_audit_fix_with_a_withdrawn_advisory_fixes_the_real_one(cli, project_factory,
                                                                fixture_advisories, tmp_path):
    db = _withdrawn_copy(fixture_advisories, tmp_path / "osv")
    project = project_factory(["demo-json==2.0.0"], {"demo-json": "2.0.0"})
    r = cli("audit", "--fix", "--no-tests", "--db", db, "--project", project.root, "--json")
    assert r.code == 0, r.out + r.err
    assert project.locked_version("demo-json") == "2.0.1"
    assert [f["id"] for f in r.json()["before"]["findings"]] == ["DEMO-2024-0001"]


def test_could_not_audit_is_not_vulnerable(cli, demo_project, monkeypatch):
    from uvmgr.errors import EXIT_NOT_AUDITED

    monkeypatch.setenv("UV_HTTP_RETRIES", "0")
    r = cli("audit", "--service-url", "http://127.0.0.1:9", "--project", demo_project.root)
    assert EXIT_NOT_AUDITED not in (0, 1) and r.code == EXIT_NOT_AUDITED
    assert "could not be reached" in r.err and "uvmgr advisories update" in r.err
    r = cli("audit", "--service-url", "http://127.0.0.1:9", "--project", demo_project.root, "--json")
    assert r.code == EXIT_NOT_AUDITED and r.json()["exit_code"] == EXIT_NOT_AUDITED


def _breaking_http_fix(fixture_advisories, dest):
    """demo-json's advisory, and one for demo-http whose only fix is 1.2.0 (which drops
    `stable_api()`, so a suite that calls it fails)."""
    import json

    dest.mkdir()
    shutil.copy(fixture_advisories / "DEMO-2024-0001.json", dest)
    record = json.loads((fixture_advisories / "DEMO-2024-0002.json").read_text())
    record.update(id="DEMO-2024-9002", aliases=["CVE-2099-9002"])
    record["affected"][0]["ranges"][0]["events"] = [{"introduced": "1.0.0"}, {"fixed": "1.2.0"}]
    (dest / "DEMO-2024-9002.json").write_text(json.dumps(record))
    return dest


def test_audit_fix_bisects_and_keeps_the_fixes_that_pass(cli, project_factory, fixture_advisories,
                                                         tmp_path):
    db = _breaking_http_fix(fixture_advisories, tmp_path / "osv")
    project = project_factory(["demo-json==2.0.0", "demo-http>=1.0,<1.1"],
                              {"demo-json": "2.0.0", "demo-http": "1.0.0"},
                              tests="fail-after-upgrade:demo-http")
    r = cli("audit", "--fix", "--db", db, "--project", project.root, "--json")
    assert r.code == 1, r.out + r.err  # one vulnerability is left, with the reason
    result = r.json()
    assert project.locked_version("demo-json") == "2.0.1"  # the fix that passes is kept
    assert project.locked_version("demo-http") == "1.0.0"  # the one that fails is restored
    assert "demo-http>=1.0,<1.1" in project.pyproject.read_text()
    [failed] = result["failed"]
    assert (failed["name"], failed["wanted"]) == ("demo-http", "1.2.0")
    assert any("stable_api" in t for t in failed["failing_tests"])
    assert [f["id"] for f in result["after"]["findings"]] == ["DEMO-2024-9002"]
    assert result["change"]["tests"]["failed"] == 0  # the run of what was kept
    assert failed["reason"] == "tests failed"


def test_a_failed_fix_is_said_with_its_failing_tests():
    from uvmgr.tools.audit import AuditReport
    from uvmgr.tools.audit_fix import FixResult
    from uvmgr.tools.changes import ChangeResult, HeldBack, PackageChange

    result = FixResult(AuditReport(5, [], "/db"),
                       ChangeResult("audit-fix", False, [PackageChange("demo-json", "2.0.0",
                                                                       "2.0.1", True)]),
                       AuditReport(5, [], "/db"),
                       failed=[HeldBack("demo-http", "1.0.0", "1.2.0", "tests failed",
                                        ["tests.test_app::test_demo_http_stable_api"])])
    text = result.summary()
    assert "demo-json: 2.0.0 -> 2.0.1" in text
    assert ("not fixed: demo-http 1.0.0 -> 1.2.0: tests failed (failing: "
            "tests.test_app::test_demo_http_stable_api); restored") in text
    assert result.exit_status == 1


def test_audit_fix_picks_packages(cli, demo_project, fixture_advisories):
    r = cli("audit", "--fix", "demo-json", "--db", fixture_advisories, "--project",
            demo_project.root, "--json")
    assert r.code == 0, r.out + r.err  # what was asked for is fixed
    assert [c["name"] for c in r.json()["change"]["changes"]] == ["demo-json"]
    assert demo_project.locked_version("demo-http") == "1.0.0"  # not asked: left alone
    r = cli("audit", "--fix", "demo-jsno", "--db", fixture_advisories, "--project",
            demo_project.root)
    assert r.code == 2 and "not in uv.lock" in r.err and "demo-json" in r.err
    r = cli("audit", "demo-http", "--db", fixture_advisories, "--project", demo_project.root)
    assert r.code == 2 and "--fix" in r.err  # a usage error


def test_a_service_s_withdrawn_advisories_are_ignored(cli, project_factory, fixture_advisories,
                                                      tmp_path):
    """The public OSV service matches withdrawn records too (flagged in the full record only,
    which uv's report leaves out): a loopback stand-in for it does the same."""
    from uvmgr.tools.osv import AdvisoryDB, OsvServer, load_advisories

    class ServiceLike(AdvisoryDB):
        def matching(self, name, version):
            return self._affecting(name, version)  # withdrawn ones included, as OSV does

    loaded = load_advisories(_withdrawn_copy(fixture_advisories, tmp_path / "osv"))
    project = project_factory(["demo-json==2.0.0"], {"demo-json": "2.0.0"})
    with OsvServer(ServiceLike(loaded.records, loaded.by_package)) as url:
        r = cli("audit", "--service-url", url, "--project", project.root, "--json")
    assert r.code == 1, r.err
    assert [f["id"] for f in r.json()["findings"]] == ["DEMO-2024-0001"]
    assert r.json()["withdrawn"] == ["DEMO-2024-9001"]


def test_picking_packages_is_the_person_s_not_a_planner_s():
    from uvmgr.agent.toolcalls import BadArguments, agent_arguments, check_arguments
    from uvmgr.tools.registry import TOOLS

    spec = TOOLS["fix_vulnerabilities"]
    assert "packages" in spec.arguments() and "packages" not in agent_arguments(spec)
    with pytest.raises(BadArguments):
        check_arguments(spec, {"packages": ["demo-json"]})
