"""Authority: what the person said, and the strict second reading `--yes` trusts.

`--yes` approves a mutating call only when a strict reading of the request (the one request
reader with `strict=True`: no typo tolerance, no guessing) is a plain imperative command of that
tool's intent whose targets are whole package tokens the person typed in command position, and
the call is no wider than that command: the same packages (or, for "upgrade everything", the
project's dependencies minus the typed exclusions), a level no higher than asked (a major jump
only on an explicit "major"/"breaking"/"to version N"), the specs exactly as typed (extras and
`==` pins only when typed). On top, the whole request must parse under the small strict
command grammar of `agent.commands` (a whitelist: every word accounted for), and the call must be
covered by one of its parsed commands too. Anything else is asked of the person, or refused with
no terminal.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from uvmgr.agent.commands import parse_commands
from uvmgr.agent.specs import parses
from uvmgr.tools.project import normalize_name, requirement_name
from uvmgr.tools.registry import REGISTRY, tools_for_intent
from uvmgr.tools.versions import LEVELS

# Which tools each intent of the request may approve under --yes (`ToolSpec.intent`).
INTENT_TOOLS = {spec.intent: tools_for_intent(spec.intent) for spec in REGISTRY if spec.intent}
# Speech acts that command: "upgrade click", "please upgrade click", "can you upgrade click".
COMMANDING = ("command",)


def _tokens(text: str) -> list[str]:
    """What the person typed, split on whitespace, with quotes and sentence punctuation off."""
    return [t.strip("'\"`,;:!?()[]{}").rstrip(".") for t in text.split()]


@dataclass(frozen=True)
class Authority:
    """What the person said: the request, their answers, and (for AutoPilot) the packages
    their policy names (ignore, pin). The policy's own wording never names a package."""

    request: str
    answers: tuple[str, ...] = ()
    policy_names: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return "\n".join([self.request, *self.answers])

    def _names(self) -> set[str]:
        from uvmgr.agent.intents import STOPWORDS

        names = set()
        for token in _tokens(self.text):
            name = requirement_name(token)
            if name and name not in STOPWORDS and len(name) > 1:
                names.add(name)
        return names

    def names_package(self, name: str, *, project: set[str] = frozenset()) -> bool:
        """True when the person typed this package's name (provenance, not approval). Exact
        (case and -/_ aside), except that a small typo may refer to a package already in the
        project: such a call is still confirmed, since `approves` has no typo tolerance."""
        wanted = normalize_name(name)
        if wanted in {normalize_name(n) for n in self.policy_names}:
            return True
        typed = {normalize_name(requirement_name(t) or t) for t in _tokens(self.text) if t}
        if wanted in typed:  # exact, even a common word such as "pytest"
            return True
        names = self._names()
        if wanted in names:
            return True
        if wanted in project:
            # the reader's own correction rule (one rule): a typed word it reads as this
            # dependency names it; the call is still confirmed, never approved by --yes
            from uvmgr.agent.reading import match_package, not_a_typo

            known = {p: p for p in project}
            typos = [n for n in names if not not_a_typo(n, wanted)]  # "pytest-mock": real
            return any(match_package(t, known, False) == (wanted, True) for t in _tokens(self.text)
                       if t) or bool(difflib.get_close_matches(wanted, typos, n=1, cutoff=0.85))
        return False

    def mentions(self, literal: str) -> bool:
        """True when the person typed exactly this URL or path as one word."""
        wanted = literal.strip().rstrip("/")
        return bool(wanted) and wanted in {t.rstrip("/") for t in _tokens(self.text)}

    def approves(self, tool: str, args: dict, project: list[str]) -> bool:
        """--yes: the strict reading of the request commands exactly this call."""
        return approves(strict_reading(self.request, tuple(sorted(project))), tool, args,
                        project)


def strict_reading(request: str, project: tuple[str, ...]):
    from uvmgr.agent.intents import read_request

    return read_request(request, list(project), None, strict=True)


_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def _spec_key(spec: str) -> str:
    """A requirement compared after PEP 503 name normalisation and without spaces."""
    spec = "".join(str(spec).split())
    m = _NAME.match(spec)
    return normalize_name(m.group(1)) + spec[m.end():].lower() if m else spec.lower()


def approves(reading, tool: str, args: dict, project: list[str]) -> bool:
    """True when one step of the strict `reading` is an imperative command that covers the
    call `tool(**args)`."""
    if reading.status != "act" or reading.typos:
        return False
    commands = parse_commands(reading.text, project)
    if commands is None:
        return False  # a word outside the strict grammar: the person is asked
    # both readings must command the call: the reader's strict reading and the grammar's parse
    return any(_approved_by(s, tool, args, project) for s in reading.steps) and any(
        _approved_by(c, tool, args, project) for c in commands)


def _approved_by(step, tool: str, args: dict, project: list[str]) -> bool:
    """One plain (not guessed) command of the tool's intent whose targets cover the call."""
    if step.guessed or step.act not in COMMANDING:
        return False
    return tool in INTENT_TOOLS.get(step.intent, ()) and _covers(step, tool, args, project)


def _covers(step, tool: str, args: dict, project: list[str]) -> bool:
    if tool in ("upgrade_safely", "upgrade_packages"):
        level = str(args.get("level") or "minor")
        if level not in LEVELS or LEVELS.index(level) > LEVELS.index(step.level):
            return False
        if level == "major" and not step.major_asked:
            return False
        planned = args.get("packages")
        if step.packages is None:  # "upgrade everything" (minus typed exclusions)
            if not planned:
                return not step.excluded
            allowed = {normalize_name(p) for p in project} - set(step.excluded)
        else:
            if not planned:
                return False
            allowed = set(step.packages)
        return {normalize_name(str(p)) for p in planned} <= allowed
    if tool == "add_dependency":
        if not all(parses(str(s)) for s in args.get("specs") or []):
            return False  # structural: a spec that is not PEP 508 is never approved
        planned = sorted(_spec_key(s) for s in args.get("specs") or [])
        if not planned or planned != sorted(_spec_key(s) for s in step.specs):
            return False
        if bool(args.get("dev")) != step.dev:
            return False
        return (args.get("group") or None) == (step.group or None)
    if tool == "remove_dependency":
        names = {normalize_name(str(n)) for n in args.get("names") or []}
        return bool(names) and names <= set(step.packages or [])
    return True  # fix_vulnerabilities, lock_project: the intent is the whole command
