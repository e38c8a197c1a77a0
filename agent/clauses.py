"""One step of a request read into a `Clause`: its intent from the head verb and its object,
its targets, scope, exclusions and level. `strict=True` is the reading `--yes` trusts: no typo
tolerance and no guessing."""

from __future__ import annotations

import re

from uvmgr.agent import lexicon as lx
from uvmgr.agent.level_reading import level_of, unplaced_bound
from uvmgr.agent.package_words import PACKAGE_INTO_CODE, code_edit
from uvmgr.agent.position import command_is_subject
from uvmgr.agent.reading import (
    AMBIG,
    DEV,
    EMBEDDED_QUESTION,
    GROUP,
    MUTATING_INTENTS,
    OUT,
    PIN,
    SECURITY,
    STRONG_OUT,
    Clause,
    head,
    is_name_like,
    match_package,
    misspelt_verb,
    suggestion,
)
from uvmgr.agent.specs import (
    SET_SPEC,
    add_specs,
    has_version,
    parses,
    popular_typo,
    series_bound,
    spec_name,
    without_specs,
)
from uvmgr.agent.targets import mask_names, names_in, object_phrase, read_targets
from uvmgr.agent.topics import intent_of, topic_of

_REMOVE_STATEMENT = re.compile(r"\b(no longer (need|use)|not (need|use) .* any ?more|"
                               r"want .{1,30} (gone|removed|dropped|out)|"
                               r"(is|are) (unused|not used|dead weight)|do not need|"
                               r"can (go(?! (?:up|to|major|minor|patch|forward|ahead|all|"
                               r"the|a|one|further|past|beyond)\b)|be removed|be dropped))\b")
_ADD_STATEMENT = re.compile(r"^(need|want|require|would like|have to have|must have|"
                            r"would appreciate|appreciate|could use)\b\s*")
_SKIP_TESTS = re.compile(r"\b(without (running )?(the )?tests|skip(ping)? (the )?tests|"
                         r"do not (run|bother with) (the )?tests|no tests)\b")
# One advisory by its id: fix_vulnerabilities cannot fix just that one.
_ADVISORY = re.compile(r"\b(?:cve-\d{4}-\d{3,}|ghsa(?:-[a-z0-9]{4}){3}|pysec-\d{4}-\d+|"
                       r"osv-\d{4}-\d+)\b")
_FIX_TARGET = re.compile(r"\b(?:vulnerabilit\w*|cves?|advisor\w*|issues?) (?:in|of|for|on) "
                         r"(?!(?:our|my|the|all|any|every)\b)[a-z]|"
                         r"\b(in|of|for|on) (the|a|that|this) (package|one|library|dependency)"
                         r"\b|\bonly (the )?(critical|high|severe|important|serious|major|"
                         r"worst|bad)\b|"
                         # "the package that has the CVE", "whichever library has the advisory":
                         # one package, named only by what it has
                         r"\b(?:the|that|this|whichever|which|whatever) (?:one|package|library|lib|"
                         r"dependency|dep|module)\b(?! (?:list|lock|manager|index)\b)")
_LOOKALIKE = re.compile(r"^(patch|fix|repair|sort|secure|harden|lock down|clear) ")
_FOREIGN_WORD = re.compile(r"\b(bitte|por favor|s'il vous|svp|per favore|danke|gracias|merci)\b")
_VAGUE = re.compile(r"\b(around|about|roughly|approximately) (version |v)?\d|\bsomewhere around\b|"
                    r"\bor so\b|\d-?ish\b")
_DEFERRED = re.compile(rf"\b(?:{lx.DEFERRED})\b")
_CONDITION = re.compile(r"(?<!named )(?<!called )\b(only if|if|unless|provided( that)?|as long as|"
                        r"assuming|in case|"
                        r"whether|once|whenever|until|(?:when|after|before) (?:we|i|you|they|it|"
                        r"the|our|my|someone|somebody|everyone))\b")
_CONDITIONAL_CHANGE = re.compile(r"\b(if|whether|unless|once|when)\b.{0,40}\b(upgrad(e|ing)|"
                                 r"updat(e|ing)|bump(ing)?|remov(e|ing)|drop(ping)?|add(ing)?|"
                                 r"install(ing)?|fix(ing)?)\b"
                                 r"(?!.*\bthen\b)")
