"""Command position: whether a word of a changing intent ("upgrade", "remove", "add", ...) is
the person's command, or only a word inside a statement about something else.

A change is planned only from a verb in command position of a main clause addressed to the
assistant (or a nominal request: "click upgrade please", "safe upgrades across the board").
These checks close the other places such a word can stand, by their form rather than by
listing sentences: a finite verb of another subject around it ("the bot bumps rich", "the PR
description reads upgrade httpx", "someone should upgrade click"), a past or passive form
("everything got upgraded last night"), a gerund or a command that is the subject of a
statement ("upgrading click breaks the cli", "uv add attrs fails with an error"), narration
("we remove six every release"). Pure functions over the normalised clause text.
"""

from __future__ import annotations

import re

# Forms of the changing verbs that narrate or describe, never command.
_PAST = re.compile(r"\b(?:upgraded|updated|bumped|removed|dropped|deleted|uninstalled|added|"
                   r"installed|fixed|patched|remediated|locked|relocked|re-locked|regenerated|"
                   r"pinned|downgraded|refreshed|yanked|ditched|nuked|purged)\b")
# The person does it: "i will upgrade click myself", "we bump it by hand".
BY_HAND = re.compile(r"\b(?:myself|ourselves|by hand|manually|on my own|on our own)\b")
# A finite verb or a modal: with one in a verb-less clause, a changing word is part of a
# statement about someone or something, not a request.
_FINITE = re.compile(r"\b(?:is|are|was|were|am|be|been|being|went|goes|did|does|done|has|have|"
                     r"had|got|gets|getting|broke|breaks|break|failed|fails|caused|causes|made|"
                     r"makes|took|takes|seems?|seemed|looks|looked|says|said|reads|read|shows|"
                     r"showed|shown|printed|prints|wrote|writes|written|happened|happens|merged|"
                     r"landed|ran|runs|will|would|could|should|might|may|must|can|shall|"
                     r"wants?|wanted|keeps|kept|tried|tries|mentions?|mentioned|suggests?|"
                     r"suggested|recommends?|recommended|proposes?|proposed|asks?|asked|told|"
                     r"tells|opened|opens|started|starts|stopped|stops)\b")
# "... would be great", "... would help": a wish said about a nominal request.
_WISH = re.compile(r"\b(?:would|will|'d) (?:be (?:great|nice|good|awesome|lovely|helpful|"
                   r"appreciated|ideal|perfect|welcome|cool)|help|rock)\b|\bplease\b")
# The changing words as verbs of a third person: "renovate upgrades click", "our ci bumps rich".
_THIRD_PERSON = re.compile(r"\b(?:upgrades|updates|bumps|removes|drops|deletes|uninstalls|adds|"
                           r"installs|fixes|patches|locks|relocks|regenerates|pins|downgrades)"
                           r" (?:pkg|everything|all|every|our|the|my|its|their|them|it|"
                           r"[a-z0-9][a-z0-9._-]*(?:[,]| and)? (?:every|each|daily|nightly|"
                           r"automatically|on|when|whenever|at|by|for us))\b")
# A gerund subject: "upgrading click breaks the cli", "adding attrs slowed the import".
_GERUND_SUBJECT_VERB = re.compile(
    r"\b(?:is|are|was|were|would|will|could|might|should|can|may|must|broke|breaks|break|"
    r"failed|fails|caused|causes|made|makes|took|takes|seems|seemed|looks|looked|gave|gives|"
    r"helped|helps|hurt|hurts|slowed|slows|changed|changes|did|does|means|meant|needs|needed|"
    r"requires|required|went|goes|got|gets|led|leads|introduced|introduces|pulled|pulls|"
    r"brought|brings|fixed|fixes|"
    r"[a-z]{3,}ed)\b")
# What a command does when it is talked about: "uv add attrs fails", "remove six errors out".
FAILS = frozenset([
    "fails", "failed", "failing", "errors", "errored", "crashes", "crashed", "breaks", "broke",
    "hangs", "hung", "prints", "printed", "gives", "gave", "returns", "returned", "throws",
    "threw", "raises", "raised", "complains", "complained", "says", "said", "exits", "exited",
    "times", "timed", "blows", "blew", "keeps", "kept", "worked", "works", "produces",
    "produced", "dies", "died", "spits", "spat", "outputs", "output", "refuses", "refused",
])


def verbless_change_allowed(text: str, keyword: re.Match) -> bool:
    """A changing word found by keyword in a clause with no head verb counts as a request only
    when nothing makes it part of a statement: no past or passive form of it, no finite verb
    or modal of another subject around it (a wish such as "would be great" aside), not a
    third person's verb, not after "to"."""
    word = keyword.group(0)
    if _PAST.fullmatch(word) or _PAST.search(text):
        return False
    if _THIRD_PERSON.search(text):
        return False
    before = text[:keyword.start()]
    if re.search(r"\bto\s*+$", before) and not re.fullmatch(r"latest|newest|newer", word):
        return False  # "the plan was to upgrade everything", "it might be good to upgrade"
    rest = _WISH.sub(" ", text)
    return not _FINITE.search(rest)


def gerund_subject(text: str, gerund: str) -> bool:
    """"upgrading click breaks the cli": the gerund of a changing verb is the subject of a
    statement when a finite verb follows its object."""
    after = text[len(gerund):]
    return bool(_GERUND_SUBJECT_VERB.search(after)) and not re.match(
        r"^\s*(?:[a-z0-9._-]+ ){0,4}?(?:please|thanks|now)\b", after)


def narrated(subject: str) -> bool:
    """"we remove six every release", "i will remove six in a separate pr": a subject and a
    bare present or future verb tell what the person does; a request to the assistant has no
    subject or a wish ("we need to", "i want to", "we should")."""
    return re.fullmatch(r"(?:i|we)\s+(?:(?:really|also|now|still|usually|always|often|normally|"
                        r"sometimes|typically|just|will|shall|am going to|are going to|plan to|"
                        r"intend to)\s+)*", subject) is not None


_BOUNDARY = frozenset([
    ",", ";", "because", "so", "since", "that", "which", "who", "when", "whenever", "if",
    "unless", "to", "for", "but", "as", "while", "once", "after", "before", "until", "and",
    "then", "or", "with", "without", "in", "into", "on", "from", "by", "of",
])


def command_is_subject(body: str) -> bool:
    """"uv add attrs fails with a resolution error", "remove six errors out": the command is
    talked about when a finite verb follows the names it acts on ("remove six as it is
    unused" is a command)."""
    from uvmgr.agent.lexicon import ENGLISH
    from uvmgr.agent.reading import tokens

    for i, word in enumerate(tokens(body)):
        if i and word in FAILS:
            return True
        if word in _BOUNDARY or word in ENGLISH or word in ("the", "a", "an", "our", "my"):
            return False  # only names stand between the verb and the one that talks about it
    return False


# "rich pulls it in", "httpx broke": a word after a name that tells, so the name is a subject
TELLING_VERB = re.compile(
    r"(?<![a-z])(?!(?:patch|minor|major|version|release|update|upgrade|bump|dep|package|librar|"
    r"requirement|"
    r"fix|this|thanks|pls|please|plus|less|as|is|was|has|does|also|its|across|always|perhaps|"
    r"unless|besides|towards|afterwards|sometimes|regardless|anyways|thus|yes|minus|status|"
    r"progress|needs|wants|tests|extras|groups|docs)\w*+$)[a-z]{3,}(?:s|ed)\b")
