"""The level a request says, with negation: "without majors" is minor, "only patches" patch,
"major" or "to version 3" major, "within 2.x" / "on the same major" minor; nothing said: minor.
A level stated twice with a negation is never the widest."""

from __future__ import annotations

import re

from uvmgr.agent import lexicon as lx
from uvmgr.tools.versions import LEVELS

LEVEL = {lvl: re.compile(rf"\b(?:{w})\b") for lvl, w in lx.LEVEL_WORDS.items()}
NEG_LEVEL = {lvl: re.compile(rf"\b(?:{lx.NEGATORS})\b[^.,;!?]{{0,24}}?\b(?:{w})\b")
              for lvl, w in lx.LEVEL_WORDS.items()}
# "majors are not fine", "breaking changes aren't ok", "major bumps: no": negated after the word
NEG_AFTER = {lvl: re.compile(rf"\b(?:{w})\b(?: [a-z]+){{0,3}}?[ :-]+(?:are not|is not|aren'?t|"
                             r"aren t|isn'?t|isn t|not|no|nope|never|forbidden|banned|off limits|"
                             r"off the table|out of the question|a no-go|no-go|excluded|are out|"
                             r"is out)\b(?! (?:a |an |big )?(?:problem|issue|concern|worry|"
                             r"deal|blocker|dealbreaker)s?\b)") for lvl, w in lx.LEVEL_WORDS.items()}
# "majors? no.", "major: not ok", "major versions - not allowed": the no is the level's
_LEVEL_THEN_NO = re.compile(rf"\b((?:{lx.LEVEL_WORDS['major']}|{lx.LEVEL_WORDS['minor']})(?: [a-z]+)"
                            r"{0,2}?)\s*+[:?,\u2013\u2014-]++\s*+(?:(?:absolutely|definitely|certainly|"
                            r"a hard|hard|just) )?(?:no|nope|nah|not|never|forbidden|banned)\b")
ONLY_LEVEL = {lvl: re.compile(rf"\bonly\b[^.,;!?]{{0,12}}\b(?:{w})\b|\b(?:{w})\b[^.,;!?]{{0,16}}"
                               r"\bonly\b") for lvl, w in lx.LEVEL_WORDS.items()}
WITHIN_SERIES = re.compile(r"\b(?:within|stay(?:ing)? (?:on|within)|inside) v?\d+\.\d+"
                           r"(?:\.x|\.\*)?\b(?!\.\d)")
WITHIN_MAJOR = re.compile(r"\b(?:within|stay(?:ing)? (?:on|within)|inside) v?\d+(?:\.x|\.\*)?\b"
                          r"(?!\.\d)")
# "on the same major", "stay on the current major", "within the major": capped below a major
# plural and bounded forms too ("within the current majors", "inside their majors", "short of
# a new major"): a bounded level word never widens
SAME_MAJOR = re.compile(r"\b(?:same|current|existing|present|this|today's|respective) majors?\b|"
                        r"\b(?:within|inside|under|below|on|in|short of|no further than|not past|"
                        r"not beyond|nothing (?:past|beyond)|never (?:past|beyond)) (?:(?:the|its|"
                        r"their|our|each|a|every|any|a new) )?(?:one's )?(?:(?:current|same|"
                        r"existing|present|respective|own) )?majors?(?: versions?| series| lines?)?"
                        r"\b(?! (?:bumps?|upgrades?|updates?|releases?|changes?|jumps?)\b)")
# "everything but majors", "hold back majors", "majors can wait": majors left out
HELD_MAJOR = re.compile(r"\b(?:but|bar|minus|save|other than|apart from|except for|hold(?:ing)? "
                        r"(?:off|back)(?: on)?|(?:keep|keeping|hold|holding|freeze|freezing|pin|"
                        r"pinning|leave|leaving)(?: the| all| our| their)?|short of|stop(?:ping)? (?:before|short of)|not "
                        r"including) (?:the |any |new )?(?:majors?|breaking)\b|\b(?:majors?|major "
                        r"(?:versions?|upgrades?|bumps?|releases?)|breaking changes?) (?:can|could|"
                        r"should|will|must|may) wait\b|\b(?:majors?|breaking changes?) (?:later|"
                        r"another time|next time|some other time)\b")
# "within its current minor", "stay on the same minor", "no further than the current minor":
# patch releases only
SAME_MINOR = re.compile(r"\b(?:same|current|existing|present|this|respective) minors?\b(?! (?:or|"
                        r"and|bumps?|upgrades?|updates?|releases?|changes?|jumps?)\b)|\b(?:within|"
                        r"inside|short of|no further than|not past|not beyond) (?:the|its|"
                        r"their|our|each|every) (?:(?:current|same|existing|present|respective|"
                        r"own) )?minor(?: versions?| series| lines?)?\b(?! (?:bumps?|upgrades?|"
                        r"updates?|releases?|changes?|jumps?|or|and)\b)")
