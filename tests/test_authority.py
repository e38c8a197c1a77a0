"""The strict authority `--yes` trusts: what a request plainly commands is approved, and
nothing wider (other packages, all instead of named, a higher level, a typo, a question, a
negation, a passing mention, a pin or extra nobody typed)."""

from __future__ import annotations

import pytest
from uvmgr.agent.authority import Authority

KNOWN = ["requests", "click", "tqdm", "pygments", "six", "pydantic", "rich", "httpx",
         "sqlalchemy", "python-dateutil", "pytest", "ruff", "mypy", "pytest-cov"]


def up(packages, level="minor"):
    return "upgrade_safely", {"level": level, "packages": packages}


APPROVED = [
    ("upgrade click", *up(["click"])),
    ("please upgrade click", *up(["click"])),
    ("upgrade click to the next patch", *up(["click"], "patch")),
    ("upgrade click", *up(["click"], "patch")),  # narrower than asked is fine
    ("upgrade everything", *up(None)),
    ("upgrade safely", *up(None)),
    ("upgrade everything", *up(["click", "six"])),
    ("upgrade everything except six", *up([n for n in KNOWN if n != "six"])),
    ("upgrade pydantic to the latest major", *up(["pydantic"], "major")),
    ("upgrade pydantic to version 3", *up(["pydantic"], "major")),
    ("add hypothesis", "add_dependency", {"specs": ["hypothesis"]}),
    ("add httpx[http2]>=0.27", "add_dependency", {"specs": ["httpx[http2]>=0.27"]}),
    ("add hypothesis and freezegun as dev dependencies", "add_dependency",
     {"specs": ["hypothesis", "freezegun"], "dev": True}),
    ("pin click to 8.1.7", "add_dependency", {"specs": ["click==8.1.7"]}),
    ("downgrade requests to 2.19.0", "add_dependency", {"specs": ["requests==2.19.0"]}),
    ("remove six", "remove_dependency", {"names": ["six"]}),
    ("remove pytest", "remove_dependency", {"names": ["pytest"]}),
    ("get rid of six", "remove_dependency", {"names": ["six"]}),
    ("fix the vulnerabilities", "fix_vulnerabilities", {}),
    ("relock", "lock_project", {}),
    ("bump tqdm and afterwards run the test suite", *up(["tqdm"])),
    ("upgrade httpx, patch releases only", *up(["httpx"], "patch")),
    ("add typer version 0.12 or newer", "add_dependency", {"specs": ["typer>=0.12"]}),
    ("add sentry-sdk and relock", "add_dependency", {"specs": ["sentry-sdk"]}),
    ("bump everything minus mypy", *up([n for n in KNOWN if n != "mypy"])),
    ("pin rich at 13.7.1", "add_dependency", {"specs": ["rich==13.7.1"]}),
    ("apply patch updates", *up(None, "patch")),
    ("drop the dependency on six", "remove_dependency", {"names": ["six"]}),
    ("refresh our dependencies", *up(None)),
]


@pytest.mark.parametrize("request_text,tool,args", APPROVED)
def test_approved(request_text, tool, args):
    assert Authority(request_text).approves(tool, args, KNOWN)


