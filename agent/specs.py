"""Requirements as people write them: "hypothesis and freezegun", "attrs at least 2.1",
"redis, but below version 6", "set the httpx constraint to >=0.27", and the new names that are
probably misspellings of widely used ones ("hypotesis")."""

from __future__ import annotations

import re

from uvmgr.agent import lexicon as lx
from uvmgr.agent.package_words import CODE_NOUNS, explicit_package, not_a_package
from uvmgr.agent.position import TELLING_VERB
from uvmgr.agent.reading import AMBIG, OP, SPEC, STOP_OBJECT, VER
from uvmgr.tools.project import normalize_name


def prose_spec(name: str, after: str) -> tuple[str, int]:
    """"at least (version) 2.1" -> ">=2.1" and how many characters of `after` it used."""
    patterns = (
        ((r"(?:at least|(?:a )?minimum(?: of)?|min|no older than|not older than|>=)\s*"
          r"(?:version\s+|v)?(\d[\w.]*)"), ">="),
        # "2.0 up to but not including 3" (after "from"): a range
        ((r"(?:(?:at|from) )?(?:version\s+|v)?(\d[\w.]*)(?=\s*(?:,\s*)?(?:up to but (?:not including|excluding)|"
          r"(?:and|but) (?:below|under|less than)|up to|until|(?:stopping |but )?short of|"
          r"stopping (?:before|below)) )"), ">="),
        ((r"(?:up to but (?:not including|excluding)|until|(?:stopping |but )?short of|stopping "
          r"(?:before|below))\s*(?:version\s+|v)?(\d[\w.]*)"), "<"),
        # "from 0.20 on", "2.0 onwards"
        (r"(?:version\s+|v)?(\d[\w.]*)\s+(?:on|onwards?|and beyond|forward)\b", ">="),
        ((r"(?:at )?(?:version\s+|v)?(\d[\w.]*)\s*(?:or (?:newer|later|higher|above|up|greater|more|"
         r"better)|and (?:up|above|newer|later)|\+)"), ">="),
        ((r"(?:strictly )?(?:below|under|less than|lower than|older than|before|prior to|<)\s*"
         r"(?:version\s+|v)?"
         r"(\d[\w.]*)"), "<"),
        ((r"(?:at most|no newer than|not newer than|no higher than|not higher than|not above|"
          r"no later than|not later than|up to|maximum|max)\s*(?:version\s+|v)?"
         r"(\d[\w.]*)"), "<="),
        (r"(?:exactly|exact|version|==|v|at version|pinned (?:to|at))\s*(?:version\s*)?v?(\d[\w.]*)",
         "=="),
        (r"(?:compatible with|~=)\s*(?:version\s+)?(\d[\w.]*)", "~="),
        ((r"(?:newer than|later than|greater than|higher than|above|more recent than|after|>)\s*"
          r"(?:version\s+|v)?(\d[\w.]*)"), ">"),
    )
    specs, used, rest = [], 0, after
    while True:
        # "with at least", "any version below", "anything under", "with a minimum of"
        rest_stripped = re.sub(r"^,?\s*(?:(?:and|but|with|any|anything|a|so|from|starting at|"
                               r"starting from|keep it|keeping it)\s+|versions? (?=(?:below|"
                               r"under|above|at least|from|up to|newer|older|no |not |less|lower|"
                               r"greater|higher|before|prior|minimum|min)\b))*", "",
                               rest.strip())
        for pattern, op in patterns:
            m = re.match(pattern, rest_stripped)
            if m:
                specs.append(series_bound(op, m.group(1).rstrip(".")))
                consumed = len(rest) - len(rest_stripped) + m.end()
                used += consumed
                rest = rest[consumed:]
                break
        else:
            break
    return (name + ",".join(specs)), used


