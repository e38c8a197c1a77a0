"""Splitting a request into steps: shorthand rewritten, then "and", commas, "then" and the
like split it only where a new step starts (a verb, a topic, a question, a "don't"), in the
order the person wants them done."""

from __future__ import annotations

import re

from uvmgr.agent import lexicon as lx
from uvmgr.agent.reading import OP, REWRITES, misspelt_verb, verb_of

_NUM = "(?:" + "|".join(sorted(lx.NUMBER_WORDS, key=len, reverse=True)) + ")"
_NUM_WORD = rf"{_NUM}(?:[- ]{_NUM})?"
# "two point five", "thirteen point seven point oh": a version said in words.
_SPOKEN_VERSION = re.compile(rf"\b({_NUM_WORD})((?: point (?:{_NUM_WORD}))+)\b")


# (Possessive `*+` and lookbehinds instead of `\s*` runs: linear on long runs of spaces.)
_CORRECTION = re.compile(r"(?<![a-z0-9._\[\],<>=!~-])([a-z0-9](?:[a-z0-9._\[\],<>=!~-]*?[a-z0-9\]])?)\s*+"
                         r"(?:(?:[,;.?]++|\u2026|(?<=\s)-+)\s*+(?:(?:no,? )?wait|sorry|sry|soz|actually|correction|"
                         r"oops|(?:no|nope|nah)(?=[,.]))|(?:(?:[,;.]|(?<=\s)-+)\s*+)?(?:no,? wait|i mean|or rather|make that|"
                         r"scratch that))(?:,?\s*+(?:i mean|make that|no wait))?"
                         r"(?:\s*+[,:;-]+)?\s+(?=[a-z0-9])")

# "orjson, uh, ujson", "click... er, rich": a hesitation between two names corrects the first
_HESITATION = re.compile(r"(?<=[a-z0-9\]])\s*+(?:[,;]|\.{2,}|\u2026|\s-+)\s*+(?:err?|erm|uh+|um+|"
                         r"hmm+|ah|oh)\b[,.]*+\s*+(?=[a-z0-9])(?!(?:and|then|also|plus|or|but|"
                         r"please|pls|thanks|i meant?|is what)\b)")
# "orjson - ah, scratch that, ujson": a hesitation before a correction says nothing
_FILLER_BEFORE_CORRECTION = re.compile(r"\b(?:ah|oh|er|erm|uh|um|umm|hmm|ugh|argh|oops)\b[,.!]*+"
                                       r"\s*+(?=(?:no,? wait|wait|sorry|actually|correction|"
                                       r"scratch that|make that|i mean|or rather|no,)\b)")
# "click (no, rich)", "click (i mean rich)": the correction in brackets
_BRACKETED_CORRECTION = re.compile(r"(?<!\s)\s*+\(\s*+(?:no|nope|i mean|i meant|or rather|sorry|actually|"
                                   r"make that|correction)\b[,:]?\s*+([a-z0-9][a-z0-9._\[\]-]*)\s*+"
                                   r"\)")
# "click... er, rich I meant", "click, rich i mean": the name said last is the one meant
_MEANT_AFTER = re.compile(r"(?<![a-z0-9._-])[a-z0-9][a-z0-9._\[\]-]*(?:\.{2,}|\u2026|,|\s-+)[\s,.]*+"
                          r"(?:(?:er|erm|uh|um|umm|ah|oh|hmm|no|sorry|wait)\b[,.]*+\s*+)?"
                          r"([a-z0-9][a-z0-9._\[\]-]*) (?:is what )?i meant?\b")


def _number(words: str) -> str:
    return str(sum(lx.NUMBER_WORDS[w] for w in re.split(r"[- ]", words)))


def _spoken_version(m: re.Match) -> str:
    parts = [m.group(1), *m.group(2).split(" point ")[1:]]
    return ".".join(_number(p.strip()) for p in parts)