NOT_APPROVED = [
    # questions, deliberations, how-tos
    ("should we drop six?", "remove_dependency", {"names": ["six"]}),
    ("can I remove click?", "remove_dependency", {"names": ["click"]}),
    ("can you bump click", *up(["click"])),  # asked as a question: confirmed, not commanded
    ("is click out of date?", *up(["click"])),
    ("is it ok to upgrade click?", *up(["click"])),
    ("how do I add hypothesis?", "add_dependency", {"specs": ["hypothesis"]}),
    ("is any of our stuff known to be vulnerable?", "fix_vulnerabilities", {}),
    # typos: confirmed with a person, never approved
    ("upgrade reqeusts", *up(["requests"])),
    ("remove clik", "remove_dependency", {"names": ["click"]}),
    # negation, rejection, passing mention
    ("don't upgrade click", *up(["click"])),
    ("remove click but keep six", "remove_dependency", {"names": ["click", "six"]}),
    ("the upgrade of click was rejected", *up(["click"])),
    ("upgrade click so it works with rich", *up(["click", "rich"])),
    ("add loguru for our requests logging", "add_dependency", {"specs": ["loguru", "requests"]}),
    # wider than asked
    ("upgrade click", *up(None)),
    ("upgrade click", *up(["click", "six"])),
    ("upgrade click", *up(["click"], "major")),
    ("upgrade everything", *up(None, "major")),
    ("upgrade to the latest versions", *up(None, "major")),
    ("upgrade everything without majors", *up(None, "major")),
    ("only patch updates", *up(None, "minor")),
    ("upgrade everything except six", *up(None)),
    ("upgrade everything except six", *up(["six"])),
    ("add httpx", "add_dependency", {"specs": ["httpx[http2]"]}),
    ("add httpx", "add_dependency", {"specs": ["httpx==0.27"]}),
    ("add httpx", "add_dependency", {"specs": ["httpx"], "dev": True}),
    ("add httpx", "add_dependency", {"specs": ["httpx", "evil"]}),
    ("upgrade click", "remove_dependency", {"names": ["click"]}),
    ("refresh the lock file", *up(None)),
    ("what's outdated?", *up(None)),
    # not a dependency, ambiguous, other languages, out of scope
    ("upgrade django", *up(None)),
    ("update that one", *up(None)),
    ("actualiza todas las dependencias", *up(None)),
    ("release this on PyPI", "lock_project", {}),
    # issue 11, by class: any word outside the strict grammar approves nothing
    ("bump the flaky packages", *up(None)),  # a qualifier that names no package
    ("upgrade the deps we own", *up(None)),  # a relative clause
    ("upgrade everything, then tag a release", *up(None)),  # an out-of-scope step
    ("update click. also write a changelog entry", *up(["click"])),  # a second sentence
    ("upgrade six, which we vendor", *up(["six"])),
    ("upgrade rich because the tables look off", *up(["rich"])),
    ("vale, upgrade click", *up(["click"])),  # a foreign word
    ("bump httpx, patches are fine, minors are not", *up(["httpx"], "minor")),
    ("bump httpx, patches are fine, minors are not", *up(["httpx"], "patch")),
    ("upgrading six was vetoed. upgrade the rest", *up(None)),  # narrative
    ("upgrading six was vetoed. upgrade the rest", *up([n for n in KNOWN if n != "six"])),
    ("we tried bumping rich. bump rich", *up(["rich"])),
    ("refresh the lockfile for httpx only", "lock_project", {}),
    ("refresh the lockfile for httpx only", *up(["httpx"])),
    ("upgrade click and then the next one", *up(["click"])),
    # issue 11, holdout classes (fresh examples): a near-miss name, one advisory, a report
    ("add reqeusts-toolbelt", "add_dependency", {"specs": ["reqeusts-toolbelt"]}),
    ("add reqeusts-toolbelt", "add_dependency", {"specs": ["requests-toolbelt"]}),
    ("add pytset-mock", "add_dependency", {"specs": ["pytset-mock"]}),
    ("add rich-clikc", "add_dependency", {"specs": ["rich-clikc"]}),
    ("add hypotesis", "add_dependency", {"specs": ["hypotesis"]}),
    ("fix CVE-2024-35195", "fix_vulnerabilities", {}),
    ("remediate GHSA-9wx4-h78v-vm56", "fix_vulnerabilities", {}),
    ("the docs say to upgrade everything", *up(None)),
    ("someone told me to remove six", "remove_dependency", {"names": ["six"]}),
    ("add orjson plus ujson, test-only", "add_dependency", {"specs": ["orjson", "ujson",
                                                                     "test-only"]}),
    ("drop tqdm, rich does the progress bars", "remove_dependency", {"names": ["tqdm", "rich"]}),
]


