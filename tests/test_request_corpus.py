"""The labelled request corpus (evals/data/requests/) is well formed: pure and fast, no uv."""
from __future__ import annotations

import hashlib
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml
from packaging.requirements import InvalidRequirement, Requirement
from uvmgr.tools.project import normalize_name

DATA = Path(__file__).resolve().parent.parent / "evals" / "data" / "requests"
SPLITS = ("train", "dev", "test")
HOLDOUT = "holdout"  # written apart, never tuned on: not hash-split
FRESH = "fresh"  # written blind later still (ids f...), scored once
PROBE = "probe"  # a blind probe by someone who never saw the reader (ids p...), scored once
FRESH2 = "fresh2"  # a second blind set (ids g...), written after fresh was scored and read
FRESH3 = "fresh3"  # a third blind set (ids k...), written without seeing the reader, scored once
FRESH4 = "fresh4"  # a fourth blind set (ids m...), written without seeing the reader, scored once
FRESH5 = "fresh5"  # a fifth blind set (ids n...), written without seeing the reader, scored once
READ_ONLY = {"outdated_packages", "list_dependencies", "audit_dependencies", "run_tests",
             "build_package", "check_quality", "search_docs",
             "advise"}  # the bundled advisor pack's tool
MUTATING = {"upgrade_safely", "fix_vulnerabilities", "add_dependency", "remove_dependency",
            "lock_project"}
ARGS = {"outdated_packages": {"packages"}, "upgrade_safely": {"packages", "level"},
        "add_dependency": {"specs", "dev", "group"}, "remove_dependency": {"names"},
        "advise": {"checks"}}
ROW_KEYS = {"id", "text", "tags", "expect", "calls", "yes", "alternatives"}
# classes the reader is tuned and measured on: each needs enough rows to mean something
CORE_TAGS = ("question", "command", "howto", "typo", "slang", "negation", "level", "multi-step",
             "ambiguous", "out-of-scope", "foreign", "non-dependency", "passing-mention",
             "prose-spec", "exclusion", "security", "lookalike")


def _project() -> set[str]:
    project = yaml.safe_load((DATA / "project.yaml").read_text())
    return {normalize_name(n) for n in project["dependencies"] + project["dev"]}


def _split_of(row_id: str) -> str:
    digit = int(hashlib.sha1(row_id.encode()).hexdigest(), 16) % 10
    return "train" if digit <= 5 else "dev" if digit <= 7 else "test"


def _load(files: tuple[str, ...]) -> list[tuple[str, dict]]:
    rows = []
    for split in files:
        doc = yaml.safe_load((DATA / f"{split}.yaml").read_text())
        rows += [(split, row) for row in doc["requests"]]
    return rows


ROWS = _load(SPLITS)
HELD_OUT = _load((HOLDOUT,))
FRESH_ROWS = _load((FRESH,))
PROBE_ROWS = _load((PROBE,))
FRESH2_ROWS = _load((FRESH2,))
FRESH3_ROWS = _load((FRESH3,))
FRESH4_ROWS = _load((FRESH4,))
FRESH5_ROWS = _load((FRESH5,))
EVERY_ROW = ROWS + HELD_OUT + FRESH_ROWS + PROBE_ROWS + FRESH2_ROWS + FRESH3_ROWS + FRESH4_ROWS + FRESH5_ROWS
DEPS = _project()


def _call_errors(call: dict) -> list[str]:
    tool, args = call.get("tool"), call.get("args", {})
    if tool not in READ_ONLY | MUTATING:
        return [f"unknown tool {tool!r}"]
    unknown = set(args) - ARGS.get(tool, set())
    if unknown or set(call) - {"tool", "args"}:
        return [f"{tool}: unknown keys {sorted(unknown | (set(call) - {'tool', 'args'}))}"]
    errors = []
    named = (args.get("packages") or []) + args.get("names", [])
    errors += [f"{tool}: {n!r} is not a dependency" for n in named if n not in DEPS]
    errors += [f"{tool}: {n!r} is not normalised" for n in named if n != normalize_name(n)]
    if tool == "upgrade_safely" and args.get("level") not in ("patch", "minor", "major"):
        errors.append(f"upgrade_safely: bad level {args.get('level')!r}")
    if tool == "remove_dependency" and not args.get("names"):
        errors.append("remove_dependency without names")
    if tool == "add_dependency":
        if not args.get("specs"):
            errors.append("add_dependency without specs")
        for spec in args.get("specs", []):
            try:
                Requirement(spec)
            except InvalidRequirement:
                errors.append(f"add_dependency: {spec!r} is not PEP 508")
    return errors


