"""`--json` means exactly one JSON document on stdout, for every command and every outcome:
these printed text (or nothing) before."""

from __future__ import annotations

import json


def _one_document(r) -> dict:
    document = json.loads(r.out)  # the whole of stdout, nothing around it
    assert isinstance(document, dict), r.out
    return document


def test_packs_info_of_an_unknown_pack(cli):
    r = cli("packs", "info", "no-such-pack", "--json")
    assert r.code == 2
    error = _one_document(r)
    assert "no-such-pack" in error["message"] and "packs list" in error["hint"]
    assert error["exit_code"] == 2


def test_packs_enable_says_what_it_did(cli, user_state_home):
    r = cli("packs", "enable", "advisor", "--json")
    assert r.code == 0, r.out + r.err
    assert _one_document(r) == {"pack": "advisor", "enabled": False}


def test_recover_with_nothing_to_recover(cli, demo_project):
    r = cli("recover", "--project", demo_project.root, "--json")
    assert r.code == 0, r.out + r.err
    document = _one_document(r)
    assert document["left"] is False and "nothing" in document["message"]


def test_init_ci_dry_run_write_and_refusal(cli, demo_project):
    r = cli("autopilot", "init-ci", "--dry-run", "--project", demo_project.root, "--json")
    assert r.code == 0, r.out + r.err
    planned = _one_document(r)
    assert planned["dry_run"] is True and not (demo_project.root / ".github").exists()
    [entry] = planned["files"]
    assert entry["path"].endswith(".github/workflows/uvmgr-autopilot.yml")
    assert entry["content"].startswith("# Written")
    r = cli("autopilot", "init-ci", "--project", demo_project.root, "--json")
    assert r.code == 0 and _one_document(r)["files"][0]["written"] is True
    workflow = demo_project.root / ".github/workflows/uvmgr-autopilot.yml"
    workflow.write_text("# mine\n")
    r = cli("autopilot", "init-ci", "--project", demo_project.root, "--json")
    assert r.code == 2
    assert "--force" in _one_document(r)["hint"]
    assert workflow.read_text() == "# mine\n"


def test_init_ci_org_dry_run(cli, tmp_path):
    r = cli("autopilot", "init-ci", "--org", "--dry-run", "--project", tmp_path, "--json")
    assert r.code == 0, r.out + r.err
    assert len(_one_document(r)["files"]) == 4
    r = cli("autopilot", "init-ci", "--org", "--project", tmp_path / "missing", "--json")
    assert r.code == 2 and "not a folder" in _one_document(r)["message"]
