"""A verb-less part that only qualifies a neighbouring upgrade ("keep it non-breaking and update
everything", "leave six alone, upgrade the rest"), read together with it; and a "is that true?"
after a statement, which asks about the statement."""

from __future__ import annotations

import re

from uvmgr.agent.clauses import first_verb_word, read_clause
from uvmgr.agent.reading import Clause
from uvmgr.agent.targets import names_in

_CONFIRM_QUESTION = re.compile(r"(?:(?:is|was) (?:that|this|it|he|she|they) (?:true|right|"
                               r"correct|so|accurate|the case)|(?:is that |are they )?(?:true|"
                               r"right|correct))(?: for (?:us|our (?:version|project|setup|"
                               r"case|deps|dependencies))| here)?\??")


_MODIFIER = re.compile(r"\b(patch|minor|major|majors|breaking|non-breaking|compatible|safe|"
                       r"as is|alone|untouched|nothing bigger|nothing major|"
                       r"except|excluding|leave|keep|skip|hold|without|not|tests? (green|pass\w*)"
                       r")\b")


# "upgrade rich - patch only": a part that is only a level ("patch" is no verb here)
_LEVEL_ALONE = re.compile(r"(?:(?:only|just|at most|max) )?(?:patch|minor|major|bugfix)(?:es|s)?"
                          r"(?: level| releases?| updates?| versions?| bumps?)*(?: only)?(?: for now|"
                          r" please| pls| this time)?")


_NO_LEVEL = re.compile(r"(?:but |and )?(?:no|not|never|without) (?:any )?(?:new )?(?:major|majors|"
                       r"breaking|minor|minors)(?: changes?| versions?| releases?| updates?| "
                       r"upgrades?| bumps?)?(?: allowed| please| pls| though| for now| this time)?")


def merge_modifiers(parts: list[str], known: dict[str, str], strict: bool) -> list[Clause]:
    """"keep it non-breaking and update everything", "leave six alone, upgrade the rest": a
    verb-less part that only qualifies a neighbouring upgrade is read together with it."""
    clauses = [read_clause(p, known, strict) for p in parts]
    for i, clause in enumerate(clauses[1:], 1):
        if _CONFIRM_QUESTION.fullmatch(clause.text) and clauses[i - 1].act == "statement":
            # "a colleague said httpx is behind, is that true?": the statement is asked about
            clauses[i - 1] = read_clause(clauses[i - 1].text.rstrip(".") + "?", known, strict)
            clause.intent, clause.act = "", "confirmation"
    clauses = [c for c in clauses if c.act != "confirmation"]
    out: list[Clause] = []
    pending = ""
    for i, clause in enumerate(clauses):
        level_only = clause.intent == "upgrade" and not clause.packages and (not first_verb_word(
            clause.text) or _LEVEL_ALONE.fullmatch(clause.text.strip(" .!"))) and (bool(out) and out[-1].intent == "upgrade" or (
                i + 1 < len(clauses) and clauses[i + 1].intent == "upgrade")) and \
            _MODIFIER.search(clause.text)  # "no major bumps please, upgrade the rest"
        held = re.match(r"^(freeze|hold|hold back|keep|pin) ([a-z0-9._-]+(?:(?:,| and) "
                        r"[a-z0-9._-]+)*)$", clause.text)
        if held and all(names_in(n, known) for n in re.split(r",| and ", held.group(2))) and \
                i + 1 < len(clauses) and clauses[i + 1].intent == "upgrade" and \
                clauses[i + 1].reference:
            pending = f"{pending} {clause.text}".strip()  # "freeze X and upgrade everything else"
            continue
        negated_level = bool(out) and out[-1].intent == "upgrade" and _NO_LEVEL.fullmatch(
            clause.text.strip(" .!"))  # "update pydantic; no breaking releases": its level
        negated_level = negated_level or (
            bool(out) and out[-1].intent == "upgrade" and clause.act == "prohibition" and not
            names_in(clause.text, known) and re.search(r"\b(?:major|majors|minor|minors|"
                                                       r"breaking|patch)\b", clause.text))
        modifier = level_only or negated_level or (not clause.intent and clause.act not in ("prohibition",) and
                    _MODIFIER.search(clause.text) and not re.search(
                        r"\b(remove|drop|add|install|delete|uninstall)\b", clause.text)) or (
            clause.act == "prohibition" and names_in(clause.text, known) and
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
            level_only_pending = not names_in(pending, known)
            clause = read_clause(f"{clause.text} {pending}", known, strict)
            if level_only_pending:
                clause.reference = ""  # "no major bumps, upgrade the rest": the rest is all
            pending = ""
        out.append(clause)
    return out
