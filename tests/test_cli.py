"""The CLI surface: help, version, --json purity, and every bad input with its exit code and
no change to any file."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from uvmgr import __version__


def test_version_and_help(cli):
    with pytest.raises(SystemExit) as exc:
        cli("--version")
    assert exc.value.code == 0
    with pytest.raises(SystemExit):
        cli("--help")
    with pytest.raises(SystemExit):
        cli("deps", "upgrade", "--help")


def test_help_process_imports_only_the_standard_library():
    code = ("import sys; from uvmgr.cli import build_parser; build_parser().format_help();"
            "heavy = {'rich', 'pydantic', 'packaging', 'tomlkit', 'opentelemetry', 'dspy',"
            " 'litellm', 'yaml'} & {m.split('.')[0] for m in sys.modules}; print(sorted(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_version_output():
    out = subprocess.run([sys.executable, "-m", "uvmgr.cli", "--version"], capture_output=True,
                         text=True)
    assert out.stdout.strip() == f"uvmgr {__version__}"


def test_not_a_uv_project_changes_nothing(cli, tmp_path):
    r = cli("deps", "list", "--project", tmp_path)
    assert r.code == 2
    assert "not a uv project" in r.err and "hint:" in r.err
    assert list(tmp_path.iterdir()) == []  # not even a .uvmgr folder


def test_missing_project_dir(cli, tmp_path):
    r = cli("deps", "list", "--project", tmp_path / "nope")
    assert r.code == 2 and "is not a directory" in r.err


def test_malformed_toml(cli, tmp_path):
    (tmp_path / "pyproject.toml").write_text("[project\nname = 'x'\n")
    before = (tmp_path / "pyproject.toml").read_bytes()
    r = cli("deps", "upgrade", "--project", tmp_path)
    assert r.code == 2 and "malformed pyproject.toml" in r.err and "line 1" in r.err
    assert (tmp_path / "pyproject.toml").read_bytes() == before


def test_pyproject_without_project_table(cli, tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.black]\nline-length = 80\n")
    r = cli("deps", "list", "--project", tmp_path)
    assert r.code == 2 and "no [project] table" in r.err


def test_stale_lock(cli, demo_project):
    text = demo_project.pyproject.read_text().replace("demo-json==2.0.0", "demo-json>=2.0")
    demo_project.pyproject.write_text(text)
    before = demo_project.snapshot()
    for args in (("deps", "list"), ("deps", "upgrade"), ("audit", "--db", "x")):
        r = cli(*args, "--project", demo_project.root)
        assert r.code == 2, args
        assert "out of date" in r.err and "uvmgr deps lock" in r.err
    assert demo_project.snapshot() == before


def test_corrupt_lock(cli, demo_project):
    demo_project.lock.write_text("this is = = not toml")
    r = cli("deps", "list", "--project", demo_project.root)
    assert r.code == 2
    assert "uvmgr deps lock" in r.err


def test_json_errors_go_to_stdout_as_json(cli, tmp_path):
    r = cli("deps", "list", "--project", tmp_path, "--json")
    payload = json.loads(r.out)
    assert payload["exit_code"] == 2 and payload["error"] == "ProjectError"
    assert r.err == ""


def test_json_stdout_is_one_document(cli, demo_project):
    r = cli("deps", "outdated", "--project", demo_project.root, "--json")
    assert isinstance(json.loads(r.out), list)


def test_uv_missing(cli, demo_project, monkeypatch, tmp_path):
    monkeypatch.setenv("UVMGR_UV", str(tmp_path / "no-uv"))
    r = cli("deps", "list", "--project", demo_project.root)
    assert r.code == 2 and "UVMGR_UV" in r.err


def test_uv_too_old(cli, demo_project, monkeypatch, tmp_path):
    fake = tmp_path / "uv"
    fake.write_text("#!/bin/sh\nif [ \"$1\" = --version ]; then echo 'uv 0.1.0'; exit 0; fi\n"
                    "echo \"error: unrecognized subcommand '$1'\" >&2; exit 2\n")
    fake.chmod(0o755)
    monkeypatch.setenv("UVMGR_UV", str(fake))
    r = cli("deps", "list", "--project", demo_project.root)
    assert r.code == 2 and "uv 0.1.0 is too old" in r.err and "pip install -U uv" in r.err


def test_passthrough_only_for_test(cli, demo_project):
    r = cli("deps", "list", "--project", demo_project.root, "--", "-k", "x")
    assert r.code == 2 and "only for `uvmgr test`" in r.err


def test_traces_show_the_tree(cli, demo_project):
    cli("deps", "list", "--project", demo_project.root)
    r = cli("traces", "--last", "1", "--project", demo_project.root, "--json")
    assert r.code == 0
    [run] = r.json()
    assert run["name"] == "uvmgr deps list"
    [tool] = run["children"]
    assert tool["attributes"]["tool"] == "list_dependencies"
    assert any(c["name"] == "process" and "uv lock --check" in c["attributes"]["command"]
               for c in tool["children"])
    r = cli("traces", "--project", demo_project.root)
    assert "list_dependencies" in r.out


def test_ask_offline_read_only_json(cli, demo_project):
    r = cli("ask", "what's outdated?", "--project", demo_project.root, "--json")
    assert r.code == 0, r.err
    run = r.json()
    assert [s["tool"] for s in run["steps"]] == ["outdated_packages"]
    assert "offline planner" in run["answer"] and "demo-http 1.0.0 -> 2.1.0" in run["answer"]
    assert run["models_used"] == ["uvmgr/offline-planner"]
    assert r.err.startswith("uvmgr: working on it")


def test_ask_without_a_terminal_refuses_a_change(cli, demo_project):
    before = demo_project.snapshot()
    r = cli("ask", "upgrade safely", "--project", demo_project.root, "--json")
    assert r.code == 3
    run = r.json()
    assert run["decisions"][0]["by"] == "no-terminal"
    assert "would have done" in run["steps"][0]["observation"]
    assert demo_project.snapshot() == before


def test_ask_yes_upgrades_with_the_tests_as_a_gate(cli, demo_project):
    r = cli("ask", "apply patch updates", "--yes", "--project", demo_project.root, "--json")
    assert r.code == 0, r.out
    assert demo_project.locked_version("demo-http") == "1.0.3"
    run = r.json()
    assert "demo-http: 1.0.0 -> 1.0.3" in run["answer"]
    # then it quotes what changed in the upgraded packages, from the docs index
    assert [s["tool"] for s in run["steps"]] == ["upgrade_safely", "search_docs"]
    assert "<untrusted-doc" in run["answer"]


def test_ask_dry_run(cli, demo_project):
    before = demo_project.snapshot()
    r = cli("ask", "get rid of demo-cli", "--dry-run", "--project", demo_project.root, "--json")
    assert r.code == 0
    assert r.json()["steps"][0]["outcome"] == "dry-run"
    assert demo_project.snapshot() == before


def test_bad_setting_is_a_usage_error(cli, demo_project):
    text = demo_project.pyproject.read_text() + '\n[tool.uvmgr]\ntimeout = "soon"\n'
    demo_project.pyproject.write_text(text)
    r = cli("deps", "list", "--project", demo_project.root)
    assert r.code == 2 and "invalid uvmgr setting" in r.err


def test_a_project_cannot_set_the_model_endpoint():
    from uvmgr.config import Settings

    settings = Settings.load({"api-base": "http://attacker.example/v1", "model": "openai/x"},
                             env={})
    assert settings.api_base is None and settings.model is None
    assert Settings.load({}, env={"UVMGR_API_BASE": "http://127.0.0.1:8080/v1"}).api_base
