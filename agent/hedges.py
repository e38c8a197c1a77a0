"""Requests whose wording hides who or what the target is, read before the clause grammar:
an exclusion said in other words ("hands off httpx", "the requests one is fine as is") is
rewritten to the exclusion the grammar knows ("but leave httpx alone"); a reason that names a
package ("add httpx[http2], we need h2") is dropped, never a target; and three kinds are asked
back: an object named by who mentioned it ("the package Jonas mentioned"), an add of a near
miss of a dependency ("add requets" next to requests) and a version corrected mid-request
("to 8.1.7, no wait, to 8.1.8")."""

from __future__ import annotations

import re
from itertools import pairwise

from uvmgr.agent import lexicon as lx
from uvmgr.agent.lexicon import SELF_CORRECTION
from uvmgr.tools.project import normalize_name

_NAME = r"[a-z0-9][a-z0-9._-]*+"
_NAMES = rf"{_NAME}(?:(?:, | and | & |/){_NAME}){{0,5}}"
# "the dev group", "dev deps", "the test tooling", "group docs": a group is excluded by the same
# forms as a package (one rule); rewritten to "leave the X group alone", which context.py reads
_GROUP = (r"(?:(?:dev|development|test|testing|tests|docs|doc|lint|linting|typing|build|ci)[ -]"
          r"(?:group|deps|dependencies|dependency group|tooling|tools|packages|stuff|extras?)|"
          r"group [a-z][a-z0-9_-]*+)")
_NAMES = rf"(?:{_GROUP}|{_NAMES})"

# "; hands off httpx", ", not click": the exclusion as a clause of its own after the command
_HANDS_OFF = re.compile(rf"(?:[,;]\s*+(?:but\s++)?(?:hands off|not)|\bbut\s++hands off)\s++"
                        rf"(?:the\s++)?({_NAMES})"
                        r"(?:\s++(?:one|ones|package|packages|though|please|pls))?\s*+$")
# "hands off requests, upgrade the rest", "leave click alone and bump the others", "requests
# stays put; update everything else": the exclusion said before the upgrade of the rest
_LEAD_HOLD = (r"(?:hands off|(?:do not|never) touch|skip|not|leave|keep|hold back|freeze)\s++"
              rf"(?:the\s++)?({_NAMES})(?:\s++(?:alone|untouched|as is|where (?:it|they) (?:is|are)|"
              r"out of (?:it|this)))?")
_LEAD_STAYS = (rf"(?:the\s++)?({_NAMES})(?:\s++(?:one|package|dep))?\s++(?:(?:is|are|can|should|must|"
               r"will)\s++)?(?:stays? put|stays? where (?:it|they) (?:is|are)|stays?|remains?|fine "
               r"as is|fine as it is|fine|ok as is|good as is|untouched|as is)")
_LEAD_EXCLUSION = re.compile(
    rf"^(?:please\s++)?(?:{_LEAD_HOLD}|{_LEAD_STAYS})\s*+(?:[,;.:-]\s*+)?(?:(?:and|but|then|so)"
    r"\s++)?(?:(?:just|please)\s++)?([a-z]++)(?:\s++up)?\s++(?:all\s++)?(?:the rest|everything else|"
    r"the others|the other ones|the other (?:deps|dependencies|packages)|the remaining ones|the "
    r"remaining (?:deps|dependencies|packages)|all else|everything)\b(.*+)$")
# ", the requests one is fine as is", "; sqlalchemy stays put", ", rich can stay"
_FINE_AS_IS = re.compile(
    rf"(?:[,;]|\s[-\u2013\u2014])\s*+(?:but\s++|and\s++)?(?:the\s++)?({_NAMES})(?:\s++(?:one|ones|package|packages|dep|"
    r"deps|dependency|version))?\s++(?:(?:is|are|can|should|must|will|stays?|remains?)\s++)?(?:"
    r"fine as is|fine as it is|fine|good as is|ok as is|okay as is|ok|okay|stays? put|stays?|"
    r"remains?|stays? where (?:it|they) (?:is|are)|untouched|as is)"
    r"(?:\s++(?:for now|though|please|pls))?\s*+$")
