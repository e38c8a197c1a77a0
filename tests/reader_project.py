"""The project the reader's table tests read requests against (the corpus's fixed project,
`evals/data/requests/project.yaml`), and what they ask of the reader: the offline planner's
calls for a request, and whether `--yes` (the strict reading) approves a call."""

from __future__ import annotations

from uvmgr.agent.authority import approves
from uvmgr.agent.intents import read_request
from uvmgr.agent.offline import plan_for

KNOWN = ["requests", "click", "tqdm", "pygments", "six", "pydantic", "rich", "httpx",
         "sqlalchemy", "python-dateutil", "pytest", "ruff", "mypy", "pytest-cov"]
DEV = ("pytest", "ruff", "mypy", "pytest-cov")
MAIN = [n for n in KNOWN if n not in DEV]


def but(*names, known=KNOWN):
    return [n for n in known if n not in names]


def up(packages, level="minor"):
    return ("upgrade_safely", {"level": level, "packages": packages})


def reading(text, matcher, *, known=KNOWN, dev=()):
    return read_request(text, known, matcher, dev=dev)


def calls(text, matcher, *, known=KNOWN, dev=()):
    return [(c.tool, c.args) for c in plan_for(reading(text, matcher, known=known, dev=dev))]


def approved(text, tool, args, *, known=KNOWN, dev=()):
    return approves(read_request(text, known, None, strict=True, dev=dev), tool, args, known)
