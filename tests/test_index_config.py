"""Private index settings as uv reads them (tools/indexes.py), uv's authentication failures
turned into one error that names the index (texts captured from uv 0.13.9 against pypiserver),
and the redaction of index credentials. Pure functions; the end-to-end runs against a real
authenticated server are in test_private_index.py."""

from __future__ import annotations

import pytest
from uvmgr.tools.indexes import PackageIndex, configured_indexes, index_label, pinned_sources
from uvmgr.tools.runner import ProcessResult
from uvmgr.tools.uv_errors import raise_for_uv

from uvmgr.errors import EXIT_USAGE, IndexAuthFailed
from uvmgr.telemetry import redact, redact_text

PYPROJECT = {"tool": {"uv": {
    "index": [{"name": "corp", "url": "https://bob:tok-secret-9@pkgs.example.com/simple/",
               "default": True},
              {"name": "internal", "url": "http://127.0.0.1:8123/simple/", "explicit": True},
              {"url": "https://mirror.example.org/pypi/simple"}],
    "sources": {"acme-internal": {"index": "internal"},
                "Demo_Yaml": [{"index": "internal", "marker": "sys_platform == 'linux'"}],
                "local-lib": {"path": "../lib"},
                "git-lib": {"git": "https://example.com/x.git"}}}}}

NO_CREDENTIALS = """\
error: No solution found when resolving dependencies for split (markers: sys_platform == 'linux')
  cause: Because acme-internal was not found in the package registry and your project depends on acme-internal==1.0.0, we can conclude that your project's requirements are unsatisfiable.

hint: An index URL (http://127.0.0.1:8123/simple/) could not be queried due to a lack of valid authentication credentials (401 Unauthorized)
"""
REFUSED = """\
error: No solution found when resolving dependencies for split (markers: sys_platform == 'linux')
  cause: Because acme-internal was not found in the package registry and your project depends on acme-internal>=1.0, we can conclude that your project's requirements are unsatisfiable.

hint: An index (http://127.0.0.1:8123/simple/) returned a 403 Forbidden error. Check that the index URL is correct and the credentials are valid.
"""
REFUSED_FILE = """\
error: Failed to install: demo_yaml-5.0.0-py3-none-any.whl (demo-yaml==5.0.0)
  cause: Failed to fetch: http://127.0.0.1:8123/packages/demo_yaml-5.0.0-py3-none-any.whl
  cause: HTTP status client error (403 Forbidden) for url (http://127.0.0.1:8123/packages/demo_yaml-5.0.0-py3-none-any.whl)
"""


def test_indexes_are_read_as_uv_reads_them():
    corp, internal, unnamed = configured_indexes(PYPROJECT)
    assert (corp.name, corp.default, corp.explicit) == ("corp", True, False)
    assert (internal.name, internal.explicit) == ("internal", True)
    assert unnamed.name == "https://mirror.example.org/pypi/simple"
    assert internal.credential_variables == ("UV_INDEX_INTERNAL_USERNAME",
                                             "UV_INDEX_INTERNAL_PASSWORD")
    assert PackageIndex("my-corp.idx", "").credential_variables[0] == \
        "UV_INDEX_MY_CORP_IDX_USERNAME"
    assert configured_indexes({"tool": {"uv": {"index": "not a list"}}}) == ()


@pytest.mark.parametrize(("registry", "label"), [
    ("http://127.0.0.1:8123/simple/", "internal"),
    ("http://127.0.0.1:8123/simple", "internal"),
    ("https://pkgs.example.com/simple/", ""),  # the default index: nothing to say
    ("https://pypi.org/simple", ""),
    ("https://mirror.example.org/pypi/simple/", "https://mirror.example.org/pypi/simple"),
    ("https://other.example/simple/", ""),  # not a configured index (UV_INDEX_URL, find-links)
    ("/home/me/wheels", ""),
    ("", ""),
])
def test_index_label(registry, label):
    assert index_label(registry, configured_indexes(PYPROJECT)) == label


def test_only_index_pins_are_copied_for_a_lookup():
    pinned = pinned_sources(PYPROJECT, {"acme-internal", "demo-yaml", "local-lib", "git-lib"})
    assert pinned == {"acme-internal": {"index": "internal"},
                      "Demo_Yaml": [{"index": "internal", "marker": "sys_platform == 'linux'"}]}
    assert pinned_sources(PYPROJECT, {"demo-http"}) == {}


def _project(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "app"\nversion = "0"\n\n[[tool.uv.index]]\nname = "internal"\n'
        'url = "http://127.0.0.1:8123/simple/"\nexplicit = true\n')
    return str(tmp_path)


@pytest.mark.parametrize("stderr", [NO_CREDENTIALS, REFUSED, REFUSED_FILE])
def test_missing_credentials_name_the_index_and_its_variables(tmp_path, monkeypatch, stderr):
    monkeypatch.delenv("UV_INDEX_INTERNAL_USERNAME", raising=False)
    monkeypatch.delenv("UV_INDEX_INTERNAL_PASSWORD", raising=False)
    result = ProcessResult(("uv", "lock"), 1, "", stderr, 0.1, cwd=_project(tmp_path))
    with pytest.raises(IndexAuthFailed) as caught:
        raise_for_uv(result, "locking", {"acme-internal"})
    error = caught.value
    assert error.exit_code == EXIT_USAGE
    cause = "needs credentials" if stderr is NO_CREDENTIALS else "refused access (403 Forbidden)"
    assert error.message.startswith("locking: the package index `internal` "
                                    f"(http://127.0.0.1:8123) {cause}")
    assert "set UV_INDEX_INTERNAL_USERNAME and UV_INDEX_INTERNAL_PASSWORD" in error.hint
    assert "was not found" not in error.message and error.explanation


