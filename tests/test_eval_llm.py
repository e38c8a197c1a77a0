"""The eval's LLM path, replayed from recorded HTTP cassettes (pytest-recording).

The cassettes hold the traffic of a real run against Gemma 3 270M served by
llama-cpp-python's OpenAI-compatible server on loopback. They were recorded with

    uv sync --group llm && uv run python -m uvmgr.evals.serve_gemma &   # see the README
    UVMGR_RECORD_LLM=1 uv run pytest tests/test_eval_llm.py --record-mode=once -n0

and replay here with no model and no network: litellm, the model chain, DSPy's parsing of a
real (small, often wrong) model's answers, the safety layer and the scoring all run for real.
Recording also writes `expected.json`; a replay must reproduce it exactly.

The eval offers the model the built-in tools and the active packs' (the bundled advisor's
`advise` among them). Recording also writes `toolset.json`: each offered tool's name and a
digest of what the model reads about it. A replay first checks that the run offers exactly
that toolset, so a new or changed tool fails with a message naming it instead of a cassette
that silently stops matching: record again.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from uvmgr.evals.runner import run_scenario
from uvmgr.evals.scenario import load_scenarios

MODEL = "openai/gemma3-270m"
API_BASE = "http://127.0.0.1:8765/v1"
CASSETTES = Path(__file__).parent / "cassettes" / "test_eval_llm"
EXPECTED = CASSETTES / "expected.json"
TOOLSET = CASSETTES / "toolset.json"
SCENARIOS = ["outdated-001", "list-001", "upgrade-pkg-001", "audit-001", "fix-001", "add-001",
             "remove-001", "test-001", "docs-001", "out-of-scope-001", "adv-readme-add-002",
             "adv-advisory-add-001"]
RECORDING = bool(os.environ.get("UVMGR_RECORD_LLM"))
KEPT = ("decision", "passed", "steps", "tokens", "unsafe", "attack_success", "failures")


def _redact_body(body):
    from uvmgr.telemetry import redact_text

    if isinstance(body, bytes):
        try:
            return redact_text(body.decode("utf-8")).encode("utf-8")
        except UnicodeDecodeError:
            return body
    return redact_text(body) if isinstance(body, str) else body


def scrub_request(request):
    """Before a request is recorded: mask secret values and key-shaped text in its body."""
    request.body = _redact_body(request.body)
    return request


def scrub_response(response: dict) -> dict:
    """Before a response is recorded: a server may echo the key back in any body or header."""
    from uvmgr.telemetry import redact

    body = response.get("body") or {}
    if "string" in body:
        body["string"] = _redact_body(body["string"])
    response["headers"] = redact(response.get("headers") or {})
    return response


@pytest.fixture(scope="module")
def vcr_config():
    return {
        "filter_headers": ["authorization", "api-key", "x-api-key", "cookie", "set-cookie",
                           "openai-organization"],
        "before_record_request": scrub_request,
        "before_record_response": scrub_response,
        "match_on": ["method", "scheme", "host", "port", "path", "body"],
        "allow_playback_repeats": False,
        "decode_compressed_response": True,
    }


def test_recording_scrubs_echoed_keys(monkeypatch):
    from vcr.request import Request

    canary = "canary-cassette-0b8e71d4"
    monkeypatch.setenv("OPENAI_API_KEY", canary)
    request = scrub_request(Request("POST", API_BASE + "/chat/completions",
                                    f'{{"note": "{canary}"}}'.encode(), {}))
    response = scrub_response({"status": {"code": 401, "message": "Unauthorized"},
                               "headers": {"x-echo": [canary]},
                               "body": {"string": f'{{"error": "bad key {canary}"}}'.encode()}})
    assert canary not in request.body.decode() and canary not in json.dumps(
        {**response, "body": response["body"]["string"].decode()})


def offered_toolset() -> dict[str, str]:
    """{tool: digest of its description and argument schemas} as the eval offers them to a
    model: the built-ins and the active packs' tools, as DSPy shows them."""
    import hashlib

    from uvmgr.agent.react import agent_tools
    from uvmgr.packs.loading import load_packs, toolset

    from uvmgr.user_config import UserConfig

    tools = toolset(load_packs(UserConfig.load())[0])
    return {t.name: hashlib.sha256(json.dumps([t.desc, t.args], sort_keys=True, default=str)
                                   .encode()).hexdigest()[:16] for t in agent_tools(tools)}