def series_bound(op: str, version: str) -> str:
    """A bound on a series in PEP 508: "at most 5.x" -> "<6", "below 5.x" -> "<5", "at least
    2.x" -> ">=2", "newer than 1.4.x" -> ">=1.5", "exactly 2.x" -> "==2.*"."""
    series = re.fullmatch(r"(\d+(?:\.\d+)*)\.(?:x|\*)", version)
    if not series:
        return op + version
    parts = [int(p) for p in series.group(1).split(".")]
    after = ".".join(map(str, [*parts[:-1], parts[-1] + 1]))
    return {"<=": f"<{after}", ">": f">={after}", "<": f"<{series.group(1)}",
            ">=": f">={series.group(1)}"}.get(op, f"=={series.group(1)}.*")


def parses(spec: str) -> bool:
    """A requirement as PEP 508 reads it: what the planner emits and the authority approves."""
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        Requirement(spec)
    except InvalidRequirement:
        return False
    return True


_SKIPPABLE = frozenset([
    "the", "a", "an", "new", "some", "our", "my", "latest", "newest", "recent", "current",
    "version", "python", "pypi", "package", "library", "lib", "module", "dependency",
    "dependencies", "packages", "libraries", "dev",
])


# Words that qualify an add ("dev-only", "test only") rather than name a package.
_MODIFIER = re.compile(r"^(?:[a-z]+-only|(?:dev|test|tests|testing|docs?|lint|ci|local)"
                       r"(?:[-_ ]?only)?)$")
# Adjectives that make the object vague ("the usual test libs", "the standard ones").
_VAGUE_ADJECTIVES = frozenset([
    "usual", "standard", "typical", "common", "normal", "regular", "necessary", "needed",
    "required", "right", "proper", "missing", "best", "good", "recommended", "popular", "same",
    "other", "few", "various", "relevant", "appropriate", "favourite", "favorite", "basic",
    "essential", "obvious", "handy", "useful", "nice", "cool", "fancy", "whatever", "several",
])
# After a name and a connector, a word followed by one of these starts a clause of its own:
# "add black and reformat the code", "add loguru, structlog is too slow".
_CLAUSE_AFTER = re.compile(r"^\s*(?:the|my|our|your|it|its|them|this|that|these|those|all|"
                           r"every|everything|is|are|was|were|does|do|did|has|have|had|will|"
                           r"can|should|would|handles|works|takes|now|already|just)\b")


_PROSE_EXTRAS = re.compile(r"^\s*(?:,\s*)?(?:with|plus|including) (?:the |its )?([a-z0-9_-]+(?:(?:, ?|"
                           r" , ?| and )[a-z0-9_-]+)*) extras?\b")


def _package_like(word: str, known: dict[str, str] | None) -> bool:
    """A name on the popular list or in the project, or shaped like a package name (a `-`, `_`,
    `.` or digit inside), and no word that starts a clause or a phrase."""
    from uvmgr.agent.package_words import known_package

    return word not in STOP_OBJECT | lx.ENGLISH and (known_package(word, known or {}) or bool(
        re.fullmatch(r"[a-z][a-z0-9]*(?:[-_.][a-z0-9]+)+", word)))


NOT_A_PACKAGE = "\"{0}\" (a word, not a package: say \"add the package {0}\" if it is one)"