# Pasted text is quoted, never read as the person's request: a code block or a code span with
# a space in it, a traceback to the end, and a line of a log, a shell or a Python prompt.
_FENCE = re.compile(r"```[^`]*+(?:```|$)")
_CODE_SPAN = re.compile(r"`[^`\s]*+\s[^`]*`")
_TRACEBACK = re.compile(r"\btraceback \(most recent call last\).*", re.DOTALL)
_LOG_LINE = re.compile(r"^[ \t]*+(?:\$ |>>>|> |\.\.\. |e   |#|(?:error|warning|warn|info|debug|"
                       r"critical|fatal|exception|stderr|stdout|caused by)\b\s*+[:\]]).*$",
                       re.MULTILINE)


# A log level in capitals, or "error:" anywhere: the rest of that line is a tool's output.
_LOG_WORD = re.compile(r"\b(?:ERROR|WARNING|WARN|FATAL|CRITICAL|[Ee]rror:|[Ww]arning:)(?![\w-])"
                       r"[^\"`\n]*+")


def _quote_pasted(text: str) -> str:
    text = _FENCE.sub(" quoted-text ", text)
    text = _CODE_SPAN.sub(" quoted-text ", text)
    text = _TRACEBACK.sub(" quoted-text ", text)
    return _LOG_LINE.sub(" quoted-text ", text)


def unquoted(text: str) -> str:
    """The request, lower case, with pasted and quoted text replaced by a placeholder: what the
    person wrote themselves."""
    text = _quote_pasted(_LOG_WORD.sub(" quoted-text ", text).lower())
    return re.sub(r"(?<![^\s(\[:,])\"[^\"]*+\"", " quoted-text ", text)


_NOT_A_NAME = (r"(?!(?:we|i|you|they|he|she|it|who|that|which|have|has|had|was|were|been|being|"
               r"then|and|or|also|just)\b)")