def _answer_errors(expect: str, calls: list) -> list[str]:
    if expect not in ("act", "ask", "refuse"):
        return [f"bad expect {expect!r}"]
    if expect == "act" and not calls:
        return ["act without calls"]
    if expect != "act" and calls:
        return [f"{expect} with calls"]
    return [e for call in calls for e in _call_errors(call)]


def _row_errors(row: dict) -> list[str]:
    if set(row) - ROW_KEYS or not {"id", "text", "tags", "expect", "calls", "yes"} <= set(row):
        return [f"keys {sorted(row)}"]
    errors = _answer_errors(row["expect"], row["calls"])
    for alt in row.get("alternatives") or []:
        errors += _answer_errors(alt.get("expect"), alt.get("calls", []))
    if not isinstance(row["yes"], bool):
        errors.append("yes is not a boolean")
    if not (isinstance(row["text"], str) and row["text"].strip()):
        errors.append("empty text")
    return errors


def test_every_row_is_valid_and_in_its_split():
    errors = {row["id"]: _row_errors(row) for _, row in EVERY_ROW}
    assert {i: e for i, e in errors.items() if e} == {}
    assert [row["id"] for split, row in ROWS if split != _split_of(row["id"])] == []


def test_ids_and_texts_are_unique():
    """Across the splits and the held-out set: no held-out text repeats a text of the splits."""
    ids = Counter(row["id"] for _, row in EVERY_ROW)
    texts = Counter(row["text"] for _, row in EVERY_ROW)
    assert [i for i, n in ids.items() if n > 1] == []
    assert [t for t, n in texts.items() if n > 1] == []


def test_corpus_is_big_enough():
    assert len(ROWS) >= 1000
    assert len(HELD_OUT) >= 400
    assert len(FRESH_ROWS) >= 490  # 500 written; 8 dropped whose texts the tuned splits had written too
    assert len(FRESH2_ROWS) >= 498  # 500 written; 2 dropped whose texts probe or the same day's rows had
    assert len(FRESH3_ROWS) == 400
    assert len(FRESH4_ROWS) == 400
    assert len(FRESH5_ROWS) == 300


def test_held_out_ids_are_their_own():
    assert all(row["id"].startswith("h") for _, row in HELD_OUT)
    assert not any(row["id"].startswith("h") for _, row in ROWS)
    assert all(row["id"].startswith("f") for _, row in FRESH_ROWS)
    assert not any(row["id"].startswith("f") for _, row in ROWS + HELD_OUT + FRESH2_ROWS)
    assert all(row["id"].startswith("g") for _, row in FRESH2_ROWS)
    assert not any(row["id"].startswith("g") for _, row in ROWS + HELD_OUT + FRESH_ROWS + PROBE_ROWS)
    assert all(re.fullmatch(r"p\d{4}", row["id"]) for _, row in PROBE_ROWS)
    assert not any(row["id"].startswith("p") for _, row in ROWS + HELD_OUT + FRESH_ROWS)
    assert all(re.fullmatch(r"k\d{4}", row["id"]) for _, row in FRESH3_ROWS)
    assert not any(row["id"].startswith("k") for _, row in ROWS + HELD_OUT + FRESH_ROWS + PROBE_ROWS
                   + FRESH2_ROWS + FRESH4_ROWS + FRESH5_ROWS)
    assert all(re.fullmatch(r"m\d{4}", row["id"]) for _, row in FRESH4_ROWS)
    assert not any(row["id"].startswith("m") for _, row in EVERY_ROW[:-len(FRESH4_ROWS) - len(FRESH5_ROWS)])
    assert not any(row["id"].startswith("m") for _, row in FRESH5_ROWS)
    assert all(re.fullmatch(r"n\d{4}", row["id"]) for _, row in FRESH5_ROWS)
    assert not any(row["id"].startswith("n") for _, row in EVERY_ROW[:-len(FRESH5_ROWS)])


def test_probe_is_the_blind_set_less_its_repeats():
    """300 rows written blind (p0001-p0300); those whose text another file already had were
    dropped unread before the one score, and no probe text repeats another file's."""
    assert 250 <= len(PROBE_ROWS) <= 300
    assert all(1 <= int(row["id"][1:]) <= 300 for _, row in PROBE_ROWS)
    seen = {_plain(row["text"]) for _, row in ROWS + HELD_OUT + FRESH_ROWS}
    assert [row["id"] for _, row in PROBE_ROWS if _plain(row["text"]) in seen] == []


def _plain(text: str) -> str:
    """A text without case, punctuation or extra spaces: near-copies compare equal."""
    return " ".join("".join(c for c in text.lower() if c.isalnum() or c.isspace()).split())


