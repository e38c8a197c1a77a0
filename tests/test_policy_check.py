"""The policy gate: `uvmgr policy check` over real locks made by uv from the local wheel index
(and a dated index served on loopback), with Markdown, JSON and SARIF."""

from __future__ import annotations

import datetime
import json

import pytest
import yaml
from uvmgr.evals.dated_index import serve_dated_index
from uvmgr.evals.fixtures import make_project
from uvmgr.evals.wheel_index import write_wheel

from uvmgr.licenses import License, allowed, license_of

ADVISORY = {
    "id": "TEST-2020-0001", "modified": "2020-02-01T00:00:00Z",
    "published": "2020-01-01T00:00:00Z", "summary": "demo-json before 2.0.1 is unsafe",
    "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
    "affected": [{"package": {"name": "demo-json", "ecosystem": "PyPI"},
                  "ranges": [{"type": "ECOSYSTEM",
                              "events": [{"introduced": "0"}, {"fixed": "2.0.1"}]}]}],
}


def _policy(project, text: str) -> None:
    with project.pyproject.open("a", encoding="utf-8") as fh:
        fh.write("\n[tool.uvmgr.policy]\n" + text + "\n")


@pytest.fixture
def licensed(tmp_path, wheel_index):
    """A synced project whose dependencies declare licenses in three ways."""
    links = tmp_path / "links"
    for name, meta in {"lic-mit": "License-Expression: MIT",
                       "lic-gpl": "Classifier: License :: OSI Approved :: GNU General Public "
                                  "License v3 (GPLv3)",
                       "lic-bsd": "Classifier: License :: OSI Approved :: BSD License"}.items():
        write_wheel(links, name, "1.0", {f"{name.replace('-', '_')}.py": b""},
                    metadata=f"Metadata-Version: 2.4\nName: {name}\nVersion: 1.0\n{meta}\n")
    return make_project(tmp_path / "lic", wheel_index, ["lic-mit", "lic-gpl", "lic-bsd"],
                        dev=[], tests="none", find_links=[links])


def test_banned_and_licenses_with_markdown_json_and_sarif(cli, licensed, tmp_path):
    _policy(licensed, 'banned = [{ name = "lic-gpl", reason = "copyleft" }]\n'
                      'licenses = ["MIT", "BSD-3-Clause"]')
    sarif = tmp_path / "policy.sarif"
    r = cli("policy", "check", "--project", licensed.root, "--sarif", sarif)
    assert r.code == 1, r.out + r.err
    assert "lic-gpl 1.0 is banned: copyleft" in r.out
    assert "lic-gpl 1.0: GPL-3.0-only (from classifiers) is not allowed" in r.out
    assert "lic-bsd 1.0: license unknown (the classifier 'BSD License'" in r.out
    assert "| licenses | MIT BSD-3-Clause | 1 | 1 | 1 |" in r.out
    log = json.loads(sarif.read_text())
    levels = {(x["ruleId"], x["properties"]["package"]): x["level"]
              for x in log["runs"][0]["results"]}
    assert levels == {("policy/banned", "lic-gpl"): "error",
                      ("policy/licenses", "lic-gpl"): "error",
                      ("policy/licenses", "lic-bsd"): "warning"}
    r = cli("policy", "check", "--project", licensed.root, "--json")
    statuses = {(x["rule"], x["package"]): x["status"] for x in r.json()["results"]}
    assert statuses[("licenses", "lic-mit")] == "pass" and r.json()["exit_code"] == 1
    assert r.json()["summary"] == {"banned": {"pass": 0, "fail": 1, "unknown": 0},
                                   "licenses": {"pass": 1, "fail": 1, "unknown": 1},
                                   "all": {"pass": 1, "fail": 2, "unknown": 1}}
    # nothing banned, GPL allowed: the unknown BSD passes only while on-unknown is "warn"
    licensed.pyproject.write_text(licensed.pyproject.read_text().replace(
        'banned = [{ name = "lic-gpl", reason = "copyleft" }]\n', "").replace(
        '"BSD-3-Clause"]', '"GPL-3.0-only"]'))
    assert cli("policy", "check", "--project", licensed.root).code == 0
    _policy_line(licensed, 'on-unknown = "fail"')
    r = cli("policy", "check", "--project", licensed.root)
    assert r.code == 1 and 'on-unknown = "fail"' in r.out


