"""Reading a request without a model: intent by nearest neighbour over example phrasings
(TF-IDF of character n-grams and words, standard library only), plus the package names,
specifiers, level and group the request mentions."""

from __future__ import annotations

import difflib
import math
import re
from collections import Counter
from dataclasses import dataclass, field

from uvmgr.prompts.intents import INTENT_EXAMPLES
from uvmgr.tools.project import normalize_name

THRESHOLD = 0.22
_SPEC = re.compile(
    r"(?<![\w.-])([A-Za-z0-9][A-Za-z0-9._-]*(?:\[[A-Za-z0-9,._-]+\])?)"
    r"((?:\s*(?:===|==|>=|<=|~=|!=|<|>)\s*[0-9][0-9A-Za-z.*+!-]*)"
    r"(?:\s*,\s*(?:===|==|>=|<=|~=|!=|<|>)\s*[0-9][0-9A-Za-z.*+!-]*)*)"
)
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
STOPWORDS = frozenset("""
a an the to and then also please add install include using use in into of on for from as my our
project dependency dependencies dep deps group dev development package packages with it that
i we need want new run tests test pytest check make sure start library lib module can you would
like latest version versions newest recent optional extra requirement requirements docs be is
but not or so if all any some only keep this these those them they what which who how why when
where there here me you your his her its their do does did done have has had get got let made
up down out over under again more most other same such no nor too very will should now than once
safely safe everything anything update upgrade remove bump fix audit list show thanks are was
were been being at by about against between through during before after above below off
""".split())


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
class Reading:
    intent: str
    score: float
    text: str = ""
    packages: list[str] = field(default_factory=list)  # project dependencies the request names
    specs: list[str] = field(default_factory=list)  # requirements to add, as written
    level: str = "minor"
    group: str | None = None
    dev: bool = False
    then_test: bool = False
    ambiguous: str = ""  # a negation or condition the offline planner will not guess at


MUTATING_INTENTS = ("upgrade", "fix", "add", "remove", "lock")
_QUESTION = re.compile(r"\?|\b(how|what|why|where|which|when)\b", re.I)
_PIN_TO = re.compile(r"\b(downgrade|roll ?back|pin)\s+([A-Za-z0-9][A-Za-z0-9._-]*)\s+(?:to|at)\s+"
                     r"(?:version\s+)?v?(\d[\w.]*\w)", re.I)
# An explicit request to read the docs: "search the docs", "check the docs", "look at its
# changelog", "in the README".
DOCS_VERBS = r"(search|check|look (at|in)|read|see|consult)"
_DOCS_ASKED = re.compile(rf"\b{DOCS_VERBS}\b[^.?!]{{0,20}}\b(the |its |our )?"
                         r"(docs|documentation|changelog|readme|release notes)\b", re.I)
_EXCEPT = re.compile(r"\b(except|excluding|other than|but not)\b", re.I)
_NEGATION = re.compile(r"\b(don'?t|do not|never|not|without|instead of|rather than|leave)\b|"
                       r"\bbut keep\b(?! the tests)", re.I)
# Any condition or negation: --yes never approves a change on such a request.
CONDITIONAL = re.compile(f"{_EXCEPT.pattern}|{_NEGATION.pattern}", re.I)


LEVELS = ("patch", "minor", "major")
_LEVEL_WORDS = {"patch": r"patch(es)?|bug ?fix(es)?", "minor": r"minor", "major": r"major|breaking"}
_NEGATED = r"\b(no|not|without|avoid|never|don'?t|skip|except|excluding)\b[^.,;!?]{{0,20}}\b({words})\b"


def requested_level(text: str) -> str:
    """The highest update level the request asks for: "minor and patch upgrades" is minor;
    "no major versions" caps it below major; nothing named means minor."""
    positive, negated = set(), set()
    for level, words in _LEVEL_WORDS.items():
        if re.search(_NEGATED.format(words=words), text, re.I):
            negated.add(level)
        elif re.search(rf"\b({words})\b", text, re.I):
            positive.add(level)
    if positive:
        return max(positive, key=LEVELS.index)
    if negated:
        below = [lvl for lvl in LEVELS if LEVELS.index(lvl) < min(map(LEVELS.index, negated))]
        return below[-1] if below else "patch"
    return "minor"


