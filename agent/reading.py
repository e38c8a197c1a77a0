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
from uvmgr.tools.project import normalize_name

LEVELS = ("patch", "minor", "major")
MUTATING_INTENTS = ("upgrade", "fix", "add", "remove", "lock")

_REWRITES = [(re.compile(p), r) for p, r in lx.REWRITES]
_OP = r"(?:===|==|>=|<=|~=|!=|<|>)"
_VER = r"v?[0-9][0-9a-z.*+!-]*"
_TOKEN = re.compile(rf"[a-z0-9][a-z0-9._-]*(?:\[[a-z0-9,._-]+\])?(?:{_OP}{_VER}"
                    rf"(?:,{_OP}{_VER})*)?|\?|,|;")
_SPEC = re.compile(rf"^([a-z0-9][a-z0-9._-]*?)(\[[a-z0-9,._-]+\])?((?:{_OP}{_VER})"
                   rf"(?:,{_OP}{_VER})*)?$")


def _words(pattern: str) -> re.Pattern:
    return re.compile(rf"\b(?:{pattern})\b")


_SECURITY = _words(lx.SECURITY)
_LOCK_OBJ = _words(lx.LOCK_OBJECT)
_TEST = _words(lx.TEST_WORDS)
_BUILD = _words(lx.BUILD_WORDS)
_CHECK = _words(lx.CHECK_WORDS)
_LIST = _words(lx.LIST_WORDS)
_OUTDATED = _words(lx.OUTDATED_WORDS)
_HOWTO = re.compile(rf"^(?:{lx.HOWTO})|\b(?:how (do|can|should|would|could|to) (i|we|you|one)?)"
                    r"|\b(docs|documentation|changelog|release notes|readme)\b")
_DELIBERATE = re.compile(rf"\b(?:{lx.DELIBERATE})\b")
_QUESTION_START = re.compile(rf"^(?:{lx.QUESTION_OPENERS})\b")
_POLITE = re.compile(rf"^(?:{lx.POLITE})\b\s*")
_SUBJECT = re.compile(r"^(?:i|we|you|u)\s+(?:(?:really|also|now|still|probably|should|must|"
                      r"will|shall|gotta|got to|have to|need to|want to|wanna|wish to|would "
                      r"like to|plan to|are going to|am going to)\s+)*")
_PROHIBIT = re.compile(r"^(?:do not|never|please do not|no need to|stop|avoid|not|(?:i|we) "
                       r"(?:do not|really do not|would not|never) (?:want|need|wish) (?:you )?"
                       r"(?:to )?)\b")
_NARRATIVE = re.compile(r"^(after|since|because|when|while|although|though|ever since|before|"
                        r"had (we|i)|if (we|i) had) "
                        r"(?!that\b|done\b|well\b)")
# A verb-less clause that tells (who uses what, what broke): context, not a task.
_TELLS = re.compile(r"\b(is|are|was|were|lives|mentioned|mentions|says|said|shows|renders|uses|"
                    r"used|broke|opened|reports|looked|looks|seems|seemed|"
                    r"failed|fails|complained|wants|thinks|told)\b")
_REPORTED = re.compile(r"\b(was|were|got|has been|have been|is being|are being|had been) "
                       r"(rejected|declined|reverted|refused|denied|blocked|vetoed|turned down|"
                       r"shot down|rolled back|undone|discussed|proposed|suggested)\b")
_OUT = re.compile(rf"\b(?:{lx.OUT_OF_SCOPE})\b")
_STRONG_OUT = re.compile(rf"\b(?:{lx.STRONG_OUT_OF_SCOPE})\b")
_AMBIG = re.compile(rf"^(?:{lx.AMBIGUOUS_TARGETS})$")
_PHRASAL = [(re.compile(rf"^(?:{p})\b"), intent) for p, intent in lx.PHRASAL_VERBS]
_LEVEL = {lvl: re.compile(rf"\b(?:{w})\b") for lvl, w in lx.LEVEL_WORDS.items()}
_NEG_LEVEL = {lvl: re.compile(rf"\b(?:{lx.NEGATORS})\b[^.,;!?]{{0,24}}?\b(?:{w})\b")
              for lvl, w in lx.LEVEL_WORDS.items()}
_ONLY_LEVEL = {lvl: re.compile(rf"\bonly\b[^.,;!?]{{0,12}}\b(?:{w})\b|\b(?:{w})\b[^.,;!?]{{0,16}}"
                               r"\bonly\b") for lvl, w in lx.LEVEL_WORDS.items()}