def add_specs(rest: str, known: dict[str, str] | None = None) -> tuple[list[str], str, str]:
    """The requirements after an add verb: "hypothesis and freezegun", "httpx>=0.27",
    "attrs at least 23", why the object is too vague to add (or ""), and a clause of its own
    that followed the names ("reformat the code with it" in "add black and reformat the code
    with it", or ""). Stops at "to/as/for/in ..."; words around a name are not names."""
    specs: list[str] = []
    text = rest.strip()
    ambiguous = ""
    lead = ""  # the words before the current name: "a" in "add a note", "package called"
    while text:
        stripped = re.sub(r"^(?:(?:,|&|(?:and|plus|also|as well as|the|a|an|package|library|lib|"
                          r"module|dependency on|dep on|dependency|called|named|packages|"
                          r"libraries|new|python|pypi)(?=\s|$))\s*)+", "", text)
        lead, text = f"{lead} {text[:len(text) - len(stripped)]}", stripped
        m = re.match(r"([a-z0-9][a-z0-9._-]*(?:\[[a-z0-9,._-]+\])?(?:" + OP + VER +
                     r"(?:," + OP + VER + r")*)?)", text)
        if not m:
            break
        tok = m.group(1).rstrip(".")
        if tok in STOP_OBJECT or tok in ("and",) or _MODIFIER.match(tok):
            break  # "dev-only", "test only": how to add, not what
        told = re.match(r"\s*([a-z]+)", text[m.end():])
        if specs and (_CLAUSE_AFTER.match(text[m.end():]) or told and TELLING_VERB.fullmatch(
                told.group(1)) and lead.strip()) and not SPEC.match(tok).group(3):
            return specs, ambiguous, text  # "and reformat the code": a clause of its own
        if re.match(r"^\s*(\S+\s+)?(librar(y|ies)|packages?|libs?|modules?|tools?|ones?|"
                    r"things?|dependenc(y|ies)|deps|stuff|plugins?|thingy|stubs|types|bindings|"
                    r"wrappers?|helpers?|sdk|client|backend|driver|extension)\b",
                    text[m.end():]) and not SPEC.match(tok).group(3):
            ambiguous = f"{tok} {text[m.end():].split()[0]}"  # "a faster json library"
            break
        noun = re.match(r"\s*+([a-z]+)", text[m.end():])
        if noun and noun.group(1) in CODE_NOUNS | {n + "s" for n in CODE_NOUNS} and \
                not SPEC.match(tok).group(3) and not specs and not explicit_package(lead):
            ambiguous = NOT_A_PACKAGE.format(noun.group(1))  # "a pre-push hook", "git hooks"
            break
        if AMBIG.match(tok) or tok in ("something", "one", "stuff") or tok in _VAGUE_ADJECTIVES:
            ambiguous = tok  # "the usual test libs": which packages is for the person to say
            break
        after = text[m.end():]
        extras = _PROSE_EXTRAS.match(after)
        if extras and "[" not in tok and not SPEC.match(tok).group(3):
            # "httpx with the http2 extra": the extra as typed, in PEP 508
            names = [n.strip() for n in re.split(r",| and ", extras.group(1))]
            tok, after = f"{tok}[{','.join(n for n in names if n)}]", after[extras.end():]
        spec, used = prose_spec(tok, after)
        if tok in lx.ENGLISH and not SPEC.match(tok).group(3) and (
                specs or tok not in _SKIPPABLE):
            ambiguous = ambiguous or ("" if specs else tok)
            break
        if tok in lx.ENGLISH and not SPEC.match(tok).group(3):
            lead, text = f"{lead} {tok}", after.strip()
            continue
        if spec == tok and not_a_package(tok, lead, known or {}):
            ambiguous = ambiguous or NOT_A_PACKAGE.format(tok)  # "add a note to the README"
            break
        second = re.match(r"([a-z][a-z0-9._-]*)\b(?!\[|[<>=!~])", after.strip())
        listed = spec == tok and second and _package_like(tok, known) and _package_like(
            second.group(1), known)  # "add pandas numpy scipy": a list without commas
        if spec == tok and second and not listed and second.group(1) not in STOP_OBJECT | \
                lx.ENGLISH | _SKIPPABLE and not _MODIFIER.match(second.group(1)) and \
                not re.match(r"(?:and|plus|or|but|then|also|too|please|first|now|as|to|for|"
                             r"version|v\d)\b", second.group(1)):
            ambiguous = f"{tok} {second.group(1)}"  # "add plain pysocks": which one is it?
            break
        specs.append(spec)
        lead = ""
        text = after[used:].strip()
        if not listed and not re.match(r"^(?:,|and\b|plus\b|&|as well as\b)", text):
            break
    return specs, ambiguous, ""


