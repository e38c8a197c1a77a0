"""References to something the request does not contain: "the security thing from this
morning", "the package from the slack thread", "what we discussed", "per ticket UV-1423". What
they point to is not in the request (and a ticket or a thread is not the person's request
anyway), so they are asked back, never planned as a change."""

from __future__ import annotations

import re

_WHEN_OR_WHERE = (r"(?:(?:the|this|last|yesterday's|today's|friday's|monday's|our|that|a)\s+)?"
                  r"(?:morning|afternoon|yesterday|earlier|last week|last night|week|standup|"
                  r"stand-up|meeting|call|slack(?: thread| channel| message)?|thread|e-?mail|"
                  r"mail|chat|ticket|jira(?: ticket)?|issue tracker|sync|retro|channel|dm|"
                  r"message|notes|demo|review|incident|sprint|planning|huddle|standup notes)\b")
# "the security thing from this morning", "the issue from yesterday", "the one from the standup"
_DATED_OBJECT = re.compile(
    r"\b(?:the|that|this)\s++(?:[a-z-]++\s++){0,2}?(?:thing|issue|one|package|problem|bug|change|"
    r"fix|cve|vuln|vulnerability|advisory|alert|stuff|request|item|update|upgrade|ticket|dep|"
    r"dependency|library|lib|bump|version|pr)s?\s++(?:(?:that\s++)?(?:we\s++)?(?:discussed|"
    r"talked about|saw|mentioned|raised|flagged|brought up|came up|posted|shared)\s++)?"
    r"(?:from|in|on|at|during)\s++" + _WHEN_OR_WHERE)
# "yesterday's upgrade", "last week's plan", "this morning's alert": dated, so elsewhere
_DATED_POSSESSIVE = re.compile(
    r"\b(?:yesterday|today|tonight|this morning|last (?:night|week|month|sprint|time|release)|"
    r"(?:mon|tues|wednes|thurs|fri|satur|sun)day)(?:'|\s)?s\s++(?:[a-z-]++\s++)?(?:upgrade|"
    r"update|bump|change|fix|plan|thing|issue|one|package|alert|cve|vulnerability|ticket|pr|"
    r"list|decision|request|removal|install|stuff|problem|advisory|email|message|notes)s?\b")
# "redo the last upgrade", "undo the previous change", "the usual upgrade", "the upgrade from
# before": a change made before, which the request does not say
_CHANGE_NOUN = (r"(?:upgrade|update|bump|change|fix|removal|install|lock|relock|pin|one|thing)"
                r"s?\b")
_PAST_CHANGE = re.compile(
    r"\b(?:the|that|our|my)\s++(?:last|previous|earlier|prior|usual|most recent|recent)"
    r"\s++(?:[a-z-]++\s++)?" + _CHANGE_NOUN + r"|\b(?:upgrade|update|bump|change|fix)s?"
    r"\s++(?:from|of)\s++(?:before|earlier|last time|the other day)\b|\b(?:undo|redo|repeat|"
    r"reapply|re-apply|roll back|revert)\s++(?:the|that|this|my|our)\s++(?:[a-z-]++\s++)?"
    + _CHANGE_NOUN)
# "the security thing", "that vuln thing": one thing the request does not name
_VAGUE_THING = re.compile(r"\b(?:the|that|this)\s++(?:security|vulns?|vulnerabilit(?:y|ies)|cves?|"
                          r"advisory)\s++(?:thing|one|stuff|business)\b")
# "what we discussed", "per ticket UV-1423", "as per the slack thread": the object is elsewhere
_ELSEWHERE = re.compile(
    r"\bwhat (?:we|you and i|they) (?:discussed|talked about|agreed(?: on)?|decided(?: on)?|"
    r"went over)\b|\b(?:as )?per (?:the |our |that |this )?(?:ticket|jira|issue|slack|thread|"
    r"e-?mail|meeting|call|chat|discussion|standup|notes)\b|\b(?:as )?per [a-z]{1,10}-\d+\b|"
    r"\bfrom (?:the |that |this |our )?(?:slack thread|slack|thread|standup|stand-up|meeting|"
    r"e-?mail|ticket|call|chat)\b")


_QUESTION = re.compile(r"(?:how|what|why|did|does|do (?:we|you|i|they)|can i|can we|is|are|"
                       r"was|were|should)\b")


def reference_elsewhere(norm: str, names_said: bool) -> str:
    """Why the request is asked back when what it points to is not in it ("" when it is not
    one). `names_said`: the request names a dependency, so a "per ticket X" is only a reason."""
    from uvmgr.agent.lexicon import HEAD_VERBS

    first = norm.split(None, 1)[0] if norm.split() else ""
    asked = HEAD_VERBS.get(first) == "out_of_scope" or "?" in norm or _QUESTION.match(norm.lstrip())
    past = None if asked else _PAST_CHANGE.search(norm) or _DATED_POSSESSIVE.search(norm)
    found = _DATED_OBJECT.search(norm) or _VAGUE_THING.search(norm) or past or (  # a question about a past change is answered
        None if names_said else _ELSEWHERE.search(norm))
    if not found:
        return ""
    return (f"what \"{found.group(0).strip()}\" is: it is not in the request (name the package "
            f"and say what to do with it)")
