"""A level said for some of the targets only: "upgrade httpx and rich, breaking changes are fine
for httpx only" is a major upgrade of httpx and a minor one of rich, never a major of both."""

from __future__ import annotations

import re

from uvmgr.agent import lexicon as lx
from uvmgr.agent.level_reading import level_of
from uvmgr.agent.reading import SCOPE_ALL, Clause

_LEVEL = "|".join(f"(?:{w})" for w in lx.LEVEL_WORDS.values())
_NAMES = r"([a-z0-9][a-z0-9._-]*(?:(?:,|,? and|,? &) [a-z0-9][a-z0-9._-]*)*)"
# "majors are fine for httpx only", "patch level just for rich", "only click may go major",
# "but pydantic may take majors", "major on httpx",
# "for httpx only, breaking changes are ok", "httpx can go major"
SCOPED_LEVEL = re.compile(
    rf"\b(?:{_LEVEL})\b[^.;!?]{{0,40}}?\b(?:only for|just for|for only|for just|for|only on|"
    rf"just on|on) (?:the )?{_NAMES}(?: only| alone)?\b|(?:^|[,;:] |\b(?:only|just|but) ){_NAMES} (?:may|"
    rf"can|gets?|should|is allowed to|are allowed to|goes|go|takes?)\b[^.;!?]{{0,30}}?\b(?:"
    rf"{_LEVEL})\b|\bfor {_NAMES}(?: only| alone)?\b,? [^.;!?]{{0,30}}?\b(?:{_LEVEL})\b|"
    rf"(?<![a-z0-9._-])([a-z0-9][a-z0-9._-]*) (?:may|can|gets?|should|is allowed to|goes|go|takes?)\b"
    rf"[^.;!?]{{0,30}}?\b(?:{_LEVEL})\b")


def scoped_steps(clause: Clause, known: dict[str, str], step_type: type) -> list | str | None:
    """The upgrade steps of a clause whose level is said for some targets only: the named ones
    at that level, the others at the level the rest of the request says. None when no level is
    scoped; a reason to ask when the scope names no target of the request."""
    from uvmgr.agent.targets import names_in

    m = SCOPED_LEVEL.search(clause.text)
    if not m:
        return None
    if re.search(r"\b(?:no|not|never|without|avoid|skip|nothing)\s+(?:[a-z]+\s+)?$",
                 clause.text[:m.start()][-24:]):
        return None  # "no majors for rich": a negated level, never wider for anyone
    if re.search(r"\b(?:except|excluding|other than|apart from|not|never|no|besides)\b",
                 m.group(0)):
        return f"which packages \"{m.group(0)}\" applies to"  # "majors ok except for X"
    words = re.split(r",? and |,? & |, ", next(g for g in m.groups() if g))
    scoped = list(dict.fromkeys(names_in(" ".join(words), known)))
    if not scoped and not any(w in known for w in words):
        return None  # "patch only for now": no package named
    if len(scoped) != len(words):
        return f"which packages \"{m.group(0)}\" applies to"
    if clause.packages:
        if not set(scoped) <= set(clause.packages):
            return f"which packages \"{m.group(0)}\" applies to"
        rest: list[str] | None = [p for p in clause.packages if p not in scoped]
    elif clause.all_packages and SCOPE_ALL.search(clause.text[:m.start()] + clause.text[m.end():]):
        rest = [n for n in known if n not in scoped and n not in clause.excluded]
    else:
        return f"which packages \"{m.group(0)}\" applies to"
    level, major, _ = level_of(m.group(0))
    rest_level, rest_major, _ = level_of(clause.text[:m.start()] + clause.text[m.end():])
    steps = [step_type("upgrade", scoped, [], level, clause.dev, clause.group, clause.act, major)]
    if rest:
        steps.append(step_type("upgrade", rest, [], rest_level, clause.dev, clause.group,
                               clause.act, rest_major))
    return steps
