"""The request grammar: rewrite shorthand, split a request into steps, and read each step as a
speech act (command, question, how-to, deliberation, statement, prohibition), an intent from
its head verb and object, targets (whole package tokens against the project's dependencies),
scope, exclusions, and a level with negation. Pure functions over strings; the lexicon is
compiled once at import."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from uvmgr.agent import lexicon as lx
from uvmgr.agent.position import BY_HAND, gerund_subject, narrated
from uvmgr.agent.rewrites import REWRITES as SHORTHAND
from uvmgr.tools.popular_names import TOP_NAMES
from uvmgr.tools.project import normalize_name

MUTATING_INTENTS = ("upgrade", "fix", "add", "remove", "lock")

REWRITES = [(re.compile(p), r) for p, r in SHORTHAND]
OP = r"(?:===|==|>=|<=|~=|!=|<|>)"
VER = r"v?[0-9][0-9a-z.*+!-]*"
_TOKEN = re.compile(rf"[a-z0-9][a-z0-9._-]*(?:\[[a-z0-9,._-]+\])?(?:{OP}{VER}"
                    rf"(?:,{OP}{VER})*)?|\?|,|;")
SPEC = re.compile(rf"^([a-z0-9][a-z0-9._-]*?)(\[[a-z0-9,._-]+\])?((?:{OP}{VER})"
                   rf"(?:,{OP}{VER})*)?$")


def _words(pattern: str) -> re.Pattern:
    return re.compile(rf"\b(?:{pattern})\b")


SECURITY = _words(lx.SECURITY)
LOCK_OBJ = _words(lx.LOCK_OBJECT)
TEST = _words(lx.TEST_WORDS)
BUILD = _words(lx.BUILD_WORDS)
CHECK = _words(lx.CHECK_WORDS)
LIST = _words(lx.LIST_WORDS)
OUTDATED = _words(lx.OUTDATED_WORDS)
HOWTO = re.compile(rf"^(?:{lx.HOWTO})|\b(?:how (do|can|should|would|could|to) (i|we|you|one)?)"
                    r"|\b(docs|documentation|changelog|release notes|readme)\b")
DELIBERATE = re.compile(rf"\b(?:{lx.DELIBERATE})\b")
QUESTION_START = re.compile(rf"^(?:{lx.QUESTION_OPENERS})\b")
POLITE = re.compile(rf"^(?:{lx.POLITE})\b\s*")
SUBJECT = re.compile(r"^(?:i|we|you|u)\s+(?:(?:really|also|now|still|probably|should|must|"
                      r"will|shall|gotta|got to|have to|need to|want to|wanna|wish to|would "
                      r"like to|plan to|are going to|am going to)\s+)*")
PROHIBIT = re.compile(r"^(?:do not|never|please do not|no need to|stop|avoid|not|hold off(?: on)?|"
                      r"cancel|pause|postpone|delay|defer|abort|halt|forget about|refrain from|"
                      r"hold (?=(?:the|that|this|these|those|any|all|our|my)\b)|"
                      r"put (?=.{1,40} on hold\b)|"
                      r"without (?=[a-z]+ing\b)|"
                      r"(?:upgrade|change|touch|install|remove|update|bump) nothing\b|no (?=(?:"
                      r"upgrades|updates|changes|bumps|removals|installs|adds)\b)|(?:i|we) "
                       r"(?:do not|really do not|would not|never) (?:want|need|wish) (?:you (?:to "
                       r")?|to ))\b")
NARRATIVE = re.compile(r"^(after|since|because|when|while|although|though|ever since|before|"
                        r"had (we|i)|if (we|i) had) "
                        r"(?!that\b|done\b|well\b)")
# A verb-less clause that tells (who uses what, what broke): context, not a task.
TELLS = re.compile(r"\b(is|are|was|were|lives|mentioned|mentions|says|said|shows|renders|uses|"
                    r"used|broke|opened|reports|looked|looks|seems|seemed|"
                    r"failed|fails|fail|crash|crashes|errors out|complained|wants|"
                    r"thinks|told|reports|flags|flagged|match|matches|does not|do not|is not|"
                    r"has|have|had|"
                    r"are not)\b")
REPORTED = re.compile(r"\b(was|were|got|has been|have been|is being|are being|had been) "
                       r"(rejected|declined|reverted|refused|denied|blocked|vetoed|turned down|"
                       r"shot down|rolled back|undone|discussed|proposed|suggested)\b")
# "numpy people say to upgrade often", "someone told me to relock", "they recommend pinning":
# what others said is reported, never commanded by the person.
REPORTED_SPEECH = re.compile(r"^(?!(?:please|pls|can|could|would|will|you|just)\b)"
                             r"(?:[a-z0-9._-]+ ){1,5}?(?:say|says|said|keep saying|keeps saying|"
                             r"told (?:me|us|everyone)|was told|were told|got told|recommend|"
                             r"recommends|recommended|suggest|suggests|suggested|advise|advises|"
                             r"advised|claim|claims|claimed)\s+(?:to|that|we|you|i|us|everyone|"
                             r"people|[a-z]+ing)\b(?! (?:keep|leave|hold|not|never|avoid)\b)")
EMBEDDED_QUESTION = re.compile(r"\b(?:wants?|wanted|wanna|needs?|would like|asked|asks|asking|"
                               r"wondering|wonders?|curious|not sure|unsure|no idea)"
                               r"(?: (?:me|us))?(?:(?: to)? know)? (?:if|whether)\b")
# "removing six was a no-go", "bumping rich got us into trouble": a gerund subject reports.
GERUND_REPORT = re.compile(r"^([a-z]+ing) [^,;.:]{1,40}?\b(was|were|is|got|has been|had been|"
                           r"would be|broke|caused)\b")
OUT = re.compile(rf"\b(?:{lx.OUT_OF_SCOPE})\b")
STRONG_OUT = re.compile(rf"(?:{lx.STRONG_OUT_OF_SCOPE})\b")
AMBIG = re.compile(rf"^(?:{lx.AMBIGUOUS_TARGETS})$")
PHRASAL = [(re.compile(rf"^(?:{p})\b"), intent) for p, intent in lx.PHRASAL_VERBS]
PIN = re.compile(r"\b(pin|downgrade|roll ?back|revert|lock|hold|freeze|set)\s+"
                  r"([a-z0-9][a-z0-9._-]*)\s+(?:back )?(?:to|at|on|==)\s*(?:exactly\s+)?"
                  r"(?:version\s+)?v?"
                  r"(\d[\w.]*\w|\d)\b")
EXCLUDE = re.compile(rf"\b(?:{lx.EXCLUDE})\b")
SCOPE_ALL = re.compile(rf"\b(?:{lx.SCOPE_ALL})\b")
DEV = re.compile(r"\bfor [a-z ]{0,12}\b(tests?|testing)\b|"
                  r"\b(dev|development)\b (dependenc\w+|dep|group|only|requirement\w*|extra)|"
                  r"\b(test|testing|tests)\b (dependenc\w+|dep|only|requirement\w*)|\bas (a )?dev\b|--dev\b|\bfor (the )?(tests?|testing|"
                  r"dev|development)\b|\bto (the )?dev\b|\b(dev|test|tests|testing)-only\b")
GROUP = re.compile(r"\bgroup (?:called|named) ([a-z0-9_-]+)"
                    r"|(?:to|in|into|under) (?:the |a |our )?(?!(?:a|an|the|new|our|that|this)"
                    r" )([a-z0-9_-]+) (?:dependency )?group(?! (?:called|named)\b)"
                    r"|\b(?:to|into|in) (?:the )?(docs|doc|lint|typing|test|tests)\s*$"
                    r"|--group[ =]([a-z0-9_-]+)"
                    # "add X to group perf": the name after the noun
                    r"|\b(?:to|in|into|under) (?:the )?group (?!(?:a|an|the|new|called|named|of|"
                    r"for|with|and|them|it|that|this)\b)([a-z][a-z0-9_-]*)\b")
STOP_OBJECT = frozenset([
    "to", "as", "for", "in", "into", "so", "because", "since", "which", "that", "from", "with",
    "on", "at", "when", "while", "if", "once", "after", "before", "unless", "until", "via", "by",
])
CONNECTORS = re.compile(r"^(?:and|also|then|plus|so|ok so|well|alright|anyway|afterwards|"
                        r"after that|after|next|finally|"
                         r"first|firstly|secondly|lastly|once done|once that is done|when done|"
                         r"and then|and after that|and finally|and also|but|too|as well)\b\s*")


@dataclass
class Clause:
    """One step of a request, as the grammar reads it."""

    text: str
    act: str = "command"  # command | question | howto | deliberate | statement | prohibition
    intent: str = ""  # "" when no verb or keyword says what to do
    packages: list[str] = field(default_factory=list)  # project dependencies, exact or corrected
    all_packages: bool = False  # "everything", "all the deps"
    excluded: list[str] = field(default_factory=list)
    specs: list[str] = field(default_factory=list)  # requirements to add, PEP 508
    level: str = "minor"
    major_asked: bool = False  # an explicit positive "major"/"breaking"/"to version N"
    level_negated: bool = False
    dev: bool = False
    group: str | None = None
    typos: list[str] = field(default_factory=list)  # names corrected to a dependency
    unknown: list[tuple[str, str | None]] = field(default_factory=list)  # (name, did you mean)
    ambiguous: str = ""  # why this step needs a person
    reference: str = ""  # "the rest", "the other one": resolvable only by an earlier step
    pin: bool = False  # "pin/downgrade X to V"
    not_done: str = ""  # a clause of its own after an add's names: "reformat the code with it"


def verb_of(word: str) -> str:
    return lx.HEAD_VERBS.get(word, "")


def tokens(text: str) -> list[str]:
    return [t.rstrip(".") for t in _TOKEN.findall(text)]


def head(clause: str) -> tuple[str, str, str]:
    """(act, head verb's intent or "", the rest after the head verb)."""
    text = clause.strip(" ,.!")
    if NARRATIVE.match(text):
        return "statement", "", text  # "after upgrading click the tests fail": context
    text = CONNECTORS.sub("", text)
    text = CONNECTORS.sub("", text)
    lead = re.match(r"^(?:so|to|now|ok so|and so|go|go and|come on|pls|please|uv|uvmgr)\s+(\S+)",
                    text)
    if lead and (verb_of(lead.group(1)) not in ("", "generic") or verb_of(
            misspelt_verb(lead.group(1)))):
        text = text[lead.start(1):]  # "so add tenacity", "please to remove six"
    if PROHIBIT.match(text) and not re.match(r"^not sure (if|whether)\b", text):
        rest = PROHIBIT.sub("", text, count=1).strip()
        return "prohibition", _verb_intent(rest)[0], rest
    gerund = GERUND_REPORT.match(text)
    if NARRATIVE.match(text) or REPORTED.search(text) or REPORTED_SPEECH.match(text) or (
            gerund and gerund_stem(gerund.group(1))):
        # "the upgrade of click was rejected", "removing six was a no-go": a report, not a wish
        return "statement", "", text
    first = text.split(" ", 1)[0]
    if verb_of(gerund_stem(first)) in MUTATING_INTENTS and gerund_subject(text, first):
        return "statement", "", text  # "upgrading click breaks the cli": its subject
    question = text.endswith("?") or bool(re.search(r"\bor what$", text))
    text = text.rstrip("?")
    if re.search(r"\bor what$", text):  # (no leading \s* in a pattern: quadratic on spaces)
        text = text[:-len("or what")]
    text = text.strip()
    embedded = EMBEDDED_QUESTION.search(text)
    if embedded:  # "the lead wants to know if anything has advisories": asked, not told
        rest = text[embedded.end():].strip()
        polite_ask = re.match(r"^(?:you|u) (?:could|can|would|might|will)(?: please)? ", rest)
        if polite_ask:  # "I was wondering whether you could upgrade click": a polite request
            return "request", *_verb_intent(rest[polite_ask.end():])
        return "question", "", rest
    polite = POLITE.match(text)
    if polite:
        text = text[polite.end():]
        if PROHIBIT.match(text):  # "let us hold the click bump", "could you pause upgrading"
            rest = PROHIBIT.sub("", text, count=1).strip()
            return "prohibition", _verb_intent(rest)[0], rest
        if question or re.search(r"\b(can|could|would|will|wo|might) you\b|\bchance (that )?"
                                 r"(you|u) ", polite.group(0)):
            return "request", *_verb_intent(text)  # "could you fix ...": asked, not commanded
        question = False
    if HOWTO.match(text) or re.match(r"^(what is|what are) the (way|command|syntax)|how (i|we) "
                                      r"(can|could|should|do)\b|where (is|are|does|do)\b", text):
        return "howto", "docs", text
    if DELIBERATE.match(text) or (question and DELIBERATE.search(text)):
        rest = re.sub(r"^(?:if |whether )?(?:(?:to|we|i|you)\s+)?", "",
                      DELIBERATE.sub("", text, count=1).strip(" ,"))
        first = rest.split(" ", 1)[0]
        past = next((verb_of(first[:-n]) for n in (1, 2, 3) if first.endswith("ed") and
                     verb_of(first[:-n]) not in ("", "generic")), "")
        return "deliberate", _verb_intent(rest)[0] or past, text  # "what if we bumped X"
    if not polite and QUESTION_START.match(text) and (question or not re.match(
            r"^(do|did|make|get) (the|a|an|all|some|those|these|again)\b", text)):
        return "question", "", text
    if re.match(r"^(?:need|needs|want|require|gotta have)\s+(?!to\b|you\b)", text) and \
            not question:
        return "statement", "", text  # "need httpx-sse": a wish without a subject
    subject = SUBJECT.match(text)
    if subject and not polite:
        rest = text[subject.end():]
        if re.match(r"^(?:are |am |were |was )?[a-z]{3,}ing\b", rest) and not question:
            return "statement", "", text  # "we're adding retries to the client": narrative
        if question and not _verb_intent(rest)[0]:
            return "question", "", text  # "we vulnerable or what"
        intent, after = _verb_intent(rest)
        if intent in MUTATING_INTENTS and not question and (narrated(subject.group(0)) or
                                                            BY_HAND.search(text)):
            return "statement", "", text  # "we remove six every release": a habit told
        return ("statement" if question is False else "question"), intent, after
    intent, after = _verb_intent(text)
    if not intent and not question and TELLS.search(text):
        return "statement", "", text
    return ("question" if question else "command"), intent, after


def _verb_intent(text: str) -> tuple[str, str]:
    text = text.strip()
    if re.match(r"^lock file\b", text):
        return "", text  # "lock file does not match pyproject": a noun, not the verb
    for pattern, intent in PHRASAL:
        m = pattern.match(text)
        if m:
            obj = next((v for k, v in m.groupdict().items() if v), "")
            return intent, f"{obj} {text[m.end():]}".strip()  # "bring click up to date"
    first, _, rest = text.partition(" ")
    intent = verb_of(first) or verb_of(gerund_stem(first)) or verb_of(misspelt_verb(first))
    if intent:
        if rest.startswith(("up ", "out ", "in ")) and intent in ("generic", "upgrade"):
            rest = rest.split(" ", 1)[1] if " " in rest else ""
        if rest.startswith("of ") and intent in ("upgrade", "remove"):
            rest = rest[3:]  # "upgrade of rich please"
        return intent, rest
    return "", text


def gerund_stem(word: str) -> str:
    """"building" -> "build", "updating" -> "update", "running" -> "run"."""
    if not word.endswith("ing") or len(word) < 6:
        return ""
    stem = word[:-3]
    found = [c for c in (stem, stem + "e", stem[:-1]) if c in lx.HEAD_VERBS]
    correct = [c for c in found if c not in lx.MISSPELT_VERBS]  # "upgrading" is "upgrade"
    return (correct or found or [""])[0]


def misspelt_verb(word: str) -> str:
    """The intent verb a misspelt first word stands for ("regenrate" -> "regenerate")."""
    if word in lx.MISSPELT_VERBS:
        return word
    if len(word) < 4 or word in lx.ENGLISH or word in lx.HEAD_VERBS or gerund_stem(word) or \
            word.rstrip("sd") in lx.HEAD_VERBS or word[:-2] in lx.HEAD_VERBS:
        return ""
    from uvmgr.agent.specs import _one_slip

    swapped = [v for v in STRONG_VERBS if len(v) == len(word) and _one_slip(word, v)]
    if swapped:
        return swapped[0]  # "lnit" is "lint" (swapped letters), not "list"
    if not any(v[0] == word[0] for v in STRONG_VERBS):
        return ""
    close = difflib.get_close_matches(word, STRONG_VERBS, n=1, cutoff=0.75 if len(word) < 6
                                      else 0.84)
    if close and close[0][0] == word[0]:
        return close[0]
    from uvmgr.agent.specs import _one_slip

    # two neighbouring letters swapped: "relcok", "udpate"
    return next((v for v in STRONG_VERBS if len(v) >= 5 and _one_slip(word, v)), "")


STRONG_VERBS = sorted(w for w, i in lx.HEAD_VERBS.items() if i != "generic" and len(w) >= 4)


def is_name_like(tok: str) -> bool:
    """Could be a package name: not an English word, a verb form or a topic word."""
    if not re.match(r"^[a-z][a-z0-9._-]*[a-z0-9](\[[a-z0-9,._-]+\])?$", tok):
        return False
    if tok in lx.ENGLISH or tok in lx.HEAD_VERBS or re.match(r"^[a-z]{3,}(ing|ed|ly|ness)$", tok):
        return False
    return not any(p.fullmatch(tok) for p in (SECURITY, OUTDATED, TEST, CHECK, BUILD,
                                              LOCK_OBJ))


def match_package(tok: str, known: dict[str, str], strict: bool) -> tuple[str, bool]:
    """(dependency name, corrected) for a token, or ("", False)."""
    m = SPEC.match(tok)
    if not m:
        return "", False
    name = normalize_name(m.group(1))
    if name in known:
        return name, False
    if not strict and f"python-{name}" in known:
        return f"python-{name}", True  # "dateutil": the project's python-dateutil, confirmed
    if strict or len(name) < 4 or name in lx.ENGLISH or name in lx.HEAD_VERBS:
        return "", False
    # A typo keeps the length (swapped, doubled or dropped letters); "requests-mock" is not
    # a misspelt "requests".
    close = [c for c in difflib.get_close_matches(name, list(known), n=3, cutoff=0.75)
             if abs(len(c) - len(name)) <= 1 and not not_a_typo(name, c)]
    return (close[0], True) if close else ("", False)


def not_a_typo(name: str, dep: str) -> bool:
    """True when the typed name cannot be a misspelt dep: it is itself a known package
    ("pytest-mock"), or it shares dep's prefix and differs by a whole other last word
    ("pytest-xyz" / "pytest-cov"). The one rule for the planner and for provenance."""
    if name in TOP_NAMES and name != dep:
        return True
    head, sep, tail = name.rpartition("-")
    dhead, dsep, dtail = dep.rpartition("-")
    if not (sep and dsep) or head != dhead:
        return False
    return difflib.SequenceMatcher(None, tail, dtail).ratio() < 0.6


def suggestion(name: str, known: dict[str, str]) -> str | None:
    close = difflib.get_close_matches(normalize_name(name), list(known), n=1, cutoff=0.6)
    return close[0] if close else None
