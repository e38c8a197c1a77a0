"""The model chain through real litellm calls against an OpenAI-compatible server on
loopback: 503 then fallback, 401 not retried, a hang past the timeout, 429 with
Retry-After; no API key in spans, events or --json output."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from openai_payloads import completion
from uvmgr.agent.models import ModelChain, ModelsExhausted
from uvmgr.agent.offline import OFFLINE_MODEL

from uvmgr.telemetry import Tracer

API_KEY = "sk-uvmgr-test-key-0123456789abcdefghijklmnop"



class Server:
    """Per-model behaviour: ok, 503, 401, hang, 429-once."""

    def __init__(self):
        self.requests: list[tuple[str, str, float]] = []  # (model, auth header, time)
        self.limited_once: set[str] = set()
        self.fail_after: dict[str, int] = {}  # model -> good answers before it goes down
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                model = body["model"]
                outer.requests.append((model, self.headers.get("Authorization", ""),
                                       time.monotonic()))
                prompt = json.dumps(body["messages"])
                if model.startswith("down"):
                    return self._send(503, {"error": {"message": "overloaded"}})
                if f"openai/{model}" in outer.fail_after:
                    left = outer.fail_after[f"openai/{model}"]
                    if left <= 0:
                        return self._send(503, {"error": {"message": "gone"}})
                    outer.fail_after[f"openai/{model}"] = left - 1
                if model.startswith("badkey"):
                    return self._send(401, {"error": {"message": "invalid api key",
                                                      "type": "invalid_request_error"}})
                if model.startswith("hang"):
                    time.sleep(3)
                    return self._send(503, {"error": {"message": "late"}})
                if model.startswith("limited") and model not in outer.limited_once:
                    outer.limited_once.add(model)
                    return self._send(429, {"error": {"message": "slow down"}},
                                      {"Retry-After": "1"})
                if "next_tool_name" in prompt and model.startswith("flaky"):
                    text = ("[[ ## next_thought ## ]]\nlist them\n\n[[ ## next_tool_name ## ]]"
                            "\nlist_dependencies\n\n[[ ## next_tool_args ## ]]\n{}\n\n"
                            "[[ ## completed ## ]]")
                elif "next_tool_name" in prompt:
                    text = ("[[ ## next_thought ## ]]\nnothing to do\n\n[[ ## next_tool_name ## ]]"
                            "\nfinish\n\n[[ ## next_tool_args ## ]]\n{}\n\n[[ ## completed ## ]]")
                else:
                    text = ("[[ ## reasoning ## ]]\nok\n\n[[ ## answer ## ]]\nanswered by "
                            f"{model}\n\n[[ ## completed ## ]]")
                return self._send(200, completion(model, text))

            def _send(self, status, payload, headers=None):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def models(self) -> list[str]:
        return [m for m, _, _ in self.requests]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    s = Server()
    yield s
    s.close()


def _request(text: str = "hello"):
    from dspy.lm15 import Message, Request

    return Request(model="x", messages=(Message.user(text),), system="answer [[ ## answer ## ]]")


def _chain(server, models, tmp_path, **kw):
    events = []
    chain = ModelChain(models, tracer=Tracer(tmp_path),
                       observer=events.append, api_base=server.base, backoff=0.05, **kw)
    return chain, events


def test_503_is_retried_then_the_fallback_answers(server, tmp_path):
    chain, events = _chain(server, ["openai/down-primary", "openai/good-fallback"], tmp_path,
                           retries=2)
    response = chain.complete(_request())
    assert "answered by good-fallback" in response.message.text
    assert server.models() == ["down-primary"] * 3 + ["good-fallback"]
    assert chain.active == "openai/good-fallback"
    assert "503" in chain.down["openai/down-primary"]
    ok = [c for c in chain.calls if c.ok]
    assert ok[0].input_tokens == 11 and ok[0].output_tokens == 7


def test_a_failed_model_is_skipped_for_the_rest_of_the_run(server, tmp_path):
    chain, _ = _chain(server, ["openai/down-primary", "openai/good-fallback"], tmp_path,
                      retries=0)
    chain.complete(_request())
    chain.complete(_request())
    assert server.models() == ["down-primary", "good-fallback", "good-fallback"]


def test_401_is_not_retried(server, tmp_path):
    chain, events = _chain(server, ["openai/badkey-model", "openai/good-fallback"], tmp_path,
                           retries=3)
    chain.complete(_request())
    assert server.models() == ["badkey-model", "good-fallback"]
    assert "authentication failed" in chain.down["openai/badkey-model"]
    assert "not retried" in chain.down["openai/badkey-model"]


def test_a_hang_past_the_timeout_falls_back(server, tmp_path):
    chain, _ = _chain(server, ["openai/hang-model", "openai/good-fallback"], tmp_path,
                      retries=0, timeout=1.0)
    started = time.monotonic()
    response = chain.complete(_request())
    assert time.monotonic() - started < 2.9
    assert "good-fallback" in response.message.text
    assert "timed out" in chain.down["openai/hang-model"]


def test_429_honours_retry_after(server, tmp_path):
    chain, _ = _chain(server, ["openai/limited-model"], tmp_path, retries=2)
    response = chain.complete(_request())
    assert "answered by limited-model" in response.message.text
    (_, _, first), (_, _, second) = server.requests
    assert second - first >= 0.9  # waited for Retry-After: 1, not the 0.05 s backoff


def test_everything_down_says_so(server, tmp_path):
    chain, _ = _chain(server, ["openai/down-a", "openai/badkey-b"], tmp_path, retries=0)
    with pytest.raises(ModelsExhausted):
        chain.complete(_request("what's outdated?"))
    assert set(chain.down) == {"openai/down-a", "openai/badkey-b"}


def _ctx(project, server, **settings):
    from uvmgr.config import Settings
    from uvmgr.session import open_session

    return open_session(project.root, recover=False, settings=Settings(
        api_base=server.base, model_retries=0, **settings)).ctx


def test_everything_down_hands_the_run_to_the_offline_planner(server, demo_project):
    from uvmgr.agent.planner import AgentOptions, run_agent

    events = []
    summary = run_agent(_ctx(demo_project, server), "what's outdated?", AgentOptions(
        model="openai/down-a", observer=events.append))
    assert [s.tool for s in summary.steps] == ["outdated_packages"]  # planned offline
    assert "offline planner" in summary.answer and summary.exit_code == 0
    assert any("offline planner answers" in getattr(e, "text", "") for e in events)
    assert summary.models_used == [OFFLINE_MODEL]
    assert server.models() == ["down-a"]  # a failed model is not asked again


def test_a_model_that_fails_midway_leaves_its_steps_to_the_offline_planner(server, demo_project):
    """The model plans the first step; when it is gone, the offline planner reads the same
    typed trajectory and does not repeat what already ran."""
    from uvmgr.agent.planner import AgentOptions, run_agent

    server.fail_after["openai/flaky-model"] = 1  # one good answer, then 503s
    summary = run_agent(_ctx(demo_project, server), "list my dependencies", AgentOptions(
        model="openai/flaky-model"))
    assert [s.tool for s in summary.steps] == ["list_dependencies"]
    assert "offline planner" in summary.answer
    assert summary.models_used == ["openai/flaky-model", OFFLINE_MODEL]


def test_with_no_fallback_a_dead_model_ends_the_run_cleanly(server, demo_project):
    from uvmgr.agent.planner import AgentOptions, run_agent

    events = []
    summary = run_agent(_ctx(demo_project, server), "what's outdated?", AgentOptions(
        model="openai/down-a", offline_fallback=False, observer=events.append))
    assert summary.steps == [] and summary.models_used == []
    assert any("could not choose a valid step" in getattr(e, "text", "") for e in events)


def test_no_api_key_in_spans_events_or_json(server, cli, demo_project, monkeypatch):
    monkeypatch.setenv("UVMGR_API_BASE", server.base)
    monkeypatch.setenv("UVMGR_MODEL_RETRIES", "0")
    r = cli("ask", "what's outdated?", "--model", "openai/down-x", "--project",
            demo_project.root, "--json")
    assert r.code == 0, r.err
    payload = r.json()
    assert payload["models_used"] == [OFFLINE_MODEL]
    assert any(not c["ok"] and c["model"] == "openai/down-x" for c in payload["model_calls"])
    traces = (demo_project.root / ".uvmgr/traces/traces.jsonl").read_text()
    assert "model call" in traces
    for text in (r.out, r.err, traces):
        assert API_KEY not in text
    assert server.requests[0][1] == f"Bearer {API_KEY}"  # it was sent, only to the server


def test_a_missing_key_is_said_at_once_with_the_variable_to_set(server, tmp_path, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY")
    chain, events = _chain(server, ["openai/good-model"], tmp_path, retries=3)
    with pytest.raises(ModelsExhausted) as caught:
        chain.complete(_request())
    reason = chain.down["openai/good-model"]
    assert "no API key" in reason and "OPENAI_API_KEY" in reason and "not retried" in reason
    assert "500" not in reason
    assert len([e for e in events if getattr(e, "ok", True) is False]) == 1  # one try, no retry
    assert "OPENAI_API_KEY" in caught.value.reason


def test_401_names_the_variable_whose_key_was_rejected(server, tmp_path):
    chain, _ = _chain(server, ["openai/badkey-model"], tmp_path, retries=3)
    with pytest.raises(ModelsExhausted):
        chain.complete(_request())
    assert server.models() == ["badkey-model"]
    assert "rejected the key in OPENAI_API_KEY" in chain.down["openai/badkey-model"]


def test_a_model_without_its_provider_prefix_says_which_prefix(server, tmp_path):
    chain, _ = _chain(server, ["gpt-nonexistent-model-x"], tmp_path, retries=3)
    with pytest.raises(ModelsExhausted):
        chain.complete(_request())
    reason = chain.down["gpt-nonexistent-model-x"]
    assert "provider as a prefix" in reason and "openai/gpt-nonexistent-model-x" in reason
    assert server.requests == []


def test_the_fallback_answer_says_which_model_failed_and_why(server, demo_project, monkeypatch):
    from uvmgr.agent.planner import AgentOptions, run_agent

    monkeypatch.delenv("OPENAI_API_KEY")
    summary = run_agent(_ctx(demo_project, server), "what's outdated?", AgentOptions(
        model="openai/good-model"))
    assert "offline planner" in summary.answer
    assert "openai/good-model" in summary.answer and "OPENAI_API_KEY" in summary.answer
    assert server.requests == []