_PATCH_SERIES = re.compile(r"\bto (?:the )?(?:latest |newest )?v?\d+\.\d+\.(?:x|\*)\b")
_TO_VERSION = re.compile(r"\bto (?:version |v|the )?(\d+)(?:\.x|\.0)?\b(?!\.\d)")
_PIN = re.compile(r"\b(pin|downgrade|roll ?back|revert|lock|hold|freeze|set)\s+"
                  r"([a-z0-9][a-z0-9._-]*)\s+(?:back )?(?:to|at|on|==)\s*(?:version\s+)?v?"
                  r"(\d[\w.]*\w|\d)\b")
_EXCLUDE = re.compile(rf"\b(?:{lx.EXCLUDE})\b")
_SCOPE_ALL = re.compile(rf"\b(?:{lx.SCOPE_ALL})\b")
_DEV = re.compile(r"\bfor [a-z ]{0,12}\b(tests?|testing)\b|"
                  r"\b(dev|development|test|testing|tests)\b (dependenc\w+|dep|group|only|"
                  r"requirement\w*|extra)|\bas (a )?dev\b|--dev\b|\bfor (the )?(tests?|testing|"
                  r"dev|development)\b|\bto (the )?dev\b|\bdev-only\b")
_GROUP = re.compile(r"(?:to|in|into|under) (?:the |a |our )?([a-z0-9_-]+) (?:dependency )?group"
                    r"|\bto (?:the )?(docs|doc|lint|typing|test|tests)\s*$"
                    r"|--group[ =]([a-z0-9_-]+)")