def _policy_line(project, line: str) -> None:
    with project.pyproject.open("a", encoding="utf-8") as fh:
        fh.write(line + "\n")


def test_advisory_severity_and_days_to_fix_offline(cli, project_factory, tmp_path):
    project = project_factory(["demo-json==2.0.0"], sync=False, tests="none", dev=[])
    db = tmp_path / "advisories"
    db.mkdir()
    (db / "TEST-2020-0001.json").write_text(json.dumps(ADVISORY))
    _policy(project, 'max-severity = "high"\ndays-to-fix = 30')
    r = cli("policy", "check", "--project", project.root, "--db", db, "--json")
    assert r.code == 1, r.out + r.err
    found = {x["rule"]: x for x in r.json()["results"]}
    assert found["max-severity"]["status"] == "fail"
    assert "is critical (allowed up to high; fixed in 2.0.1)" in found["max-severity"]["message"]
    assert found["days-to-fix"]["status"] == "fail"
    # no database at all: the advisory rules are unknown, never a pass (exit 6)
    r = cli("policy", "check", "--project", project.root)
    assert r.code == 6 and "no advisory database" in r.out
    assert "uvmgr advisories update" in r.out


def test_release_age_from_the_index_and_unknown_without_dates(cli, tmp_path, wheel_index,
                                                              project_factory):
    old = make_project(tmp_path / "plain", wheel_index, ["demo-http"], {"demo-http": "1.0.0"},
                       dev=[], tests="none", sync=False)
    _policy(old, "max-release-age-days = 365")
    r = cli("policy", "check", "--project", old.root, "--json")
    [result] = r.json()["results"]
    assert r.code == 0 and result["status"] == "unknown"
    assert "release age unknown (its index gives no upload time)" in result["message"]
    folder = tmp_path / "dated"
    for version in ("1.0", "2.0"):
        write_wheel(folder, "dated-pkg", version, {"dated_pkg.py": b""})
    write_wheel(folder, "fresh-pkg", "1.0", {"fresh_pkg.py": b""})
    recent = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=3)
    with serve_dated_index(folder, {"fresh_pkg-1.0": recent}) as url:
        dated = make_project(tmp_path / "dated-app", wheel_index, ["dated-pkg", "fresh-pkg"],
                             {"dated-pkg": "1.0"}, dev=[], tests="none", sync=False,
                             index_url=url)
    _policy(dated, "max-release-age-days = 365")
    r = cli("policy", "check", "--project", dated.root, "--json")
    statuses = {x["package"]: x["status"] for x in r.json()["results"]}
    assert statuses == {"dated-pkg": "fail", "fresh-pkg": "pass"} and r.code == 1


def test_required_gates_and_a_policy_file(cli, project_factory, tmp_path):
    project = project_factory(["demo-http"], sync=False, tests="none", dev=[])
    _policy(project, 'required-gates = ["tests", "build"]')
    r = cli("policy", "check", "--project", project.root)
    assert r.code == 1 and "the build gate is required" in r.out
    policy = tmp_path / "org.toml"
    policy.write_text('required-gates = ["tests"]\n')
    r = cli("policy", "check", "--policy", policy, "--project", project.root)
    assert r.code == 0 and str(policy) in r.out  # --policy replaces the project's tables
    # a pyproject.toml shared as a policy: its two tables are read as one
    policy.write_text('[tool.uvmgr.policy]\nrequired-gates = ["build"]\n'
                      '[tool.uvmgr.autopilot]\ngates = ["tests", "build"]\n')
    assert cli("policy", "check", "--policy", policy, "--project", project.root).code == 0
    policy.write_text('[tool.uvmgr.policy]\ngates = ["build"]\n'
                      '[tool.uvmgr.autopilot]\ngates = ["tests", "build"]\n')
    r = cli("policy", "check", "--policy", policy, "--project", project.root)
    assert r.code == 2 and "'gates' is set in both" in r.err