def normalise(text: str) -> str:
    """Lower case, shorthand spelled out, operators glued to their version."""
    from uvmgr.agent.level_reading import negated_before

    out = " " + _quote_pasted(_LOG_WORD.sub(" quoted-text ", text).lower().strip()) + " "
    out = _SPOKEN_VERSION.sub(_spoken_version, out)
    # "orjson — no, ujson": an en or em dash before a correction is a dash
    out = re.sub(r"(?<!\s)\s*+[\u2013\u2014]+\s*+(?=(?:no|wait|sorry|actually|scratch that|make that|"
                 r"i mean|or rather|er|err|erm|uh|um|ah|oh)\b)", " - ", out)
    # "audit -> fix -> test" is an order of steps; "click -> latest" a target version
    out = re.sub(r"(?<!\s)\s*+(?:->|=>|\u2192)\s*(?=(\S+))",
                 lambda m: " then " if verb_of(m.group(1)) else " to ", out)
    out = re.sub(r"(?:(?<=\s)|^)\d{1,2}[.)]\s+(?=[a-z])", "; ", out)  # "1. audit 2. fix"
    out = re.sub(r"\bnew (?:dependency|dep|package|library|lib)\s*:\s*", "add ", out)
    # "attrs (>=23)": a bound in brackets is the bound
    out = re.sub(r"\(\s*((?:===|==|>=|<=|~=|!=|<|>)\s*v?\d[^)]*)\)", r"\1", out)
    # "requests: no", "click excluded": an exclusion said after the name
    out = re.sub(r"(?<![a-z0-9._-])([a-z0-9][a-z0-9._-]*)\s*+:\s*(?:no|nope|skip|not this one)\b",
                 r"not \1", out)
    # (never a pronoun or an auxiliary: "we skipped it last time" is a story, no exclusion)
    out = re.sub(rf"(?<![a-z0-9._-]){_NOT_A_NAME}([a-z0-9][a-z0-9._-]*(?:(?:,| and) "
                 rf"{_NOT_A_NAME}[a-z0-9._-]+)*) (?:is |are )?(?:excluded|"
                 r"left out|skipped|held back)\b", r"except \1", out)
    out = negated_before(out)  # "majors? no.", "major: not ok": never a positive major
    out = re.sub(r"\bas well as\b", "and", out)  # "remove tqdm as well as six": both
    out = _HESITATION.sub(", i mean ", out)
    for pattern, repl in REWRITES:
        out = pattern.sub(repl, out)
    out = _REPORTED_COMMAND.sub(lambda m: m.group(0).split(" ", 1)[0] + " quoted-text", out)
    # "add attrs, no wait, orjson", "click, I mean rich": the word corrected is dropped, the
    # correction stands in its place
    # "the dev tools: mypy and ruff": names after a group noun and a colon are its appositive
    out = re.sub(r"\b(tools|deps?|dependenc(?:y|ies)|packages|libs|libraries|linters|group):\s*+"
                 r"(?=[a-z0-9][a-z0-9._-]*(?:,| and|\s*$))", r"\1 ", out)
    out = _FILLER_BEFORE_CORRECTION.sub("", out)
    out = _BRACKETED_CORRECTION.sub(r", i mean \1", out)
    out = _MEANT_AFTER.sub(r"\1", out)
    out = _CORRECTION.sub(lambda m: m.group(0) if m.group(1) in lx.ENGLISH and not verb_of(
        m.group(1)) else " ", out)
    # "roll rich back to 13.7", "go back to rich 13.7": a rollback to a version is a pin
    out = re.sub(r"\b(?:roll|take|move|bring|put|set|send|knock|drop) ([a-z][a-z0-9._-]*) back "
                 r"(?:down )?to\b", r"roll back \1 to", out)
    out = re.sub(r"\b(?:go|going|get|move|step) back to ([a-z][a-z0-9._-]*) (?:version |v)?(\d[\w.]*)",
                 r"roll back \1 to \2", out)
    # "x and y, both as dev dependencies": the quantifier carries the role to every name listed
    out = re.sub(r"(?<![\s,])\s*+(?:,\s*+)?\b(?:both|all|each|the two|all (?:two|three|four|five)|(?:both|all) of "
                 r"them|them all)(?: of them)? (as|to|in|into|for)\b(?= (?:the |a |our )?(?:dev|"
                 r"development|test|tests|testing|docs?|[a-z]+ group)\b)", r" \1", out)
    # A quoted error message or note is quoted, not asked: it names nothing and splits nothing.
    # (a quote opens only after a space or a bracket: the text between "click" and "rich" is
    # no quotation)
    out = re.sub(r"(?<![^\s(\[:,])\"[^\"\s]*+\s[^\"]*\"|'[^':]*+:[^']*'", " quoted-text ", out)
    out = re.sub(r"[\"'`]", " ", out)
    out = re.sub(r"\b(take|pull|kick|throw|rip|yank|cut|strip|toss|chuck) ([a-z0-9._\[\]-]+"
                 r"(?:(?:,| and) [a-z0-9._-]+)*) out\b", r"\1 out \2", out)
    # "put mkdocs in the docs group", "stick responses in the dev deps": an add
    out = re.sub(r"\b(?:put|stick|pop|slap|throw|toss|drop|chuck|shove) ([a-z0-9._\[\]-]+"
                 r"(?:(?:,| and) [a-z0-9._-]+)*) (?:in|into|inside) ((?:the |our )?(?:[a-z]+ )?"
                 r"(?:group|dependencies|requirements)|(?:the )?(?:docs|dev|test|lint)(?= ?$))\b",
                 r"add \1 to \2", out)
    # "get loguru in here", "throw structlog into the project": an add ("drop" is not here)
    out = re.sub(r"\b(?:put|stick|pop|slap|throw|toss|chuck|shove|get|bring) ([a-z0-9._\[\]-]+"
                 r"(?:(?:,| and) [a-z0-9._-]+)*) (?:in|into|inside) (?:here|(?:the |our |this )"
                 r"project)\b", r"add \1", out)
    # "get typer added", "have six removed": the verb said as a participle
    out = re.sub(r"\b(?:get|have|got) ([a-z0-9._\[\]-]+(?:(?:,| and) [a-z0-9._-]+)*) (added|"
                 r"installed|removed|dropped|uninstalled|upgraded|updated|bumped)\b",
                 lambda m: {"added": "add", "installed": "add", "removed": "remove",
                            "dropped": "remove", "uninstalled": "remove"}.get(
                     m.group(2), "upgrade") + " " + m.group(1), out)
    # "pull orjson in", "bring attrs in": the particle goes after the verb
    out = re.sub(r"\b(pull|bring) ([a-z0-9._\[\]-]+(?:(?:,| and) [a-z0-9._-]+)*) in\b(?! (?:the|a|an|our|my)\b)",
                 r"\1 in \2", out)
    # "require at least pydantic 2.6": the bound after the name, as an add reads it
    out = re.sub(r"\b(at least|minimum|min) ([a-z][a-z0-9._-]*) (v?\d[\w.]*)\b",
                 lambda m: m.group(0) if m.group(2) in lx.ENGLISH else
                 f"{m.group(2)} {m.group(1)} {m.group(3)}", out)
    # ">= 0.9 and < 1.0", ">=0.27 , <1": two bounds on one name are one comma-joined spec
    out = re.sub(rf"({OP}\s*+v?\d[\w.*]*)\s*+(?:,|\band\b|\bbut\b)\s*+({OP})\s*+(?=v?\d)",
                 r"\1,\2", out)
    out = re.sub(rf"(?<!\s)\s*+({OP})\s*+(?=v?\d)", r"\1", out)
    out = re.sub(r"\s+", " ", out)
    return out.strip()


