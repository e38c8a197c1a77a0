"""One step of a request read into a `Clause`: its intent from the head verb and its object,
its targets, scope, exclusions and level. `strict=True` is the reading `--yes` trusts: no typo
tolerance and no guessing."""

from __future__ import annotations

import re

from uvmgr.agent import lexicon as lx
from uvmgr.agent.reading import (
    _AMBIG,
    _BUILD,
    _CHECK,
    _DEV,
    _EXCLUDE,
    _GROUP,
    _LIST,
    _LOCK_OBJ,
    _OUT,
    _OUTDATED,
    _PIN,
    _SCOPE_ALL,
    _SECURITY,
    _STRONG_OUT,
    _TEST,
    Clause,
    _head,
    _is_name_like,
    add_specs,
    level_of,
    match_package,
    misspelt_verb,
    suggestion,
    tokens,
)
from uvmgr.tools.project import normalize_name

_LOOKING = frozenset(["check", "verify", "validate", "inspect", "review", "look", "find", "see", "confirm"])
_UPGRADE_WORD = re.compile(r"\b(upgrade|upgrades|update|updates|bump|bumps|newer|latest|newest|"
                           r"upgrad\w*|refresh|freshen|bring .* up to date)\b")
_REMOVE_STATEMENT = re.compile(r"\b(no longer (need|use)|not (need|use) .* any ?more|"
                               r"want .{1,30} (gone|removed|dropped|out)|"
                               r"(is|are) (unused|not used|dead weight)|do not need|"
                               r"can (go|be removed|be dropped))\b")
_ADD_STATEMENT = re.compile(r"^(need|want|require|would like|have to have|must have)\b\s*")
_DOCS = re.compile(r"\b(docs|documentation|changelogs?|readme|release notes|manual)\b")
_STAYS = re.compile(r"([a-z0-9][a-z0-9._-]*) (?:is|are|stays?|can stay|should stay|must stay|"
                    r"remains?) (?:fine |ok |good |okay )?(?:as is|as-is|alone|untouched|where "
                    r"it is|put|pinned|frozen|fine|ok)\b")
_SKIP_TESTS = re.compile(r"\b(without (running )?(the )?tests|skip(ping)? (the )?tests|"
                         r"do not (run|bother with) (the )?tests|no tests)\b")
_FIX_TARGET = re.compile(r"\b(?:vulnerabilit\w*|cves?|advisor\w*|issues?) (?:in|of|for|on) "
                         r"(?!(?:our|my|the|all|any|every)\b)[a-z]|"
                         r"\b(in|of|for|on) (the|a|that|this) (package|one|library|dependency)"
                         r"\b|\bonly (the )?(critical|high|severe|important|serious|major|"
                         r"worst|bad)\b")
_LOOKALIKE = re.compile(r"^(patch|fix|repair|sort|secure|harden|lock down|clear) ")
_FOREIGN_WORD = re.compile(r"\b(bitte|por favor|s'il vous|svp|per favore|danke|gracias|merci)\b")
_VAGUE = re.compile(r"\b(around|about|roughly|approximately) (version |v)?\d|\bsomewhere around\b|"
                    r"\bor so\b|\d-?ish\b")
_STRONG_OUTDATED = re.compile(r"\b(outdated|out of date|behind|stale|newer|updates|upgrades|"
                              r"freshness|rotting|obsolete|lagging|old|older|available|"
                              r"(not|are not|is not) at (the|their) latest)\b")
_SET_SPEC = re.compile(r"\b(?:set|change|make|update) (?:the )?([a-z0-9][a-z0-9._-]*) (?:constraint|"
                       r"requirement|bound|range|spec|specifier|version range) to "
                       r"((?:===|==|>=|<=|~=|!=|<|>)v?\d[\w.]*(?:,(?:===|==|>=|<=|~=|!=|<|>)v?\d"
                       r"[\w.]*)*)")
_DEFERRED = re.compile(rf"\b(?:{lx.DEFERRED})\b")
_CONDITION = re.compile(r"\b(only if|if|unless|provided( that)?|as long as|assuming|in case|"
                        r"whether)\b")
_CONDITIONAL_CHANGE = re.compile(r"\b(if|whether|unless|once|when)\b.{0,40}\b(upgrad(e|ing)|"
                                 r"updat(e|ing)|bump(ing)?|remov(e|ing)|drop(ping)?|add(ing)?|"
                                 r"install(ing)?|fix(ing)?)\b"
                                 r"(?!.*\bthen\b)")
