"""Reading a request without a model: the one request reader.

`read_request` reads a request with the grammar (`agent.reading`, `agent.clauses`) into a
`Reading`: its speech act, steps in order (intent, targets, scope, level), and whether to act,
ask back or refuse. Only where the grammar finds no verb and no keyword does a nearest-neighbour
matcher over example phrasings (TF-IDF of character n-grams and words, standard library only)
guess, and only above a calibrated confidence. `strict=True` is the reading `--yes` trusts
(`agent.authority`): no typo tolerance, no guessing."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

from uvmgr.prompts.intents import INTENT_EXAMPLES
from uvmgr.tools.project import normalize_name

THRESHOLD = 0.22
# Above this the matcher's guess is used when the grammar found nothing; below, ask back.
# Calibrated on train+dev (full accuracy): off 95.4%, 0.30 95.2%, 0.45 95.8%, 0.60 95.9%.
CONFIDENT = 0.6
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
STOPWORDS = frozenset([
    "a", "an", "the", "to", "and", "then", "also", "please", "add", "install", "include", "using",
    "use", "in", "into", "of", "on", "for", "from", "as", "my", "our", "project", "dependency",
    "dependencies", "dep", "deps", "group", "dev", "development", "package", "packages", "with",
    "it", "that", "i", "we", "need", "want", "new", "run", "tests", "test", "pytest", "check",
    "make", "sure", "start", "library", "lib", "module", "can", "you", "would", "like", "latest",
    "version", "versions", "newest", "recent", "optional", "extra", "requirement", "requirements",
    "docs", "be", "is", "but", "not", "or", "so", "if", "all", "any", "some", "only", "keep",
    "this", "these", "those", "them", "they", "what", "which", "who", "how", "why", "when",
    "where", "there", "here", "me", "you", "your", "his", "her", "its", "their", "do", "does",
    "did", "done", "have", "has", "had", "get", "got", "let", "made", "up", "down", "out", "over",
    "under", "again", "more", "most", "other", "same", "such", "no", "nor", "too", "very", "will",
    "should", "now", "than", "once", "safely", "safe", "everything", "anything", "update",
    "upgrade", "remove", "bump", "fix", "audit", "list", "show", "thanks", "are", "was", "were",
    "been", "being", "at", "by", "about", "against", "between", "through", "during", "before",
    "after", "above", "below", "off",
])


_FILLER = re.compile(r"\b(please|kindly|can you|could you|would you|i want to|i'd like to|just|"
                     r"for me|thanks|thank you|hey|ok|okay)\b")


def _features(text: str) -> Counter:
    text = _FILLER.sub(" ", text.lower())
    text = " " + re.sub(r"\s+", " ", text.strip(" ?!.")) + " "
    grams = Counter()
    for n in (3, 4, 5):
        for i in range(len(text) - n + 1):
            grams[text[i:i + n]] += 1
    for word in _WORD.findall(text):
        grams["w:" + word] += 2
    return grams


class IntentMatcher:
    """Nearest neighbour by cosine similarity of TF-IDF vectors."""

    def __init__(self, examples: dict[str, tuple[str, ...]] = INTENT_EXAMPLES):
        self.rows: list[tuple[str, Counter]] = []
        docs = [(intent, _features(text)) for intent, texts in examples.items() for text in texts]
        df: Counter = Counter()
        for _, feats in docs:
            df.update(feats.keys())
        n = len(docs)
        self.idf = {k: math.log((1 + n) / (1 + v)) + 1 for k, v in df.items()}
        self.rows = [(intent, self._weigh(feats)) for intent, feats in docs]

    def _weigh(self, feats: Counter) -> dict[str, float]:
        vec = {k: v * self.idf.get(k, 1.0) for k, v in feats.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {k: v / norm for k, v in vec.items()}

    def scores(self, text: str) -> dict[str, float]:
        query = self._weigh(_features(text))
        best: dict[str, float] = {}
        for intent, vec in self.rows:
            score = sum(w * vec.get(k, 0.0) for k, w in query.items())
            best[intent] = max(best.get(intent, 0.0), score)
        return best

    def classify(self, text: str) -> tuple[str, float]:
        scores = self.scores(text)
        intent, score = max(scores.items(), key=lambda kv: kv[1])
        if score < THRESHOLD:
            return "out_of_scope", score
        return intent, score




@dataclass
class Step:
    """One thing to do, in order."""

    intent: str
    packages: list[str] | None = None  # None: every dependency
    specs: list[str] = field(default_factory=list)
    level: str = "minor"
    dev: bool = False
    group: str | None = None
    act: str = "command"
    major_asked: bool = False
    excluded: list[str] = field(default_factory=list)
    guessed: bool = False  # from the matcher, not the grammar: never approved by --yes


@dataclass
class Reading:
    intent: str  # the first step's intent, or "ask", "out_of_scope", "foreign"
    score: float
    text: str = ""
    packages: list[str] = field(default_factory=list)  # project dependencies the request names
    specs: list[str] = field(default_factory=list)  # requirements to add, as written
    level: str = "minor"
    group: str | None = None
    dev: bool = False
    then_test: bool = False
    ambiguous: str = ""  # why the reader asks back instead of acting
    act: str = "command"  # the speech act of the first step
    steps: list[Step] = field(default_factory=list)
    status: str = "act"  # act | ask | refuse
    unknown: list[tuple[str, str | None]] = field(default_factory=list)  # not dependencies
    typos: list[str] = field(default_factory=list)  # names corrected to a dependency
    skipped: list[str] = field(default_factory=list)  # parts not done, and why
    foreign: bool = False


def _foreign(text: str) -> str:
    """The intent of a request written in another language ("" when it is not one)."""
    from uvmgr.agent.lexicon import FOREIGN_VERBS, FOREIGN_WORDS

    words = re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", text.lower())
    if not words:
        return ""
    non_latin = sum(1 for ch in text if ch.isalpha() and ord(ch) > 0x24F)
    hits = sum(1 for w in words if w in FOREIGN_WORDS)
    accented = sum(1 for w in words if re.search(r"[àâäçéèêëîïôöùûüñßãõ¿¡]", w))
    if non_latin >= 2 or (hits + accented >= 2 and (hits + accented) / len(words) >= 0.25) or \
            words[0] in FOREIGN_VERBS:
        lower = text.lower()
        verb = next((i for v, i in FOREIGN_VERBS.items() if v in lower), "")
        return verb or "?"
    return ""


def _compiled(pattern: str) -> re.Pattern:
    return re.compile(rf"\b(?:{pattern})\b")


from uvmgr.agent.lexicon import (
    DEFERRED,
    MISSPELT_WORDS,
    SELF_APPROVE,
    SELF_CORRECTION,
)

_SELF_APPROVE = _compiled(SELF_APPROVE)
_DEV_TARGET = re.compile(r"\b(the |our |all )?(dev|development) (tools|deps|dependencies|group|"
                         r"packages|stuff)\b")
_DEV_EXCLUDED = re.compile(r"\b(except|excluding|other than|apart from|but not|but|leave|skip|"
                           r"without touching|not|minus|save for) (the |our |any )?(dev|development|"
                           r"test|testing) (tools?|tooling|deps|dependencies|group|packages|stuff|"
                           r"ones)\b")


_MAIN_TARGET = re.compile(r"\b(main|non-dev|runtime|production|prod)\b[ )(-]{0,3}(\(?non-dev\)? )?"
                          r"(deps|dependencies|packages|ones|requirements|group)\b")
# "everything in the docs group": a group the reader did not resolve narrows "everything"
_GROUP_QUALIFIER = re.compile(r"\b(in|from|of|within|inside) (the |our )?[a-z][a-z0-9_-]* "
                              r"(group|extra|extras)\b")
_NARROWING = re.compile(r"\b(pinned|failing|broken|flaky|slow|heavy|risky|big|huge|small|tiny|"
                        r"important|critical|unused|core|transitive|indirect|problematic|buggy|"
                        r"annoying|dangerous|deprecated|abandoned|unmaintained|worst|biggest)\b")
_DANGLING = re.compile(r"^(and |then |and then |also )*(the other( one|s)?|the rest|the same|"
                       r"that one|this one|the one|another( one)?|those|these|them|it|one more|"
                       r"the others?)\b")


_REDO = re.compile(r"(?:(?:can|could|would|will) you )?(?:run|rerun|re-run|redo|do|fix|repeat|"
                   r"check)(?: (?:it|them|that|this|those|the check|the checks|the thing|again|"
                   r"once more))+\??")


def _context_topic(clause, clauses: list) -> str:
    """The task a bare "run them again" / "fix that" points back to: the topic of the
    statement before it (tests, checks, the lock), or ""."""
    from uvmgr.agent.clauses import _topic

    if clause.intent or clause.act not in ("command", "request") or \
            not _REDO.fullmatch(clause.text):
        return ""
    i = clauses.index(clause)
    before = [c for c in clauses[:i] if c.act == "statement"]
    if not before:
        return ""
    topic = _topic(before[-1].text)
    if clause.text.split(" ", 1)[0] == "fix":
        return {"lock": "lock", "audit": "fix"}.get(topic, "")
    return topic if topic in ("test", "check", "audit", "build") else ""


# Words that may join bare names carried over from the step before ("then httpx and rich too").
_JOINERS = frozenset([",", "and", "also", "then", "too", "as", "well", "plus", "the", "&"])
_HYPOTHETICAL = re.compile(r"(what happens|what would happen|what if|would (it|anything) "
                           r"break) ")
_FIX_FINDINGS = re.compile(r"(?:if (?:anything|something|any\w*)(?: \w+)? (?:is |s |are )?"
                           r"(?:vulnerable|flagged|found|affected)\b,? )?(?:fix|patch|remediate|"
                           r"resolve|address)(?: them| it| those| whatever it finds| what it "
                           r"finds| anything it finds| everything it finds| the findings)?")
_FOLLOW_UP = re.compile(r"(?:(?:can|could|would|will) you |please |pls )?(?:look|check|have a "
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


_DOCS_WORDS = re.compile(r"\b(docs?|documentation|changelogs?|release notes|manual|python|pip|"
                         r"venv|virtualenv|environment|pyproject|toml|script|command|cli|flag|"
                         r"option|config\w*|settings?|cache|workspace|trace\w*|autopilot|"
                         r"policy|model|offline|exit codes?|tools?)\b")


def _out_of_domain(text: str, names: dict[str, str]) -> bool:
    """No dependency, no word of the project's dependencies, no task verb, no topic, no
    reference, no option."""
    from uvmgr.agent import reading as rd

    if "quoted-text" in text or "--" in text or _DOMAIN.search(text) or _has_verb(
            text, task_only=True) or any(normalize_name(t) in names for t in rd.tokens(text)):
        return False
    return not any(p.search(text) for p in (rd.SECURITY, rd.OUTDATED, rd.TEST, rd.CHECK,
                                            rd.BUILD, rd.LOCK_OBJ, rd.LIST))


def _has_verb(text: str, task_only: bool = False) -> bool:
    from uvmgr.agent.lexicon import HEAD_VERBS
    from uvmgr.agent.reading import gerund_stem

    words = [(task_only and gerund_stem(w)) or w for w in re.findall(r"[a-z-]+", text)]
    return any(w in HEAD_VERBS and not (task_only and HEAD_VERBS[w] in ("generic",
                                                                         "out_of_scope"))
               for w in words)


def _foreign_hint(text: str) -> bool:
    from uvmgr.agent.lexicon import FOREIGN_WORDS

    words = re.findall(r"[^\W\d_]+", text.lower())
    return any(ord(ch) > 127 for ch in text if ch.isalpha()) or sum(
        w in FOREIGN_WORDS for w in words) >= 2


def read_request(text: str, known: list[str], matcher: IntentMatcher | None = None, *,
                 strict: bool = False, dev: tuple[str, ...] | list[str] = ()) -> Reading:
    """Read a request against the project's dependencies (`known`; `dev`: those of them in
    the dev group, so "everything except the dev tools" can be read)."""
    from uvmgr.agent.clauses import merge_modifiers, read_clause
    from uvmgr.agent.reading import MUTATING_INTENTS, tokens
    from uvmgr.agent.steps import normalise, split_steps
    from uvmgr.agent.targets import normalized_known

    reading = Reading("ask", 1.0, text)
    foreign = _foreign(text)
    if foreign:
        reading.intent, reading.status, reading.foreign = "foreign", "refuse", True
        reading.ambiguous = foreign
        return reading
    norm = normalise(text)
    if _SELF_APPROVE.search(norm):
        reading.intent, reading.status = "out_of_scope", "refuse"
        reading.skipped.append("approving changes on your behalf: only you can approve them")
        return reading
    names = normalized_known(known)
    clauses = merge_modifiers(split_steps(norm), names, strict)
    asks: list[str] = []
    previous = ""
    hypothetical = False
    last_targets: list[str] = []
    for clause in clauses:
        if not clause.intent and previous in ("upgrade", "remove", "outdated") and \
                clause.act == "command" and clause.packages and not clause.ambiguous and all(
                    normalize_name(t) in names or t in _JOINERS for t in tokens(clause.text)):
            clause.intent = previous  # "upgrade requests, then httpx"
        if not clause.intent and previous == "add" and clause.act == "command" and \
                re.match(r"[a-z0-9][a-z0-9._-]*(\[[a-z0-9,._-]+\])? (to|as|in|into)\b",
                         clause.text):
            # "add ipython to dev, and mkdocs to docs": the verb carries over, never dropped
            again = read_clause(f"add {clause.text}", names, strict)
            if again.specs and not again.ambiguous:
                clause = again
        if hypothetical:
            hypothetical = not clause.text.endswith("?")
            continue  # "what happens if I upgrade everything and then build?": all of it asked
        if clause.act in ("question", "deliberate") and _HYPOTHETICAL.match(clause.text):
            hypothetical = not clause.text.endswith("?")
        if previous == "audit" and _FIX_FINDINGS.fullmatch(clause.text):
            # "audit, fix, and build", "audit, then fix whatever it finds", "audit and if
            # anything is vulnerable fix it": the fix covers what the audit found; confirmed
            conditional = clause.text.startswith("if ")
            clause.intent, clause.ambiguous, clause.packages = "fix", "", []
            clause.act = "request" if conditional else clause.act
        if previous in ("test", "check", "build", "audit") and re.fullmatch(
                r"(show|print|list|give|tell)( me| us)?( (the )?(failures|errors|results|output|"
                r"report|them|those|it|artifacts?|artifact sizes|sizes|files|paths))?\??",
                clause.text):
            continue
        context = _context_topic(clause, clauses)
        if context:
            # "the lock is out of sync, fix that", "ruff reports E501, run the check again":
            # the pronoun is the topic of the statement just made; confirmed, never approved
            clause.intent, clause.ambiguous = context, ""
            clause.act = "request" if clause.act == "command" else clause.act
        previous = clause.intent or previous
        dev_names = [normalize_name(d) for d in dev]
        dev_excluded = _DEV_EXCLUDED.search(clause.text)
        if dev and clause.intent == "upgrade" and dev_excluded:
            clause.ambiguous, clause.all_packages = "", True
            # "except the test stuff": the dev packages for tests, when the names say so
            tests_only = [d for d in dev_names if "test" in d]
            clause.excluded = tests_only if dev_excluded.group(3).startswith("test") and \
                tests_only else dev_names
        elif dev and clause.intent in ("upgrade", "outdated") and not clause.packages and \
                _DEV_TARGET.search(clause.text):
            clause.ambiguous, clause.packages = "", dev_names
        elif dev and clause.intent in ("upgrade", "outdated") and not clause.packages and \
                _MAIN_TARGET.search(clause.text):
            # "the main (non-dev) deps", "runtime dependencies only"
            clause.ambiguous, clause.reference = "", ""
            clause.packages = [n for n in names if n not in dev_names]
        if clause.intent in ("upgrade", "outdated") and clause.all_packages and \
                not clause.packages and _GROUP_QUALIFIER.search(clause.text):
            clause.ambiguous = "which group"  # never widened to every dependency
        narrowing = _NARROWING.search(clause.text)
        if clause.intent in ("upgrade", "remove") and clause.all_packages and \
                not clause.packages and narrowing and not clause.ambiguous:
            # "upgrade the pinned ones", "bump everything risky": a qualifier that names no
            # package never widens to every dependency
            clause.ambiguous = f"which packages are \"{narrowing.group(0)}\""
        intent = clause.intent
        if clause.act == "prohibition":
            last_targets = list(clause.packages or clause.specs or clause.excluded or
                                last_targets)
            reading.skipped.append(f"\"{clause.text}\": you asked not to")
            continue
        if intent == "docs" and clause.act in ("howto", "question") and _out_of_domain(norm, names) \
                and not _DOCS_WORDS.search(norm):
            intent = "out_of_scope"  # "what is a good pizza place?": not about the project
        if intent == "out_of_scope":
            reading.skipped.append(f"\"{clause.text}\": outside what uvmgr does")
            continue
        guessed = False
        if not intent and matcher is not None and not strict and not clause.ambiguous and (
                clause.act != "statement" or not any(c.intent for c in clauses)):
            guess, score = matcher.classify(clause.text)
            if score >= CONFIDENT and guess not in ("out_of_scope", *MUTATING_INTENTS):
                # a guess may read (outdated, audit, docs...), never change: a change asks back
                intent, guessed = guess, True
                reading.score = min(reading.score, score)
        if not intent and len(clauses) > 1 and not clause.ambiguous and _DANGLING.match(
                clause.text) and any(c.intent in MUTATING_INTENTS for c in clauses):
            asks.append(f"what \"{clause.text}\" refers to")  # "upgrade click and then the
            continue  # other one": never dropped silently, never guessed
        if not intent and reading.steps and _FOLLOW_UP.fullmatch(clause.text):
            continue  # "... has open advisories. can you look?": the step already asked
        if not intent and len(clauses) > 1 and not clause.ambiguous and (
                clause.act == "statement" or not _has_verb(clause.text)):
            if not re.match(r"(if|in case|when|unless|had|once|whether|suppose)\b", clause.text):
                last_targets = list(clause.packages or last_targets)  # "X is old, bump it"
            continue  # "we use click for the cli. list our deps": context, not a task
        if clause.ambiguous in ("it", "them", "those", "these") and last_targets and \
                intent in ("add", "remove", "upgrade", "outdated"):
            # "we need tenacity, add it": the pronoun is the package just named
            clause.ambiguous, clause.act = "", "request"
            if intent == "add" and clause.pin:
                asks.append("which package to pin")  # a version for a name said earlier
                continue
            if intent == "add":
                clause.specs = list(last_targets)
            else:
                clause.packages = [normalize_name(t) for t in last_targets if
                                   normalize_name(t) in names]
        if clause.not_done:
            reading.skipped.append(f"\"{clause.not_done}\": not something uvmgr does")
        if clause.specs or clause.packages:
            last_targets = list(clause.specs or clause.packages)
        if reading.steps and clause.intent == reading.steps[-1].intent and clause.act == \
                "request" and (clause.specs or clause.packages) == (reading.steps[-1].specs or
                                                                   reading.steps[-1].packages):
            continue
        if not intent and not (clause.ambiguous or clause.packages or clause.specs or
                               clause.unknown or clause.reference) and _out_of_domain(norm, names):
            # "set up tox", "who won the match?": nothing here is about the dependencies
            reading.skipped.append(f"\"{clause.text}\": outside what uvmgr does")
            continue
        if not intent:
            asks.append(clause.ambiguous or clause.text)
            continue
        if clause.unknown:
            reading.unknown += [u for u in clause.unknown if u not in reading.unknown]
            continue
        if clause.ambiguous:
            asks.append(clause.ambiguous)
            continue
        if clause.reference and not reading.steps:
            # "upgrading pydantic was vetoed. upgrade the rest": the rest of what was not done
            asks.append(f"which packages \"{clause.reference}\" means")
            continue
        reading.typos += [t for t in clause.typos if t not in reading.typos]
        if clause.act in ("question", "deliberate", "howto") and intent in MUTATING_INTENTS:
            intent = {"upgrade": "outdated", "fix": "audit"}.get(intent, "")
            if not intent:
                asks.append(f"\"{clause.text}\" is a question")
                continue
        packages: list[str] | None = list(clause.packages)
        if intent in ("upgrade", "outdated") and not clause.packages:
            packages = None
            if clause.excluded:
                packages = [n for n in names if n not in clause.excluded]
        if intent == "add" and not clause.specs:
            asks.append(clause.ambiguous or "which package to add")
            continue
        if intent == "remove" and not clause.packages:
            asks.append(clause.ambiguous or "which package to remove")
            continue
        if reading.steps and reading.steps[-1].intent == intent and intent not in \
                MUTATING_INTENTS and not clause.packages:
            continue  # "what changed in X? check its changelog": one question, one answer
        reading.steps.append(Step(intent, packages, list(clause.specs), clause.level,
                                  clause.dev, clause.group, clause.act, clause.major_asked,
                                  list(clause.excluded), guessed))
    if not reading.steps and not asks and not reading.unknown and any(
            c.act == "prohibition" for c in clauses):
        asks.append("what to do: the request only says what not to do")
    if re.search(rf"\b(?:{DEFERRED})\b", norm) and any(
            c.intent in MUTATING_INTENTS for c in clauses):
        asks.append("a choice you left to me")
    if len(clauses) > 1 and re.search(rf"\b(?:{SELF_CORRECTION})\b", norm):
        asks.append("a request that corrects itself")
    if set(re.findall(r"[a-z]+", text.lower())) & MISSPELT_WORDS:
        reading.typos.append("(a misspelt word)")
    if re.search(r"\b(skip|without) (the )?(confirmation|approval|prompt|asking)s?\b",
                 text.lower()) or (
            norm.endswith("?") and re.match(r"^(please )?(can|could|would|will) you\b", norm)):
        for step in reading.steps:
            step.act = "request"  # asked, but a person still confirms
    if (asks or not reading.steps) and not reading.unknown and _foreign_hint(text):
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