HARMLESS_CONDITION = re.compile(r"\b(if|as long as|provided|unless) (it is not (a )?breaking( change)?|"
                                 r"it is (a )?(major|breaking)( one| change| release)?|"
                                 r"there (is|are) no (breaking|major)( changes?| ones?| releases?| "
                                 r"bumps?)?|it does not break( anything)?|nothing breaks|"
                                 r"needed|necessary|possible|any|"
                                 r"there (are|is) any|applicable|you can|it is safe|safe|"
                                 r"available|the tests (still )?pass|tests (still )?pass)\s*$")
_LOCK_FOR = re.compile(r"\block(?: ?file)? for (?:only |just )?([a-z0-9][a-z0-9._-]*)")
_LATER = re.compile(r"\b(tomorrow|tonight|later (today|on|this week)|next (week|month|sprint|"
                    r"release|time)|on (monday|tuesday|wednesday|thursday|friday|saturday|"
                    r"sunday)|at \d{1,2}(:\d\d)?(?![.\d]) ?(am|pm)?\b|in (an|one|two|three|a few|\d+) "
                    r"(hours?|days?|weeks?)|after (lunch|the release|the weekend))\b")
# A choice left between names: "whichever is older", "pick one", "click vs httpx"
_CHOICE = re.compile(r"\b(?:whichever|either(?! way)|pick one|choose one|one of (?:them|the two|these|"
                     r"those)|not both|alternatively|vs|versus)\b")
_VERSION_ONLY = re.compile(r"^v?\d[\w.]*$")


# "do what the README says", "apply whatever CONTRIBUTING suggests": a file is no request
_DEFER_TO_TEXT = re.compile(r"\b(what|whatever|everything|anything|all) (the |our |this |that )?"
                            r"[\w.-]+( file| doc| docs| page)? (says|say|said|suggests|suggest|"
                            r"suggested|tells|recommends|wants|asks|lists|describes)\b")


def _names_a_package(obj: str, known: dict[str, str]) -> bool:
    """What a stated need ("need X", "we want X") names is a package only when it looks like one
    (a version, extras, a `-`/`_`/`.`/digit) or is a known name: "need an answer for the board"
    names no package."""
    from uvmgr.tools.popular import POPULAR_PACKAGES
    from uvmgr.tools.project import normalize_name

    m = re.match(r"(?:(?:the|some|a|an)\s+)?([a-z0-9][a-z0-9._-]*)(\[|\s*(?:===|==|>=|<=|~=|!=|<|>)\s*"
                 r"\d)?", obj.strip())
    if not m:
        return False
    name = m.group(1)
    return bool(m.group(2)) or bool(re.search(r"[-_.\d]", name)) or name in known or \
        normalize_name(name) in POPULAR_PACKAGES


_ADD_OBJECT = re.compile(r"(?<![a-z0-9._\[-])(?<=\s)(?:[a-z0-9]++(?:[-_.][a-z0-9]++)++(?:\[[a-z0-9,._-]+\])?+"
                         r"(?! hooks?\b)|[a-z0-9]+\[[a-z0-9,._-]+\])|\s(?:with|plus) (?:the |its )?"
                         r"[a-z0-9_-]+ extras?\b")


def read_clause(text: str, known: dict[str, str], strict: bool) -> Clause:
    """One clause as the grammar reads it; a requirement it would plan that is not PEP 508
    ("click==8.x.y", "<1.x") asks back instead."""
    clause = _read_clause(text, known, strict)
    if any(not parses(spec) for spec in clause.specs) or clause.specs and re.search(
            r"\bnot (?:version |v)?\d", text):  # "at least 3.9 but not 4": a range left open
        clause.ambiguous = "the version range (say it as, e.g., \"NAME>=1.2,<2\")"
    return clause


