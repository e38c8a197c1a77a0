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
# "what we discussed", "per ticket UV-1423", "as per the slack thread": the object is elsewhere
_ELSEWHERE = re.compile(
    r"\bwhat (?:we|you and i|they) (?:discussed|talked about|agreed(?: on)?|decided(?: on)?|"
    r"went over)\b|\b(?:as )?per (?:the |our |that |this )?(?:ticket|jira|issue|slack|thread|"
    r"e-?mail|meeting|call|chat|discussion|standup|notes)\b|\b(?:as )?per [a-z]{1,10}-\d+\b|"
    r"\bfrom (?:the |that |this |our )?(?:slack thread|slack|thread|standup|stand-up|meeting|"
    r"e-?mail|ticket|call|chat)\b")


def reference_elsewhere(norm: str, names_said: bool) -> str:
    """Why the request is asked back when what it points to is not in it ("" when it is not
    one). `names_said`: the request names a dependency, so a "per ticket X" is only a reason."""
    found = _DATED_OBJECT.search(norm) or (None if names_said else _ELSEWHERE.search(norm))
    if not found:
        return ""
    return (f"what \"{found.group(0).strip()}\" is: it is not in the request (name the package "
            f"and say what to do with it)")
