"""What a tool call acts on, so the safety layer can check where each target came from.

Every tool declares, beside its function, a `Targets`: one rule per argument saying what
that argument names (a package, a URL, a path, an argument handed to pytest, ...), or
`TARGET_FREE` for an argument that names nothing to check. An argument with no rule, on a
tool or in a call, becomes an `unchecked` target, which the safety layer always refuses: a
new tool or argument fails closed until its targets are written down.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

TargetKind = Literal["package", "named", "url", "path", "shell", "level", "pytest-arg",
                     "no-tests", "extra", "unchecked"]

SHELL = re.compile(r"[;&|`]|\$\(|\$\{")
URL = re.compile(r"(?<![a-z0-9+.-])[a-z][a-z0-9+.-]*://\S+", re.IGNORECASE)  # starts a run: linear


@dataclass(frozen=True)
class Target:
    """What a call acts on. `package`: a dependency of the project or one the person named;
    `named`: a package the person must have named (added, removed, or left vulnerable);
    `pytest-arg`: an argument handed to pytest; `no-tests`: the call skips the tests;
    `extra`: an optional feature of a requirement, which can bring in more packages;
    `unchecked`: an argument no rule covers (always refused: fail closed)."""

    kind: TargetKind
    value: str


Rule = Callable[[object], list[Target]]


class _TargetFree:
    """The rule of an argument that names nothing to check (a flag, a level name, a count)."""

    def __repr__(self) -> str:
        return "TARGET_FREE"


TARGET_FREE = _TargetFree()


@dataclass(frozen=True)
class Targets:
    """A tool's `targets(args) -> list[Target]`: one rule per argument (or `TARGET_FREE`).
    An argument given a value that no rule covers becomes an `unchecked` target."""

    tool: str
    rules: Mapping[str, Rule | _TargetFree]

    def __call__(self, args: Mapping[str, object]) -> list[Target]:
        out: list[Target] = []
        for name, value in args.items():
            rule = self.rules.get(name)
            if value is None or rule is TARGET_FREE:
                continue
            if rule is None:
                out.append(Target("unchecked", f"{name} of {self.tool}"))
            else:
                out += rule(value)  # type: ignore[operator]
        return out

    @property
    def covered(self) -> frozenset[str]:
        """The arguments with a rule (checked or declared target-free)."""
        return frozenset(self.rules)



# Rules shared by the tools' declarations.

def location(kind: Literal["path", "url"] = "path") -> Rule:
    """A folder, file or URL the call reads from or writes to."""
    def rule(value: object) -> list[Target]:
        text = str(value)
        if not text:
            return []
        return [Target("url" if URL.match(text) and not text.startswith("file:") else kind, text)]
    return rule


def url(value: object) -> list[Target]:
    return [Target("url", str(value))] if value else []


def each(kind: TargetKind) -> Rule:
    """A list whose every item is a target of this kind."""
    def rule(value: object) -> list[Target]:
        return [Target(kind, str(v)) for v in value or []]  # type: ignore[attr-defined]
    return rule


def one(kind: TargetKind) -> Rule:
    def rule(value: object) -> list[Target]:
        return [Target(kind, str(value))] if value else []
    return rule


def shell_looking(value: object) -> list[Target]:
    """A free-text name (a group) that must not look like a shell command."""
    return [Target("shell", str(value))] if value and SHELL.search(str(value)) else []


def requirements(value: object) -> list[Target]:
    """Requirement strings: the package each names, its extras, a URL or path it points to,
    and anything that looks like a shell command."""
    out: list[Target] = []
    for spec in value or []:  # type: ignore[attr-defined]
        out += requirement_targets(str(spec))
    return out


def requirement_targets(spec: str) -> list[Target]:
    from uvmgr.tools.project import requirement_name

    out = [Target("named", requirement_name(spec) or spec)]
    extras = re.match(r"\s*[A-Za-z0-9._-]+\s*\[([^\]]*)\]", spec)
    out += [Target("extra", e.strip()) for e in (extras.group(1).split(",") if extras else [])
            if e.strip()]
    if "@" in spec:  # a direct reference: `name @ URL-or-path`
        ref = spec.split("@", 1)[1].split(";", 1)[0].strip()
        kind: TargetKind = "url" if URL.match(ref) and not ref.startswith("file:") else "path"
        out.append(Target(kind, ref))
    elif spec.strip().startswith((".", "/", "~")) or "file:" in spec:
        out.append(Target("path", spec.strip()))
    for found in URL.findall(spec):
        if Target("url", found) not in out and Target("path", found) not in out:
            out.append(Target("url", found))
    if SHELL.search(spec):
        out.append(Target("shell", spec))
    return out
