"""Shorthand and slang the request reader rewrites before reading ("pls", "deps", "u"), and
contractions expanded. Plain data (pattern, replacement), compiled once by `agent.reading`."""

from __future__ import annotations

_VERB_OF_PARTICIPLE = {"added": "add", "installed": "install", "upgraded": "upgrade",
                       "updated": "update", "bumped": "bump", "removed": "remove",
                       "dropped": "drop", "uninstalled": "uninstall"}

# Shorthand and slang, rewritten before reading ("pls", "deps", "u"); contractions expanded.
REWRITES: tuple[tuple[str, object], ...] = (
    (r"[\u2018\u2019`\u00b4]", "'"), (r"[\u201c\u201d]", '"'),
    (r"\bcan'?t\b", "can not"), (r"\bwon'?t\b", "will not"), (r"\bshan'?t\b", "shall not"),
    (r"\b(do|does|did|is|are|was|were|should|would|could|has|have|must|need)n'?t\b", r"\1 not"),
    (r"\b(do|does|did|is|are|was|were|should|would|could|has|have|must)nt\b", r"\1 not"),
    (r"\bdont\b", "do not"), (r"\bdoesnt\b", "does not"), (r"\bisnt\b", "is not"),
    (r"\b(what|that|it|there|who|where|how)'s\b", r"\1 is"), (r"\bwhats\b", "what is"), (r"\blet'?s\b", "let us"),
    (r"\b(i|we|you|they)'(d|ll|ve|re|m)\b", r"\1"), (r"\bi'?m\b", "i"),
    ((r"\b(pls|plz|plox|please|kindly|pretty please|thx|thanks|thank you|ty|cheers|asap|rn|"
      r"right now|real quick|quickly|quick|for me|for us|just|hey|hi|hello|yo|ok|okay|um|uh|"
      r"folks|team|mate|buddy|lol|lmao|haha|tbh|ngl|imo|fwiw|fr|xd|:\)|:-\))\b"), " "),
    # consent to breaking changes said as indifference
    ((r"\b(i|we) (do not|really do not) (care|mind) if (it|things|anything|stuff|something) "
      r"(breaks?|goes boom)\b"), "breaking is fine"),
    ((r"\b(i|we) (do not|really do not) (care about|mind) (the )?(breaking changes|breakage|"
      r"majors?|major (versions|upgrades|bumps|releases))\b"), "breaking changes are fine"),
    ((r"\b(sorry|apologies)\b[^.?!]{0,40}?\b(dumb|stupid|silly|basic|noob|newbie|obvious|"
      r"beginner)( question)?\b,?( but)?"), " "),
    ((r"\b(i|we) (have been|been|was|were|am|are) (meaning|wanting|going) to ask,?|\bwhen you "
      r"(get|have) (a|the) (sec|second|moment|minute|chance)\b|\bwhen you can\b"), " "),
    (r"\bgo ahead and\b", " "),
    (r"\b([a-z0-9._-]+)'s (fine|ok|okay|good|alright)\b", r"\1 is \2"),
    (r"\bu\b", "you"), (r"\bur\b", "your"), (r"\br\b", "are"), (r"\bpkgs?\b", "packages"),
    (r"\b(deps|dep|dependecies|dependancies|dependences|depenencies|dependcies|reqs)\b",
     "dependencies"),
    (r"\b(vulns?|vulnerabilites|vulnerabilties|vulnerabilitys|vulnerabilty|vulnerabilities)\b",
     "vulnerabilities"),
    (r"\bcves?\b(?!-\d)", "cves"), (r"\blockfile\b", "lock file"), (r"\buv\.lock\b", "lock file"),
    (r"\b(evrything|everyting|everthing|evertyhing|everythign)\b", "everything"),
    (r"\b(it )?would be (nice|good|great|cool) to have\b", "we want"),
    ((r"\b(and )?(skip|without) (the )?(confirmation|approval|prompt|asking)s?( for this one| "
      r"this time)?\b"), " "),
    (r"\b(outdatd|outdate|oudated|outdaetd|outated|otudated)\b", "outdated"),
    # "produce a wheel", "cut a build", "spit out an sdist": a making verb with a build object
    ((r"\b(?:produce|generate|create|make|cut|spit out|output|emit|crank out|churn out|whip up|"
      r"knock out|put together|assemble|fire off|kick off|trigger) (?:me |us )?(?:a |an |the |new |fresh |some |our )*"
      r"(?=(?:wheels?|sdists?|builds?|dists?|distributions?|build artifacts?)\b)"), "build "),
    # "I'd like structlog added", "we want six removed": a polite request, confirmed
    ((r"^\s*(?:so |and )?(?:i|we) (?:would |really |do )?(?:like|want|need) ([a-z][a-z0-9._-]*+"
      r"(?:\[[a-z0-9,._-]*+\])?(?:(?:,| and) [a-z][a-z0-9._-]*+)*) (added|installed|upgraded|"
      r"updated|bumped|removed|dropped|uninstalled)(?=\s*+[.!]?\s*+$)"),
     lambda m: f" could you {_VERB_OF_PARTICIPLE[m.group(2)]} {m.group(1)}"),
    # "dev dep: hypothesis", "new test dependency: respx": an add to the dev group
    ((r"^\s*(?:new |another )?(?:dev|development|test) (?:dependency|dependencies|package)\s*:?\s*"
      r"([a-z][a-z0-9._-]*+(?:\[[a-z0-9,._-]*+\])?(?:(?:,| and) [a-z][a-z0-9._-]*+)*)\s*$"),
     r" add \1 as a dev dependency "),
    (r"\b(?:whch|wich|whcih)\b", "which"), (r"\b(?:wat|wht|waht)\b", "what"),
    # "I'd rather you just show me ...": the request is what follows
    (r"\b(?:i|we) ++(?:would ++)?rather ++(?:you ++)?(?=(?!not\b)[a-z])", " "),
    (r"\bw/o\b", "without"), (r"\btry(ing)? (to )?", ""),
    (r"\bversion (one|two|three|four|five|six|seven|eight|nine|ten)\b(?! point)",
     lambda m: "version " + str([
         "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
     ].index(
         m.group(1)) + 1)), (r"\bw/(?=\s|$)", "with"), (r"\s&\s", " and "), (r"(?<=[a-z]) n (?=[a-z])", " and "), (r"\bthen\s+then\b", "then"),
)
