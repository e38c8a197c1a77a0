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
]


@pytest.mark.parametrize("request_text,tool,args", NOT_APPROVED)
def test_not_approved(request_text, tool, args):
    assert not Authority(request_text).approves(tool, args, KNOWN)