# Linear on long runs of spaces: a match starts only at the first space of a run
# (`(?<!\s)`), and possessive quantifiers (`*+`, Python 3.11) never give spaces back.
_SPLIT = re.compile(r"(?<!\s)\s*+(?:;|:\s+|(?<=\s)-+\s|\.{2,}\s*|\.\s+|!\s+|\?\s+|,?\s*+\b(?:and then|then|"
                    r"afterwards|after that|and after that|and afterwards|followed by|once "
                    r"(?:that is|it is|that's) done|and finally|finally|and next|next,|but anyway|anyway|anyhow|that said)\b\s*+,?)"
                    r"\s*+")
# What may start a new step after "and" or a comma: a verb, a topic, a question, a "don't".


# What may start a new step after "and" or a comma: a verb, a topic, a question, a "don't".
_STEP_START = frozenset([
    "so", "run", "check", "make", "do", "show", "list", "look", "see", "find", "tell", "give",
    "audit", "scan", "lint", "test", "build", "relock", "lock", "type", "types", "tests", "vulns",
    "vulnerabilities", "outdated", "is", "are", "what", "how", "does", "do", "not", "never",
    "just", "whether",
])


_QUESTIONISH = frozenset(["is", "are", "what", "which", "how", "does", "do"])


def _starts_step(word: str, rest: str, comma: bool) -> bool:
    from uvmgr.agent.reading import PHRASAL

    if any(p.match(rest) for p, _ in PHRASAL if _ != "docs"):
        return True  # "tqdm is deprecated, get rid of it"
    if comma and re.match(r"^[a-z]+(?:-| )only\s*(?:,|$)", rest):
        return False  # "add orjson, test-only": how to add, not a step
    if re.match(r"^(patch|minor|major|bugfix)\w*( only| level| releases?| updates?)*( for now| for the"
                r" moment| this time| please| pls)?\s*(,|$)",
                rest):
        return False  # "update all, patch only": a level, not a step
    if re.match(r"^\S+ (updates?|upgrades?|releases?|level|versions?|bumps?|fix(es)?)\b", rest):
        return False  # "minor and patch upgrades"
    if word in ("not", "never") and comma and not verb_of(rest.split(" ")[1] if " " in rest
                                                          else ""):
        return False  # "update all, not mypy though": an exclusion, not a step
    if verb_of(word) and verb_of(word) != "generic" or verb_of(misspelt_verb(word)):
        return True
    if comma and word in ("i", "we") and re.match(r"^\S+ (want|need|would|wanna|just)\b", rest):
        return True
    if comma and re.match(r"^[a-z0-9][a-z0-9._-]* (to|as|into) (the )?(dev|docs|test|tests|"
                          r"[a-z]+ group)\b", rest):
        return True  # "add ipython to dev, and mkdocs to docs": a second add
    if re.match(r"^(?:a|an|the)(?: fresh| new)? (?:wheels?|sdists?|builds?)\b(?! (?:package|packages|"
                r"tool|backend|library|lib|dependency|dep)\b)", rest):
        return True  # "relock plus a wheel": a build step
    if re.match(r"^[a-z][a-z0-9._-]* to v?\d[\w.]*\s*(?:,|$)", rest):
        return True  # "pin click to 8.1.7 and rich to 13.7.1": a second pin
    if comma and re.match(r"^(can|could|would|will) you\b|^(can|could|should|shall) (we|i)\b",
                          rest):
        return True  # "i am not sure how, can you run them"
    if re.match(r"^if (anything|something|any\w*)( \w+)? (is |s |are )?(vulnerable|flagged|"
                r"affected)\b", rest):
        return True  # "audit, and if anything is vulnerable fix it"
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
    text = re.sub(r"\s+", " ", text)  # one space between words: every pattern below stays linear
    head, colon, tail = text.partition(": ")
    sources = [m.end() for m in _SOURCE.finditer(head)] if colon else []
    if sources and (sources[-1] == len(head) or not verb_of(head.split(" ", 1)[0])):
        # "renovate: upgrade rich", "build log: remove six": what a source says is quoted
        text = "quoted-text" if verb_of(head.split(" ", 1)[0]) else f"{head} quoted-text"
    elif colon and (len(head.split()) == 1 and len(head) > 2 or _PREVIEW.search(head)):
        text = f"{head} {tail}"  # "python-dateutil: newest version?", "dry run: upgrade all"
    elif colon and re.search(r"\b(says?|said|suggests?|suggested|recommends?|notes?|readme|"
                             r"docs?|todo|wrote|writes|mentions?|according|instructions?|"
                             r"comments?|file)\b", head):
        text = f"{head} quoted-text"  # "my notes say: remove six": what a note says is quoted
    elif colon and len(head.split()) <= 5 and (not re.search(
            r"\b(add|install|upgrade|update|remove|drop|pin|bump|what|how|why|error)\b", head) or
            re.fullmatch(r"(?:quick|status|progress|small|weekly|daily) updates?", head)):
        text = tail
    text = re.sub(r"\s\+\s", " and ", text)
    # A question mark stays with its own step: "remove six? is that safe" asks twice, it
    # never commands "remove six".
    text = re.sub(r"\?\s+", "?; ", text)
    text = re.sub(r"^([a-z0-9][a-z0-9._-]*) -+ ", r"\1 ", text)  # "Pygments - outdated or not?"
    parts = [p.strip(" ,") for p in _SPLIT.split(text) if p and p.strip(" ,.")]
    out: list[str] = []
    for part in parts:
        pieces = re.split(r"(?<!\s)\s*+(,\s*+(?:and\s+|or\s+|but\s+)?|\b(?:and|plus|&|also|as well as)\s+)"
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


# Who or what a lead-in before a colon quotes: a tool's output, a bot, another person.
_SOURCE = re.compile(r"\b(?:logs?|output|errors?|warnings?|traceback|stderr|stdout|bot|renovate|"
                     r"dependabot|ci|pipeline|ticket|issue|pr|jira|slack|e-?mail|message|"
                     r"reviewer|review|description|title|commit|printed|prints|reads|shows|"
                     r"showed|pasted|pasting|copied|transcript|channel|thread|someone|somebody|"
                     r"colleague|teammate|he|she|they|installer|asked|asks|wants|quote|quoted|"
                     r"quoting|diff)\b")
_PREVIEW = re.compile(r"\b(?:preview|dry[- ]?run|simulate|simulation|what-if|hypothetically)\b")
# What a source says, when a changing verb follows it at once: "the diff shows upgrade click
# and remove six", "the guide says: add ruff". Quoted to the end of the sentence.
_REPORTED_COMMAND = re.compile(
    r"\b(?:shows?|showed|says?|said|reads?|lists?|listed|contains?|contained|wrote|writes?|"
    r"states?|stated|suggests?|suggested|recommends?|recommended|mentions?|mentioned|prints?|"
    r"printed|tells (?:you|us|me)|told (?:you|us|me)|asks?|asked)(?: (?:to|that|we|you|i|"
    r"should|,|:))*+ (?=(?:upgrade|update|bump|remove|drop|delete|uninstall|add|install|pin|"
    r"downgrade|lock|relock|fix|patch)\b)(?:(?!, (?:anyway|anyhow|but|however|meanwhile|"
    r"regardless|btw|still|now|so)\b)[^.;!?\n])*+")
_BUT_FIRST = re.compile(r"\bbut (?:first|before that)\b")


# "before building", "after you relock", "before we upgrade click": a step named as a time
_WHEN = re.compile(r"^(before|after|once) (?:you )?([a-z-]+)\b(.*)$")
# ("once we drop python 2": the person's own act is a condition, not a step)
_WHEN_INSIDE = re.compile(r"\s(before|after|once) (?:you )?([a-z-]+)\b")


def _as_step(verb: str, rest: str) -> str:
    """"building" -> "build", "relocking the project" -> "relock the project", or "" when the
    word is no task verb."""
    from uvmgr.agent.reading import gerund_stem

    stem = gerund_stem(verb) or verb
    intent = verb_of(stem)
    if not intent or intent == "generic" and stem not in ("run", "check"):
        return ""
    return f"{stem}{rest}".strip()


def _timed(steps: list[str]) -> list[str]:
    """"before building, run the linters" -> lint, build; "run the tests after you relock" ->
    relock, run the tests. Only where both parts are commands: "after upgrading click the tests
    fail" is narrative and stays as it is."""
    out: list[str] = []
    i = 0
    while i < len(steps):
        step = steps[i]
        m = _WHEN.match(step)
        nxt = steps[i + 1] if i + 1 < len(steps) else ""
        timed = _as_step(m.group(2), m.group(3)) if m else ""
        if timed and nxt and _starts_step(nxt.split(" ", 1)[0], nxt, True) and \
                verb_of(nxt.split(" ", 1)[0]):
            if re.match(r"\s*(anything|something|any|stuff)\b", m.group(3)):
                out.append(nxt)  # "before upgrading anything, audit": a precondition only
            else:
                out += [nxt, timed] if m.group(1) == "before" else [timed, nxt]
            i += 2
            continue
        inside = _WHEN_INSIDE.search(step)
        timed = _as_step(inside.group(2), step[inside.end():]) if inside else ""
        if timed and verb_of(step.split(" ", 1)[0]) and verb_of(step.split(" ", 1)[0]) not in (
                "", "generic") or timed and step.startswith("run "):
            first = step[:inside.start()].strip()
            out += [first, timed] if inside.group(1) == "before" else [timed, first]
        else:
            out.append(step)
        i += 1
    return out


def _reorder(steps: list[str]) -> list[str]:
    """"run the tests before upgrading click": the part after "before" goes first."""
    out: list[str] = []
    steps = _timed(steps)
    for step in steps:
        # A plain search, then slicing: a lazy `(.+?)\s*` prefix would be quadratic.
        m = _BUT_FIRST.search(step)
        before, after = (step[:m.start()].rstrip(" ,"), step[m.end():].lstrip(" ,")) if m else ("", "")
        if before and after:
            out += [after, before]
        else:
            out.append(step)
    return out
