"""What a person reads: names and specs shown as written (never read as Rich markup), forked
versions whole, counted nouns in the singular for one, and a rolled-back change never shown
as a change that was made."""

from __future__ import annotations

import pytest
from uvmgr.tools.binding import differences
from uvmgr.tools.changes import ChangeResult, PackageChange
from uvmgr.tools.resolve import parse_dry_run
from uvmgr.tools.results import plural

from uvmgr import render


def test_an_extra_in_a_requirement_is_shown(cli, project_factory):
    project = project_factory(["demo-json[standard]>=2.0"], {"demo-json": "2.0.0"})
    r = cli("deps", "list", "--project", project.root)
    assert r.code == 0, r.err
    assert "demo-json[standard]>=2.0" in r.out


def test_markup_in_names_and_specs_is_text(capsys):
    from uvmgr.tools.changes import ConstraintEdit, Outdated, OutdatedList
    from uvmgr.tools.deps import DependencyList
    from uvmgr.tools.project import DirectDependency

    render.show_result(ChangeResult("add", True, [PackageChange("fastapi", None, "0.115.0", True)],
                                    [ConstraintEdit("fastapi", "main", "",
                                                    "fastapi[standard,bold]>=0.115")]))
    assert "fastapi[standard,bold]>=0.115" in capsys.readouterr().out
    dep = DirectDependency("fastapi", "fastapi[standard]>=0.115", "main", "0.115.0")
    render.show_result(DependencyList("[red]app", [dep]))
    out = capsys.readouterr().out
    assert "fastapi[standard]>=0.115" in out and "[red]app" in out
    render.show_result(OutdatedList([Outdated("fastapi[bold]", "main", "fastapi>=0.1",
                                              "0.1.0", "0.115.0", "0.115.0", "minor")]))
    assert "fastapi[bold]" in capsys.readouterr().out


@pytest.mark.parametrize(("count", "word", "text"), [
    (0, "vulnerability", "0 vulnerabilities"), (1, "vulnerability", "1 vulnerability"),
    (2, "vulnerability", "2 vulnerabilities"), (1, "locked package", "1 locked package"),
    (3, "direct dependency", "3 direct dependencies"), (2, "fix", "2 fixes"),
    (2, "withdrawn advisory", "2 withdrawn advisories"), (2, "key", "2 keys"),
])
def test_plural(count, word, text):
    assert plural(count, word) == text


def test_one_vulnerability_is_singular(cli, project_factory, fixture_advisories):
    one = project_factory(["demo-json==2.0.0"], {"demo-json": "2.0.0"})
    r = cli("audit", "--db", fixture_advisories, "--project", one.root)
    assert "1 vulnerability in" in r.out and "vulnerabilities" not in r.out


def test_forked_versions_are_shown_whole(capsys):
    # uv lock --dry-run on a forked lock (the text from a real run, see ../shared/NOTES.md)
    [click, attrs] = parse_dry_run("Update click v8.1.7 -> v8.1.8, v8.5.1\n"
                                   "Update attrs v21.0.0, v23.1.0 -> v22.0.0, v24.0.0\n",
                                   {"click"})
    render.show_result(ChangeResult("upgrade", True, [click, attrs]))
    out = capsys.readouterr().out
    assert "click: 8.1.7 -> 8.1.8, 8.5.1" in out
    assert "attrs: 21.0.0, 23.1.0 -> 22.0.0, 24.0.0 (transitive)" in out
    # the lock diff keeps a forked package's highest version: the approved preview matches it
    preview = ChangeResult("upgrade", True, [click])
    assert differences(preview, [PackageChange("click", "8.1.7", "8.5.1", True)]) == []


def test_a_rolled_back_upgrade_is_not_printed_as_changed(cli, project_factory):
    project = project_factory(["demo-http>=1.0"], {"demo-http": "1.1.0"},
                              tests="fail-after-upgrade:demo-http")
    before = project.snapshot()
    r = cli("deps", "upgrade", "demo-http", "--test", "--project", project.root)
    assert r.code == 4, r.out + r.err
    assert "changed:" not in r.out and "rolled back (nothing was kept)" in r.out
    assert "demo-http: 1.1.0 -> 1.2.0" in r.out  # what was tried, said as tried
    assert project.snapshot() == before
