"""Reading a request without a model: the one request reader.

`read_request` reads a request with the grammar (`agent.reading`, `agent.clauses`) into a
`Reading`: its speech act, steps in order (intent, targets, scope, level), and whether to act,
ask back or refuse. Only where the grammar finds no verb and no keyword does a nearest-neighbour
matcher over example phrasings (TF-IDF of character n-grams and words, standard library only)
guess, and only above a calibrated confidence. `strict=True` is the reading `--yes` trusts
(`agent.authority`): no typo tolerance, no guessing."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from uvmgr.agent.matcher import CONFIDENT, IntentMatcher
from uvmgr.tools.project import normalize_name

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
    pack: object | None = None  # the `uvmgr.packs.Intent` of a pack's read-only tool


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


def _compiled(pattern: str) -> re.Pattern:
    return re.compile(rf"\b(?:{pattern})\b")


from uvmgr.agent.context import (
    CHANGE_REPORT,
    DANGLING,
    DEV_EXCLUDED,
    DEV_TARGET,
    DOCS_WORDS,
    EVALUATIVE,
    FIX_FINDINGS,
    FOLLOW_UP,
    GENERIC_OBJECT,
    GROUP_EXCLUDED,
    GROUP_QUALIFIER,
    HYPOTHETICAL,
    JOINERS,
    MAIN_TARGET,
    NARROWING,
    context_topic,
    has_verb,
    out_of_domain,
)
from uvmgr.agent.lexicon import (
    SELF_APPROVE,
)

_SELF_APPROVE = _compiled(SELF_APPROVE)
def read_request(text: str, known: list[str], matcher: IntentMatcher | None = None, *,
                 strict: bool = False, dev: tuple[str, ...] | list[str] = (),
                 pack_intents: tuple = ()) -> Reading:
    """Read a request against the project's dependencies (`known`; `dev`: those of them in
    the dev group, so "everything except the dev tools" can be read). `pack_intents`: the
    active packs' `Intent`s for read-only tools (`agent.pack_intents`): a clause that says one
    of their phrases and asks for no change is that pack's step. The strict reading `--yes`
    trusts never reads them."""
    from uvmgr.agent.clauses import read_clause
    from uvmgr.agent.conditions import place_marker, placed_condition
    from uvmgr.agent.dropped_targets import dropped_step, dropped_target
    from uvmgr.agent.foreign import foreign_intent
    from uvmgr.agent.hedges import hedged, reword
    from uvmgr.agent.level_scope import scoped_steps
    from uvmgr.agent.modifiers import merge_modifiers
    from uvmgr.agent.pack_intents import match_pack_intent
    from uvmgr.agent.reading import MUTATING_INTENTS, tokens
    from uvmgr.agent.request_outcome import settle
    from uvmgr.agent.steps import normalise, split_steps
    from uvmgr.agent.targets import group_members, names_in, normalized_known

    reading = Reading("ask", 1.0, text)
    foreign = foreign_intent(text)
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
    marker = None if strict else placed_condition(norm)
    if marker:  # "add pywin32 but only on windows": read without it, placed after (confirmed)
        text = norm = marker[0]
    hedge = hedged(text, norm, names)  # "the package Jonas mentioned", "add requets"
    if hedge:
        reading.status, reading.ambiguous = "ask", hedge
        return reading
    norm = reword(norm, names)  # "hands off httpx", "add X, we need Y"
    clauses = merge_modifiers(split_steps(norm), names, strict)
    if len(clauses) > 1 and norm.endswith("?") and EVALUATIVE.fullmatch(clauses[-1].text):
        # "upgrade click - good idea?", "remove six, thoughts?": the command is asked about
        clauses = clauses[:-1]
        for c in clauses:
            c.act = "question" if c.act in ("command", "request") else c.act
    asks: list[str] = []
    previous = ""
    hypothetical = False
    last_targets: list[str] = []
    pinned = False
    for clause in clauses:
        if not clause.intent and previous in ("upgrade", "remove", "outdated") and \
                clause.act == "command" and clause.packages and not clause.ambiguous and all(
                    normalize_name(t) in names or t in JOINERS for t in tokens(clause.text)):
            clause.intent = previous  # "upgrade requests, then httpx"
        if not clause.intent and re.fullmatch(r"[a-z][a-z0-9._-]* to v?\d[\w.]*", clause.text):
            again = read_clause(f"pin {clause.text}", names, strict)
            if pinned and reading.steps and reading.steps[-1].intent == "add" and again.specs \
                    and not (again.ambiguous or again.unknown):
                reading.steps[-1].specs += again.specs  # "pin A to 1 and B to 2": one pin
            else:  # "upgrade click to 8.2 and rich to 14": never silently dropped
                asks.append(f"what to do with \"{clause.text}\" (say the verb for it too)")
            continue
        if not clause.intent and previous == "add" and clause.act == "command" and \
                re.match(r"[a-z0-9][a-z0-9._-]*(\[[a-z0-9,._-]+\])? (to|as|in|into)\b",
                         clause.text):
            # "add ipython to dev, and mkdocs to docs": the verb carries over, never dropped
            again = read_clause(f"add {clause.text}", names, strict)
            if again.specs and not again.ambiguous:
                clause = again
        bare = dropped_step(clause, previous)
        if bare:  # "add httpx>=0.27 and then respx": a name left without its verb
            asks.append(f"whether {bare} is part of the change too (say \"{previous} {bare}\")")
            continue
        if hypothetical:
            hypothetical = not clause.text.endswith("?")
            continue  # "what happens if I upgrade everything and then build?": all of it asked
        if clause.act in ("question", "deliberate") and HYPOTHETICAL.match(clause.text):
            hypothetical = not clause.text.endswith("?")
        if previous == "audit" and FIX_FINDINGS.fullmatch(clause.text):
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
        if previous in MUTATING_INTENTS and CHANGE_REPORT.fullmatch(clause.text):
            continue  # "relock, and tell me what changed": the change's own report says it
        context = context_topic(clause, clauses)
        if context:
            # "the lock is out of sync, fix that", "ruff reports E501, run the check again":
            # the pronoun is the topic of the statement just made; confirmed, never approved
            clause.intent, clause.ambiguous = context, ""
            clause.act = "request" if clause.act == "command" else clause.act
        previous = clause.intent or previous
        pinned = clause.pin if clause.intent else pinned
        dev_names = [normalize_name(d) for d in dev]
        dev_excluded = DEV_EXCLUDED.search(clause.text)
        if dev and clause.intent in ("upgrade", "outdated") and dev_excluded:
            clause.ambiguous, clause.all_packages = "", True
            # "except the test stuff": the dev packages for tests, when the names say so
            tests_only = [d for d in dev_names if "test" in d]
            clause.excluded = tests_only if (dev_excluded.group("group") or "").startswith(
                "test") and tests_only else dev_names
        elif clause.intent in ("upgrade", "outdated") and not clause.packages and \
                not clause.excluded and GROUP_EXCLUDED.search(clause.text):
            # "everything but the lint group": never widened to everything
            group = GROUP_EXCLUDED.search(clause.text).group(1)
            clause.ambiguous = f"which packages the {group} group holds (name them)"
        elif dev and clause.intent in ("upgrade", "outdated") and not clause.packages and \
                DEV_TARGET.search(clause.text):
            clause.packages, clause.ambiguous = group_members(clause, dev_names, names)
        elif dev and clause.intent in ("upgrade", "outdated") and not clause.packages and \
                MAIN_TARGET.search(clause.text):
            # "the main (non-dev) deps", "runtime dependencies only"
            clause.reference = ""
            clause.packages, clause.ambiguous = group_members(
                clause, [n for n in names if n not in dev_names], names)
        if clause.intent in ("upgrade", "outdated") and clause.all_packages and \
                not clause.packages and GROUP_QUALIFIER.search(clause.text):
            clause.ambiguous = "which group"  # never widened to every dependency
        narrowing = NARROWING.search(clause.text)
        if clause.intent in ("upgrade", "remove") and clause.all_packages and \
                not clause.packages and narrowing and not clause.ambiguous:
            # "upgrade the pinned ones", "bump everything risky": a qualifier that names no
            # package never widens to every dependency
            clause.ambiguous = f"which packages are \"{narrowing.group(0)}\""
        intent = clause.intent
        if clause.act in ("question", "deliberate", "howto") and intent in MUTATING_INTENTS and \
                not clause.packages and GENERIC_OBJECT.search(clause.text):
            # "can I add a package only for Windows?": how, not what: the docs answer it
            intent, clause.ambiguous, clause.unknown, clause.specs = "docs", "", [], []
        if clause.act == "prohibition":
            last_targets = list(clause.packages or clause.specs or clause.excluded or
                                last_targets)
            reading.skipped.append(f"\"{clause.text}\": you asked not to")
            continue
        pack = None if strict or intent in MUTATING_INTENTS else \
            match_pack_intent(clause.text, pack_intents)
        if pack is not None:
            # "why is my test suite so slow?": a pack's phrase is more specific than the
            # built-in read-only reading (docs, list, test) and widens what is in scope (a pack
            # is installed to do more); it never turns a change into it
            if not any(s.pack is pack for s in reading.steps):
                reading.steps.append(Step("pack", None, act=clause.act, pack=pack))
            continue
        if intent == "docs" and clause.act in ("howto", "question") and out_of_domain(norm, names) \
                and not DOCS_WORDS.search(norm):
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
        if not intent and len(clauses) > 1 and not clause.ambiguous and DANGLING.match(
                clause.text) and any(c.intent in MUTATING_INTENTS for c in clauses):
            asks.append(f"what \"{clause.text}\" refers to")  # "upgrade click and then the
            continue  # other one": never dropped silently, never guessed
        if not intent and reading.steps and FOLLOW_UP.fullmatch(clause.text):
            continue  # "... has open advisories. can you look?": the step already asked
        if not intent and len(clauses) > 1 and not clause.ambiguous and (
                clause.act == "statement" or not has_verb(clause.text)):
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
                               clause.unknown or clause.reference) and out_of_domain(norm, names):
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
        dropped = dropped_target(clause, names)
        if dropped:  # "upgrade click to version 9 and rich": never silently dropped
            asks.append(f"whether {dropped} is part of the change too (say each target with "
                        f"its own version or level, e.g. \"... and then {intent} {dropped}\")")
            continue
        scoped = scoped_steps(clause, names, Step) if intent == "upgrade" else None
        if scoped is not None:  # "breaking changes are fine for httpx only": per target
            asks.append(scoped) if isinstance(scoped, str) else reading.steps.extend(scoped)
            continue
        packages: list[str] | None = list(clause.packages)
        if intent in ("upgrade", "outdated") and not clause.packages:
            packages = None
            if clause.excluded:
                packages = [n for n in names if n not in clause.excluded]
            stray = [n for n in names_in(clause.text, names) if n not in clause.excluded]
            if intent == "upgrade" and stray:
                # "upgrade evrything exept six": a name the reading did not place is never
                # widened into "everything"
                asks.append(f"what {', '.join(stray)} has to do with upgrading everything")
                continue
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
    reading = settle(reading, clauses, asks, text, norm)
    if marker:
        place_marker(reading, marker[1])
    return reading

