"""The closed vocabulary of the strict command grammar (`agent.commands`): the verbs, fillers,
level words and objects it accepts, and nothing else."""

from __future__ import annotations

import re

FILLERS = frozenset(["please", "pls", "plz", "kindly", "just", "thanks", "thx", "now", "ok", "okay",
                     "yo", "hey", "lol", "cheers", "ty", "tyvm"])
PHRASES = re.compile(r"\b(thank you|go ahead and|afterwards|after that)\b")
SYNONYMS = ((re.compile(r"\bget rid of\b|\brip out\b"), "remove"),
            (re.compile(r"\bpull in\b"), "add"), (re.compile(r"\bas well as\b|\band also\b"), "and"),
            (re.compile(r"\bincl\.?(?=\s)"), "including"))
UPGRADE = frozenset(["upgrade", "update", "bump"])
REMOVE = frozenset(["remove", "drop", "uninstall", "delete", "ditch", "nuke", "erase", "toss"])
ADD = frozenset(["add", "install"])
PIN = frozenset(["pin", "downgrade"])
FIX = frozenset(["fix", "remediate", "patch", "address", "resolve"])
LOCK = frozenset(["lock", "relock", "re-lock"])
REFRESH = frozenset(["update", "refresh", "regenerate"])
DET = frozenset(["the", "our", "my"])
ALL_NOUNS = frozenset(["deps", "dependencies", "packages", "requirements", "libs", "libraries"])
VULNS = frozenset(["vulnerabilities", "vulns", "cves", "advisories"])
LEVEL_WORDS = frozenset([
    "patch", "minor", "major", "majors", "patch-level", "minor-level", "major-level", "breaking",
    "level", "only", "versions", "version", "updates", "upgrades", "releases", "release", "to",
    "the", "latest", "within", "including", "non-breaking", "compatible", "no", "without",
    "safely", "safe", "bugfix", "bugfixes", "next", "newest", "bumps", "patches", "too",
    # "breaking changes are fine", "majors allowed", "minor versions max", "majors included"
    "changes", "are", "fine", "ok", "okay", "allowed", "included", "welcome", "max", "maximum",
    "any",  # "without any breaking changes"
    "keep", "it",  # "keep it non-breaking"
])
# Read-only steps a command may be chained with ("upgrade click, then audit").
READ_ONLY = {
    "audit": "audit", "test": "test", "lint": "check", "build": "build", "typecheck": "check",
    "rebuild": "build", "list": "list",
}
VERBS = UPGRADE | REMOVE | ADD | PIN | FIX | LOCK | REFRESH | {"run", "do", *READ_ONLY}
BUILD_OBJECTS = frozenset(["wheel", "sdist", "package", "project", "wheels", "artifacts"])
SEPARATORS = frozenset([",", "and", "then", ";", "."])
SPEC = re.compile(r"^[a-z0-9][a-z0-9._-]*(\[[a-z0-9,._-]+\])?"
                   r"((==|>=|<=|~=|!=|>|<)[0-9][0-9a-z.*]*(,(==|>=|<=|~=|!=|>|<)[0-9][0-9a-z.*]*)*)?$")
VERSION = re.compile(r"^v?([0-9]+(\.[0-9]+)*)$")
