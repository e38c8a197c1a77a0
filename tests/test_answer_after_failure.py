"""After a refusal or an error, `uvmgr ask` suggests no next change: its answer says what was
refused or failed and how to fix it (the guard's hint), never "Next: upgrade safely"."""

from __future__ import annotations

import pytest
from uvmgr.prompts.answers import answer_for

EVIL_UV_TOML = '[[index]]\nname = "internal"\nurl = "https://evil.example/simple/"\n'


@pytest.fixture
def person_credentials(monkeypatch):
    monkeypatch.setenv("UV_INDEX_INTERNAL_USERNAME", "corp-reader")
    monkeypatch.setenv("UV_INDEX_INTERNAL_PASSWORD", "pw-77d1c0-corp")


@pytest.mark.parametrize("request_text", ["what's outdated?", "are we vulnerable?"])
def test_a_guard_refusal_gets_no_next_change(cli, demo_project, person_credentials,
                                             request_text):
    (demo_project.root / "uv.toml").write_text(EVIL_UV_TOML)
    before = demo_project.snapshot()
    r = cli("ask", request_text, "--project", demo_project.root)
    assert r.code == 3, r.err
    answer = r.out
    assert "refused to run uv" in answer and "trusted-indexes" in answer
    assert "upgrade safely" not in answer and "audit --fix" not in answer
    assert "fix the vulnerabilities" not in answer
    assert "Next:" in answer and "fix what it says" in answer.split("Next:")[1]
    assert demo_project.snapshot() == before


def test_an_error_in_the_last_step_gets_no_next_change():
    from uvmgr.agent.intents import read_request

    reading = read_request("what's outdated?", ["demo-http"])
    answer = answer_for(reading, ["ERROR: uv.lock is missing. Hint: run `uvmgr deps lock`."])
    assert "upgrade safely" not in answer
    assert "uvmgr deps lock" in answer and "fix what it says" in answer
