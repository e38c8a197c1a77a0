"""A pack's phrases (`uvmgr.packs.Intent.phrases`) as the request reader matches them.

A phrase is words matched whole, in order, in any case, ignoring punctuation; `...` between
words lets up to four other words stand there ("test ... slow" matches "why is my test suite so
slow?"). The reader (`agent.intents.read_request`) asks this module only for a clause that asks
for no change, and only with the intents of read-only tools (`Toolset.intents`), so a pack's
phrase can never plan a change nor reach the strict reading `--yes` trusts.
"""

from __future__ import annotations

import re
from functools import lru_cache

GAP = "..."
_MAX_GAP = 4


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


@lru_cache(maxsize=512)
def phrase_pattern(phrase: str) -> re.Pattern | None:
    """The phrase as a pattern over the clause's words joined by single spaces; None when it
    has no words."""
    parts = [" ".join(_words(part)) for part in phrase.split(GAP)]
    parts = [p for p in parts if p]
    if not parts:
        return None
    gap = rf"(?: [a-z0-9]+){{0,{_MAX_GAP}}} "
    body = gap.join(re.escape(p) for p in parts)
    return re.compile(rf"(?<![a-z0-9]){body}(?![a-z0-9])")


def match_pack_intent(text: str, intents: tuple) -> object | None:
    """The first intent one of whose phrases the text says, else None."""
    if not intents:
        return None
    words = " ".join(_words(text))
    for intent in intents:
        for phrase in intent.phrases:
            pattern = phrase_pattern(phrase)
            if pattern is not None and pattern.search(words):
                return intent
    return None