_HARMLESS_CONDITION = re.compile(r"\b(if|as long as|provided|unless) (it is not (a )?breaking( change)?|"
                                 r"it is (a )?(major|breaking)( one| change| release)?|"
                                 r"needed|necessary|possible|any|"
                                 r"there (are|is) any|applicable|you can|it is safe|safe|"
                                 r"available|the tests (still )?pass|tests (still )?pass)\s*$")
_STRONG_EXCLUDE = re.compile(r"\b(except( for)?|excluding|other than|apart from|aside from|"
                             r"save for|with the exception of|but not|leave|leaving|skip|"
                             r"without touching|do not touch|never touch|hold back|holding back)\b")
_VERSION_ONLY = re.compile(r"^v?\d[\w.]*$")


def _topic(text: str) -> str:
    """The intent the words of a verb-less request or a question point to."""
    if _SECURITY.search(text) or re.search(r"\baudit\b", text):
        return "audit"
    if re.search(r"\b(which|what) versions?\b|\blocked versions?\b|\b(is|are) (it |they )?locked\b"
                 r"|\bpinned\b", text):
        return "list"
    if _LOCK_OBJ.search(text):
        return "lock"
    if re.search(r"\b(outdated|out of date|out-of-date|behind|stale|newer|lagging|obsolete)\b",
                 text):
        return "outdated"
    if _CHECK.search(text):
        return "check"
    if _BUILD.search(text):
        return "build"
    if _TEST.search(text):
        return "test"
    if _OUTDATED.search(text):
        return "outdated"
    if re.search(r"\b(depend on|dependencies|packages|installed|using|use)\b", text) or \
            _LIST.search(text):
        return "list"
    return ""


def _intent(act: str, verb: str, rest: str, text: str, first_word: str) -> str:
    sec = bool(_SECURITY.search(text))
    if re.match(r"^(update|upgrade) (me|us)\b", text):
        return "outdated"  # "update me on what's outdated"
    if act == "howto" or verb == "docs":
        return "docs"
    if verb in ("generic", "list", "") and _DOCS.search(text) and (
            act in ("question", "howto") or first_word in _LOOKING | {"search", "read", "show"}
            or re.match(r"^(docs|documentation|changelog|readme)\b", text)):
        return "docs"
    if act in ("question", "deliberate") and re.search(
            r"\b(uv|uvmgr|pip|autopilot|traces?|exit codes?|cache|equivalent|docs?|"
            r"documentation|reproducible)\b", text) and not sec:
        return "docs"
    if act in ("question", "deliberate") or not verb:
        if not verb and act == "command":
            if sec and re.search(r"\b(fix|patch|remediate|resolve|address|mitigate)\b", text):
                return "fix"
            if re.search(r"\b(bug ?fix\w*|patch\w*|minor|point) (releases?|versions?|"
                         r"updates?)\b", text) and not sec:
                return "upgrade"
            if _UPGRADE_WORD.search(text) and not sec and (not _OUTDATED.search(
                    text.replace("latest", "")) or re.search(r"\b(patch|minor|major|safe|"
                                                            r"all|only)\b", text)):
                return "upgrade"
            if re.search(r"\b(relock|re-lock|lock)\b", text) and not _TEST.search(text):
                return "lock"
        if act in ("question", "deliberate"):
            if re.search(r"\b(what|anything) (is )?(new|changed)|\bwhat changed\b|\bchanges in\b|"
                         r"\bwhy\b", text) and not sec:
                return "docs"
            if verb in ("upgrade",) or _UPGRADE_WORD.search(text) and not sec:
                return "outdated"
            if verb == "fix" and sec:
                return "audit"
            if verb in ("add", "remove", "lock"):
                return verb  # asked about, not commanded: the planner answers or asks back
        return _topic(text)
    if verb == "upgrade":
        if sec:
            return "fix"
        if _LOCK_OBJ.search(text) and not re.search(r"\b(dependencies|packages|everything|all)\b",
                                                    text):
            return "lock"
        return "upgrade"
    if verb == "remove":
        return "fix" if sec else "remove"
    if verb == "fix":
        if sec or first_word in ("remediate", "mitigate", "harden", "secure"):
            return "fix"
        if re.search(r"\b(outdated|out of date|stale|old)\b", text):
            return "upgrade"  # "fix the outdated deps"
        if first_word == "patch":
            return "upgrade"
        if _LOCK_OBJ.search(text) or (first_word == "resolve" and "dependencies" in text):
            return "lock"
        return ""
    if verb == "list":
        topic = _topic(text)
        if topic == "outdated" and not _STRONG_OUTDATED.search(text):
            return "list"  # "list the current groups"
        return topic if topic in ("audit", "outdated", "test", "check") else "list"
    if verb == "generic":
        topic = _topic(text)
        if first_word in ("apply", "do", "get", "go", "make", "pull", "take") and not sec and (
                _UPGRADE_WORD.search(text) or re.search(r"\b(bug ?fix\w*|patch\w*|minor|"
                                                        r"point) (releases?|versions?)\b", text)):
            return "upgrade"
        if first_word == "make" and re.search(r"\baudit\b.{0,20}\b(pass|green|clean|happy)\b",
                                              text):
            return "fix"  # "make the audit pass"
        if first_word in ("apply", "do", "get", "make", "sort", "clean") and sec and not \
                re.search(r"\b(check|scan|audit|report|review|look)\b", text):
            return "fix"
        if first_word == "move":
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
    if verb == "build" and _LOCK_OBJ.search(text):
        return "lock"  # "rebuild the lock"
    return verb


