"""The exclusions the strict command grammar (`agent.commands`) accepts around "upgrade
everything": the names left out, typed exactly, in the forms the reader knows. After the
object: "except X", "but not X", "apart from X", ", hands off X", ", leave X alone", ", skip X",
", don't touch X", ", X stays put", ", X is fine as is"; before the command: "hands off X,
upgrade the rest", "leave X alone and bump the others", "X stays put; update everything else".
A form not listed here leaves the request unparsed (the person is asked)."""

from __future__ import annotations

from typing import Protocol

OPENERS = ("except", "excluding", "but", "save", "minus", "apart", "aside", "other", "not")
# Words that close an exclusion: "but leave sqlalchemy alone", "not mypy though".
_END = ("alone", "untouched", "though")
# "the rest", "everything else", "the others": the object of an upgrade after a leading exclusion
REST = (("the", "rest"), ("everything", "else"), ("the", "others"), ("all", "the", "others"),
        ("all", "the", "rest"), ("the", "other", "ones"), ("the", "remaining", "ones"),
        ("the", "other", "dependencies"), ("the", "other", "deps"), ("the", "other", "packages"),
        ("all", "else"), ("everything",))


class Parser(Protocol):
    i: int

    def peek(self, k: int = 0) -> str: ...

    def take(self, *words: str) -> bool: ...

    def names(self) -> list[str]: ...


def take_seq(p: Parser, *seq: str) -> bool:
    """Take these words in order, or nothing."""
    if all(p.peek(k) == w for k, w in enumerate(seq)):
        p.i += len(seq)
        return True
    return False


def _held_end(p: Parser) -> bool:
    """"alone", "untouched", "as is", "where it is", "though" (one of them, or none)."""
    return p.take(*_END) or take_seq(p, "as", "is") or take_seq(p, "where", "it", "is") or \
        take_seq(p, "where", "they", "are") or take_seq(p, "out", "of", "it")


def _stays(p: Parser) -> bool:
    """"stays put", "is fine as is", "can stay", "remains untouched" after the names."""
    save = p.i
    p.take("is", "are", "can", "should", "will")
    if p.take("stays", "stay", "remains", "remain"):
        take_seq(p, "put") or _held_end(p)
        return True
    if p.take("fine", "ok", "okay", "good"):
        _held_end(p)
        return True
    if p.take("untouched") or take_seq(p, "as", "is"):
        return True
    p.i = save
    return False


def held_names(p: Parser) -> list[str] | None:
    """The names of one exclusion said as a clause ("hands off X", "leave X alone", "X stays
    put"), or None (nothing taken) when the next words are not one."""
    save = p.i
    if take_seq(p, "hands", "off") or p.take("skip") or take_seq(p, "don't", "touch") or \
            take_seq(p, "dont", "touch") or take_seq(p, "do", "not", "touch") or \
            take_seq(p, "never", "touch") or take_seq(p, "hold", "back"):
        p.take("the")
        found = p.names()
        if found:
            _held_end(p)
            return found
    elif p.take("leave", "keep"):
        p.take("the")
        found = p.names()
        if found and _held_end(p):  # "keep click" alone could mean keeping it in: never read
            return found
    else:
        p.take("the")
        found = p.names()
        if found:
            p.take("one", "package", "dep")  # "the requests one is fine as is"
        if found and _stays(p):
            p.take("though")
            return found
    p.i = save
    return None


def trailing(p: Parser) -> list[str] | None:
    """The names after "everything" that are left out; [] when none is said, None when the
    words after an opener are not names."""
    save = p.i
    comma = p.take(",", ";")
    opener = p.peek()
    if opener not in OPENERS:
        held = held_names(p) if comma or p.take("and") else None
        if held:
            return held
        p.i = save
        return []
    p.i += 1
    need = {"save": "for", "apart": "from", "aside": "from", "other": "than"}.get(opener)
    if need and not p.take(need):
        return None
    if opener == "except":
        p.take("for")
    if opener == "but" and p.peek() in ("no", "without", "not") and p.peek(1) in (
            "major", "majors", "breaking", "any"):
        return []  # "but no majors": a level, read by the caller
    if opener == "but":
        held = held_names(p)
        if held:
            return held
        p.take("not", "leave", "keep", "skip")
        p.take("for")  # "everything but six"
    excluded = p.names()
    if not excluded:
        return None
    p.take(*_END)
    return excluded


def leading(p: Parser, upgrade_verbs: frozenset[str]) -> list[str] | None:
    """"hands off X, upgrade the rest": the names, with the words up to the upgrade's object
    taken (the parser then reads the levels); None, nothing taken, when it is not one."""
    save = p.i
    held = held_names(p)
    if held:
        p.take(",", ";", ".", ":")
        p.take("and", "but", "then", "so")
        if p.take(*upgrade_verbs):
            p.take("up")
            if any(take_seq(p, *rest) for rest in REST):
                return held
    p.i = save
    return None
