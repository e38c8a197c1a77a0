"""What one step acts on: the dependencies it names (in object position for a command,
anywhere for a question), the ones it excludes ("except six", "six is fine as is"), names that
are not dependencies, pronouns, and "everything"."""

from __future__ import annotations

import re

from uvmgr.agent.package_words import popular_name
from uvmgr.agent.position import TELLING_VERB
from uvmgr.agent.reading import (
    AMBIG,
    EXCLUDE,
    SCOPE_ALL,
    Clause,
    is_name_like,
    match_package,
    suggestion,
    tokens,
)
from uvmgr.tools.project import normalize_name

_STAYS = re.compile(r"(?<![a-z0-9._-])([a-z0-9][a-z0-9._-]*+) (?:is|are|stays?|can stay|should stay|must stay|"
                    r"remains?) (?:fine |ok |good |okay )?(?:as is|as-is|alone|untouched|where "
                    r"it is|put|pinned|frozen|fine|ok)\b")


_STRONG_EXCLUDE = re.compile(r"\b(except( for)?|excluding|exceptions?|excluded|other than|"
                             r"apart from|aside from|"
                             r"save for|with the exception of|but not|leave|leaving|skip|"
                             r"without touching|do not touch|never touch|hold back|holding back)\b")


def mask_names(text: str, known: dict[str, str]) -> str:
    """Dependency names out of the way of topic words ("is pytest-cov installed" is not about
    the tests), except where a tool is run by name ("run pytest")."""
    def repl(m: re.Match) -> str:
        tok = m.group(0)
        return tok if tok not in known and normalize_name(tok) not in known else "pkg"
    parts = re.split(r"(\b(?:run|execute|with|using|via|does|did|do) \S+)", text)
    return "".join(p if i % 2 else re.sub(r"[a-z0-9][a-z0-9._-]*[a-z0-9]", repl, p)
                   for i, p in enumerate(parts))


def names_in(text: str, known: dict[str, str]) -> list[str]:
    return [n for n in (match_package(t, known, True)[0] for t in tokens(text)) if n]


def group_members(clause: Clause, group: list[str], known: dict[str, str]) -> tuple[list[str], str]:
    """The packages of "the dev tools" and why to ask: names typed beside the group noun narrow
    it ("the dev tools mypy and ruff"), never widen it; a typed name outside the group asks."""
    typed = list(dict.fromkeys(n for n in names_in(clause.text, known) if n not in clause.excluded))
    if typed and not set(typed) <= set(group):
        return [], "which packages: the names given are not all in the group named"
    return typed or [n for n in group if n not in clause.excluded], ""