def read_clause(text: str, known: dict[str, str], strict: bool) -> Clause:
    act, verb, rest = _head(text)
    first_word = text.strip().lstrip(",").split(" ", 1)[0] if text.strip() else ""
    body = rest if verb else text
    first_word = _first_verb_word(text) or first_word
    clause = Clause(text=text, act=act)
    masked = _mask_names(text, known)
    clause.intent = _intent(act, verb, rest, masked, first_word) if verb or act != "statement" \
        else ""
    if act == "statement" and not clause.intent:
        if _REMOVE_STATEMENT.search(text):
            clause.intent = "remove"
        elif _ADD_STATEMENT.match(rest):
            topic = _topic(masked)
            if topic in ("audit", "outdated", "list", "test", "check", "build"):
                clause.intent, clause.act = topic, "command"  # "I need a list of advisories"
            else:
                clause.intent, rest = "add", _ADD_STATEMENT.sub("", rest)
                body = rest
    elif act == "statement" and _REMOVE_STATEMENT.search(text):
        clause.intent = "remove"
    setting = _SET_SPEC.search(text)
    if setting and match_package(setting.group(1), known, True)[0]:
        clause.intent, clause.specs = "add", [setting.group(1) + setting.group(2)]
        return clause  # "set the httpx constraint to >=0.27"
    pin = _PIN.search(text)
    if pin and act in ("command", "statement", "request") and not _SECURITY.search(text):
        name, corrected = match_package(pin.group(2), known, strict)
        clause.intent, clause.pin = "add", True
        if not name:
            if _AMBIG.match(pin.group(2)) or pin.group(2) in lx.ENGLISH:
                clause.ambiguous = pin.group(2)
            else:
                clause.unknown.append((pin.group(2), suggestion(pin.group(2), known)))
            return clause
        clause.specs = [f"{name or pin.group(2)}=={pin.group(3)}"]
        if corrected:
            clause.typos.append(name)
        return clause
    if (_OUT.search(text) and not _names_in(text, known) or _STRONG_OUT.search(text) and
            act in ("command", "request")) and not (
            act in ("howto", "question", "deliberate") and re.search(
                r"\b(uv|uvmgr|autopilot|pin|lock|dependenc\w*|packages?|version|group|extras?|"
                r"index|wheel|should)\b", text)):
        clause.intent = "out_of_scope"
        return clause
    for word in text.split()[:3]:
        if misspelt_verb(word):
            clause.typos.append(word)  # read, confirmed with a person, never approved
            break
    if clause.intent in ("upgrade", "fix", "remove", "add") and _SKIP_TESTS.search(text):
        clause.ambiguous = "skipping the tests (the change is always gated by them)"
    if clause.intent == "fix" and (_names_in(text, known) or _FIX_TARGET.search(text) or (
            verb == "upgrade" and any(_is_name_like(t) and not _SECURITY.search(t)
                                      for t in _object_phrase(body)))):
        clause.ambiguous = "a fix for one package (fixes apply to every vulnerable package)"
    look = _LOOKALIKE.match(text)
    if look and ((look.group(1) == "patch") == (clause.intent == "upgrade") and
                 clause.intent in ("upgrade", "lock") or look.group(1) in (
                     "secure", "harden", "lock down", "clear")) or (
            clause.intent in ("upgrade", "fix", "remove", "lock") and _FOREIGN_WORD.search(text)):
        clause.act = "request"  # "patch click", "fix the lock file": read, but not plain
    if re.match(r"^(level up|freshen|spruce)\b", text) or (
            first_word == "fix" and clause.intent == "upgrade"):
        clause.act = "request" if clause.act == "command" else clause.act  # slang, lookalikes
    if clause.intent in ("upgrade", "lock") and re.search(r"\b(understanding|knowledge|skills)\b",
                                                          text):
        clause.intent = "docs"
    if clause.intent in ("upgrade", "remove", "add", "fix", "lock") and (
            _DEFERRED.search(text) or re.search(r"\bthe version (the|that|which|we|they|it)\b",
                                                 text) or re.search(r"\b(swap|replace|switch|"
                                                                    r"migrate)\b", text)):
        clause.ambiguous = "a choice left open"
    if clause.intent in ("upgrade", "remove") and re.search(
            r"\b[a-z0-9][a-z0-9._-]* or [a-z0-9][a-z0-9._-]*\b", text) and len(
            _names_in(text, known)) > 1:
        clause.ambiguous = "which of the packages"
    if _CONDITIONAL_CHANGE.search(text) and clause.intent not in ("outdated", "audit", "docs",
                                                                      "list"):
        clause.ambiguous = "a change that depends on a condition"
    elif clause.intent in ("upgrade", "remove", "add", "fix", "lock") and \
            _CONDITION.search(text) and not _HARMLESS_CONDITION.search(text):
        clause.ambiguous = f"the condition \"{_CONDITION.search(text).group(0)} ...\""
    elif clause.intent in ("upgrade", "remove", "add", "fix", "lock") and (
            _CONDITION.search(text) or _VAGUE.search(text)):
        clause.act = "request" if clause.act == "command" else clause.act
    clause.level, clause.major_asked, clause.level_negated = level_of(text)
    if clause.intent == "add":
        specs, vague = add_specs(body)
        existing = [match_package(sp, known, True)[0] for sp in specs]
        if specs and all(existing) and re.search(r"\b(latest|newest|newer|recent)\b", text):
            clause.intent, clause.packages = "upgrade", existing  # "add the latest click"
            clause.act = "request"
            return clause
        clause.specs = specs
        if vague and not specs:
            clause.ambiguous = vague
        if specs and any(not _has_version(sp) for sp in specs) and (
                first_word in ("pin", "freeze", "lock") or re.search(
                    r"(?<![\w\[])\d|\bversion\b|\bpoint\b", _without_specs(body, specs))):
            clause.ambiguous = "the version"  # a version the reader could not turn into a spec
        if clause.act == "command" and _FOREIGN_WORD.search(text):
            clause.act = "request"
        for i, spec in enumerate(specs):  # a misspelt name is confirmed, never approved
            name, corrected = match_package(spec, known, strict)
            if corrected:
                clause.typos.append(name)
            elif not name:
                popular = popular_typo(spec)
                if popular:
                    clause.typos.append(popular)
                    if not strict:
                        specs[i] = popular + spec[len(_spec_name(spec)):]
        clause.dev = bool(_DEV.search(text))
        group = _GROUP.search(text)
        if group and not clause.dev:
            g = next(x for x in group.groups() if x)
            if g in ("dev", "development", "test", "tests", "testing"):
                clause.dev = True
            else:
                clause.group = g
        return clause
    _targets(clause, text, body, known, strict)
    return clause