# ", we need h2", "since we need pygments", "because we want h2": the reason, not a step
_REASON = re.compile(r"(?:[,;-]\s*+|\s(?=(?:since|because|as)\b))(?:(?:since|because|as|cause|"
                     r"cos)\s++)?(?:we|i)\s++(?:need|want|use|require)\b[^,;.!?]*+\s*+$")

# "the package Jonas mentioned", "the lib that sam suggested", "whatever Ana wanted"
_SOMEONES = re.compile(
    r"\b(?:the|that|this|whatever|which(?:ever)?)\s+(?:(?:new|other)\s+)?(?:package|library|lib|"
    r"dependency|dep|module|tool|thing|one)\s+(?:that\s+|which\s+)?(?:[a-z][a-z'.-]*\s+){1,2}"
    r"(?:mentioned|said|suggested|wanted|recommended|asked for|linked|proposed|talked about|"
    r"brought up|told (?:me|us) about|posted|sent)\b")

_CORRECTED_VERSION = re.compile(rf"(?<![\w.])\d[\w.]*+\s*+[,;-]?\s*+(?:{SELF_CORRECTION}|no)\b"
                                rf"[\s,;-]*+(?:(?:{SELF_CORRECTION}|no)\b)?[\s,;-]*+(?:to\s++|"
                                r"make it\s++)?v?\d")

_LEVEL = r"(?:major|minor|patch|breaking|bugfix)(?:e?s)?+"
# "to the latest major. hmm, no, keep it minor", "major, actually just patch", "wait, no majors":
# a level corrected mid-request is asked back, never the wider one kept
_CORRECTED_LEVEL = re.compile(rf"\b{_LEVEL}\b[^?!]{{0,80}}?(?:{SELF_CORRECTION}|\bno\s*+[,.;-]|\bnope\b|"
                              rf"\bhmm\b|\bnah\b|\bcorrection\b|\bmake (?:that|it)\b|\bchange "
                              rf"(?:that|it) to\b|\bkeep it\b|\bstick (?:to|with)\b)[^?!]{{0,40}}?\b{_LEVEL}\b")
# "only on windows", "just for linux", "on python < 3.11 only": a condition is a marker
_CONDITION = re.compile(r"\b(?:(?:only|just|solely)\s++)?(?:on|for|under|with|when)\s++(?:windows|win32|"
                        r"linux|mac|macos|osx|darwin|python\s*+(?:<|>|<=|>=|==|!=|below|above|"
                        r"older than|newer than)?\s*+\d|py\s*+\d|pypy|cpython)\b|\b(?:sys_platform|"
                        r"platform_system|platform_machine|python_version|python_full_version|"
                        r"os_name|implementation_name|platform_release)\b")

_CHANGE = re.compile(r"^\s*(?:please\s+)?(?:upgrade|update|bump|remove|drop|uninstall|pin)\b")
_ADD = re.compile(r"^(?:please\s+)?(?:add|install)\b")