def test_refused_credentials_say_which_to_check(tmp_path, monkeypatch):
    monkeypatch.setenv("UV_INDEX_INTERNAL_USERNAME", "ci")
    monkeypatch.setenv("UV_INDEX_INTERNAL_PASSWORD", "wrong-password")
    result = ProcessResult(("uv", "lock"), 1, "", REFUSED, 0.1, cwd=_project(tmp_path))
    with pytest.raises(IndexAuthFailed) as caught:
        raise_for_uv(result, "locking")
    assert "`internal` (http://127.0.0.1:8123) refused the credentials (403 Forbidden)" in \
        caught.value.message
    assert caught.value.hint.startswith("check UV_INDEX_INTERNAL_USERNAME and "
                                        "UV_INDEX_INTERNAL_PASSWORD")


def test_an_index_not_in_the_project_is_named_by_its_host_without_credentials():
    stderr = NO_CREDENTIALS.replace("http://127.0.0.1:8123/", "https://bob:tok-secret-9@corp.example/")
    with pytest.raises(IndexAuthFailed) as caught:
        raise_for_uv(ProcessResult(("uv", "lock"), 1, "", stderr, 0.1), "locking")
    assert "the package index at https://corp.example needs credentials" in caught.value.message
    assert "tok-secret-9" not in caught.value.message + caught.value.hint


def test_index_credentials_are_redacted(monkeypatch):
    monkeypatch.setenv("UV_INDEX_INTERNAL_PASSWORD", "pw-0a9b8c7d-private")
    monkeypatch.setenv("UV_INDEX_URL", "https://bob:url-pw-5e6f7a@corp.example/simple/")
    text = ("sent pw-0a9b8c7d-private to https://alice:other-9z8y@host/simple and "
            "url-pw-5e6f7a; UV_INDEX_CORP_PASSWORD=plain-value-1")
    masked = redact_text(text)
    for secret in ("pw-0a9b8c7d-private", "other-9z8y", "url-pw-5e6f7a", "plain-value-1"):
        assert secret not in masked
    assert "https://***@host/simple" in masked
    assert redact({"UV_INDEX_INTERNAL_PASSWORD": "x"}) == {"UV_INDEX_INTERNAL_PASSWORD": "***"}


def test_tables_and_summaries_say_which_index_a_package_comes_from(capsys):
    from types import SimpleNamespace

    from uvmgr.tools.changes import ChangeResult, Outdated, OutdatedList, PackageChange

    from uvmgr import render

    rows = OutdatedList([Outdated("demo-yaml", "main", "demo-yaml>=5,<6", "5.0.0", "5.3.0",
                                  "7.0.0", "major", index="internal"),
                         Outdated("demo-http", "main", "demo-http>=1", "1.0.0", "1.0.3",
                                  "1.0.3", "patch")])
    render.show(rows, SimpleNamespace(json=False, sarif=False))
    table = capsys.readouterr().out
    assert "index" in table and "internal" in table and "default" in table
    assert "demo-yaml 5.0.0 -> 7.0.0 (major; its constraint 'demo-yaml>=5,<6' allows up to " \
           "5.3.0) (from index internal)" in rows.summary()
    change = ChangeResult("upgrade", True, [PackageChange("demo-yaml", "5.0.0", "5.3.0", True,
                                                          index="internal")])
    assert "  demo-yaml: 5.0.0 -> 5.3.0 (from index internal)" in change.summary()
    assert "index" not in render.to_jsonable(rows[1])  # nothing to say for the default index


def test_a_lookup_copies_each_index_table_whole(tmp_path):
    from uvmgr.tools.indexes import index_tables

    data = {"tool": {"uv": {"index": [
        {"name": "wheels", "url": "./vendor/wheels", "format": "flat"},
        {"name": "internal", "url": "https://pkgs.example.com/simple/", "explicit": True,
         "authenticate": "always", "ignore-error-codes": [403]},
        {"name": "broken"}]}}}
    flat, internal = index_tables(data, tmp_path)
    assert flat == {"name": "wheels", "url": str(tmp_path / "vendor" / "wheels"),
                    "format": "flat"}
    assert internal == data["tool"]["uv"]["index"][1]


def test_only_packages_from_another_index_leave_the_cooldown(tmp_path):
    """A package locked from PyPI always has an upload time there; a lock without one was
    written by hand (or by a cloned repository) and must not take the package out of the
    cooldown. Only an index that reports no upload times (pypiserver) does."""
    from types import SimpleNamespace

    from uvmgr.tools.project import Project
    from uvmgr.tools.upgrade_targets import undated_packages

    _project(tmp_path)
    (tmp_path / "uv.lock").write_text(
        'version = 1\nrevision = 3\nrequires-python = ">=3.11"\n\n'
        '[[package]]\nname = "app"\nversion = "0"\nsource = { virtual = "." }\n\n'
        '[[package]]\nname = "acme-internal"\nversion = "1.0"\n'
        'source = { registry = "http://127.0.0.1:8123/simple/" }\n'
        'wheels = [{ url = "http://127.0.0.1:8123/packages/acme_internal-1.0-py3-none-any.whl" }]\n\n'
        '[[package]]\nname = "six"\nversion = "1.16.0"\n'
        'source = { registry = "https://pypi.org/simple" }\n'
        'wheels = [{ url = "https://files.pythonhosted.org/six-1.16.0-py2.py3-none-any.whl" }]\n')
    ctx = SimpleNamespace(project=Project(tmp_path))
    assert undated_packages(ctx) == ["acme-internal"]
