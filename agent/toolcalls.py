"""Which tools a planner may call, and the check of the arguments it wrote for them.

The planner chooses among `AGENT_TOOLS` (the registry's tools with `agent=True`; the
single-shot `upgrade_packages` stays a plain command so even a weak model takes the test-gated
path). Arguments in `HIDDEN_ARGS` are decided by the safety layer, never by a planner.
"""

from __future__ import annotations

import types
import typing

from uvmgr.tools.registry import AGENT_TOOLS
from uvmgr.tools.spec import ToolSpec

__all__ = ["AGENT_TOOLS", "HIDDEN_ARGS", "BadArguments", "agent_arguments", "check_arguments"]
HIDDEN_ARGS = ("dry_run",)  # the safety layer decides dry runs, never the model
# Arguments only a person sets, on the command line: `audit --fix NAME...` picks packages, but
# the request reader has no "fix only X" yet (agent/clauses.py), so no planner is offered it.
PERSON_ONLY_ARGS: dict[str, tuple[str, ...]] = {"fix_vulnerabilities": ("packages",)}


class BadArguments(ValueError):
    """The arguments a planner wrote do not fit the tool: unknown, or of the wrong type."""


def agent_arguments(spec: ToolSpec) -> dict[str, tuple[object, str]]:
    """{name: (type, description)} of the arguments a planner may fill in."""
    hidden = (*HIDDEN_ARGS, *PERSON_ONLY_ARGS.get(spec.name, ()))
    return {k: v for k, v in spec.arguments().items() if k not in hidden}


def check_arguments(spec: ToolSpec, args: object) -> dict:
    """The arguments, checked against the tool's types as strictly as JSON carries them (no
    "5" for 5). Raises BadArguments with a message the planner can act on."""
    if not isinstance(args, dict):
        raise BadArguments(f"the arguments must be an object of named values, not {args!r}")
    arguments = agent_arguments(spec)
    unknown = sorted(set(args) - set(arguments))
    if unknown:
        raise BadArguments(f"unknown argument(s) {unknown}; {spec.name} takes "
                           f"{sorted(arguments) or 'no arguments'}")
    for name, value in args.items():
        hint = arguments[name][0]
        if not fits(value, hint):
            raise BadArguments(f"Arg {name} is invalid: expected {describe(hint)}, got "
                               f"{value!r}")
    return dict(args)


def fits(value: object, hint: object) -> bool:
    """Whether a JSON value fits a tool's argument type (the shapes tools use: str, int, float,
    bool, None, Literal, list, and unions of them; any other type is checked by pydantic)."""
    origin, parts = typing.get_origin(hint), typing.get_args(hint)
    if hint is type(None) or hint is None:
        return value is None
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint is str:
        return isinstance(value, str)
    if origin is typing.Literal:
        return any(value == p and type(value) is type(p) for p in parts)
    if origin in (typing.Union, types.UnionType):
        return any(fits(value, p) for p in parts)
    if origin is list:
        return isinstance(value, list) and all(fits(v, parts[0]) for v in value)
    from pydantic import TypeAdapter, ValidationError  # a shape no tool uses today

    try:
        TypeAdapter(hint).validate_python(value, strict=True)
    except ValidationError:
        return False
    return True


def describe(hint: object) -> str:
    """A type as the planner reads it: "a list of strings or null", "one of 'patch', 'minor'"."""
    origin, parts = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Literal:
        return "one of " + ", ".join(repr(p) for p in parts)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(describe(p) for p in parts)
    if origin is list:
        return "a list of strings" if parts[0] is str else f"a list of ({describe(parts[0])})"
    names = {str: "a string", int: "an integer", float: "a number", bool: "true or false",
             type(None): "null"}
    return names.get(hint, str(hint))  # type: ignore[call-overload]
