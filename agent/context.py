"""A step in the context of its request: the scope words around it (the dev, main and named
groups, narrowing qualifiers, dangling references), follow-ups that point back to the statement
before them ("the lock is out of sync, fix that"), and whether a request is about the project's
dependencies at all (what is not is refused, not asked back)."""

from __future__ import annotations

import re

from uvmgr.tools.project import normalize_name

DEV_TARGET = re.compile(r"\b(the |our |all )?(dev|development) (tools|deps|dependencies|group|"
                        r"packages|stuff)\b|\b(?:everything|all|anything|whatever is) (?:in|from|"
                        r"under) (?:the )?(?:dev|development)\b")
# "everything except / besides / apart from the dev group": the group is excluded, never selected
DEV_EXCLUDED = re.compile(
    r"\b(?:except(?: for)?|excepting|excluding|exclude|other than|apart from|aside from|besides|"
    r"but not|but|bar|barring|save for|with the exception of|leave|leaving|skip|skipping|"
    r"without touching|not|minus|ignore|ignoring|hold back|holding back|"
    r"(?:do not|never|don't) (?:touch|upgrade|update|bump|change|include)) "
    r"(?:the |our |any |all |of the )?(?:(?P<group>dev|development|test|testing)[ -](?:tools?|"
    r"tooling|deps|dependencies|dependency group|group|packages|stuff|ones|requirements|libraries|"
    r"libs)|(?P<bare>dev|development)(?= *+(?:[,;.!?]|and |please|$)))\b")
# "everything but the lint group": a group excluded that the reader cannot resolve asks, never
# widens to everything
GROUP_EXCLUDED = re.compile(r"\b(?:except(?: for)?|excluding|other than|apart from|aside from|"
                            r"besides|but not|but|bar|save for|minus|without|skip|leave|leaving)"
                            r" (?:the |our |all )?([a-z][a-z0-9_-]*+)[ -](?:group|extras?|deps|"
                            r"dependencies|packages|tools|tooling|stuff)\b")


# "... and tell me what changed", "then show me the diff": after a change, its own report
CHANGE_REPORT = re.compile(r"(?:(?:and|then|also|after that|afterwards) )*(?:please )?(?:(?:tell|"
                           r"show|give|send) (?:me|us) |let (?:me|us) know |report |summari[sz]e |"
                           r"list )(?:(?:what|which)(?: packages?| dependencies| versions?)? "
                           r"(?:changed|was changed|were changed|got (?:changed|upgraded|updated|"
                           r"bumped|fixed)|(?:was|were) (?:upgraded|updated|bumped|fixed)|moved|"
                           r"happened|you (?:did|changed|upgraded|fixed))|(?:a |the )?(?:diff|"
                           r"summary|changes?|changelog|report)(?: of (?:the |what )?changes?)?)"
                           r"(?: afterwards| after| after that| at the end)?\.?")
MAIN_TARGET = re.compile(r"\b(main|non-dev|runtime|production|prod)\b[ )(-]{0,3}(\(?non-dev\)? )?"
                         r"(deps|dependencies|packages|ones|requirements|group)\b")
# "everything in the docs group": a group the reader did not resolve narrows "everything"
GROUP_QUALIFIER = re.compile(r"\b(in|from|of|within|inside) (the |our )?[a-z][a-z0-9_-]* "
                             r"(group|extra|extras)\b")
NARROWING = re.compile(r"\b(pinned|failing|broken|flaky|slow|heavy|risky|big|huge|small|tiny|"
                       r"important|critical|unused|core|transitive|indirect|problematic|buggy|"
                       r"annoying|dangerous|deprecated|abandoned|unmaintained|worst|biggest)\b")
DANGLING = re.compile(r"^(and |then |and then |also )*(the other( one|s)?|the rest|the same|"
                      r"that one|this one|the one|another( one)?|those|these|them|it|one more|"
                      r"the others?)\b")


_REDO = re.compile(r"(?:(?:can|could|would|will) you )?(?:run|rerun|re-run|redo|do|fix|repeat|"
                   r"check)(?: (?:it|them|that|this|those|the check|the checks|the thing|again|"
                   r"once more))+\??")


def context_topic(clause, clauses: list) -> str:
    """The task a bare "run them again" / "fix that" points back to: the topic of the
    statement before it (tests, checks, the lock), or ""."""
    from uvmgr.agent.topics import topic_of

    if clause.intent or clause.act not in ("command", "request") or \
            not _REDO.fullmatch(clause.text):
        return ""
    i = clauses.index(clause)
    before = [c for c in clauses[:i] if c.act == "statement"]
    if not before:
        return ""
    topic = topic_of(before[-1].text)
    if clause.text.split(" ", 1)[0] == "fix":
        return {"lock": "lock", "audit": "fix"}.get(topic, "")
    return topic if topic in ("test", "check", "audit", "build") else ""


