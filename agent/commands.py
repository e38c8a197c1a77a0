"""The strict command grammar `--yes` trusts: a whitelist, not a blacklist.

A request is approvable only when it parses completely as one or more plain commands joined by
",", "and", "then" or a full stop, each one of:

    upgrade|update|bump  NAMES | everything | all [the] [deps]  [level words] [except NAMES]
    remove|drop|uninstall  NAMES  [from the project]
    add|install  SPECS  [as a dev dependency | to dev | to the GROUP group]
    pin|downgrade  NAME to VERSION
    fix|remediate  [all] [the] vulnerabilities|cves|advisories
    lock|relock  [the project] / update|refresh|regenerate the lock file
    run [the] tests

with NAMES the project's dependencies typed exactly (case and -/_/. aside), level words from a
closed list (a major only on a positive "major"/"majors"/"breaking"; "no/without majors" caps at
minor), and a few politeness fillers ("please", "just", "thanks"). Any other word - a qualifier
("the slow packages"), a pronoun, a relative clause, narrative ("was vetoed"), a second sentence
about something else, a foreign word, an out-of-scope step - leaves the request unparsed, and an
unparsed request approves nothing: the person is asked. Asking too often is the accepted cost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from uvmgr.agent import exclusion_grammar as exclusions
from uvmgr.agent.command_words import (
    ADD,
    ALL_NOUNS,
    BUILD_OBJECTS,
    DET,
    FILLERS,
    FIX,
    LEVEL_WORDS,
    LOCK,
    PHRASES,
    PIN,
    READ_ONLY,
    REFRESH,
    REMOVE,
    SEPARATORS,
    SPEC,
    SYNONYMS,
    UPGRADE,
    VERBS,
    VERSION,
    VULNS,
)
from uvmgr.agent.package_words import not_a_package
from uvmgr.tools.project import normalize_name, requirement_name


@dataclass
class Command:
    """One parsed command; the same fields as a reading's step, so `authority` compares alike."""

    intent: str
    packages: list[str] | None = None  # None: every dependency
    specs: list[str] = field(default_factory=list)
    level: str = "minor"
    major_asked: bool = False
    excluded: list[str] = field(default_factory=list)
    dev: bool = False
    group: str | None = None
    act: str = "command"
    guessed: bool = False


def tokens(text: str) -> list[str]:
    """Lower-case words, with "," ";" and sentence full stops as their own tokens (a comma inside
    a spec such as `orjson>=3.9,<4` stays in it)."""
    text = PHRASES.sub(" ", text.lower().strip().rstrip("!"))
    for pattern, word in SYNONYMS:
        text = pattern.sub(word, text)
    text = re.sub(r"[,;](?=\s|$)", lambda m: f" {m.group(0)} ", text)
    text = re.sub(r"\.(?=\s|$)", " . ", text)
    text = re.sub(r"[^\x00-\u024f]", " ", text)  # emoji and symbols: "ditch six \U0001f44b"
    out = [t.strip("'\"`") for t in text.split()]
    out = [t for t in out if t and t not in FILLERS]
    while out and out[-1] in SEPARATORS:  # "upgrade click, please and thank you"
        out.pop()
    return out


