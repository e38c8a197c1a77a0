"""What a whole request comes to once its steps are read: a change that depends on a condition,
a choice left to uvmgr or a request that corrects itself asks back; a request that only says
what not to do asks what to do; a failed reading next to foreign words is another language; and
the reading's status (act, ask, refuse) and first step are settled."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from uvmgr.agent.clauses import HARMLESS_CONDITION
from uvmgr.agent.context import CONDITION_CLAUSE, FINDINGS_CONDITION
from uvmgr.agent.foreign import foreign_hint
from uvmgr.agent.lexicon import DEFERRED, MISSPELT_WORDS, SELF_CORRECTION
from uvmgr.agent.reading import MUTATING_INTENTS, Clause

if TYPE_CHECKING:
    from uvmgr.agent.intents import Reading


def settle(reading: Reading, clauses: list[Clause], asks: list[str], text: str,
           norm: str) -> Reading:
    """The reading's status and first step, from its steps and what is left to ask."""
    if not reading.steps and not asks and not reading.unknown and any(
            c.act == "prohibition" for c in clauses):
        asks.append("what to do: the request only says what not to do")
    if any(CONDITION_CLAUSE.match(c.text) and c.intent not in MUTATING_INTENTS and not
           HARMLESS_CONDITION.search(c.text) and not FINDINGS_CONDITION.match(c.text)
           for c in clauses) and any(
            s.intent in MUTATING_INTENTS for s in reading.steps):
        asks.append("a change that depends on a condition")  # "if the tests fail, remove six"
    first_change = next((i for i, c in enumerate(clauses) if c.intent in MUTATING_INTENTS), None)
    if first_change is not None and any(re.search(rf"\b(?:{DEFERRED})\b", c.text)
                                        for c in clauses[first_change:]):
        # "upgrade click, or not, your call"; not "tests were flaky, probably network. anyway,
        # upgrade tqdm": a hedge before the change is about something else
        asks.append("a choice you left to me")
    correction = re.search(rf"\b(?:{SELF_CORRECTION})\b", norm)
    if correction and (len(clauses) > 1 or correction.start() > 0 and any(
            c.intent in MUTATING_INTENTS for c in clauses)):  # one the reader did not resolve
        asks.append("a request that corrects itself")
    if set(re.findall(r"[a-z]+", text.lower())) & MISSPELT_WORDS:
        reading.typos.append("(a misspelt word)")
    if re.search(r"\b(skip|without) (the )?(confirmation|approval|prompt|asking)s?\b",
                 text.lower()) or (
            norm.endswith("?") and re.match(r"^(please )?(can|could|would|will) you\b", norm)):
        for step in reading.steps:
            step.act = "request"  # asked, but a person still confirms
    if (asks or not reading.steps) and not reading.unknown and foreign_hint(text):
        reading.intent, reading.status, reading.foreign = "foreign", "refuse", True
        reading.steps = []
        return reading
    if reading.unknown or asks:
        reading.status, reading.ambiguous = "ask", "; ".join(asks)
        reading.steps = []
    elif not reading.steps and any("outside what uvmgr does" in x for x in reading.skipped):
        reading.status = "refuse"
        reading.intent = "out_of_scope"
    elif not reading.steps:
        reading.status, reading.intent = "ask", "ask"
        reading.ambiguous = reading.ambiguous or "what you want done"
    if reading.steps:
        first = reading.steps[0]
        reading.intent, reading.act = first.intent, first.act
        reading.packages = list(first.packages or [])
        reading.specs, reading.level = list(first.specs), first.level
        reading.dev, reading.group = first.dev, first.group
    elif reading.status == "ask":
        reading.intent = "ask"
    return reading