@pytest.mark.parametrize("text", [
    "upgrade click quickly", "upgrade click on monday", "remove six if unused",
    "add numpy somewhere", "fix the vulnerabilities in requests", "lock the door",
])
def test_the_strict_grammar_accounts_for_every_word(text):
    from uvmgr.agent.commands import parse_commands

    assert parse_commands(text, KNOWN) is None


def test_the_strict_grammar_reads_plain_commands():
    from uvmgr.agent.commands import parse_commands

    got = parse_commands("please bump everything except six and rich, patch only, then audit",
                         KNOWN)
    assert [(c.intent, c.packages, c.level, c.excluded) for c in got] == [
        ("upgrade", None, "patch", ["six", "rich"]), ("audit", None, "minor", [])]


@pytest.mark.parametrize("request_text,tool,args", NOT_APPROVED)
def test_not_approved(request_text, tool, args):
    assert not Authority(request_text).approves(tool, args, KNOWN)


# Wave 2: prose specs are read by one reader (agent.specs.prose_spec) for both readings.
@pytest.mark.parametrize("request_text,tool,args", [
    ("add structlog with at least version 24.1", "add_dependency", {"specs": ["structlog>=24.1"]}),
    ("add polars, any version below 1", "add_dependency", {"specs": ["polars<1"]}),
    ("add anyio from 4.0 up to but not including 5", "add_dependency",
     {"specs": ["anyio>=4.0,<5"]}),
])
def test_prose_specs_approved(request_text, tool, args):
    assert Authority(request_text).approves(tool, args, KNOWN)


@pytest.mark.parametrize("request_text,tool,args", [
    ("add polars, any version below 1", "add_dependency", {"specs": ["polars"]}),
    ("add polars, any version below 1", "add_dependency", {"specs": ["polars<=1"]}),
    ("add anyio from 4.0 up to but not including 5", "add_dependency", {"specs": ["anyio>=4.0"]}),
    ("pin tqdm to four point sixty-six point one", "add_dependency", {"specs": ["tqdm==4.66"]}),
])
def test_prose_specs_not_widened(request_text, tool, args):
    assert not Authority(request_text).approves(tool, args, KNOWN)


@pytest.mark.parametrize("request_text,tool,args", [
    ("bump every dependency including majors", *up(None, "major")),
    ("update all the libs, majors too", *up(None, "major")),
    ("upgrade all packages, no majors", *up(None)),
    ("bump the deps lol", *up(None)),
])
def test_levels_after_everything_approved(request_text, tool, args):
    assert Authority(request_text).approves(tool, args, KNOWN)


@pytest.mark.parametrize("request_text,tool,args", [
    ("upgrade all packages, no majors", *up(None, "major")),
    ("bump the deps lol", *up(None, "major")),
    ("bump httpx but only if there are no breaking changes", *up(["httpx"])),  # a condition
    ("upgrade everything, we don't mind if stuff breaks", *up(None, "major")),  # not plain
])
def test_levels_after_everything_not_widened(request_text, tool, args):
    assert not Authority(request_text).approves(tool, args, KNOWN)


@pytest.mark.parametrize("request_text,tool,args", [
    # a rewritten or narrative phrasing is read, never approved by --yes
    ("put mkdocstrings in the docs group", "add_dependency",
     {"specs": ["mkdocstrings"], "group": "docs"}),
    ("we no longer use tqdm, drop it", "remove_dependency", {"names": ["tqdm"]}),
    ("we're switching our logging over, so add loguru", "add_dependency", {"specs": ["loguru"]}),
    ("to uninstall the six package from my project", "remove_dependency", {"names": ["six"]}),
])
def test_rewritten_phrasings_not_approved(request_text, tool, args):
    assert not Authority(request_text).approves(tool, args, KNOWN)


