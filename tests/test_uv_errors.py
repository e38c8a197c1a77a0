"""uv's failures from the environment, as uv 0.13.9 printed them here (real texts, captured by
running uv in each situation), turned into one typed error each: the cause, the next step, and
uv's explanation kept line for line. Then one CLI run each against real uv."""

from __future__ import annotations

import pytest
from uvmgr.tools.runner import ProcessResult
from uvmgr.tools.uv_errors import raise_for_uv, uv_explanation

from uvmgr.errors import (
    EXIT_FAILED,
    EXIT_USAGE,
    LockNeedsNewerUv,
    OperationFailed,
    PythonNotFound,
    ResolutionConflict,
    SourceUnreachable,
)

PYENV_SHIM = """\
error: Failed to inspect Python interpreter from search path at `/root/.pyenv/shims/python`
  cause: Querying Python at `/root/.pyenv/shims/python` failed with exit status exit status: 1

         [stderr]
         pyenv: version `3.14' is not installed (set by /tmp/p/.python-version)
"""
NO_INTERPRETER = """\
error: No interpreter found for Python 3.14 in managed installations or search path

hint: A managed Python download is available for Python 3.14, but Python downloads are set to 'never'
"""
PIN_MISMATCH = """\
Using CPython 3.11.7 interpreter at: /root/.pyenv/versions/3.11.7/bin/python3.11
error: The Python request from `.python-version` resolved to Python 3.11.7, which is incompatible with the project's Python requirement: `>=3.14` (from `project.requires-python`)
Use `uv python pin` to update the `.python-version` file to a compatible version
"""
GIT_UNREACHABLE = """\
Using CPython 3.11.7 interpreter at: /root/.pyenv/versions/3.11.7/bin/python3
   Updating http://127.0.0.1:9/x.git (HEAD)
error: Failed to download and build `x @ git+http://127.0.0.1:9/x.git`
  cause: Git operation failed
  cause: failed to clone into: /root/.cache/uv/git-v2/db/d24da47c3c9ed1c1
  cause: process didn't exit successfully: `/usr/bin/git fetch --force --update-head-ok 'http://127.0.0.1:9/x.git' '+HEAD:refs/remotes/origin/HEAD'` (exit status: 128)
         --- stderr
         fatal: unable to access 'http://127.0.0.1:9/x.git/': Failed to connect to 127.0.0.1 port 9 after 0 ms: Couldn't connect to server
"""
INDEX_UNREACHABLE = """\
Using CPython 3.11.7 interpreter at: /root/.pyenv/versions/3.11.7/bin/python3
error: Failed to fetch: http://127.0.0.1:9/simple/corp-only/
  cause: error sending request for url (http://127.0.0.1:9/simple/corp-only/)
  cause: client error (Connect)
  cause: tcp connect error
  cause: Connection refused (os error 111)
"""
URL_UNREACHABLE = """\
error: Failed to download `url-lib @ http://127.0.0.1:34691/url_lib-1.0.0-py3-none-any.whl`
  cause: Failed to fetch: http://127.0.0.1:34691/url_lib-1.0.0-py3-none-any.whl
  cause: error sending request for url (http://127.0.0.1:34691/url_lib-1.0.0-py3-none-any.whl)
  cause: client error (Connect)
  cause: tcp connect error
  cause: Connection refused (os error 111)
"""
CONFLICT = """\
Using CPython 3.11.7 interpreter at: /root/.pyenv/versions/3.11.7/bin/python3
error: No solution found when resolving dependencies for split (markers: python_full_version >= '3.11' and sys_platform == 'linux')
  cause: Because demo-plugin>=1.1.0 depends on demo-json>=3 and your project depends on demo-json==2.0.0, we can conclude that demo-plugin>=1.1.0 and your project are incompatible.
         And because your project depends on demo-plugin>=1.1, we can conclude that your project's requirements are unsatisfiable.
"""
LOCK_TOO_NEW = """\
Using CPython 3.11.7 interpreter at: /root/.pyenv/versions/3.11.7/bin/python3
error: The lockfile at `uv.lock` uses an unsupported schema version (v2, but only v1 is supported). Downgrade to a compatible uv version, or remove the `uv.lock` prior to running `uv lock` or `uv sync`.
"""