SET_SPEC = re.compile(r"\b(?:set|change|make|update) (?:the )?([a-z0-9][a-z0-9._-]*) (?:constraint|"
                       r"requirement|bound|range|spec|specifier|version range) to ?"
                       r"((?:===|==|>=|<=|~=|!=|<|>)v?\d[\w.]*(?:,(?:===|==|>=|<=|~=|!=|<|>)v?\d"
                       r"[\w.]*)*)")


def without_specs(body: str, specs: list[str]) -> str:
    for spec in specs:
        body = re.sub(rf"(?<![a-z0-9._-]){re.escape(spec)}(?![a-z0-9._\[-])", " ", body)
    # The look-behind starts a name only where its run starts: linear on a long run of letters.
    return re.sub(r"(?<![a-z0-9._-])[a-z0-9._-]*(===|==|>=|<=|~=|!=|<|>)v?\d[\w.,<>=!~]*", " ",
                  body)


def has_version(spec: str) -> bool:
    return bool(re.search(r"(===|==|>=|<=|~=|!=|<|>)\s*\d", spec))


def spec_name(spec: str) -> str:
    m = re.match(r"[a-z0-9][a-z0-9._-]*", spec)
    return m.group(0) if m else spec


def popular_typo(spec: str, known: list[str] = ()) -> str:
    """The package a new name is probably a misspelling of: a widely used one or a dependency of
    the project ("hypotesis" -> hypothesis), or the same name with one `-`-separated part
    corrected ("reqeusts-toolbelt" -> requests-toolbelt). "" when it is not a near miss."""
    import difflib

    from uvmgr.tools.popular import POPULAR_PACKAGES

    pool = set(POPULAR_PACKAGES) | {normalize_name(k) for k in known}
    name = normalize_name(spec_name(spec))
    if name in pool:
        return ""
    if len(name) == 4:  # "rihc": two neighbouring letters swapped in a short name
        swapped = [w for w in sorted(pool) if len(w) == 4 and _one_slip(name, w)]
        if swapped:
            return swapped[0]
    if len(name) >= 5:
        # a transposition is one slip (Damerau), as is one letter dropped or doubled: "lougru"
        slips = [w for w in sorted(pool) if w[0] == name[0] and (
            _one_slip(name, w) or _one_slip(w, name))]
        close = slips or difflib.get_close_matches(name, sorted(pool), n=1, cutoff=0.88)
        if close and close[0][0] == name[0]:  # "cattrs" is not a slip of "attrs"
            return close[0]
    words = sorted({w for n in pool for w in [n, *n.split("-")] if len(w) >= 4})
    parts = name.split("-")
    for i, part in enumerate(parts):
        if len(parts) < 2 or len(part) < 4 or part in words or part in lx.ENGLISH:
            continue
        close = [w for w in words if _one_slip(part, w)] or (
            difflib.get_close_matches(part, words, n=1, cutoff=0.84) if len(part) >= 6 else [])
        if close:
            return "-".join([*parts[:i], close[0], *parts[i + 1:]])
    return ""


def _one_slip(typed: str, word: str) -> bool:
    """Two neighbouring letters swapped ("clikc"), or one letter dropped from a word of five
    or more ("clik"): the slips of a hurried hand, not a different name ("restx")."""
    if len(typed) == len(word):
        diff = [i for i, (a, b) in enumerate(zip(typed, word)) if a != b]
        return len(diff) == 2 and diff[1] == diff[0] + 1 and typed[diff[0]] == word[diff[1]] \
            and typed[diff[1]] == word[diff[0]]
    return len(word) >= 5 and len(typed) == len(word) - 1 and any(
        word[:i] + word[i + 1:] == typed for i in range(len(word)))
