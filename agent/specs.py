"""Requirements as people write them: "hypothesis and freezegun", "attrs at least 2.1",
"redis, but below version 6", "set the httpx constraint to >=0.27", and the new names that are
probably misspellings of widely used ones ("hypotesis")."""

from __future__ import annotations

import re

from uvmgr.agent import lexicon as lx
from uvmgr.agent.reading import AMBIG, OP, SPEC, STOP_OBJECT, VER
from uvmgr.tools.project import normalize_name


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


_SKIPPABLE = frozenset([
    "the", "a", "an", "new", "some", "our", "my", "latest", "newest", "recent", "current",
    "version", "python", "pypi", "package", "library", "lib", "module", "dependency",
    "dependencies", "packages", "libraries", "dev",
])


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
        m = re.match(r"([a-z0-9][a-z0-9._-]*(?:\[[a-z0-9,._-]+\])?(?:" + OP + VER +
                     r"(?:," + OP + VER + r")*)?)", text)
        if not m:
            break
        tok = m.group(1).rstrip(".")
        if tok in STOP_OBJECT or tok in ("and",):
            break
        if re.match(r"^\s*(\S+\s+)?(library|package|lib|module|tool|one|thing|dependency|"
                    r"thingy)\b",
                    text[m.end():]) and not SPEC.match(tok).group(3):
            ambiguous = f"{tok} {text[m.end():].split()[0]}"  # "a faster json library"
            break
        if AMBIG.match(tok) or tok in ("something", "one", "stuff"):
            ambiguous = tok
            break
        after = text[m.end():]
        spec, used = _prose_spec(tok, after)
        if tok in lx.ENGLISH and not SPEC.match(tok).group(3):
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


SET_SPEC = re.compile(r"\b(?:set|change|make|update) (?:the )?([a-z0-9][a-z0-9._-]*) (?:constraint|"
                       r"requirement|bound|range|spec|specifier|version range) to ?"
                       r"((?:===|==|>=|<=|~=|!=|<|>)v?\d[\w.]*(?:,(?:===|==|>=|<=|~=|!=|<|>)v?\d"
                       r"[\w.]*)*)")


def without_specs(body: str, specs: list[str]) -> str:
    for spec in specs:
        body = body.replace(spec, " ")
    # The look-behind starts a name only where its run starts: linear on a long run of letters.
    return re.sub(r"(?<![a-z0-9._-])[a-z0-9._-]*(===|==|>=|<=|~=|!=|<|>)v?\d[\w.,<>=!~]*", " ",
                  body)


def has_version(spec: str) -> bool:
    return bool(re.search(r"(===|==|>=|<=|~=|!=|<|>)\s*\d", spec))


def spec_name(spec: str) -> str:
    m = re.match(r"[a-z0-9][a-z0-9._-]*", spec)
    return m.group(0) if m else spec


def popular_typo(spec: str) -> str:
    """A widely used package this new name is probably a misspelling of ("hypotesis")."""
    import difflib

    from uvmgr.tools.popular import POPULAR_PACKAGES

    name = normalize_name(spec_name(spec))
    if name in POPULAR_PACKAGES or len(name) < 5:
        return ""
    close = difflib.get_close_matches(name, sorted(POPULAR_PACKAGES), n=1, cutoff=0.88)
    return close[0] if close else ""