def project_names_in(text: str, known: list[str]) -> list[str]:
    """Project dependencies named in `text`, tolerating case, -/_ and small typos."""
    norm_known = {normalize_name(k): k for k in known}
    found: list[str] = []
    for word in _WORD.findall(text):
        w = normalize_name(word.strip(".,;:!?"))
        if len(w) < 3 or w in STOPWORDS:
            continue
        match = w if w in norm_known else next(iter(
            difflib.get_close_matches(w, list(norm_known), n=1, cutoff=0.8)), None)
        if match and match not in found:
            found.append(match)
    return found


def requested_specs(text: str) -> list[str]:
    """Requirements a person asks to add: `httpx>=0.27`, `rich`, `pytest-cov`."""
    specs = [m.group(1) + re.sub(r"\s+", "", m.group(2)) for m in _SPEC.finditer(text)]
    if specs:
        return specs
    # No specifier: the words after the verb that are not filler.
    match = re.search(r"\b(?:add|install|include|using|use|need|depend on)\b(.*)", text, re.I)
    tail = match.group(1) if match else ""
    tail = re.split(r"\b(?:to the|to|as|and|then|in the|into)\b", tail, maxsplit=1)[0]
    names = [w.strip(".,;:!?'\"`") for w in _WORD.findall(tail)]
    return [w for w in names if w and w.lower() not in STOPWORDS]


def read_request(text: str, known: list[str], matcher: IntentMatcher) -> Reading:
    names = project_names_in(text, known)
    masked = text
    for spec in requested_specs(text) if re.search(r"\b(add|install|include)\b", text, re.I) else []:
        masked = masked.replace(spec, "PKG")
    for word in _WORD.findall(text):
        if normalize_name(word) in names:
            masked = re.sub(rf"\b{re.escape(word)}\b", "PKG", masked)
    intent, score = matcher.classify(masked)
    if _DOCS_ASKED.search(text) and (intent not in MUTATING_INTENTS or _QUESTION.search(text)):
        intent = "docs"  # "search the docs: how do we audit?" asks for the docs, not an audit
    lower = text.lower()
    level = requested_level(text)
    group_match = re.search(r"(?:to|in|into|from) the ([A-Za-z0-9_-]+) group|--group[ =]([\w-]+)",
                            text)
    group = (group_match.group(1) or group_match.group(2)) if group_match else None
    dev = bool(re.search(r"\bdev(elopment)?\b", lower)) and group in (None, "dev")
    reading = Reading(intent, score, text, names, level=level, group=None if dev else group,
                      dev=dev)
    if intent == "add":
        reading.specs = requested_specs(text)
    pin = _PIN_TO.search(text)
    if pin and intent != "docs":
        # "downgrade X to 1.2", "pin X at 1.2": an exact constraint, which uv add sets.
        reading.intent, reading.specs = "add", [f"{pin.group(2)}=={pin.group(3)}"]
    if intent in MUTATING_INTENTS:
        _apply_conditions(reading, text, known)
    reading.then_test = intent not in ("test", "upgrade", "fix") and bool(
        re.search(r"\b(and|then)\b.*\b(run|check)\b.*\btests?\b", lower))
    return reading


def _apply_conditions(reading: Reading, text: str, known: list[str]) -> None:
    """"upgrade everything except X" becomes every dependency but X; any other negation or
    condition on a change is left to a person (or a model) rather than guessed."""
    split = _EXCEPT.search(text)
    rest = text[:split.start()] + " " + text[split.end():] if split else text
    if split and reading.intent == "upgrade" and not _NEGATION.search(rest):
        excluded = project_names_in(text[split.end():], known)
        included = project_names_in(text[:split.start()], known)
        base = included or [normalize_name(k) for k in known]
        reading.packages = [n for n in base if n not in excluded]
        return
    match = split or _NEGATION.search(text)
    if match:
        reading.ambiguous = match.group(0)
        if reading.intent == "add":
            reading.specs = [s for s in reading.specs if s.lower() not in ("but", "not")]
