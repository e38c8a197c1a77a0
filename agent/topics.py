"""The intent a step carries: from its head verb and the words of its object ("patch the CVEs"
is a fix, "patch click" a patch-level upgrade, "refresh the lock file" a relock), or, for a
question or a verb-less request, from its topic words ("what needs updating", "any vulns?")."""

from __future__ import annotations

import re

from uvmgr.agent.position import verbless_change_allowed
from uvmgr.agent.reading import BUILD, CHECK, LIST, LOCK_OBJ, OUTDATED, SECURITY, TEST

_LOOKING = frozenset([
    "check", "verify", "validate", "inspect", "review", "look", "find", "see", "confirm",
])
_UPGRADE_WORD = re.compile(r"\b(upgrade|upgrades|update|updates|bump|bumps|newer|latest|newest|"
                           r"upgrad\w*|refresh|freshen|bring .* up to date)\b")
# The words that make a verb-less clause a change ("click upgrade please", "six removal").
_CHANGE_WORD = re.compile(r"\b(?:upgrad\w*|updat\w*|bump\w*|refresh\w*|freshen\w*|remov\w*|"
                          r"deletion|uninstall\w*|fix\w*|patch\w*|remediat\w*|resolv\w*|"
                          r"mitigat\w*|address\w*|re-?lock\w*|lock\w*|newer|latest|newest)\b")
_DOCS = re.compile(r"\b(docs|documentation|changelogs?|readme|release notes|manual)\b")
_STRONG_OUTDATED = re.compile(r"\b(outdated|out of date|behind|stale|newer|updates|upgrades|"
                              r"freshness|rotting|rotten|mou?ldy|drift|drifted|obsolete|"
                              r"lagging|old|older|available|"
                              r"(not|are not|is not) at (the|their) latest)\b")

_NEWER_AVAILABLE = re.compile(
    r"\bnew (majors?|minors?|versions?|releases?)\b|\bnew on pypi\b|"
    r"\b(majors?|minors?|patch(es)?|newer)( versions?| "
    r"releases?| updates?| upgrades?)? (waiting|available|pending|out)\b|\bneeds? (updating|"
    r"upgrading|bumping|an update|an upgrade|a bump)\b|\bversion check\b|\bhas a new release\b|"
    r"\bhave new releases\b|\b(are|is) behind\b")


# "is httpx safe?", "are we affected by the urllib3 thing?", "does that hit us?": advisories
_SAFETY = re.compile(r"^(?:so |and |but )?(?:is|are) (?!it\b)(?:we|[a-z0-9._-]+|(?:our|the) [a-z]+)"
                     r"(?: still| really| actually)? (?:safe|secure|affected|exposed|impacted|"
                     r"compromised|hit)\b(?! to\b| for (?:upgrading|updating|removing)\b)|"
                     r"\bdoes (?:it|this|that|[a-z0-9._-]+) (?:hit|affect|impact) (?:us|our)\b")


def topic_of(text: str) -> str:
    """The intent the words of a verb-less request or a question point to."""
    if SECURITY.search(text) or re.search(r"\baudit\b", text) or _SAFETY.search(text):
        return "audit"
    if re.search(r"\btests? (pass\w*|fail\w*|run|runs|green|work\w*)\b", text):
        return "test"  # "do the tests pass on the current lock"
    if _NEWER_AVAILABLE.search(text):
        return "outdated"  # "which deps have a major version waiting", "what needs updating"
    if re.search(r"\b(which|what) [a-z ]{1,25}\b(do|does) (we|this project|the project|it|our "
                 r"project|this repo) (use|have|run)\b", text):
        return "list"  # "which test runner does this project use?"
    if re.search(r"^pkg versions?\??$|\bin the lock ?file\b|\b(which|what) (pkg )?versions?\b|\blocked versions?\b|\b(is|are) (it |they )?locked\b"
                 r"|\bpinned\b", text) and not _STRONG_OUTDATED.search(text):
        return "list"
    if re.search(r"\b(?:version drift|rott(?:ing|en)|mou?ldy)\b", text):
        return "outdated"  # "anything rotting in the lock file", "the version drift vs pypi"
    if LOCK_OBJ.search(text):
        return "lock"
    if re.search(r"\b(outdated|out of date|out-of-date|behind|stale|newer|lagging|obsolete)\b",
                 text):
        return "outdated"
    if CHECK.search(text):
        return "check"
    if BUILD.search(text):
        return "build"
    if TEST.search(text):
        return "test"
    if OUTDATED.search(text):
        return "outdated"
    if re.search(r"\b(depend on|depending on|rely on|relying on|dependencies|packages|"
                 r"installed|using|use)\b", text) or \
            LIST.search(text):
        return "list"
    return ""