@pytest.mark.parametrize("request_text,tool,args", [
    ("audit, and if something is flagged, fix it", "fix_vulnerabilities", {}),  # conditional
    ("what would happen if we bumped pydantic and then relocked?", "lock_project", {}),
    ("what would happen if we bumped pydantic and then relocked?", *up(["pydantic"])),
    ("no upgrades, just audit", *up(None)),
])
def test_compound_requests_not_approved(request_text, tool, args):
    assert not Authority(request_text).approves(tool, args, KNOWN)


@pytest.mark.parametrize("request_text,tool,args", [
    ("bump sqlalchemy to 2.x latest", *up(["sqlalchemy"], "major")),  # a series is no major
    ("what's in the lock file for httpx", *up(["httpx"])),
])
def test_probe_classes_not_approved(request_text, tool, args):
    assert not Authority(request_text).approves(tool, args, KNOWN)


# Wave 2: plain imperatives the strict grammar now accounts for, word by word.
ALL_BUT = lambda *names: [n for n in KNOWN if n not in names]


@pytest.mark.parametrize("request_text,tool,args", [
    ("upgrade all but leave sqlalchemy alone", *up(ALL_BUT("sqlalchemy"))),
    ("update everything apart from mypy", *up(ALL_BUT("mypy"))),
    ("upgrade every dep but hold back pydantic and rich", *up(ALL_BUT("pydantic", "rich"))),
    ("upgrade everything but don't touch sqlalchemy", *up(ALL_BUT("sqlalchemy"))),
    ("update all, not mypy though", *up(ALL_BUT("mypy"))),
    ("upgrade everything, breaking changes are fine", *up(None, "major")),
    ("upgrade pydantic, no breaking changes please", *up(["pydantic"])),
    ("nuke six", "remove_dependency", {"names": ["six"]}),
    ("ditch mypy", "remove_dependency", {"names": ["mypy"]}),
    ("add pytest-mock for tests", "add_dependency", {"specs": ["pytest-mock"], "dev": True}),
    ("add respx as a test dependency", "add_dependency", {"specs": ["respx"], "dev": True}),
    ("add hypothesis plus freezegun, dev-only", "add_dependency",
     {"specs": ["hypothesis", "freezegun"], "dev": True}),
    ("patch the CVEs", "fix_vulnerabilities", {}),
    ("fix any security problems", "fix_vulnerabilities", {}),
    ("lock again", "lock_project", {}),
    ("remove tqdm then do a security scan", "remove_dependency", {"names": ["tqdm"]}),
    ("upgrade pygments then list the deps", *up(["pygments"])),
    ("relock then run pytest", "lock_project", {}),
])
def test_more_plain_commands_approved(request_text, tool, args):
    assert Authority(request_text).approves(tool, args, KNOWN)


@pytest.mark.parametrize("request_text,tool,args", [
    # an exclusion is never dropped, a level never widened, a dev flag never invented
    ("upgrade all but leave sqlalchemy alone", *up(None)),
    ("upgrade all but leave sqlalchemy alone", *up(KNOWN)),
    ("update all, not mypy though", *up(None)),
    ("upgrade everything but maybe not rich", *up(ALL_BUT("rich"))),  # a hedge
    ("upgrade everything, breaking changes are not fine", *up(None, "major")),
    ("upgrade pydantic, no breaking changes please", *up(["pydantic"], "major")),
    ("add pytest-mock for tests", "add_dependency", {"specs": ["pytest-mock"]}),
    ("add pytest-mock for the api", "add_dependency", {"specs": ["pytest-mock"]}),
    ("patch click", "fix_vulnerabilities", {}),
    ("patch click", *up(["click"], "patch")),  # a lookalike: confirmed, not approved
    ("nuke six and tqdm later", "remove_dependency", {"names": ["six", "tqdm"]}),
    ("lock again and again", "lock_project", {}),
])
def test_more_plain_commands_not_widened(request_text, tool, args):
    assert not Authority(request_text).approves(tool, args, KNOWN)
