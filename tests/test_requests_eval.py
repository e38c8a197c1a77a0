"""The request-corpus scorer (`uvmgr eval --requests`): full accuracy with alternatives, ask-back
precision and recall, dangerous misreadings and --yes over-approvals, on a small corpus."""

from __future__ import annotations

import json

import pytest
from uvmgr.evals import requests

PROJECT = "dependencies: [requests, click, six]\ndev: [pytest]\n"
ROWS = """requests:
- {id: a1, text: "upgrade click", tags: [command], expect: act,
   calls: [{tool: upgrade_safely, args: {packages: [click], level: minor}}], yes: true}
- {id: a2, text: "should we drop six?", tags: [question], expect: ask, calls: [], yes: false,
   alternatives: [{expect: act, calls: [{tool: list_dependencies}]}]}
- {id: a3, text: "upgrade everything", tags: [mislabelled], expect: act,
   calls: [{tool: upgrade_safely, args: {packages: [click], level: minor}}], yes: false}
- {id: a4, text: "bump click then run the tests", tags: [multi-step], expect: act,
   calls: [{tool: upgrade_safely, args: {packages: [click], level: minor}}], yes: true}
- {id: a5, text: "upgrade django", tags: [non-dependency], expect: ask, calls: [], yes: false}
"""


@pytest.fixture
def corpus(tmp_path):
    root = tmp_path / "requests"
    root.mkdir()
    (root / "project.yaml").write_text(PROJECT)
    (root / "train.yaml").write_text(ROWS)
    return root


def test_scores_and_flags(corpus, tmp_path):
    doc = requests.run("train", tmp_path / "out", corpus)
    failing = {r["id"]: r for r in doc["failing"]}
    # a4: a run_tests right after upgrade_safely is optional in the label
    assert set(failing) == {"a3"}
    assert failing["a3"]["dangerous"] and failing["a3"]["over_approved"]
    m = doc["overall"]
    assert m["rows"] == 5 and m["full_accuracy"] == 0.8
    assert m["dangerous_misreadings"] == 1 and m["yes_over_approvals"] == 1
    assert m["ask_precision"] == 1.0 and m["ask_recall"] == 1.0
    assert doc["gates"] == {"dangerous_misreadings == 0": False,
                            "yes_over_approvals == 0": False}
    assert json.loads((tmp_path / "out" / "requests.json").read_text())["by_tag"]["question"]
    assert "a3" in (tmp_path / "out" / "requests.md").read_text()


def test_yes_false_label_makes_an_approval_an_over_approval(corpus, tmp_path):
    (corpus / "train.yaml").write_text(ROWS.replace("yes: true}\n- {id: a2", "yes: false}\n"
                                                    "- {id: a2", 1))
    doc = requests.run("train", tmp_path / "out", corpus)
    assert {r["id"] for r in doc["failing"] if r["over_approved"]} == {"a1", "a3"}


def test_unknown_split_is_a_usage_error(corpus, tmp_path):
    from uvmgr.errors import UsageError

    with pytest.raises(UsageError):
        requests.run("nope", tmp_path / "out", corpus)


def test_under_approvals_are_counted(corpus, tmp_path):
    (corpus / "train.yaml").write_text(ROWS.replace('"upgrade click"', '"upgrade click real quick"'))
    doc = requests.run("train", tmp_path / "out", corpus)
    # read right (a person confirms), but the strict grammar does not approve it under --yes
    assert doc["overall"]["yes_under_approvals"] == 1
    assert doc["overall"]["yes_over_approvals"] == 1  # a3 only


@pytest.mark.parametrize("held_out", ["holdout", "fresh", "fresh2", "fresh3", "fresh4", "fresh5"])
def test_held_out_sets_are_scored_only_when_present(corpus, tmp_path, held_out):
    from uvmgr.errors import UsageError

    with pytest.raises(UsageError):
        requests.run(held_out, tmp_path / "out", corpus)
    (corpus / f"{held_out}.yaml").write_text(ROWS)
    doc = requests.run(held_out, tmp_path / "out", corpus)
    assert set(doc["by_split"]) == {held_out} and doc["overall"]["rows"] == 5
    assert f"{held_out} full_accuracy >= 0.90" in doc["gates"]
    for split in ("dev", "test"):
        (corpus / f"{split}.yaml").write_text("requests: []\n")
    assert requests.run("all", tmp_path / "all", corpus)["overall"]["rows"] == 5  # not in "all"
