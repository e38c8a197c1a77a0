"""Linear time and caps: adversarial 100 KB inputs are handled in well under a second by every
regex uvmgr runs on untrusted text; the request, one observation and the docs index are capped
with a message saying so."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
import time

import pytest

from uvmgr.telemetry import redact_text

N = 100_000
ADVERSARIAL = {
    "a-run": "a" * N,
    "scheme-runs": "a://" * (N // 4),
    "scheme-no-at": "x://" + "a" * N,
    "scheme-colons": "x://" + "a:" * (N // 2),
    "equals": "=" * N,
    "key-equals": "TOKEN_" * (N // 6),
    "token-words": "TOKEN" * (N // 5) + " x",
    "spaces": " " * N + "x",
    "brackets": "[" * (N // 2) + "]" * (N // 2),
    "parens": "(" * (N // 2) + ")" * (N // 2),
    "bearer": "bearer " + " " * N,
    "sk": "sk-" * (N // 3),
    "words": "skip " * (N // 5),
    "mixed": ("a_b-c.d+e:/@ " * (N // 13)),
    "digits": "1." * (N // 2),
    "newlines": "#\n" * (N // 2),
}


@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_redaction_is_linear(name):
    started = time.perf_counter()
    redact_text(ADVERSARIAL[name])
    assert time.perf_counter() - started < 1.0


def _module_patterns() -> list[tuple[str, re.Pattern]]:
    names = []
    for package in ("uvmgr", "uvmgr.tools", "uvmgr.agent", "uvmgr.evals", "uvmgr.prompts"):
        names.append(package)
        path = importlib.import_module(package).__path__
        names += [info.name for info in pkgutil.iter_modules(path, package + ".")
                  if not info.ispkg and info.name != "uvmgr.evals.serve_gemma"]
    found = []
    for name in dict.fromkeys(names):
        module = importlib.import_module(name)
        for attr, value in vars(module).items():
            if isinstance(value, re.Pattern):
                found.append((f"{name}.{attr}", value))
        found += _inline_patterns(module)
    return found


def _inline_patterns(module) -> list[tuple[str, re.Pattern]]:
    """Literal patterns passed straight to re.search/sub/match/... inside functions."""
    source = inspect.getsource(module)
    out = []
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "re"
                and node.args and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)):
            pattern = re.compile(node.args[0].value)
            # re.match/fullmatch try one start only; findall (below) would try every position.
            anchored = node.func.attr in ("match", "fullmatch")
            out.append((f"{module.__name__}:{node.lineno}",
                        re.compile(r"\A(?:" + pattern.pattern + ")") if anchored else pattern))
    return out


def test_every_module_regex_is_fast_on_adversarial_text():
    patterns = _module_patterns()
    assert len(patterns) > 10
    slow = []
    for label, pattern in patterns:
        for name, text in ADVERSARIAL.items():
            started = time.perf_counter()
            pattern.findall(text)
            took = time.perf_counter() - started
            # a superlinear pattern takes minutes on 100k characters; a linear one with a large
            # alternation takes ~0.1 s idle, and up to a few times that on a loaded machine
            if took > 1.0:
                slow.append(f"{label} on {name}: {took:.2f}s")
    assert not slow, slow


def test_targets_of_a_huge_spec_is_fast():
    from uvmgr.tools.registry import TOOLS

    started = time.perf_counter()
    for text in ADVERSARIAL.values():
        TOOLS["add_dependency"].targets_of({"specs": [text]})
    assert time.perf_counter() - started < 2.0


def test_a_request_past_the_cap_is_a_usage_error(cli, demo_project):
    started = time.perf_counter()
    r = cli("ask", "upgrade " + "a" * 5000, "--project", demo_project.root)
    assert r.code == 2
    assert "request" in r.err and "4000" in r.err and "hint" in r.err
    assert time.perf_counter() - started < 5


def test_a_long_observation_is_cut_with_a_note():
    from uvmgr.agent.loop import bounded_observation

    text = "x" * 20_000
    out = bounded_observation(text, 8000)
    assert len(out) < 8200 and out.startswith("x" * 8000)
    assert "12000 more characters" in out
    assert bounded_observation("short", 8000) == "short"


def test_the_docs_index_stops_at_its_cap(tmp_path):
    from uvmgr.tools.docs_index import DocsIndex
    from uvmgr.tools.docs_sources import SourceDoc

    docs = [SourceDoc("project", f"project:d{i}.md", f"d{i}.md", "",
                      f"# Doc {i}\n\n" + ("word " * 400 + "\n\n") * 5) for i in range(10)]
    report = DocsIndex(tmp_path, max_bytes=25_000, max_chunks=1000).refresh(docs)
    assert 0 < report.documents < 10
    assert report.left_out == 10 - report.documents
    assert "25000" in report.cap_note or "25,000" in report.cap_note
    report = DocsIndex(tmp_path / "b", max_bytes=10**9, max_chunks=3).refresh(docs)
    assert report.chunks <= 3 and report.left_out > 0 and "chunks" in report.cap_note