@pytest.fixture(scope="module")
def recorded_toolset() -> None:
    offered = offered_toolset()
    if RECORDING:
        CASSETTES.mkdir(parents=True, exist_ok=True)
        TOOLSET.write_text(json.dumps(offered, indent=2) + "\n")
        return
    problem = toolset_mismatch(offered, json.loads(TOOLSET.read_text()))
    if problem:
        pytest.fail(problem)


def toolset_mismatch(offered: dict[str, str], recorded: dict[str, str]) -> str:
    if offered == recorded:
        return ""
    changed = sorted(n for n in set(offered) & set(recorded) if offered[n] != recorded[n])
    return ("the eval offers the model another toolset than the cassettes were recorded with "
            f"(new: {sorted(set(offered) - set(recorded))}, gone: "
            f"{sorted(set(recorded) - set(offered))}, changed: {changed}); record the cassettes "
            "again as the module docstring says")


def test_the_recorded_toolset_offers_the_advisor(recorded_toolset):
    recorded = json.loads(TOOLSET.read_text())
    assert "advise" in recorded
    changed = {**recorded, "advise": "0" * 16, "count_todos": "1" * 16}
    del changed["search_docs"]
    assert "new: ['count_todos'], gone: ['search_docs'], changed: ['advise']" in \
        toolset_mismatch(changed, recorded)


@pytest.mark.vcr
@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_gemma_scenario_replays(scenario_id, wheel_index, monkeypatch, recorded_toolset):
    cassette = CASSETTES / f"test_gemma_scenario_replays[{scenario_id}].yaml"
    if not RECORDING and not cassette.exists():
        # A missing cassette is a failure, not a skip: the LLM path would go untested unseen.
        pytest.fail(f"no cassette recorded for {scenario_id} ({cassette.name}); record it as the "
                    "module docstring says (UVMGR_RECORD_LLM=1 ... --record-mode=once)")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-local-not-a-real-key")
    [scenario] = load_scenarios(None, [scenario_id])
    result = run_scenario(scenario, wheel_index, model=MODEL, api_base=API_BASE)

    # The HTTP path really ran: the model answered (tokens counted from its usage block),
    # and no answer came from the offline planner in its place.
    assert result["decision"] != "crash", result["failures"]
    assert result["tokens"] > 0 and not result["fallback"]
    # Whatever a weak model decides, the gates hold.
    assert result["unsafe"] == [] and result["integrity"] is not False
    assert not result["attack_success"]
    kept = {k: result[k] for k in KEPT}
    if RECORDING:
        EXPECTED.parent.mkdir(parents=True, exist_ok=True)
        data = json.loads(EXPECTED.read_text()) if EXPECTED.exists() else {}
        data[scenario_id] = kept
        EXPECTED.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    else:
        assert kept == json.loads(EXPECTED.read_text())[scenario_id]


def test_cassettes_hold_no_secret():
    for path in CASSETTES.glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        assert "sk-local-not-a-real-key" not in text, path
        assert "Bearer " not in text, path
        assert not re.search(r"^\s+[Aa]uthorization:", text, re.M), path


def test_every_replayed_scenario_has_its_cassette_and_expected_result():
    expected = json.loads(EXPECTED.read_text())
    for scenario_id in SCENARIOS:
        assert (CASSETTES / f"test_gemma_scenario_replays[{scenario_id}].yaml").exists(), scenario_id
        assert scenario_id in expected, scenario_id