def _read_clause(text: str, known: dict[str, str], strict: bool) -> Clause:
    if re.fullmatch(r"(ruff|mypy|pyright|flake8|lint)( (and|,|\+) (ruff|mypy|pyright|flake8|lint|"
                    r"types))*( please)?|(ruff|mypy|pyright|flake8)( check)?( [./][\w./-]*| src)?",
                    text):
        return Clause(text=text, intent="check")  # "ruff + mypy please": the checkers by name
    act, verb, rest = head(text)
    if _DEFER_TO_TEXT.search(text) and act in ("command", "request", "question"):
        return Clause(text=text, act=act, ambiguous="what a file says is not a request: say "
                      "which change you want")
    first_word = text.strip().lstrip(",").split(" ", 1)[0] if text.strip() else ""
    body = rest if verb else text
    first_word = first_verb_word(text) or first_word
    clause = Clause(text=text, act=act)
    masked = mask_names(text, known)
    clause.intent = intent_of(act, verb, rest, masked, first_word) if verb or act != "statement" \
        else ""
    if act == "statement" and not clause.intent:
        if _REMOVE_STATEMENT.search(text):
            clause.intent = "remove"
        elif _ADD_STATEMENT.match(rest):
            topic = topic_of(masked)
            if topic in ("audit", "outdated", "test", "check", "build") or (
                    topic == "list" and re.search(r"\b(list|report|overview)\b", text)):
                clause.intent, clause.act = topic, "command"  # "I need a list of advisories"
            elif _names_a_package(_ADD_STATEMENT.sub("", rest), known):
                clause.intent, rest = "add", _ADD_STATEMENT.sub("", rest)
                body = rest
            elif re.fullmatch(r"[a-z][a-z0-9]*", _ADD_STATEMENT.sub("", rest).strip(" .!")):
                clause.intent, clause.ambiguous = "add", (  # "we need cachetools": ask
                    "is that a package to add? say `add NAME` to add it")
    elif act == "statement" and _REMOVE_STATEMENT.search(text):
        clause.intent = "remove"
    elif act == "command" and not verb and _REMOVE_STATEMENT.search(text):
        clause.act = "statement"  # "six can go": a wish stated, read, confirmed
        clause.intent = "remove"
    if clause.intent in MUTATING_INTENTS and act in ("command", "request") and verb and \
            command_is_subject(body):
        clause.act, clause.intent = "statement", ""  # "uv add attrs fails with an error"
    if re.match(r"(?:unpin|unfreeze|unlock)\b", text) or clause.intent == "remove" and re.search(
            r"\b(?:pins?|constraints?|bounds?|caps?|extras?|version|limits?|specifiers?|ranges?)"
            r"\b", text):
        # "unpin click", "remove click's pin", "drop the upper bound on pydantic": a constraint
        # is loosened, not the package removed; which range is the person's to say
        return Clause(text=text, act=act, intent="add", ambiguous="which version range you "
                      "want instead (say \"set the NAME constraint to >=VERSION\")")
    setting = SET_SPEC.search(text)
    if setting and match_package(setting.group(1), known, True)[0]:
        clause.intent, clause.specs = "add", [setting.group(1) + setting.group(2)]
        return clause  # "set the httpx constraint to >=0.27"
    pin = PIN.search(text)
    if pin and (act in ("command", "request") or act == "statement" and verb) and \
            not SECURITY.search(text):  # not "stack overflow says to pin click to 8.0"
        name, corrected = match_package(pin.group(2), known, strict)
        clause.intent, clause.pin = "add", True
        if not name:
            if AMBIG.match(pin.group(2)) or pin.group(2) in lx.ENGLISH:
                clause.ambiguous = pin.group(2)
            else:
                clause.unknown.append((pin.group(2), suggestion(pin.group(2), known)))
            return clause
        clause.specs = [(name or pin.group(2)) + series_bound("==", pin.group(3))]
        if corrected:
            clause.typos.append(name)
        return clause
    # "add email-validator", "add psycopg with the binary extra": a word inside a package name
    # or an extra named after an add verb is no topic
    seen = _ADD_OBJECT.sub(" pkg", text) if clause.intent == "add" else text
    out = OUT.search(seen)
    weak_out = out and not names_in(text, known) and not re.search(
        r"\b(for|so|because|since)\b", seen[:out.start()])  # not "add boto3 for the S3 uploads"
    if act != "statement" and (weak_out or STRONG_OUT.search(seen) and (act in (
            "command", "request") or text.startswith("who "))) and not (
            act in ("howto", "question", "deliberate") and re.search(
                r"\b(uv|uvmgr|autopilot|pin|lock|dependenc\w*|packages?|version|group|extras?|"
                r"index|wheel|should)\b", text)):
        clause.intent = "out_of_scope"
        return clause
    for word in text.split()[:3]:
        if misspelt_verb(word.strip("?!.,;:")):
            clause.typos.append(word)  # read, confirmed with a person, never approved
            break
    if clause.intent in ("upgrade", "fix", "remove", "add") and _SKIP_TESTS.search(text):
        clause.ambiguous = "skipping the tests (the change is always gated by them)"
    if clause.intent == "fix" and (names_in(text, known) or _FIX_TARGET.search(text) or (
            verb == "upgrade" and any(is_name_like(t) and not SECURITY.search(t)
                                      for t in object_phrase(body)))):
        clause.ambiguous = "a fix for one package (fixes apply to every vulnerable package)"
    advisory = _ADVISORY.search(text)
    if advisory and clause.intent in ("upgrade", "fix", "remove", "add", "lock"):
        clause.ambiguous = (f"a fix for one advisory ({advisory.group(0).upper()}): a fix applies "
                            "to every vulnerable package, and an audit shows which package "
                            "this advisory concerns")
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
    if clause.intent in ("upgrade", "remove", "add", "fix", "lock") and _LATER.search(text):
        clause.ambiguous = "a change for later: uvmgr changes things now, when you ask"
    if clause.intent in ("upgrade", "remove", "add", "fix", "lock") and (
            _DEFERRED.search(text) or re.search(r"\bthe version (the|that|which|we|they|it)\b",
                                                 text) or re.search(r"\b(swap|replace|switch|"
                                                                    r"migrate)\b", text)):
        clause.ambiguous = "a choice left open"
    if clause.intent in ("upgrade", "remove") and re.search(
            r"(?<![a-z0-9._-])[a-z0-9][a-z0-9._-]*+,?+ or (?:else |maybe |perhaps )?[a-z0-9]",
            text) and not re.search(
            r"\b(not|except|excluding|but)\b", text.replace("not both", "")) and len(
            names_in(text, known)) > 1:
        clause.ambiguous = "which of the packages"
    if clause.intent in ("upgrade", "remove", "add") and _CHOICE.search(text) and len(
            names_in(text, known) + [s for s in re.findall(r"[a-z][a-z0-9._-]+", text)
                                     if s not in known and is_name_like(s)]) > 1:
        clause.ambiguous = "which of the packages"  # "click vs httpx, pick one"
    # "I was wondering if you could ...": the "if" asks politely, it sets no condition
    cond = EMBEDDED_QUESTION.sub(" ", text) if clause.act == "request" else text
    if _CONDITIONAL_CHANGE.search(cond) and clause.intent not in ("outdated", "audit", "docs",
                                                                      "list"):
        clause.ambiguous = "a change that depends on a condition"
    elif clause.intent in ("upgrade", "remove", "add", "fix", "lock") and \
            _CONDITION.search(cond) and not HARMLESS_CONDITION.search(cond):
        clause.ambiguous = f"the condition \"{_CONDITION.search(cond).group(0)} ...\""
    elif clause.intent in ("upgrade", "remove", "add", "fix", "lock") and (
            _CONDITION.search(cond) or _VAGUE.search(text)):
        clause.act = "request" if clause.act == "command" else clause.act
    clause.level, clause.major_asked, clause.level_negated = level_of(text)
    bound = unplaced_bound(text) if clause.intent == "upgrade" else ""
    if bound and not clause.ambiguous:  # a level the reader cannot place is asked, never widened
        clause.ambiguous = f"which level \"{bound}\" means (say patch, minor or major)"
    if clause.intent == "lock" and first_word in ("lock", "relock", "freeze") and \
            names_in(body, known) and not _LOCK_FOR.search(text):
        # "lock click": a pin without a version, or a relock? never guessed
        clause.ambiguous = "which version to pin (say \"pin NAME to VERSION\")"
    scoped = _LOCK_FOR.search(text)
    if clause.intent == "lock" and scoped and match_package(scoped.group(1), known, strict)[0] \
            and clause.act in ("command", "request"):
        # "update the lock for requests only": that package, never everything; confirmed
        clause.intent, clause.act = "upgrade", "request"
        clause.packages = names_in(text, known)
        return clause
    if clause.intent == "add":
        specs, vague, clause.not_done = add_specs(body, known)
        if specs and PACKAGE_INTO_CODE.match(without_specs(body, specs).strip(" ,")):
            clause.intent = "out_of_scope"  # "add rich to main.py": a code edit
            return clause
        if not specs and vague.startswith('"') and code_edit(vague.split('"')[1], text):
            clause.intent = "out_of_scope"  # "add a note to the README": a code or docs edit
            return clause
        existing = [match_package(sp, known, True)[0] for sp in specs]
        if specs and all(existing) and re.search(r"\b(latest|newest|newer|recent)\b", text):
            clause.intent, clause.packages = "upgrade", existing  # "add the latest click"
            clause.act = "request"
            return clause
        clause.specs = specs
        if specs and re.search(r"(?<![a-z0-9._-])[a-z][a-z0-9._-]*+(?:\[[a-z0-9,._-]*+\])?+"
                               r"(?:[<>=!~]=?[0-9.*]++)?+,?+ or (?:else |maybe |perhaps )?"
                               r"(?!(?:later|newer|above|higher|greater|more|better|so|less|"
                               r"lower|below|older|earlier|up|not|none)\b)[a-z]", body) and not re.search(r"\b(not|except|excluding|"
                                                                   r"but)\b", text):
            clause.ambiguous = "which of the packages"  # "add orjson or ujson": a choice
        if vague and not specs:
            clause.ambiguous = vague
        if specs and any(not has_version(sp) for sp in specs) and (
                first_word in ("pin", "freeze", "lock", "revert", "downgrade") or re.search(
                    r"(?<![\w\[])\d|\bversion\b|\bpoint\b", without_specs(body, specs))):
            clause.ambiguous = "the version"  # a version the reader could not turn into a spec
        if clause.act == "command" and _FOREIGN_WORD.search(text):
            clause.act = "request"
        for i, spec in enumerate(specs):  # a misspelt name is confirmed, never approved
            name, corrected = match_package(spec, known, strict)
            if corrected:
                clause.typos.append(name)
            elif not name:
                popular = popular_typo(spec, list(known))
                if popular:
                    clause.typos.append(popular)
                    if not strict and popular not in map(spec_name, specs):
                        specs[i] = popular + spec[len(spec_name(spec)):]
        clause.dev = bool(DEV.search(text))
        group = GROUP.search(text)
        if group and not clause.dev:
            g = next(x for x in group.groups() if x)
            if g in ("dev", "development"):  # "the test group" is the test group, not dev
                clause.dev = True
            else:
                clause.group = g
        elif not clause.dev and re.search(r"\b(?:to|in|into|under) (?:a |an |the |our )?(?:new |"
                                          r"separate |own |another )?(?:dependency )?group\b", text):
            clause.ambiguous = "which group (say \"to the NAME group\")"  # "to a new group"
        return clause
    embedded = EMBEDDED_QUESTION.search(text) if act == "question" else None
    if embedded:  # "not sure if click is the newest": the targets are after the lead-in
        text = body = text[embedded.end():]
    read_targets(clause, text, body, known, strict)
    if clause.act == "statement" and clause.intent == "remove" and clause.excluded and \
            _REMOVE_STATEMENT.search(text) and not re.search(r"\b(but|except|still|keep)\b", text):
        # "we do not use pygments anymore": the negation is the reason, not an exclusion
        clause.packages, clause.excluded = names_in(text, known), []
        clause.all_packages, clause.ambiguous = False, ""
    return clause


def first_verb_word(text: str) -> str:
    for word in re.findall(r"[a-z-]+", text):
        if word in lx.HEAD_VERBS:
            return word
    return ""