def _mask_names(text: str, known: dict[str, str]) -> str:
    """Dependency names out of the way of topic words ("is pytest-cov installed" is not about
    the tests), except where a tool is run by name ("run pytest")."""
    def repl(m: re.Match) -> str:
        tok = m.group(0)
        return tok if tok not in known and normalize_name(tok) not in known else "pkg"
    parts = re.split(r"(\b(?:run|execute|with|using|via|does|did|do) \S+)", text)
    return "".join(p if i % 2 else re.sub(r"[a-z0-9][a-z0-9._-]*[a-z0-9]", repl, p)
                   for i, p in enumerate(parts))


def _without_specs(body: str, specs: list[str]) -> str:
    for spec in specs:
        body = body.replace(spec, " ")
    return re.sub(r"[a-z0-9._-]*(===|==|>=|<=|~=|!=|<|>)v?\d[\w.,<>=!~]*", " ", body)


def _has_version(spec: str) -> bool:
    return bool(re.search(r"(===|==|>=|<=|~=|!=|<|>)\s*\d", spec))


def _first_verb_word(text: str) -> str:
    for word in re.findall(r"[a-z-]+", text):
        if word in lx.HEAD_VERBS:
            return word
    return ""


def _names_in(text: str, known: dict[str, str]) -> list[str]:
    return [n for n in (match_package(t, known, True)[0] for t in tokens(text)) if n]