CASES = [
    # (stderr, error type, words in the message, words in the hint)
    (PYENV_SHIM, PythonNotFound, ["cannot find Python 3.14", ".python-version"],
     ["uv python install 3.14", "pyenv install 3.14"]),
    (NO_INTERPRETER, PythonNotFound, ["cannot find Python 3.14"],
     ["uv python install 3.14", "UV_PYTHON_DOWNLOADS"]),
    (PIN_MISMATCH, PythonNotFound, ["selects Python 3.11.7", "requires >=3.14"],
     ["uv python pin 3.14"]),
    (GIT_UNREACHABLE, SourceUnreachable, ["git source of x", "git+http://127.0.0.1:9/x.git",
                                          "could not be reached"], ["[tool.uv.sources]"]),
    (INDEX_UNREACHABLE, SourceUnreachable, ["package index at http://127.0.0.1:9",
                                            "could not be reached"], ["UV_INDEX_URL"]),
    (URL_UNREACHABLE, SourceUnreachable, [("the URL source of url-lib (http://127.0.0.1:34691/"
                                          "url_lib-1.0.0-py3-none-any.whl) could not be reached")],
     ["another source"]),
    (CONFLICT, ResolutionConflict, ["dependency conflict", "depends on demo-json>=3"],
     ["nothing was changed"]),
    (LOCK_TOO_NEW, LockNeedsNewerUv, ["newer uv", "schema v2", "reads v1"], ["upgrade uv"]),
]


@pytest.mark.parametrize(("stderr", "kind", "in_message", "in_hint"), CASES,
                         ids=["pyenv-shim", "no-interpreter", "pin-mismatch", "git", "index",
                              "url", "conflict", "lock-too-new"])
def test_environment_failures_become_one_clear_error(stderr, kind, in_message, in_hint):
    result = ProcessResult(("uv", "lock"), 2 if kind in (PythonNotFound, LockNeedsNewerUv) else 1,
                           "", stderr, 0.1)
    with pytest.raises(kind) as caught:
        raise_for_uv(result, "locking")
    error = caught.value
    for words in in_message:
        assert words in error.message
    for words in in_hint:
        assert words in (error.hint or "")
    # uv's own explanation, line for line, from its `error:` line on (progress lines left out)
    assert error.explanation.startswith("error:")
    assert error.explanation.splitlines() == stderr[stderr.index("error:"):].rstrip().splitlines()
    assert error.exit_code == (EXIT_USAGE if kind in (PythonNotFound, LockNeedsNewerUv)
                               else EXIT_FAILED)


def test_a_failure_nobody_classified_still_keeps_uv_s_words():
    stderr = "error: something new\n  cause: first\n  cause: second\n"
    with pytest.raises(OperationFailed) as caught:
        raise_for_uv(ProcessResult(("uv", "lock"), 2, "", stderr, 0.1), "locking")
    assert type(caught.value) is OperationFailed
    assert caught.value.message == "locking failed: something new"
    assert caught.value.explanation == stderr.rstrip()


def test_credentials_in_an_index_url_stay_out_of_the_message():
    stderr = INDEX_UNREACHABLE.replace("http://127.0.0.1:9/simple/corp-only/",
                                       "https://bob:tok-123@127.0.0.1:9/simple/corp-only/", 1)
    with pytest.raises(SourceUnreachable) as caught:
        raise_for_uv(ProcessResult(("uv", "lock"), 1, "", stderr, 0.1), "locking")
    assert "https://127.0.0.1:9" in caught.value.message and "tok-123" not in caught.value.message


def test_explanation_drops_progress_and_colour():
    assert uv_explanation("Resolved 3 packages\n\x1b[31merror\x1b[0m: boom\n  cause: x\n") == \
        "error: boom\n  cause: x"
    assert uv_explanation("no error line at all") == ""


# -- the same situations through the CLI, with real uv -------------------------------------------