def reword(norm: str, known: dict[str, str]) -> str:
    """The request with a trailing exclusion said in other words rewritten to "but leave X
    alone" and a trailing reason clause dropped."""
    def leave(match: re.Match) -> str:
        names = match.group(1)
        if re.fullmatch(_GROUP, names):
            return f", but leave the {_group_words(names)} alone"
        if not all(normalize_name(n) in known for n in re.split(r", | and | & |/", names)):
            return match.group(0)  # "breaking is fine": only dependencies are excluded
        return f", but leave {names} alone"

    def held(match: re.Match) -> str:
        names = match.group(1)
        if re.fullmatch(_GROUP, names):
            return f", but leave the {_group_words(names)} alone"
        if not all(_name_like(n, known) for n in re.split(r", | and | & |/", names)):
            return match.group(0)  # "hands off the cli": not a package name
        return f", but leave {names} alone"

    core = norm.rstrip(" .!")
    lead = _LEAD_EXCLUSION.match(core)
    if lead and lx.HEAD_VERBS.get(lead.group(3)) == "upgrade":
        names = lead.group(1) or lead.group(2)
        if re.fullmatch(_GROUP, names):
            return f"{lead.group(3)} everything{lead.group(4)}, but leave the {_group_words(names)} alone "
        if all(_name_like(n, known) for n in re.split(r", | and | & |/", names)):
            # "hands off requests, upgrade the rest": the rest of everything, without requests
            return f"{lead.group(3)} everything{lead.group(4)}, but leave {names} alone "
    text = _FINE_AS_IS.sub(leave, _HANDS_OFF.sub(held, core, count=1), count=1)
    reason = _REASON.search(text)
    if reason and not re.search(r"\b(?:too|also|as well)\b", reason.group(0)) and (re.match(
            r"^\s*(?:please\s+)?(?:add|install)\b", text) or _CHANGE.match(text)):
        text = text[:reason.start()]  # "upgrade click, we need rich": the reason, no step
    return norm if text == core else text + " "


def _group_words(group: str) -> str:
    """ "group docs" -> "docs group"; "dev deps" stays."""
    return f"{group[6:]} group" if group.startswith("group ") else group


def _name_like(name: str, known: dict[str, str]) -> bool:
    """A dependency, or a word that can only be a package name (not a level or English word)."""
    from uvmgr.agent.reading import is_name_like

    return normalize_name(name) in known or (is_name_like(name) and not re.match(
        r"(?:patch|minor|major|breaking|majors|minors|patches)\b", name))


def _one_edit(a: str, b: str) -> bool:
    """a and b differ by one insertion, deletion, substitution or swap of neighbours."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and
                                  a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = next((k for k in range(len(short)) if short[k] != long_[k]), len(short))
    return short[i:] == long_[i + 1:]


def hedged(text: str, norm: str, known: dict[str, str]) -> str:
    """Why the request (as typed, and normalised) is asked back before it is read ("" when it
    is not one of these)."""
    from uvmgr.agent.references import reference_elsewhere
    from uvmgr.agent.targets import names_in

    if _SOMEONES.search(norm):
        return "which package you mean: name it (who mentioned it is not a package name)"
    elsewhere = reference_elsewhere(norm, bool(names_in(norm, known)))
    if elsewhere:  # "the security thing from this morning", "per ticket UV-1423"
        return elsewhere
    if _CORRECTED_VERSION.search(text.lower()) and not re.match(
            r"\s*(?:please\s+)?(?:pin|add|install|downgrade)\b", norm):  # a pin reads the last
        return "which version: the request corrects itself (say the one version you want)"
    if _CORRECTED_LEVEL.search(text.lower()) and not re.match(r"\s*(?:how|what|why|is|are)\b", norm):
        return "which level: the request corrects itself (say the one level you want)"
    if _ADD.match(norm.strip()) and _CONDITION.search(text.lower()):
        return ("whether to add it with an environment marker: type the marker you want "
                "(e.g. \"pywin32; sys_platform == 'win32'\"), a condition is never dropped")
    if _ADD.match(norm.strip()):
        words = re.sub(r"\[[^\]]*\]", " ", norm.strip())  # extras are no names
        found = re.findall(rf"(?<![\w.=<>~!-]){_NAME}", words)
        # only names in the add's list: "add X", "add X and Y", not "... to the http client"
        for prev, word in pairwise(found):
            if prev not in ("add", "install", "and") and not re.search(
                    rf"(?<![\w.-]){re.escape(prev)}\S*,", words):
                continue
            name = normalize_name(word)
            near = next((k for k in known if len(k) > 3 and _one_edit(name, k)), None)
            if near and name not in known:
                return (f"whether you meant {near}, which is already a dependency "
                        f"(\"{word}\" is one letter away from it)")
    return ""