def _targets(clause: Clause, text: str, body: str, known: dict[str, str], strict: bool) -> None:
    """Packages, exclusions, unknown names and pronouns in one step."""
    phrase = _object_phrase(body)
    commanded = body != text and clause.act in ("command", "statement", "request")
    split = _EXCLUDE.search(text)
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
                    _is_name_like(tok) and not _level_word(tok) and \
                    (tok in phrase if commanded else tok in _asked_about(text)) and \
                    tok not in [u for u, _ in clause.unknown]:
                    clause.unknown.append((tok, suggestion(tok, known)))
    for m in _STAYS.finditer(text):
        name = match_package(m.group(1), known, strict)[0]
        if name and name not in excluded:
            excluded.append(name)
    clause.packages = [n for n in included if n not in excluded]
    strong = _STRONG_EXCLUDE.search(text)
    if strong and not excluded and clause.intent in ("upgrade", "remove", "outdated") and \
            not re.match(r"\s*(the )?(patch|minor|major|breaking)", text[strong.end():]):
        clause.ambiguous = f"\"{strong.group(0)} {text[strong.end():].strip()}\""
    if excluded and not included:
        clause.excluded = excluded
        clause.all_packages = True
        if clause.intent == "remove":
            clause.ambiguous = "what to remove"
    pronoun = re.match(r"^(it|them|those|these|that one|this one|the one|whichever|whatever)\b",
                       body.strip())
    if pronoun and not clause.packages and clause.intent in ("upgrade", "remove", "outdated"):
        clause.ambiguous = pronoun.group(0)
    if not clause.packages and not clause.all_packages:
        clause.all_packages = bool(_SCOPE_ALL.search(text)) or clause.intent in ("upgrade",
                                                                                  "outdated")
        leftover = [t for t in phrase if t not in _OF_NOUNS and t not in _LEVEL_NOUNS and
                    t not in _FILLER_OBJECT and
                    not _level_word(t) and not _SCOPE_ALL.fullmatch(t)]
        if commanded and clause.intent == "upgrade" and not phrase and not re.search(
                r"\b(safe|safely|patch|minor|major|breaking|all|everything|latest|newest)\b",
                text):
            clause.ambiguous = "what to upgrade"  # a bare "update"
        if clause.intent == "upgrade" and re.search(r"\bto (version |v)?\d", text):
            clause.ambiguous = "which package the version is for"
        singular = [t for t in phrase if t in ("package", "library", "one", "lib", "module",
                                               "dependency", "thing")]
        if commanded and clause.intent in ("upgrade", "remove") and singular and \
                not clause.packages:
            clause.ambiguous = f"which {singular[0]}"
        elif commanded and clause.intent == "upgrade" and leftover and \
                not _SCOPE_ALL.search(text):
            clause.ambiguous = f"which packages \"{' '.join(leftover)}\" means"
        first = re.sub(r"^(the|a|an)\s+", "", body.strip(" ?.!,"))
        if clause.intent in ("upgrade", "remove", "outdated") and not clause.unknown and (
                _AMBIG.match(first) or re.match(r"^(it|that|this|them|those|these|whichever|"
                                                r"whatever|the one|that one|one)\b", first)):
            clause.ambiguous = first.split(" ")[0] if first else "it"
    if clause.intent == "remove" and not clause.packages and not clause.unknown and \
            not clause.ambiguous:
        clause.ambiguous = "which package"


_OF_NOUNS = frozenset(["update", "updates", "upgrade", "upgrades", "patch", "patches", "bump", "bumps", "version", "versions", "release", "releases", "fixes", "fix", "removal", "dependency", "dependencies", "dep", "deps", "package", "packages", "requirement", "library"])
_LEVEL_NOUNS = frozenset(["patch", "minor", "major", "safe", "safely", "latest", "newest", "new", "old", "python", "dev"])
_PHRASE_END = frozenset(["to", "as", "for", "in", "into", "so", "because", "since", "which", "that", "from", "with", "on", "at", "when", "while", "if", "once", "after", "before", "unless", "until", "via", "by", "without", "but", "except", "excluding", "apart", "other", "besides", "leave", "keep"])


