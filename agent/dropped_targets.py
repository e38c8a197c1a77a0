"""A target joined to the object but read by nothing: "upgrade click to version 9 and rich",
"add black as a dev dependency and isort", "remove six from the project and tqdm". The words
between the last target and the "and" only qualify the target (a version, a level, a group), so
the name after it is coordinated with the object, yet the narrow reading stopped before it.
Nothing is silently dropped: such a request is asked back. A name after a reason or another
clause ("upgrade click so it works with rich") is no target and is not asked about."""

from __future__ import annotations

import re

from uvmgr.agent.lexicon import ENGLISH
from uvmgr.agent.reading import Clause, is_name_like, tokens
from uvmgr.tools.project import normalize_name, requirement_name

# Words that may stand between a target and the next "and" while still qualifying the target.
_QUALIFIERS = frozenset([
    "to", "version", "the", "latest", "newest", "next", "major", "minor", "patch", "level",
    "only", "release", "releases", "as", "a", "an", "dev", "dependency", "dependencies", "deps",
    "dep", "group", "for", "tests", "testing", "from", "project", "in", "into", "please", "pls",
    "at", "least", "most", "exactly", "below", "above", "under", "over", "docs", "optional",
    "extra", "series", "line", "our", "my", "pyproject.toml", "requirements", "pin", "pinned",
])
_COORDINATORS = frozenset([",", "and", "&", "plus"])
_FILLERS = frozenset(["also", "then", "too", "and", "as", "well"])
_VERSION = re.compile(r"v?\d[\w.*]*")
_LEVEL = re.compile(r"(?:patch|minor|major|bugfix)\w*+|breaking|non-breaking|"
                    r"(?<![\w-])[a-z]++(?:-[a-z]++)?-only\b")


def dropped_target(clause: Clause, known: dict[str, str]) -> str:
    """The name coordinated with the clause's object that its reading dropped ("" if none)."""
    if clause.intent not in ("upgrade", "remove", "add") or clause.act not in (
            "command", "request"):
        return ""
    targets = {normalize_name(requirement_name(t) or t) for t in [
        *clause.packages, *clause.specs, *clause.excluded]}
    if not targets:
        return ""
    toks = tokens(clause.text)
    last = max((i for i, t in enumerate(toks)
                if normalize_name(requirement_name(t) or t) in targets), default=-1)
    i = last + 1
    while 0 < i < len(toks):
        tok = toks[i]
        if tok in _COORDINATORS:
            j = i + 1
            while j < len(toks) and toks[j] in _FILLERS:
                j += 1
            if j >= len(toks):
                return ""
            name = normalize_name(requirement_name(toks[j]) or toks[j])
            if name in targets:
                i = j + 1
                continue
            after = toks[j + 1] if j + 1 < len(toks) else ""
            # "rich does the progress bars", "structlog is too heavy": the subject of a clause
            if after and after not in _COORDINATORS and after not in _QUALIFIERS:
                return ""
            if name in known or (is_name_like(toks[j]) and toks[j] not in ENGLISH and
                                 not _VERSION.fullmatch(toks[j]) and not _LEVEL.fullmatch(
                                     toks[j])):
                return toks[j]
            return ""
        if tok not in _QUALIFIERS and not _VERSION.fullmatch(tok) and \
                not re.fullmatch(r"(?:===|==|>=|<=|~=|!=|<|>)\S*", tok):
            return ""  # a reason or another clause: what follows is no target
        i += 1
    return ""


def dropped_step(clause: Clause, previous: str) -> str:
    """A step that is only a name after a change ("add httpx, and then respx"): the name, or ""
    when the step is something else (the verb carried over elsewhere, or a statement)."""
    words = tokens(clause.text)
    if clause.intent or previous not in ("add", "remove", "upgrade") or clause.act != "command" \
            or len(words) != 1 or clause.packages:
        return ""
    word = words[0]
    return word if is_name_like(word) and word not in ENGLISH and not _LEVEL.fullmatch(word) \
        else ""