def read_targets(clause: Clause, text: str, body: str, known: dict[str, str], strict: bool) -> None:
    """Packages, exclusions, unknown names and pronouns in one step."""
    phrase = object_phrase(body)
    commanded = body != text and clause.act in ("command", "statement", "request")
    split = EXCLUDE.search(text)
    before, after = (text[:split.start()], text[split.end():]) if split else (text, "")
    included: list[str] = []
    excluded: list[str] = []
    for part, bucket in ((before, included), (after, excluded)):
        for tok in tokens(part):
            name, corrected = match_package(tok, known, strict)
            if name and bucket is included and commanded and tok not in phrase and \
                    clause.intent != "outdated":
                continue  # "upgrade click so it works with rich": rich is only mentioned
            if name and name not in bucket:
                bucket.append(name)
                if corrected:
                    clause.typos.append(name)
            elif not name and clause.intent in ("upgrade", "remove", "outdated") and \
                    is_name_like(tok) and not _level_word(tok) and \
                    (tok in phrase if commanded else tok in _asked_about(text) or
                     popular_name(tok)) and \
                    tok not in [u for u, _ in clause.unknown]:
                    clause.unknown.append((tok, suggestion(tok, known)))
    for m in _STAYS.finditer(text):
        name = match_package(m.group(1), known, strict)[0]
        if name and name not in excluded:
            excluded.append(name)
    clause.packages = [n for n in included if n not in excluded]
    if split and not excluded and clause.intent in ("upgrade", "remove", "outdated") and \
            _UNNAMED_EXCLUSION.match(after):
        # "update all but the pinned ones": an exclusion that names no package asks
        clause.ambiguous = f"what \"{split.group(0)} {after.strip()}\" leaves out"
    if clause.intent in ("upgrade", "remove") and _EXCEPT_RELATIVE.search(text):
        clause.ambiguous = f"which packages \"{_EXCEPT_RELATIVE.search(text).group(0)}\" means"
    strong = _STRONG_EXCLUDE.search(text)
    if strong and not excluded and clause.intent in ("upgrade", "remove", "outdated") and \
            not re.match(r"\s*(the )?(patch|minor|major|breaking)", text[strong.end():]):
        clause.ambiguous = f"\"{strong.group(0)} {text[strong.end():].strip()}\""
        absent = [t for t in tokens(text[strong.end():]) if is_name_like(t) and
                  not _level_word(t) and t not in ("alone", "untouched", "though")]
        if absent and clause.intent == "upgrade":  # "upgrade everything, hands off django"
            clause.ambiguous = (f"{' and '.join(absent)} {'is' if len(absent) == 1 else 'are'} "
                                "not a dependency of this project, so there is nothing to keep "
                                "back (say which dependency to leave out, or \"upgrade "
                                "everything\")")
    if excluded and not included:
        clause.excluded = excluded
        clause.all_packages = True
        if clause.intent == "remove":
            clause.ambiguous = "what to remove"
    pronoun = re.match(r"^(it|them|those|these|that one|this one|the one|whichever|whatever)\b",
                       body.strip()) or re.search(r"\b(?:if|whether) (it|they) (?:is|are)\b|"
                                                  r"^(?:is|are|was|has) (it|they)\b", body)
    if pronoun and not clause.packages and clause.intent in ("upgrade", "remove", "outdated"):
        clause.ambiguous = next(g for g in pronoun.groups() if g)
    if not clause.packages and not clause.all_packages:
        clause.all_packages = bool(SCOPE_ALL.search(text)) or clause.intent in ("upgrade",
                                                                                  "outdated")
        leftover = [t for t in phrase if t not in _OF_NOUNS and t not in _LEVEL_NOUNS and
                    t not in _FILLER_OBJECT and
                    not _level_word(t) and not SCOPE_ALL.fullmatch(t)]
        if not commanded and clause.intent == "upgrade" and clause.act == "command" and \
                re.match(r"^(?:the |our |my )?[a-z][a-z0-9._-]* (needs?|could use|requires?|"
                         r"wants?|deserves?)\b", text) and not SCOPE_ALL.search(text):
            clause.ambiguous = "what to upgrade"  # "the ORM needs an upgrade": which one?
        if commanded and clause.intent == "upgrade" and not phrase and not re.search(
                r"\b(safe|safely|patch|minor|major|breaking|all|everything|latest|newest)\b",
                text):
            clause.ambiguous = "what to upgrade"  # a bare "update"
        if clause.intent == "upgrade" and re.search(r"\bto (version |v)?\d", text):
            clause.ambiguous = "which package the version is for"
        singular = [t for t in phrase if t in ("package", "library", "one", "lib", "module",
                                               "version",
                                               "dependency", "thing")]
        if singular and re.search(rf"\b(every|each|any|all)( single)? {singular[0]}\b|"
                                  rf"\b{singular[0]} (versions|updates|upgrades|bumps)\b", text):
            singular = []  # "every dependency", "dependency versions": all of them
        if commanded and clause.intent in ("upgrade", "remove") and singular and \
                not clause.packages:
            clause.ambiguous = f"which {singular[0]}"
        elif commanded and clause.intent == "upgrade" and leftover and (
                not SCOPE_ALL.search(text) or _qualified(leftover)) and not re.search(
                r"\bthe (patch|minor|safe|non-breaking|compatible|outdated|old|stale) ones\b",
                body):
            # "the slow packages", "the deps I care about": a qualifier that names no package
            clause.ambiguous = f"which packages \"{' '.join(leftover)}\" means"
        if commanded and clause.intent in ("upgrade", "remove") and _RELATIVE.search(body):
            # "the libraries you think matter", "the packages that are slow"
            clause.ambiguous = f"which packages \"{_RELATIVE.search(body).group(0)}\" means"
        if commanded and clause.intent in ("upgrade", "remove") and not excluded and \
                _REFERENCE.search(body) and not re.search(
                    r"\bthe (patch|minor|major|safe|non-breaking|compatible|outdated|old|stale) "
                    r"ones\b", body):  # "upgrade the patch ones" is every one, at that level
            # "upgrade the rest" with nothing said to leave out, "the other one"
            clause.reference = _REFERENCE.search(body).group(0)
        first = re.sub(r"^(the|a|an)\s+", "", body.strip(" ?.!,"))
        if clause.intent in ("upgrade", "remove", "outdated") and not clause.unknown and (
                AMBIG.match(first) or re.match(r"^(it|that|this|them|those|these|whichever|"
                                                r"whatever|the one|that one|one)\b", first)):
            clause.ambiguous = first.split(" ")[0] if first else "it"
    if clause.intent == "upgrade" and not clause.packages and _OWN_VERSION.search(text) and \
            not _DEPENDENCY_WORD.search(text):
        clause.ambiguous = "whose version: uvmgr upgrades dependencies, not the project's version"
    if clause.intent == "remove" and not clause.packages and not clause.unknown and \
            not clause.ambiguous:
        clause.ambiguous = "which package"