_FILLER_OBJECT = frozenset(["only", "just", "available", "pending", "remaining", "outstanding", "possible", "recent", "next", "current", "newest", "new", "safe", "safely", "latest", "everything"])
_DETERMINERS = frozenset(["the", "a", "an", "my", "our", "all", "both", "each", "every", "its", "their", "this", "these", "those", "your", "some"])


def _object_phrase(body: str) -> list[str]:
    """The words a verb acts on: names joined by "and" or commas, up to anything else; "the
    patch updates for click" reaches through the noun to click."""
    out: list[str] = []
    expect = True
    for tok in tokens(body):
        if tok in ("called", "named") and out:
            expect = True
            continue
        if tok in ("for", "of", "on", "to") and out and out[-1] in _OF_NOUNS:
            expect = True
            continue
        if tok in (",", "and", "&", "plus", "or") and out:
            expect = True
            continue
        if tok in _DETERMINERS and expect:
            continue
        if not expect or tok in _PHRASE_END:
            break
        out.append(tok)
        expect = tok in _OF_NOUNS or tok in _LEVEL_NOUNS
    return out


def _asked_about(text: str) -> set[str]:
    """Names a question asks about: "is flask out of date?", "the latest version of flask"."""
    found = re.findall(r"^(?:is|are|has|have|does|do|can|should) ([a-z0-9][a-z0-9._-]*)|"
                       r"\b(?:of|for|on|about) ([a-z0-9][a-z0-9._-]*)", text)
    return {a or b for a, b in found}


def _level_word(tok: str) -> bool:
    return bool(re.match(r"^(patch[\w-]*|minor[\w-]*|major[\w-]*|breaking|non-breaking|compatible|"
                         r"next|x\.y\.z|"
                         r"latest|safe\w*|v?\d[\w.]*|bugfix\w*|point|semver\w*)$", tok))


def _spec_name(spec: str) -> str:
    m = re.match(r"[a-z0-9][a-z0-9._-]*", spec)
    return m.group(0) if m else spec


def popular_typo(spec: str) -> str:
    """A widely used package this new name is probably a misspelling of ("hypotesis")."""
    import difflib

    from uvmgr.tools.popular import POPULAR_PACKAGES

    name = normalize_name(_spec_name(spec))
    if name in POPULAR_PACKAGES or len(name) < 5:
        return ""
    close = difflib.get_close_matches(name, sorted(POPULAR_PACKAGES), n=1, cutoff=0.88)
    return close[0] if close else ""


def normalized_known(known: list[str]) -> dict[str, str]:
    return {normalize_name(k): k for k in known}


_MODIFIER = re.compile(r"\b(patch|minor|major|majors|breaking|non-breaking|compatible|safe|"
                       r"as is|alone|untouched|nothing bigger|nothing major|"
                       r"except|excluding|leave|keep|skip|hold|without|not|tests? (green|pass\w*)"
                       r")\b")


def merge_modifiers(parts: list[str], known: dict[str, str], strict: bool) -> list[Clause]:
    """"keep it non-breaking and update everything", "leave six alone, upgrade the rest": a
    verb-less part that only qualifies a neighbouring upgrade is read together with it."""
    clauses = [read_clause(p, known, strict) for p in parts]
    out: list[Clause] = []
    pending = ""
    for i, clause in enumerate(clauses):
        modifier = (not clause.intent and clause.act not in ("prohibition",) and
                    _MODIFIER.search(clause.text) and not re.search(
                        r"\b(remove|drop|add|install|delete|uninstall)\b", clause.text)) or (
            clause.act == "prohibition" and _names_in(clause.text, known) and
            re.match(r"^(but )?(do not|never|please do not) (touch|upgrade|update|bump|change|"
                     r"move)\b", clause.text))
        if modifier:
            if out and out[-1].intent == "upgrade":
                out[-1] = read_clause(f"{out[-1].text} {clause.text}", known, strict)
                continue
            if i + 1 < len(clauses) and clauses[i + 1].intent == "upgrade":
                pending = f"{pending} {clause.text}".strip()
                continue
        if pending and clause.intent == "upgrade":
            clause = read_clause(f"{clause.text} {pending}", known, strict)
            pending = ""
        out.append(clause)
    return out
