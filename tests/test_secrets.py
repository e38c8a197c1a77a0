"""Secrets never leave: values of secret-looking variables are masked wherever uvmgr writes or
shows text (traces, --json, stderr, reports, observations the model reads, answers, eval
results), proven with a fake model server on loopback that echoes the key back."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from openai_payloads import completion

from uvmgr.telemetry import redact, redact_text

# Not shaped like any known key format: only redaction by value can catch it.
CANARY = "canary-7f3a9c1e5b2d4860-zq"



def _step(tool: str, args: dict) -> str:
    return (f"[[ ## next_thought ## ]]\nstep\n\n[[ ## next_tool_name ## ]]\n{tool}\n\n"
            f"[[ ## next_tool_args ## ]]\n{json.dumps(args)}\n\n[[ ## completed ## ]]")


class EchoServer:
    """An OpenAI-compatible server whose every answer echoes the caller's key: in the error
    bodies of models s401/s402/s418/s503, and in the final answer of a working model, which
    first asks for the project's docs (to see what the model is shown)."""

    def __init__(self):
        self.calls: list[str] = []
        self.prompts: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                key = self.headers.get("Authorization", "").removeprefix("Bearer ")
                model = body["model"]
                outer.calls.append(model)
                prompt = json.dumps(body["messages"])
                outer.prompts.append(prompt)
                if model[:1] == "s" and model[1:].isdigit():
                    return self._send(int(model[1:]), {"error": {
                        "message": f"Incorrect API key provided: {key}. You sent {key}.",
                        "type": "invalid_request_error", "code": key}})
                if "next_tool_name" in prompt:
                    text = (_step("search_docs", {"query": "deploy credentials"})
                            if "observation_0" not in prompt else _step("finish", {}))
                else:
                    text = (f"[[ ## reasoning ## ]]\nok\n\n[[ ## answer ## ]]\nYour key is {key}"
                            "\n\n[[ ## completed ## ]]")
                return self._send(200, completion(model, text))

            def _send(self, status, payload):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def echo_server(monkeypatch):
    server = EchoServer()
    monkeypatch.setenv("OPENAI_API_KEY", CANARY)
    monkeypatch.setenv("UVMGR_API_BASE", server.base)
    monkeypatch.setenv("UVMGR_MODEL_RETRIES", "1")
    monkeypatch.setenv("UVMGR_FALLBACKS", "openai/s402,openai/s418,openai/s503,openai/reader")
    yield server
    server.close()


@pytest.mark.parametrize("as_json", [True, False])
def test_an_echoed_key_never_leaves(echo_server, cli, demo_project, as_json):
    (demo_project.root / "README.md").write_text(
        f"# Deploy\n\nThe deploy credentials are {CANARY} (do not share).\n")
    r = cli("ask", "what's outdated?", "--model", "openai/s401", "--project", demo_project.root,
            *(["--json"] if as_json else []))
    assert r.code == 0, r.err
    traces = (demo_project.root / ".uvmgr/traces/traces.jsonl").read_text()
    for text in (r.out, r.err, traces):
        assert CANARY not in text
    # The key was sent only as the credential; the model never read it in a prompt, though
    # the README it searched holds it.
    assert echo_server.prompts and not any(CANARY in p for p in echo_server.prompts)
    assert any("observation_0" in p and "***" in p for p in echo_server.prompts)
    # 401, 402 and 418 are not transient: one call each; 503 is retried once.
    calls = echo_server.calls
    assert [calls.count(m) for m in ("s401", "s402", "s418", "s503")] == [1, 1, 1, 2]
    if as_json:
        payload = json.loads(r.out)
        assert payload["models_used"][-1] == "openai/reader"
        assert "Your key is ***" in payload["answer"]
        failed = [c for c in payload["model_calls"] if not c["ok"]]
        assert "authentication failed" in failed[0]["error"]


def test_values_of_secret_variables_are_masked(monkeypatch):
    monkeypatch.setenv("MY_SERVICE_TOKEN", "plainvalue-123456")
    monkeypatch.setenv("UV_INDEX_URL", "https://me:pa55w0rd-idx@pypi.internal/simple")
    monkeypatch.setenv("AZURE_DEPLOYMENT_THING", "azure-deploy-xyz")
    monkeypatch.setenv("SHORT_KEY", "abc")  # too short to mask safely
    monkeypatch.setenv("UVMGR_MAX_TOKENS", "4096")  # a number, not a secret
    text = ("got plainvalue-123456 and pa55w0rd-idx and azure-deploy-xyz; abc stays; 4096 "
            "tokens")
    out = redact_text(text)
    for secret in ("plainvalue-123456", "pa55w0rd-idx", "azure-deploy-xyz"):
        assert secret not in out
    assert "abc stays" in out and "4096 tokens" in out
    # JSON-escaped forms are masked too
    monkeypatch.setenv("WEIRD_SECRET", 'quo"te\\back')
    assert "quo" not in redact_text(json.dumps({"x": 'quo"te\\back'}))


def test_token_counts_are_not_secrets():
    assert redact({"input_tokens": 11, "max_tokens": 5, "passed": 3, "author": "me",
                   "api_key": "k", "hf_token": "t", "Authorization": "a", "PGPASS": "p"}) == {
        "input_tokens": 11, "max_tokens": 5, "passed": 3, "author": "me",
        "api_key": "***", "hf_token": "***", "Authorization": "***", "PGPASS": "***"}


def test_secrets_from_the_user_config_are_masked(user_config_home):
    path = user_config_home / "uvmgr" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text('audit-service-url = "https://bob:osv-pass-9911@osv.internal"\n'
                    'extra-index-token = "user-config-secret-77"\n')
    out = redact_text("osv-pass-9911 user-config-secret-77")
    assert "osv-pass-9911" not in out and "user-config-secret-77" not in out


def test_eval_results_json_is_redacted(tmp_path, monkeypatch):
    from uvmgr.evals.metrics import by_model
    from uvmgr.evals.report import document, write_outputs
    from uvmgr.evals.scenario import load_scenarios
    from uvmgr.evals.scoring import crashed

    monkeypatch.setenv("OPENAI_API_KEY", CANARY)
    [scenario] = load_scenarios(None, ["list-001"])
    results = [crashed(scenario, "openai/x", 0, RuntimeError(f"401 for key {CANARY}"))]
    doc = document(results, by_model(results), started="now", seconds=1.0,
                   scenarios_dir="bundled", trials=1)
    paths = write_outputs(doc, tmp_path)
    for path in paths.values():
        assert CANARY not in Path(path).read_text(encoding="utf-8")
    saved = json.loads(Path(paths["json"]).read_text(encoding="utf-8"))
    assert "***" in saved["results"][0]["failures"][0]
    assert saved["results"][0]["tokens"] == 0  # counts are not secrets