_STOP_OBJECT = frozenset(["to", "as", "for", "in", "into", "so", "because", "since", "which", "that", "from", "with", "on", "at", "when", "while", "if", "once", "after", "before", "unless", "until", "via", "by"])
_CONNECTORS = re.compile(r"^(?:and|also|then|plus|afterwards|after that|after|next|finally|"
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
    pin: bool = False  # "pin/downgrade X to V"


def normalise(text: str) -> str:
    """Lower case, shorthand spelled out, operators glued to their version."""
    out = " " + text.lower().strip() + " "
    for pattern, repl in _REWRITES:
        out = pattern.sub(repl, out)
    # A quoted error message or note is quoted, not asked: it names nothing and splits nothing.
    out = re.sub(r"\"[^\"]*\s[^\"]*\"|'[^']*:[^']*'", " quoted-text ", out)
    out = re.sub(r"[\"'`]", " ", out)
    out = re.sub(r"\b(take|pull|kick|throw|rip|yank|cut|strip|toss|chuck) ([a-z0-9._\[\]-]+"
                 r"(?:(?:,| and) [a-z0-9._-]+)*) out\b", r"\1 out \2", out)
    out = re.sub(rf"\s*({_OP})\s*(?=v?\d)", r"\1", out)
    out = re.sub(r"\s+", " ", out)
    return out.strip()


_SPLIT = re.compile(r"\s*(?:;|:\s+|\s-+\s|\.{2,}\s*|\.\s+|!\s+|\?\s+|,?\s*\b(?:and then|then|"
                    r"afterwards|after that|and after that|and afterwards|followed by|once "
                    r"(?:that is|it is|that's) done|and finally|finally|and next|next,)\b\s*,?)"
                    r"\s*")
# What may start a new step after "and" or a comma: a verb, a topic, a question, a "don't".
_STEP_START = frozenset(["so", "run", "check", "make", "do", "show", "list", "look", "see", "find", "tell", "give", "audit", "scan", "lint", "test", "build", "relock", "lock", "type", "types", "tests", "vulns", "vulnerabilities", "outdated", "is", "are", "what", "how", "does", "do", "not", "never", "just"])
_QUESTIONISH = frozenset(["is", "are", "what", "which", "how", "does", "do"])


def _starts_step(word: str, rest: str, comma: bool) -> bool:
    if re.match(r"^(patch|minor|major|bugfix)\w*( only| level| releases?| updates?)*\s*(,|$)",
                rest):
        return False  # "update all, patch only": a level, not a step
    if re.match(r"^\S+ (updates?|upgrades?|releases?|level|versions?|bumps?|fix(es)?)\b", rest):
        return False  # "minor and patch upgrades"
    if _verb_of(word) and _verb_of(word) != "generic" or _verb_of(misspelt_verb(word)):
        return True
    if comma and word in ("i", "we") and re.match(r"^\S+ (want|need|would|wanna|just)\b", rest):
        return True
    if re.match(r"^(do|does) (the )?(tests?|it|we|they|everything)\b|^the (type ?checker|linter|"
                r"tests?|test suite|build|audit|lint)\b", rest):
        return True
    if word in _QUESTIONISH and not comma and not rest.startswith(("do not", "is fine")):
        return word in ("is", "are", "what", "which", "how")
    return word in _STEP_START


def split_steps(text: str) -> list[str]:
    """Clauses in the order the person wants them done; "and" or a comma splits only before
    a verb, a topic or a question ("add freezegun to dev, remove tqdm"). A lead-in before a
    colon ("quick q: ...", "health report: outdated, vulns, tests") is not a step."""
    head, colon, tail = text.partition(": ")
    if colon and len(head.split()) == 1:
        text = f"{head} {tail}"  # "python-dateutil: newest version?"
    elif colon and len(head.split()) <= 5 and not re.search(
            r"\b(add|install|upgrade|update|remove|drop|pin|bump|what|how|why|error)\b", head):
        text = tail
    text = re.sub(r"\s\+\s", " and ", text)
    text = re.sub(r"^([a-z0-9][a-z0-9._-]*) -+ ", r"\1 ", text)  # "Pygments - outdated or not?"
    parts = [p.strip(" ,") for p in _SPLIT.split(text) if p and p.strip(" ,.")]
    out: list[str] = []
    for part in parts:
        pieces = re.split(r"\s*(,\s*(?:and\s+|or\s+)?|\b(?:and|plus|&|also|as well as)\s+)"
                          r"(?=(?:also |then |please |maybe )?(\w+))", part)
        # [text, separator, next word, text, ...]: join back where no step starts.
        current = pieces[0]
        for i in range(1, len(pieces), 3):
            sep, word, rest = pieces[i], pieces[i + 1], pieces[i + 2]
            if _starts_step(word, rest, sep.strip().startswith(",")):
                out.append(current)
                current = rest
            else:
                current = f"{current}{sep if sep.strip().startswith(',') else ' ' + sep}{rest}"
        out.append(current)
    steps = [s.strip(" ,") for s in out if s.strip(" ,.?!")]
    return _reorder(steps)


def _reorder(steps: list[str]) -> list[str]:
    """"run the tests before upgrading click": the part after "before" goes first."""
    out: list[str] = []
    for step in steps:
        m = re.match(r"(.+?)\s*,?\s*\bbut (?:first|before that)\b\s*,?\s*(.+)", step)
        if m:
            out += [m.group(2), m.group(1)]
        else:
            out.append(step)
    return out


def _verb_of(word: str) -> str:
    return lx.HEAD_VERBS.get(word, "")


def tokens(text: str) -> list[str]:
    return [t.rstrip(".") for t in _TOKEN.findall(text)]


def _head(clause: str) -> tuple[str, str, str]:
    """(act, head verb's intent or "", the rest after the head verb)."""
    text = clause.strip(" ,.!")
    if _NARRATIVE.match(text):
        return "statement", "", text  # "after upgrading click the tests fail": context
    text = _CONNECTORS.sub("", text)
    text = _CONNECTORS.sub("", text)
    if _PROHIBIT.match(text):
        rest = _PROHIBIT.sub("", text, count=1).strip()
        return "prohibition", _verb_intent(rest)[0], rest
    if _NARRATIVE.match(text) or _REPORTED.search(text):
        return "statement", "", text  # "the upgrade of click was rejected": a report, not a wish
    question = text.endswith("?")
    text = text.rstrip("?").strip()
    polite = _POLITE.match(text)
    if polite:
        text = text[polite.end():]
        if question or re.match(r"^(can|could|would|will|wo|might) you", polite.group(0)):
            return "request", *_verb_intent(text)  # "could you fix ...": asked, not commanded
        question = False
    if _HOWTO.match(text) or re.match(r"^(what is|what are) the (way|command|syntax)|how (i|we) "
                                      r"(can|could|should|do)\b|where (is|are|does|do)\b", text):
        return "howto", "docs", text
    if _DELIBERATE.match(text) or (question and _DELIBERATE.search(text)):
        rest = re.sub(r"^(to|we|i|you)\s+", "", _DELIBERATE.sub("", text, count=1).strip(" ,"))
        return "deliberate", _verb_intent(rest)[0], text
    if not polite and _QUESTION_START.match(text) and (question or not re.match(
            r"^(do|did|make|get) (the|a|an|all|some|those|these)\b", text)):
        return "question", "", text
    subject = _SUBJECT.match(text)
    if subject and not polite:
        rest = text[subject.end():]
        intent, after = _verb_intent(rest)
        return ("statement" if question is False else "question"), intent, after
    intent, after = _verb_intent(text)
    if not intent and not question and _TELLS.search(text):
        return "statement", "", text
    return ("question" if question else "command"), intent, after


def _verb_intent(text: str) -> tuple[str, str]:
    text = text.strip()
    for pattern, intent in _PHRASAL:
        m = pattern.match(text)
        if m:
            return intent, text[m.end():].strip()
    first, _, rest = text.partition(" ")
    intent = _verb_of(first) or _verb_of(gerund_stem(first)) or _verb_of(misspelt_verb(first))
    if intent:
        if rest.startswith(("up ", "out ", "in ")) and intent in ("generic", "upgrade"):
            rest = rest.split(" ", 1)[1] if " " in rest else ""
        return intent, rest
    return "", text


def gerund_stem(word: str) -> str:
    """"building" -> "build", "updating" -> "update", "running" -> "run"."""
    if not word.endswith("ing") or len(word) < 6:
        return ""
    stem = word[:-3]
    for cand in (stem, stem + "e", stem[:-1]):
        if cand in lx.HEAD_VERBS:
            return cand
    return ""


def misspelt_verb(word: str) -> str:
    """The intent verb a misspelt first word stands for ("regenrate" -> "regenerate")."""
    if word in lx.MISSPELT_VERBS:
        return word
    if len(word) < 4 or word in lx.ENGLISH or word in lx.HEAD_VERBS or gerund_stem(word) or \
            word.rstrip("sd") in lx.HEAD_VERBS or word[:-2] in lx.HEAD_VERBS:
        return ""
    if not any(v[0] == word[0] for v in _STRONG_VERBS):
        return ""
    close = difflib.get_close_matches(word, _STRONG_VERBS, n=1, cutoff=0.75 if len(word) < 6
                                      else 0.84)
    return close[0] if close and close[0][0] == word[0] else ""


_STRONG_VERBS = sorted(w for w, i in lx.HEAD_VERBS.items() if i != "generic" and len(w) >= 4)


def level_of(text: str) -> tuple[str, bool, bool]:
    """(level, an explicit positive major, a negated level). "without majors" is minor; "only
    patches" patch; "major" or "to version 3" major; nothing named: minor."""
    positive, negated = set(), set()
    for lvl in LEVELS:
        if _NEG_LEVEL[lvl].search(text):
            negated.add(lvl)
            if lvl == "minor" and re.search(r"\bnon-breaking|nonbreaking|non breaking\b", text):
                negated.discard("minor")
                positive.add("minor")
        elif _LEVEL[lvl].search(text):
            positive.add(lvl)
    if re.search(r"\bnon[- ]?breaking\b|\bwithout breaking\b|\bnot breaking\b|\bnothing breaking"
                 r"\b|\bno breaking\b|\bavoid breaking\b", text):
        negated.add("major")
        positive.discard("major")
        positive.discard("minor") if "minor" in positive and not _LEVEL["minor"].search(
            re.sub(r"non[- ]?breaking", "", text)) else None
    if _PATCH_SERIES.search(text):
        return "patch", False, bool(negated)
    if _TO_VERSION.search(text) and "major" not in negated:
        positive.add("major")
    if "safe" in text and not positive - {"minor"}:
        positive.discard("minor")
    for lvl in LEVELS:
        if _ONLY_LEVEL[lvl].search(text) and lvl not in negated:
            return lvl, lvl == "major", bool(negated)
    positive -= negated
    if positive:
        top = max(positive, key=LEVELS.index)
        return top, top == "major", bool(negated)
    if negated:
        below = [lvl for lvl in LEVELS if LEVELS.index(lvl) < min(map(LEVELS.index, negated))]
        return (below[-1] if below else "patch"), False, True
    return "minor", False, False


def _prose_spec(name: str, after: str) -> tuple[str, int]:
    """"at least (version) 2.1" -> ">=2.1" and how many characters of `after` it used."""
    patterns = (
        ((r"(?:at least|minimum|min|no older than|not older than|>=)\s*(?:version\s+|v)?"
         r"(\d[\w.]*)"), ">="),
        ((r"(?:version\s+|v)?(\d[\w.]*)\s*(?:or (?:newer|later|higher|above|up|greater|more|"
         r"better)|and (?:up|above|newer|later)|\+)"), ">="),
        ((r"(?:strictly )?(?:below|under|less than|lower than|older than|before|prior to|<)\s*"
         r"(?:version\s+|v)?"
         r"(\d[\w.]*)"), "<"),
        ((r"(?:at most|no newer than|not newer than|up to|maximum|max)\s*(?:version\s+|v)?"
         r"(\d[\w.]*)"), "<="),
        (r"(?:exactly|version|==|v|at version|pinned (?:to|at))\s*(?:version\s*)?v?(\d[\w.]*)",
         "=="),
        (r"(?:compatible with|~=)\s*(?:version\s+)?(\d[\w.]*)", "~="),
    )
    specs, used, rest = [], 0, after
    while True:
        rest_stripped = re.sub(r"^,?\s*(?:(?:and|but)\s+)?", "", rest.strip())
        for pattern, op in patterns:
            m = re.match(pattern, rest_stripped)
            if m:
                specs.append(op + m.group(1).rstrip("."))
                consumed = len(rest) - len(rest_stripped) + m.end()
                used += consumed
                rest = rest[consumed:]
                break
        else:
            break
    return (name + ",".join(specs)), used


def _is_name_like(tok: str) -> bool:
    """Could be a package name: not an English word, a verb form or a topic word."""
    if not re.match(r"^[a-z][a-z0-9._-]*[a-z0-9](\[[a-z0-9,._-]+\])?$", tok):
        return False
    if tok in lx.ENGLISH or tok in lx.HEAD_VERBS or re.match(r"^[a-z]{3,}(ing|ed|ly|ness)$", tok):
        return False
    return not any(p.fullmatch(tok) for p in (_SECURITY, _OUTDATED, _TEST, _CHECK, _BUILD,
                                              _LOCK_OBJ))


_SKIPPABLE = frozenset(["the", "a", "an", "new", "some", "our", "my", "latest", "newest", "recent", "current", "version", "python", "pypi", "package", "library", "lib", "module", "dependency", "dependencies", "packages", "libraries", "dev"])


def add_specs(rest: str) -> tuple[list[str], str]:
    """The requirements after an add verb: "hypothesis and freezegun", "httpx>=0.27",
    "attrs at least 23". Stops at "to/as/for/in ..."; words around a name are not names."""
    specs: list[str] = []
    text = rest.strip()
    ambiguous = ""
    while text:
        text = re.sub(r"^(?:,|&|(?:and|plus|also|as well as|the|a|an|package|library|lib|"
                      r"module|dependency|dependency on|dep on|called|named|packages|"
                      r"libraries|new|python|pypi)(?=\s|$))\s*", "", text)
        m = re.match(r"([a-z0-9][a-z0-9._-]*(?:\[[a-z0-9,._-]+\])?(?:" + _OP + _VER +
                     r"(?:," + _OP + _VER + r")*)?)", text)
        if not m:
            break
        tok = m.group(1).rstrip(".")
        if tok in _STOP_OBJECT or tok in ("and",):
            break
        if re.match(r"^\s*(\S+\s+)?(library|package|lib|module|tool|one|thing|dependency|"
                    r"thingy)\b",
                    text[m.end():]) and not _SPEC.match(tok).group(3):
            ambiguous = f"{tok} {text[m.end():].split()[0]}"  # "a faster json library"
            break
        if _AMBIG.match(tok) or tok in ("something", "one", "stuff"):
            ambiguous = tok
            break
        after = text[m.end():]
        spec, used = _prose_spec(tok, after)
        if tok in lx.ENGLISH and not _SPEC.match(tok).group(3):
            if specs or tok not in _SKIPPABLE:
                ambiguous = ambiguous or ("" if specs else tok)
                break
            text = after.strip()
            continue
        specs.append(spec)
        text = after[used:].strip()
        if not re.match(r"^(?:,|and\b|plus\b|&|as well as\b)", text):
            break
    return specs, ambiguous


def match_package(tok: str, known: dict[str, str], strict: bool) -> tuple[str, bool]:
    """(dependency name, corrected) for a token, or ("", False)."""
    m = _SPEC.match(tok)
    if not m:
        return "", False
    name = normalize_name(m.group(1))
    if name in known:
        return name, False
    if strict or len(name) < 4 or name in lx.ENGLISH or name in lx.HEAD_VERBS:
        return "", False
    # A typo keeps the length (swapped, doubled or dropped letters); "requests-mock" is not
    # a misspelt "requests".
    close = [c for c in difflib.get_close_matches(name, list(known), n=3, cutoff=0.75)
             if abs(len(c) - len(name)) <= 1]
    return (close[0], True) if close else ("", False)


def suggestion(name: str, known: dict[str, str]) -> str | None:
    close = difflib.get_close_matches(normalize_name(name), list(known), n=1, cutoff=0.6)
    return close[0] if close else None