def _says(err: str, line: str) -> bool:
    """`line` of uv's explanation is printed on a line of its own (not squashed)."""
    return any(row.strip() == line.strip() for row in err.splitlines())


def test_cli_python_not_found(cli, demo_project, monkeypatch):
    monkeypatch.setenv("UV_PYTHON_DOWNLOADS", "never")
    monkeypatch.delenv("UV_PYTHON", raising=False)
    (demo_project.root / ".python-version").write_text("3.14\n")
    before = demo_project.snapshot()
    r = cli("deps", "lock", "--project", demo_project.root)
    assert r.code == EXIT_USAGE, r.err
    assert "cannot find Python 3.14" in r.err and "uv python install 3.14" in r.err
    assert "uv says:" in r.err and demo_project.snapshot() == before


def test_cli_git_source_unreachable(cli, demo_project):
    text = demo_project.pyproject.read_text().replace(
        "dependencies = [", 'dependencies = ["x @ git+http://127.0.0.1:9/x.git", ')
    demo_project.pyproject.write_text(text)
    before = demo_project.snapshot()
    r = cli("deps", "lock", "--project", demo_project.root)
    assert r.code == EXIT_FAILED, r.err
    assert "the git source of x (git+http://127.0.0.1:9/x.git) could not be reached" in r.err
    assert _says(r.err, "cause: Git operation failed") and "[tool.uv.sources]" in r.err
    assert demo_project.snapshot() == before


def test_cli_index_unreachable(cli, demo_project, monkeypatch):
    monkeypatch.setenv("UV_HTTP_RETRIES", "0")
    text = demo_project.pyproject.read_text().replace("no-index = true\n", "")
    text += '\n[[tool.uv.index]]\nname = "corp"\nurl = "http://127.0.0.1:9/simple"\ndefault = true\n'
    demo_project.pyproject.write_text(text.replace("dependencies = [",
                                                   'dependencies = ["corp-only", '))
    before = demo_project.snapshot()
    r = cli("deps", "lock", "--project", demo_project.root)
    assert r.code == EXIT_FAILED, r.err
    assert "the package index `corp` (http://127.0.0.1:9) could not be reached" in r.err
    assert _says(r.err, "cause: Connection refused (os error 111)") and "UV_INDEX_URL" in r.err
    assert demo_project.snapshot() == before


def test_cli_conflict_keeps_uv_s_explanation_multi_line(cli, project_factory, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")  # a narrow terminal: uv must not wrap what uvmgr reads
    project = project_factory(["demo-json==2.0.0"], {"demo-json": "2.0.0"})
    before = project.snapshot()
    r = cli("deps", "add", "demo-plugin>=1.1", "--project", project.root)
    assert r.code == EXIT_FAILED, r.err
    assert "dependency conflict" in r.err and "hint:" in r.err
    # the continuation line of uv's explanation stays a line of its own
    assert _says(r.err, "And because your project depends on demo-plugin>=1.1, we can conclude "
                        "that your project's requirements are unsatisfiable.")
    assert project.snapshot() == before


def test_cli_lock_needs_a_newer_uv(cli, demo_project, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    lock = demo_project.lock.read_text().replace("version = 1\n", "version = 2\n", 1)
    demo_project.lock.write_text(lock)
    before = demo_project.snapshot()
    r = cli("deps", "outdated", "--project", demo_project.root)
    assert r.code == EXIT_USAGE, r.err
    assert "uv.lock was written by a newer uv (lock schema v2" in r.err and "upgrade uv" in r.err
    assert demo_project.snapshot() == before


def test_cli_tests_without_their_python(cli, demo_project, monkeypatch):
    monkeypatch.setenv("UV_PYTHON_DOWNLOADS", "never")
    monkeypatch.delenv("UV_PYTHON", raising=False)
    (demo_project.root / ".python-version").write_text("3.14\n")
    r = cli("test", "--project", demo_project.root)
    assert r.code == EXIT_USAGE, r.err
    assert "running the tests: uv cannot find Python 3.14" in r.err
    assert "uv python install 3.14" in r.err