# "version bump pls", "bump the version", "bump minor" (as `hatch version minor` reads): the
# project's own version unless dependencies are said
_OWN_VERSION = re.compile(r"\bversion (?:bump|update|upgrade|increment|raise)s?\b|\b(?:bump|"
                          r"increment|raise) (?:the |our |a |my )?version\b|^(?:do |make )?(?:a )?"
                          r"(?:minor|patch|major) bump\b|^bump (?:the )?(?:minor|patch|major)\b"
                          r"(?: version)?\s*(?:please|pls|now)?\s*$")
_DEPENDENCY_WORD = re.compile(r"\b(?:deps?|dependenc\w*|packages?|libraries|libs?|requirements|"
                              r"everything|all|every|each)\b")


# After "but/except": "the pinned ones", "whatever is pinned" - no name, no level, no "keep it".
_UNNAMED_EXCLUSION = re.compile(r"(?<!\s)\s*+(the |those |any |whatever |what |ones? )(?!(patch|minor|"
                                r"major|breaking|non-breaking|safe|latest)\b)[a-z -]*\b(ones?|is|are|"
                                r"pinned|broken|failing|slow|heavy|risky|big|old)\b")
# "everything that isn't pinned": a relative clause that narrows "everything"
_EXCEPT_RELATIVE = re.compile(r"\b(everything|all|anything|packages|deps|dependencies) (that|which) "
                              r"(?!(is|are|s) (outdated|old|behind|stale|out of date|safe|"
                              r"compatible|non-breaking|a patch|minor|available)\b)"
                              r"(is|are|s|has|have|was|were|can|are not|is not|depends?|uses?|"
                              r"needs?|requires?|imports?|relies)\b[a-z -]*")
_REFERENCE = re.compile(r"\b(the rest|the others|the other ones?|the remaining( ones)?|"
                        r"everything else|the same( ones| packages)?|the ones?)\b")
_RELATIVE = re.compile(r"\b(dependencies|deps|packages|libraries|libs|modules|ones|stuff|things|"
                       r"tools) (i|we|you|they|that|which|who|our|my|your|people|the team)\b")
# Words that may stand in an "everything" object without narrowing it to unnamed packages.
_SCOPE_WORDS = frozenset([
    "all", "every", "each", "everything", "whole", "entire", "lot", "stuff", "things", "thing",
    "of", "them", "outdated", "old", "stale", "direct", "main", "installed", "project", "our",
    "my", "the", "libraries", "libs", "modules", "across", "board", "wholesale", "deps",
    "dependencies", "packages", "requirements", "python", "dev", "remaining", "max", "maximum",
    "at", "most", "only", "just", "level", "version", "versions", "updates", "releases", "rest",
    "others", "other", "else", "ones", "one", "same", "way",
])