def test_init_ci_adds_the_policy_gate_for_pull_requests(cli, project_factory):
    project = project_factory(["demo-http"], lock=False, tests="none")
    assert cli("autopilot", "init-ci", "--project", project.root).code == 0
    workflow = yaml.safe_load((project.root / ".github/workflows/uvmgr-autopilot.yml").read_text())
    assert "pull_request" in workflow[True]
    assert workflow["jobs"]["autopilot"]["if"] == "github.event_name != 'pull_request'"
    job = workflow["jobs"]["policy"]
    [run] = [s["run"] for s in job["steps"] if "run" in s]
    assert 'uvx --from "$UVMGR_SOURCE" uvmgr policy check --sarif policy.sarif' in run
    assert any(s.get("uses", "").startswith("github/codeql-action/upload-sarif")
               and s["with"]["sarif_file"] == "policy.sarif" for s in job["steps"])


class _Meta(dict):
    def get_all(self, key):
        value = self.get(key)
        return None if value is None else value if isinstance(value, list) else [value]


@pytest.mark.parametrize("meta, expected", [
    ({"License-Expression": "mit OR Apache-2.0"}, License("MIT OR Apache-2.0",
                                                          "License-Expression")),
    ({"Classifier": ["License :: OSI Approved :: MIT License"], "License": "BSD"},
     License("MIT", "classifiers")),
    ({"Classifier": ["License :: OSI Approved :: BSD License"], "License": "BSD-3-Clause"},
     License("BSD-3-Clause", "License")),
    ({"License": "Apache 2.0 with some words"}, License(
        None, "the License field 'Apache 2.0 with some words' is not an SPDX expression")),
    ({}, License(None, "no license metadata")),
])
def test_license_of_metadata(meta, expected):
    assert license_of(_Meta(meta)) == expected


@pytest.mark.parametrize("expression, ok", [
    ("MIT", True), ("MIT OR GPL-3.0-only", True), ("MIT AND GPL-3.0-only", False),
    ("(MIT OR GPL-3.0-only) AND BSD-3-Clause", True), ("GPL-3.0-only", False),
    ("GPL-2.0-only WITH Classpath-exception-2.0", False),
])
def test_allowed_expressions(expression, ok):
    assert allowed(expression, ("MIT", "BSD-3-Clause")) is ok


@pytest.mark.parametrize("record, expected", [
    (ADVISORY, "critical"),
    ({"database_specific": {"severity": "MODERATE"}}, "medium"),
    ({"severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:L/AC:L/PR:L/UI:R/S:U/C:L/I:N/A:N"}],
      "database_specific": {"severity": "HIGH"}}, "high"),  # the higher of the two
    ({"severity": [{"type": "CVSS_V3", "score": "not a vector"}]}, None),
    ({}, None),
])
def test_severity_of_an_advisory(record, expected):
    from uvmgr.advisory_rules import severity_of

    assert severity_of(record) == expected


@pytest.mark.parametrize("name, old, new, ok", [
    ("max_severity", "medium", "low", True), ("max_severity", "medium", "high", False),
    ("max_severity", None, "critical", True), ("licenses", ("MIT", "ISC"), ("MIT",), True),
    ("licenses", ("MIT",), ("MIT", "GPL-3.0-only"), False), ("licenses", None, ("MIT",), True),
    ("levels", ("patch",), ("patch", "minor"), False), ("gates", ("tests",), ("tests", "build"), True),
    ("gates", ("tests", "build"), ("tests",), False), ("security", True, False, False),
    ("allow_new_dependencies", False, True, False), ("cooldown_days", 7.0, 3.0, False),
    ("max_packages", 10, 5, True), ("days_to_fix", 30, 60, False), ("days_to_fix", None, 60, True),
    ("on_unknown", "fail", "warn", False), ("ignore", ("a",), (), False), ("pin", (), (), True),
])
def test_which_way_a_locked_setting_may_move(name, old, new, ok):
    from uvmgr.policy_rules import at_least_as_strict

    assert at_least_as_strict(name, old, new) is ok
