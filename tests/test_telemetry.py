"""Spans: JSONL always, OTLP and console on request, secrets never written, export failures
are warnings."""

from __future__ import annotations

from uvmgr.tools.loopback import OtlpReceiver

from uvmgr.telemetry import Tracer, read_traces, redact


def test_redaction():
    assert redact("https://alice:s3cret@pypi.example/simple") == "https://***@pypi.example/simple"
    assert redact({"api_key": "abc", "name": "x"}) == {"api_key": "***", "name": "x"}
    fake_key = "sk-" + "abcdefgh" * 3  # built at run time: no key-shaped literal in the repo
    assert "sk-" not in redact(f"key {fake_key}")
    assert redact("UV_INDEX_PASSWORD=hunter2 uv lock") == "UV_INDEX_PASSWORD=*** uv lock"
    assert redact(["Bearer abcdefghijklmnop"]) == ["***"]


def test_spans_nest_and_are_written_as_jsonl(tmp_path):
    tracer = Tracer(tmp_path)
    with tracer.span("command", token="t0ps3cret") as root:
        with tracer.span("tool x", args={"password": "p", "packages": ["a"]}):
            pass
        root.set("exit_code", 0)
    tracer.finish()
    spans = read_traces(tmp_path)
    assert [s["name"] for s in spans] == ["tool x", "command"]
    assert spans[0]["parent_span_id"] == spans[1]["span_id"]
    text = (tmp_path / "traces.jsonl").read_text()
    assert "t0ps3cret" not in text and '"password\\": \\"***\\"' in text


def test_secret_in_a_url_never_reaches_the_trace_file(cli, demo_project, monkeypatch):
    monkeypatch.setenv("UV_HTTP_RETRIES", "0")
    cli("audit", "--service-url", "http://alice:hunter2@127.0.0.1:9", "--project",
        demo_project.root)
    text = (demo_project.root / ".uvmgr/traces/traces.jsonl").read_text()
    assert "hunter2" not in text and "tool audit_dependencies" in text


def test_otlp_export_reaches_a_collector(tmp_path):
    collector = OtlpReceiver()
    with collector as endpoint:
        tracer = Tracer(tmp_path, env={"OTEL_EXPORTER_OTLP_ENDPOINT": endpoint})
        with tracer.span("uvmgr deps list"), tracer.span("tool list_dependencies"):
            pass
        tracer.finish()
    assert collector.received and b"tool list_dependencies" in collector.received[-1][1]
    assert tracer.warnings == []


def test_unreachable_collector_is_a_warning(tmp_path, capsys):
    tracer = Tracer(tmp_path, env={"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9",
                                   "UVMGR_OTLP_TIMEOUT": "1"})
    with tracer.span("cmd"):
        pass
    tracer.finish()
    assert "uvmgr: warning:" in capsys.readouterr().err
    assert read_traces(tmp_path)  # the local file is still written


def test_console_exporter(tmp_path, capsys):
    tracer = Tracer(tmp_path, env={"UVMGR_TRACE": "console"})
    with tracer.span("visible-span"):
        pass
    tracer.finish()
    assert "visible-span" in capsys.readouterr().err