# "within its current release train": a bound the reader cannot place as patch, minor or major
UNPLACED_BOUND = re.compile(r"\b(?:within|inside|stay(?:ing)? (?:on|in|within)|on|in|keep(?:ing)? "
                            r"(?:it|them) (?:on|in|within)) (?:the|its|their|our|each one's) "
                            r"(?:current|same|existing|present|own) (?:release )?(?:series|line|"
                            r"train|range|track|cycle|stream|version|versions|release|releases)\b")
PATCH_SERIES = re.compile(r"\bto (?:the )?(?:latest |newest )?v?\d+\.\d+\.(?:x|\*)\b")
TO_VERSION = re.compile(r"\bto (?:version |v|the )?(\d+)(?:\.x|\.0)?\b(?!\.\d)")


_ANY_NEGATION = re.compile(rf"\b(?:{lx.NEGATORS}|are not|is not|do not|does not|nope|"
                           rf"forbidden|not allowed|off limits|off the table)\b")


def level_of(text: str) -> tuple[str, bool, bool]:
    """(level, an explicit positive major, a negated level). "without majors" is minor; "only
    patches" patch; "major" or "to version 3" major; nothing named: minor."""
    positive, negated = set(), set()
    for lvl in LEVELS:
        if NEG_LEVEL[lvl].search(text) or NEG_AFTER[lvl].search(text):
            negated.add(lvl)
            if lvl == "minor" and re.search(r"\bnon-breaking|nonbreaking|non breaking\b", text):
                negated.discard("minor")
                positive.add("minor")
        elif LEVEL[lvl].search(text):
            positive.add(lvl)
    if HELD_MAJOR.search(text):  # "everything but majors", "majors can wait": never wider
        negated.add("major")
        positive.discard("major")
    if re.search(r"\bnon[- ]?breaking\b|\bwithout breaking\b|\bnot breaking\b|\bnothing breaking"
                 r"\b|\bno breaking\b|\bavoid breaking\b", text):
        negated.add("major")
        positive.discard("major")
        positive.discard("minor") if "minor" in positive and not LEVEL["minor"].search(
            re.sub(r"non[- ]?breaking", "", text)) else None
    if PATCH_SERIES.search(text) or WITHIN_SERIES.search(text):
        return "patch", False, bool(negated)  # "to the latest 8.1.x", "only within 8.1"
    if SAME_MINOR.search(text):
        return "patch", False, bool(negated)  # "within its current minor"
    if SAME_MAJOR.search(text):
        return "minor", False, bool(negated)  # "keep everything on the same major"
    if WITHIN_MAJOR.search(text) and "major" not in positive:
        return "minor", False, bool(negated)  # "within 2.x", "staying on 13.x"
    said = [lvl for lvl in LEVELS if LEVEL[lvl].search(text)]
    if len(said) > 1 and _ANY_NEGATION.search(text):
        return said[0], False, True  # "minors are fine, majors are not": never the widest
    to_version = TO_VERSION.search(text)
    if to_version and re.match(r"\.x\b", text[to_version.end(1):]):
        positive.add("minor")  # "to 2.x latest": the newest within that series
    elif to_version and re.search(r"\b(?:not|never|no|nothing)(?: go(?:ing)?)? $",
                                  text[:to_version.start()]):
        negated.add("major")  # "not to 14": that version is what the person does not want
    elif to_version and "major" not in negated:
        positive.add("major")
    if "safe" in text and not positive - {"minor"}:
        positive.discard("minor")
    for lvl in LEVELS:
        if ONLY_LEVEL[lvl].search(text) and lvl not in negated:
            return lvl, lvl == "major", bool(negated)
    positive -= negated
    if positive:
        top = max(positive, key=LEVELS.index)
        return top, top == "major", bool(negated)
    if negated:
        below = [lvl for lvl in LEVELS if LEVELS.index(lvl) < min(map(LEVELS.index, negated))]
        return (below[-1] if below else "patch"), False, True
    return "minor", False, False


def unplaced_bound(text: str) -> str:
    """A bound on the level the reader cannot place ("within its current release train"): the
    phrase, to ask about; "" when there is none or the level is said anyway."""
    bound = UNPLACED_BOUND.search(text)
    if not bound or any(LEVEL[lvl].search(text) for lvl in LEVELS) or \
            PATCH_SERIES.search(text) or WITHIN_SERIES.search(text) or WITHIN_MAJOR.search(text):
        return ""
    return bound.group(0)


def negated_before(text: str) -> str:
    """"majors? no." -> "no majors": a level word answered with a no after a colon, a dash or
    a question mark, said the way the level reading knows."""
    return _LEVEL_THEN_NO.sub(r"no \1 ", text)