def test_held_out_texts_are_new():
    """The held-out sets copy no text of the tuned splits (nor fresh of holdout, nor fresh2 of
    either, nor a row of its own set), not even up to case and punctuation."""
    seen = {_plain(row["text"]) for _, row in ROWS}
    assert [row["id"] for _, row in HELD_OUT if _plain(row["text"]) in seen] == []
    seen |= {_plain(row["text"]) for _, row in HELD_OUT}
    fresh = Counter(_plain(row["text"]) for _, row in FRESH_ROWS)
    assert [row["id"] for _, row in FRESH_ROWS
            if _plain(row["text"]) in seen or fresh[_plain(row["text"])] > 1] == []
    seen |= set(fresh) | {_plain(row["text"]) for _, row in PROBE_ROWS}
    fresh2 = Counter(_plain(row["text"]) for _, row in FRESH2_ROWS)
    assert [row["id"] for _, row in FRESH2_ROWS
            if _plain(row["text"]) in seen or fresh2[_plain(row["text"])] > 1] == []
    seen |= set(fresh2)
    fresh3 = Counter(_plain(row["text"]) for _, row in FRESH3_ROWS)
    assert [row["id"] for _, row in FRESH3_ROWS
            if _plain(row["text"]) in seen or fresh3[_plain(row["text"])] > 1] == []
    seen |= set(fresh3)
    fresh4 = Counter(_plain(row["text"]) for _, row in FRESH4_ROWS)
    assert [row["id"] for _, row in FRESH4_ROWS
            if _plain(row["text"]) in seen or fresh4[_plain(row["text"])] > 1] == []
    seen |= set(fresh4)
    fresh5 = Counter(_plain(row["text"]) for _, row in FRESH5_ROWS)
    assert [row["id"] for _, row in FRESH5_ROWS
            if _plain(row["text"]) in seen or fresh5[_plain(row["text"])] > 1] == []


def test_yes_only_on_mutating_commands():
    for _, row in EVERY_ROW:
        if row["yes"]:
            tools = {c["tool"] for c in row["calls"]}
            assert row["expect"] == "act" and tools & MUTATING, row["id"]
            assert "question" not in row["tags"] and "typo" not in row["tags"], row["id"]
            assert "foreign" not in row["tags"], row["id"]


def test_questions_never_mutate():
    for _, row in EVERY_ROW:
        if "question" in row["tags"] or "howto" in row["tags"]:
            assert not {c["tool"] for c in row["calls"]} & MUTATING, row["id"]


def test_every_intent_and_tag_class_is_covered():
    expects = Counter(row["expect"] for _, row in ROWS)
    tools = Counter(tool for _, row in ROWS for tool in {c["tool"] for c in row["calls"]})
    tags = Counter(t for _, row in ROWS for t in set(row["tags"]))
    short = {k: n for k, n in {**expects, **tools}.items() if n < 30}
    short |= {t: tags[t] for t in CORE_TAGS if tags[t] < 30}
    assert short == {}
    assert set(tools) == READ_ONLY | MUTATING
    assert tags["yes"] == 0  # sanity: "yes" is a field, not a tag


@pytest.mark.parametrize("row,expected", [
    ({"tool": "upgrade_everything"}, "unknown tool"),
    ({"tool": "upgrade_safely", "args": {"packages": ["django"], "level": "minor"}},
     "not a dependency"),
    ({"tool": "upgrade_safely", "args": {"packages": ["Click"], "level": "minor"}},
     "not normalised"),
    ({"tool": "upgrade_safely", "args": {"packages": None, "level": "huge"}}, "bad level"),
    ({"tool": "add_dependency", "args": {"specs": ["httpx>>0.27"]}}, "not PEP 508"),
    ({"tool": "remove_dependency", "args": {"names": ["six"], "force": True}}, "unknown keys"),
])
def test_validator_rejects_bad_calls(row, expected):
    errors = _row_errors({"id": "x", "text": "t", "tags": [], "expect": "act", "calls": [row],
                          "yes": False})
    assert any(expected in e for e in errors), errors


def test_validator_rejects_bad_answers():
    base = {"id": "x", "text": "t", "tags": [], "yes": False}
    assert _row_errors({**base, "expect": "act", "calls": []}) == ["act without calls"]
    assert _row_errors({**base, "expect": "ask", "calls": [{"tool": "run_tests"}]}) == \
        ["ask with calls"]
    assert _row_errors({**base, "expect": "maybe", "calls": []}) == ["bad expect 'maybe'"]