# Words that may join bare names carried over from the step before ("then httpx and rich too").
JOINERS = frozenset([",", "and", "also", "then", "too", "as", "well", "plus", "the", "&"])
HYPOTHETICAL = re.compile(r"(what happens|what would happen|what if|would (it|anything) "
                          r"break) ")
FIX_FINDINGS = re.compile(r"(?:if (?:anything|something|any\w*)(?: \w+)? (?:is |s |are )?"
                          r"(?:vulnerable|flagged|found|affected)\b,? )?(?:fix|patch|remediate|"
                          r"resolve|address)(?: them| it| those| whatever it finds| what it "
                          r"finds| anything it finds| everything it finds| the findings)?")
# A clause of its own that sets a condition or a time for the steps around it: "if the tests
# fail, remove six", "after the release, upgrade everything", "should the audit fail, fix it".
CONDITION_CLAUSE = re.compile(r"(?:if|when|whenever|unless|once|after|before|until|provided|"
                              r"assuming|in case|in the event|as soon as|should (?:the|it|we|"
                              r"they|anything|something|any))\b")
# "audit, and if anything is flagged, fix it": the fix covers what the audit found
FINDINGS_CONDITION = re.compile(r"if (?:(?:anything|something|any\w*)(?: \w+)? )?(?:is |s |are )?"
                                r"(?:vulnerable|flagged|found|affected)\b")
# A short question after a command that asks what the person thinks of it.
EVALUATIVE = re.compile(r"(?:(?:is (?:that|it|this) |would (?:that|it) be )?(?:a )?(?:good|bad|"
                        r"smart|wise|safe|ok|okay|fine|sensible|reasonable|risky|dumb)(?: idea| "
                        r"move| plan| call)?|thoughts|opinions?|objections|any objections|worth "
                        r"it|right|yes or no|yay or nay|makes sense|sound good|sounds good|agree|"
                        r"ok|what do you think|your take|wdyt)\??")
# A change asked about in general, naming no package: a how-to ("can I add a package from git?")
GENERIC_OBJECT = re.compile(r"\b(?:add|install|remove|drop|pin|upgrade|update) (?:a|an|any) "
                            r"(?:dependency|package|library|dep|requirement)\b|\b(?:from|straight "
                            r"from|directly from) (?:a |an )?(?:git|url|github|local|path|folder|"
                            r"directory|sibling)\b|\bonly (?:for|on) (?:windows|linux|mac\w*)\b")
FOLLOW_UP = re.compile(r"(?:(?:can|could|would|will) you |please |pls )?(?:look|check|have a "
                       r"look|take a look|find out|tell me|let me know|see)(?: into it| at it| "
                       r"for me| for us)?\??")


_DOMAIN = re.compile(r"\b(dependenc\w*|packages?|librar\w*|libs?|modules?|requirements?|"
                     r"versions?|pins?|pinned|lock\w*|uv|uvmgr|pypi|index|extras?|groups?|"
                     r"installed|it|that|this|them|those|these|one|ones|same|earlier|before|"
                     r"whatever|whichever|something|stuff|things?|everything|all|rest|others?|project|"
                     # a conversation turn, a report of a failure, a file that says what to do
                     r"yes|yep|no|nope|ok|go ahead|continue|proceed|help|hmm+|undo|usual|"
                     r"last time|did you|you did|should (i|we)|changes?|suggest\w*|errors?|"
                     r"import\w*|incompatible|conflicts?|fail\w*|broke\w*|ci|rejected|review|"
                     r"thinking|consider\w*|[a-z]+\.md|readme|contributing|stays?|below|above|"
                     r"[a-z]+-\d{4}-[\w-]+)\b")  # an advisory id: DEMO-2024-0003, CVE-2024-1234


DOCS_WORDS = re.compile(r"\b(docs?|documentation|changelogs?|release notes|manual|python|pip|"
                        r"venv|virtualenv|environment|pyproject|toml|script|command|cli|flag|"
                        r"option|config\w*|settings?|cache|workspace|trace\w*|autopilot|"
                        r"policy|model|offline|exit codes?|tools?)\b")


def out_of_domain(text: str, names: dict[str, str]) -> bool:
    """No dependency, no word of the project's dependencies, no task verb, no topic, no
    reference, no option."""
    from uvmgr.agent import reading as rd

    if "quoted-text" in text or "--" in text or _DOMAIN.search(text) or has_verb(
            text, task_only=True) or any(normalize_name(t) in names for t in rd.tokens(text)):
        return False
    return not any(p.search(text) for p in (rd.SECURITY, rd.OUTDATED, rd.TEST, rd.CHECK,
                                            rd.BUILD, rd.LOCK_OBJ, rd.LIST))


def has_verb(text: str, task_only: bool = False) -> bool:
    from uvmgr.agent.lexicon import HEAD_VERBS
    from uvmgr.agent.reading import gerund_stem

    words = [(task_only and gerund_stem(w)) or w for w in re.findall(r"[a-z-]+", text)]
    return any(w in HEAD_VERBS and not (task_only and HEAD_VERBS[w] in ("generic",
                                                                         "out_of_scope"))
               for w in words)