def intent_of(act: str, verb: str, rest: str, text: str, first_word: str) -> str:
    sec = bool(SECURITY.search(text))
    if re.fullmatch(r"(ruff|mypy|pyright|flake8|lint)( (and|,) (ruff|mypy|pyright|flake8|lint|types))*",
                    text):
        return "check"  # "ruff + mypy please"
    if re.search(r"\b(?:update|upgrade|brief|inform) (?:me|us|the team|everyone)\b", text) or \
            re.match(r"(?:give|post|send|share|write|prepare|draft|provide|compose|want|need|"
                     r"tell)\b.{0,30}\b(?:an? |the |any |some )?(?:status )?updates?\b", text):
        # "update me on what's outdated", "give me an update on click": a report, not a change
        return "audit" if SECURITY.search(text) else "outdated"
    if act == "howto" or verb == "docs":
        return "docs"
    if verb in ("generic", "list", "") and _DOCS.search(text) and (
            act in ("question", "howto") or first_word in _LOOKING | {"search", "read", "show"}
            or re.match(r"^(docs|documentation|changelog|readme)\b", text)):
        return "docs"
    if act in ("question", "deliberate") and re.search(
            r"\b(uv|uvmgr|pip|autopilot|traces?|exit codes?|cache|equivalent|docs?|"
            r"python versions?|requires-python|committed|commit|check(?:ed)? in|gitignore|"
            r"version control|"
            r"documentation|reproducible)\b", text) and not sec:
        return "docs"
    if act in ("question", "deliberate") or not verb:
        change_word = _CHANGE_WORD.search(text)
        if not verb and act == "command" and change_word and not verbless_change_allowed(
                text, change_word):
            # "the bot bumps rich", "everything got upgraded last night": a statement
            return "outdated" if re.search(r"\b(preview|simulate|dry[- ]?run)\b", text) else ""
        if not verb and act == "command":
            if sec and re.search(r"\b(fix|patch\w*|remediate|resolve|address|mitigate)\b", text):
                return "fix"
            if re.search(r"\b(bug ?fix\w*|patch\w*|minor|point) (releases?|versions?|"
                         r"updates?)\b|\b(upgrades?|updates?|bumps?) (to|at|within) (the )?"
                         r"(patch|minor)", text) and not sec:
                return "upgrade"
            if re.search(r"\b(preview|simulate|dry[- ]?run|hypothetically)\b", text):
                return "outdated" if _UPGRADE_WORD.search(text) else ""  # never the change
            if re.search(r"\b(removal|deletion|uninstall)\b", text) and not sec:
                return "remove"  # "six removal please", "removal of tqdm"
            if _UPGRADE_WORD.search(text) and not sec and (not OUTDATED.search(
                    re.sub(r"\blatest\b", "", text)) or re.search(r"\b(patch|minor|major|safe|"
                                                            r"all|only)\b", text)):
                return "upgrade"
            if re.search(r"\b(relock|re-lock|lock)\b", text) and not TEST.search(text):
                return "lock"
        if act in ("question", "deliberate"):
            if re.search(r"\b(what|anything) (is )?(new|changed)|\bwhat changed\b|\bchanges in\b|"
                         r"\bwhy\b", text) and not sec and not _NEWER_AVAILABLE.search(text):
                return "docs"
            if verb in ("upgrade",) or _UPGRADE_WORD.search(text) and not sec:
                return "outdated"
            if verb == "fix" and sec:
                return "audit"
            if verb in ("add", "remove", "lock"):
                return verb  # asked about, not commanded: the planner answers or asks back
        return topic_of(text)
    if verb == "upgrade":
        if sec:
            return "fix"
        if LOCK_OBJ.search(text) and not re.search(r"\b(dependencies|packages|everything|all)\b",
                                                    text):
            return "lock"
        return "upgrade"
    if verb == "remove":
        if first_word == "dump" and re.search(r"\b(dependencies|list|tree|packages)\b", text):
            return "list"  # "dump the deps": print them
        return "fix" if sec else "remove"
    if verb == "fix":
        if sec or first_word in ("remediate", "mitigate", "harden", "secure"):
            return "fix"
        if re.search(r"\b(outdated|out of date|stale|old)\b", text):
            return "upgrade"  # "fix the outdated deps"
        if first_word == "patch":
            return "upgrade"
        if LOCK_OBJ.search(text) or (first_word == "resolve" and "dependencies" in text):
            return "lock"
        return ""
    if verb == "list":
        topic = topic_of(text)
        if topic == "outdated" and not _STRONG_OUTDATED.search(text) and not \
                _NEWER_AVAILABLE.search(text):
            return "list"  # "list the current groups"
        return topic if topic in ("audit", "outdated", "test", "check") else "list"
    if verb == "generic":
        topic = topic_of(text)
        if first_word in ("apply", "do", "get", "go", "make", "pull", "take") and not sec and (
                _UPGRADE_WORD.search(text) or re.search(r"\b(bug ?fix\w*|patch\w*|minor|"
                                                        r"point) (releases?|versions?)\b", text)):
            return "upgrade"
        if first_word == "make" and re.search(r"\baudit\b.{0,20}\b(pass|green|clean|happy)\b",
                                              text):
            return "fix"  # "make the audit pass"
        if first_word in ("apply", "do", "get", "make", "sort", "clean") and sec and not \
                re.search(r"\b(check|scan|audit|report|review|look|sweep|pass|inspection|"
                          r"once-over|health ?check|check-?up|assessment|survey)\b", text):
            return "fix"  # "do something about the CVEs"; "do a vulnerability sweep" checks
        if first_word in ("move", "take", "bring", "push", "get"):
            if re.search(r"\bto (the )?(latest|newest|next|new|v?\d)", text) and not \
                    re.search(r"\b(group|dependencies|main|dev)\b", text):
                return "upgrade"
            return ""
        if topic == "lock" and first_word not in ("run", "do", "redo", "get"):
            return ""
        if topic == "lock" and first_word in _LOOKING:
            return ""
        if topic == "list" and first_word not in _LOOKING | {"run", "get"}:
            return ""
        return topic
    if verb in ("check", "test", "build") and sec:
        return "audit"
    if verb == "test" and re.match(r"^(whether|if)\b", rest):
        topic = topic_of(text)  # "test whether X is outdated": a question; a change asks back
        return topic if topic in ("outdated", "audit", "list", "check", "build", "test") else ""
    if verb == "test" and CHECK.search(text) and not TEST.search(text):
        return "check"  # "rerun the type checker"
    if verb == "build" and LOCK_OBJ.search(text):
        return "lock"  # "rebuild the lock"
    return verb