def _qualified(leftover: list[str]) -> bool:
    """An object qualified by words that are neither scope nor level ("slow", "i care about")."""
    return any(t not in _SCOPE_WORDS and not t.startswith("-") for t in leftover)


_OF_NOUNS = frozenset([
    "update", "updates", "upgrade", "upgrades", "patch", "patches", "bump", "bumps", "version",
    "versions", "release", "releases", "fixes", "fix", "removal", "dependency", "dependencies",
    "dep", "deps", "package", "packages", "requirement", "library",
])


_LEVEL_NOUNS = frozenset([
    "patch", "minor", "major", "safe", "safely", "latest", "newest", "new", "old", "python",
    "dev",
])


_PHRASE_END = frozenset([
    "to", "as", "for", "in", "into", "so", "because", "since", "which", "that", "from", "with",
    "on", "at", "when", "while", "if", "once", "after", "before", "unless", "until", "via", "by",
    "without", "but", "except", "excluding", "apart", "other", "besides", "leave", "keep",
    "including", "incl", "inclusive", "no", "too", "even", "also", "then", "now", "first",
    "nothing",
])


_FILLER_OBJECT = frozenset([
    "only", "just", "available", "pending", "remaining", "outstanding", "possible", "recent",
    "next", "current", "newest", "new", "safe", "safely", "latest", "everything",
])


_DETERMINERS = frozenset([
    "the", "a", "an", "my", "our", "all", "both", "each", "every", "its", "their", "this",
    "these", "those", "your", "some",
])


# A word after a name that makes the name the subject of a statement of its own.
_SUBJECT_VERBS = frozenset([
    "does", "do", "did", "is", "are", "was", "were", "has", "have", "had", "handles", "covers",
    "works", "takes", "replaces", "replaced", "supersedes", "provides", "can", "will", "should",
    "already", "now", "still", "also", "needs", "depends", "uses", "wants", "broke", "breaks",
])


def object_phrase(body: str) -> list[str]:
    """The words a verb acts on: names joined by "and" or commas, up to anything else; "the
    patch updates for click" reaches through the noun to click."""
    out: list[str] = []
    expect = True
    toks = tokens(body)
    for i, tok in enumerate(toks):
        if out and i and toks[i - 1] in (",", "and", "&", "plus", "or") and i + 1 < len(toks) \
                and (toks[i + 1] in _SUBJECT_VERBS or TELLING_VERB.fullmatch(toks[i + 1]) and is_name_like(tok)):
            break  # "ditch pygments, rich does the highlighting now": rich is a subject
        if tok in ("called", "named") and out:
            expect = True
            continue
        if tok in ("for", "of", "on", "to") and out and out[-1] in _OF_NOUNS:
            expect = True
            continue
        if tok in (",", "and", "&", "plus", "or") and out:
            expect = True
            continue
        if tok in ("also", "too") and expect and out:
            continue  # "requests and also rich"
        if tok in _DETERMINERS and expect:
            continue
        if not expect or tok in _PHRASE_END:
            break
        out.append(tok)
        expect = tok in _OF_NOUNS or tok in _LEVEL_NOUNS
    return out


def _asked_about(text: str) -> set[str]:
    """Names a question asks about: "is flask out of date?", "the latest version of flask"."""
    found = re.findall(r"^(?:is|are|has|have|does|do|can|should) (?:our |my |the |your )?"
                       r"([a-z0-9][a-z0-9._-]*)|"
                       r"\b(?:of|for|on|about) ([a-z0-9][a-z0-9._-]*)", text)
    return {a or b for a, b in found}


def _level_word(tok: str) -> bool:
    return bool(re.match(r"^(patch[\w-]*|minor[\w-]*|major[\w-]*|breaking|non-breaking|compatible|"
                         r"next|x\.y\.z|"
                         r"latest|safe\w*|v?\d[\w.]*|bugfix\w*|point|semver[\w-]*)$", tok))


def normalized_known(known: list[str]) -> dict[str, str]:
    return {normalize_name(k): k for k in known}