class _Parser:
    def __init__(self, toks: list[str], project: set[str], english: frozenset[str]):
        self.toks, self.i, self.project, self.english = toks, 0, project, english

    def peek(self, k: int = 0) -> str:
        return self.toks[self.i + k] if self.i + k < len(self.toks) else ""

    def take(self, *words: str) -> bool:
        if self.peek() in words:
            self.i += 1
            return True
        return False

    def name(self) -> str:
        tok = self.peek()
        if tok and normalize_name(tok) in self.project:
            self.i += 1
            return normalize_name(tok)
        return ""

    def names(self) -> list[str]:
        out = []
        first = self.name()
        if not first:
            return out
        out.append(first)
        while self.peek() in (",", "and"):
            save = self.i
            self.i += 1
            self.take("and")
            nxt = self.name()
            if not nxt:
                self.i = save
                break
            out.append(nxt)
        return out

    def everything(self) -> bool:
        """"everything", "all", "all the deps", "our dependencies"."""
        if self.take("everything"):
            return True
        if self.peek() in ("every", "each") and self.peek(1) in ("dependency", "package",
                                                                  "requirement", "dep"):
            self.i += 2  # "every dependency"
            return True
        save = self.i
        had_all = self.take("all")
        if had_all and self.take("of") and self.take("it", "them"):
            return True  # "all of it"
        self.take(*DET)
        if self.peek() in ("dependency", "package") and self.peek(1) in ("versions", "updates"):
            self.i += 1  # "the dependency versions": the levels read "versions"
            return True
        if self.take(*ALL_NOUNS) or (had_all and self.i == save + 1):
            return True
        self.i = save
        return False

    def levels(self) -> list[str]:
        """Level words; "to [version] N" (a whole major number) is said as "major"."""
        words = []
        if self.peek() == "," and self.peek(1) in LEVEL_WORDS - {"to", "the"}:
            self.i += 1  # "upgrade requests, patch releases only"
        while self.peek() in LEVEL_WORDS:
            words.append(self.toks[self.i])
            self.i += 1
            if words[-1] in ("to", "version") and re.fullmatch(r"v?[0-9]+", self.peek()):
                words.append("major")  # "to version 3": the reading must agree it is a major
                self.i += 1
        return words

    def command(self) -> Command | None:
        verb = self.peek()
        self.i += 1
        if verb in REFRESH and self.lock_object(project=False):
            return Command("lock")
        if verb == "apply":  # "apply patch updates": every dependency at that level
            words = self.levels()
            nouns = {"updates", "upgrades", "releases", "bumps", "patches"}
            return _with_level(Command("upgrade"), words) if set(words) & nouns else None
        if verb == "refresh" and (self.everything() or self.peek() == "versions" or (
                self.peek() == "the" and self.peek(1) == "versions")):
            return _with_level(Command("upgrade"), self.levels())  # "refresh my dependencies"
        if verb in UPGRADE:
            return self.upgrade()
        if verb in REMOVE:
            if self.peek(1) in ("dependency", "dependencies") and self.peek(2) == "on":
                self.i += 3  # "drop the dependency on six"
            if normalize_name(self.peek(1)) in self.project:
                self.take("the")  # "remove the six package"
            found = self.names()
            if len(found) == 1:
                self.take("package", "dependency", "dep", "library")
            if self.take("from"):
                self.take(*DET)
                self.take("dev")  # "from the dev deps": a dev dependency is one of them
                if not self.take("project", "dependencies", "deps", "group"):
                    return None
            return Command("remove", packages=found) if found else None
        if verb in ADD:
            return self.add()
        if verb in PIN:
            return self.pin()
        if verb in FIX:
            self.take("all")
            self.take(*DET)
            self.take("known")
            self.take("any")
            fixed = self.take(*VULNS) or (self.take("security", "vulnerability") and self.take(
                *VULNS, "issues", "findings", "problems", "advisories"))
            if fixed and self.take("in"):  # "fix the security problems in my dependencies"
                self.take(*DET)
                fixed = self.take(*ALL_NOUNS, "project")
            return Command("fix") if fixed else None
        if verb in LOCK:
            self.lock_object(project=True)
            self.take("again")
            return Command("lock")
        if verb == "run":
            self.take("the")
            if self.take("tests", "pytest") or (self.take("test") and self.take("suite")):
                return Command("test")
            return Command("check") if self.take("lint", "linter", "linters", "mypy",
                                                 "ruff") else None
        if verb == "do":  # "do a security scan", "do an audit"
            self.take("a", "an")
            self.take("security", "vulnerability")
            return Command("audit") if self.take("scan", "audit") else None
        if verb in READ_ONLY:
            if verb == "build":
                self.take("a", "the")
                self.take(*BUILD_OBJECTS)
            elif verb == "audit":
                self.take("again")
            elif verb == "lint":
                self.take("everything")
            elif verb == "list":
                self.take(*DET)
                if not self.take(*ALL_NOUNS):
                    return None
            return Command(READ_ONLY[verb])
        return None

    def lock_object(self, *, project: bool) -> bool:
        """"the lock file", "uv.lock" (and after "lock": "the project"); False, nothing taken,
        when the next words are not one."""
        save = self.i
        self.take("the")
        if self.take("lockfile", "uv.lock") or (project and self.take("project")) or (
                self.take("lock") and (self.take("file") or True)):
            return True
        self.i = save
        return project

    def upgrade(self) -> Command | None:
        self.take("up")  # "bump up six"
        if normalize_name(self.peek(1)) in self.project:
            self.take("the")  # "update the httpx"
        found = self.names()
        every = not found and self.everything()
        words = self.levels()
        if not found and not every:
            if not words or self.i < len(self.toks) and self.peek() not in SEPARATORS:
                return None
            every = True  # "upgrade safely", "upgrade patch versions only": every dependency
        excluded: list[str] = []
        if every:
            excluded = exclusions.trailing(self)
            if excluded is None:
                return None
            words += self.levels()
        return _with_level(Command("upgrade", None if every else found, excluded=excluded),
                           words)

    def add(self) -> Command | None:
        specs = []
        while True:
            tok = self.peek()
            if not SPEC.match(tok) or (requirement_name(tok) or tok) in self.english | VERBS \
                    or tok in SEPARATORS or tok in ("as", "to") or tok.endswith("-only"):
                break  # "dev-only" says how to add, not what
            if not_a_package(tok, self.toks[self.i - 1], self.project):
                return None  # "add note", "add caching": a word, never approved as a package
            specs.append(tok + self.prose_spec(tok))
            self.i += 1
            if self.peek() in (",", "and", "plus", "+") and SPEC.match(self.peek(1)) and \
                    self.peek(1) not in self.english | SEPARATORS | VERBS:
                self.i += 1
        if not specs:
            return None
        cmd = Command("add", specs=specs)
        c = self.peek() == ","  # "x and y, both as dev dependencies"
        self.i += (1 + c) * (len(specs) > 1 and self.peek(c) in ("both", "all") and self.peek(1 + c) == "as")
        if self.take("--dev", "dev-only", "test-only") or (
                self.peek() == "," and self.peek(1) in ("dev-only", "test-only") and
                self.take(",") and self.take("dev-only", "test-only")):
            cmd.dev = True
        elif self.peek() == "for" and (self.peek(1) in ("tests", "testing") or (
                self.peek(1) == "the" and self.peek(2) == "tests")):
            self.i += 2 + (self.peek(1) == "the")  # "add pytest-mock for tests"
            cmd.dev = True
        elif self.take("as"):
            self.take("a")
            if not (self.take("dev", "test", "testing") and self.take(
                    "dependency", "dependencies", "dep", "deps")):
                return None
            cmd.dev = True
        elif self.take("to", "into"):
            self.take(*DET)
            self.take("main")  # "to the main deps"
            if self.take("dev"):
                self.take("group", "dependencies", "deps")
                cmd.dev = True
            elif re.fullmatch(r"[a-z][a-z0-9_-]*", self.peek()) and self.peek(1) == "group":
                cmd.group = self.peek()
                self.i += 2
            elif not self.take("project", "dependencies", "deps"):
                return None
        return cmd

    def prose_spec(self, tok: str) -> str:
        """The version said in words after a bare name, as a specifier ("" if none): the one
        prose reader of `agent.specs`, so the grammar and the reader agree on every spec."""
        from uvmgr.agent.specs import prose_spec

        if not re.fullmatch(r"[a-z0-9][a-z0-9._-]*", tok):
            return ""
        rest = " ".join(self.toks[self.i + 1:])
        spec, used = prose_spec(tok, rest)
        if not used or (used < len(rest) and rest[used] != " "):
            return ""
        self.i += len(rest[:used].split())
        return spec[len(tok):]

    def pin(self) -> Command | None:
        tok = self.peek()
        if "==" in tok and SPEC.match(tok) and normalize_name(requirement_name(tok)) in \
                self.project:
            self.i += 1
            return Command("add", specs=[tok])  # "pin click==8.1.7"
        found = self.name()
        if not found or not self.take("to", "at"):
            return None
        version = VERSION.match(self.peek())
        if not version:
            return None
        self.i += 1
        return Command("add", specs=[f"{found}=={version.group(1)}"])

    def parse(self) -> list[Command] | None:
        out: list[Command] = []
        held = exclusions.leading(self, UPGRADE)
        if held:  # "hands off X, upgrade the rest"
            cmd = _with_level(Command("upgrade", None, excluded=held), self.levels())
            if cmd is None:
                return None
            out.append(cmd)
        while self.i < len(self.toks):
            if out:
                if not self.take(*SEPARATORS):
                    return None
                self.take("and")
                self.take("then")
            cmd = self.command()
            if cmd is None:
                return None
            out.append(cmd)
        return out or None


def _with_level(cmd: Command, words: list[str]) -> Command | None:
    said = set(words)
    negated = bool(said & {"no", "without"})
    major = bool(said & {"major", "majors", "major-level", "breaking"})
    patch = bool(said & {"patch", "patch-level", "bugfix", "bugfixes"})
    if negated and (not major or patch or "including" in said):
        return None  # "no" only as "no majors" / "without breaking"
    if patch and major:
        return None
    if said & {"max", "maximum", "fine", "ok", "okay", "allowed", "included", "welcome"} and not (
            patch or major or said & {"minor", "minors", "minor-level"}):
        return None  # "to the max": these words only qualify a level said with them
    if patch:
        cmd.level = "patch"
    elif major and not negated:
        cmd.level, cmd.major_asked = "major", True
    return cmd


def parse_commands(text: str, project: list[str] | tuple[str, ...]) -> list[Command] | None:
    """The request as plain commands, or None when any word of it is outside the grammar."""
    from uvmgr.agent.lexicon import ENGLISH

    toks = tokens(text)
    if not toks or "\n" in text.strip():
        return None
    return _Parser(toks, {normalize_name(p) for p in project}, ENGLISH).parse()
