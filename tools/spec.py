"""How a tool is described: `Arg` for each argument, `Cli`/`flag` for its command line, and
`ToolSpec`, which carries everything about one tool.

A `ToolSpec` is plain data that imports nothing: its function and its targets are named as
"module:attribute" and imported on first use, so `uvmgr --help` builds every tool's command
line without loading a single tool module. The classes here are small frozen records written
out by hand: `dataclasses` (and the `inspect` it imports) would cost `--help` ~7 ms.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from types import MappingProxyType

# The names the front ends keep for themselves: a tool argument may not use them.
RESERVED_ARGS = frozenset({"ctx", "project", "json", "command"})


class Frozen:
    """A record whose fields (its `__slots__`) are set once, compared and hashed by value."""

    __slots__ = ()

    def __init__(self, **fields: object) -> None:
        for name in self.__slots__:
            object.__setattr__(self, name, fields[name])

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen")

    def _values(self) -> tuple:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other._values() == self._values()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self).__name__, *(v if not isinstance(v, Mapping) else
                                            tuple(v.items()) for v in self._values())))

    def __repr__(self) -> str:
        inner = ", ".join(f"{n}={getattr(self, n)!r}" for n in self.__slots__)
        return f"{type(self).__name__}({inner})"

    def replace(self, **changes: object):
        """A copy with some fields changed (checked again)."""
        values = {n: getattr(self, n) for n in self.__slots__}
        return type(self)(**{**values, **changes})


class Arg(Frozen):
    """The model-facing description of one argument, used as `Annotated[T, Arg("...")]`.

    A plain marker rather than pydantic's `Field` so the CLI path stays stdlib-fast; the
    agent turns it into the argument descriptions DSPy shows the model.
    """

    __slots__ = ("description",)
    description: str

    def __init__(self, description: str) -> None:
        super().__init__(description=description)


class Flag(Frozen):
    """One command-line argument: argparse's `add_argument(*names, **options)`, bound to the
    tool argument `arg` (None: read by the front end only, such as `--sarif`).
    `passthrough`: the tool argument gets what follows `--` instead."""

    __slots__ = ("names", "arg", "options", "passthrough")  # noqa: RUF023 - field order
    names: tuple[str, ...]
    arg: str | None
    options: Mapping[str, object]
    passthrough: bool

    def __init__(self, names: tuple[str, ...], arg: str | None,
                 options: Mapping[str, object] = MappingProxyType({}),
                 passthrough: bool = False) -> None:
        super().__init__(names=tuple(names), arg=arg, options=MappingProxyType(dict(options)),
                         passthrough=passthrough)

    @property
    def positional(self) -> bool:
        return not self.names[0].startswith("-")


def flag(*names: str, arg: str | None | bool = True, **options: object) -> Flag:
    """`flag("--out-dir", metavar="DIR", help=...)` binds `--out-dir` to the tool argument
    `out_dir`; `arg="kinds"` names another one; `arg=None` keeps it for the front end."""
    if arg is True:
        arg = names[0].lstrip("-").replace("-", "_")
    return Flag(tuple(names), arg or None, options)


def passthrough(arg: str) -> Flag:
    """The words after `--` go to this tool argument (a list of strings)."""
    return Flag(("--",), arg, passthrough=True)


class Cli(Frozen):
    """A tool's command: `uvmgr <command>` ("deps add" is a sub-command of "deps"), its help,
    and its flags. Two tools may share a command: the one with `when` runs when that switch is
    given (`uvmgr deps upgrade --safe`), the other otherwise. `--project`, `--json`, and for a
    mutating tool `--dry-run`, are added to every tool command."""

    __slots__ = ("command", "help", "flags", "when", "description")  # noqa: RUF023 - field order
    command: str
    help: str
    flags: tuple[Flag, ...]
    when: Flag | None
    description: str | None

    def __init__(self, command: str, help: str, flags: tuple[Flag, ...] = (),
                 when: Flag | None = None, description: str | None = None) -> None:
        super().__init__(command=command, help=help, flags=tuple(flags), when=when,
                         description=description)


class ToolSpec(Frozen):
    """Everything about one tool.

    `function` and `targets` are "module:attribute", imported on first use. `targets` is
    required: a `tools.targets.Targets` beside the tool that says, for every argument, what it
    names (or that it names nothing), so the safety layer can check where each target came
    from. `agent`: offered to the planners (a plain command otherwise). `intent`: the request
    intent whose plain command may approve this tool under `--yes` (and the decision the evals
    score it as); None for a tool `--yes` never approves."""

    __slots__ = ("function", "family", "mutates", "targets", "agent", "cli", "intent")  # noqa: RUF023 - field order
    function: str
    family: str
    mutates: bool
    targets: str
    agent: bool
    cli: Cli | None
    intent: str | None

    def __init__(self, *, function: str, family: str, mutates: bool, targets: str,
                 agent: bool = True, cli: Cli | None = None, intent: str | None = None) -> None:
        super().__init__(function=function, family=family, mutates=mutates, targets=targets,
                         agent=agent, cli=cli, intent=intent)
        for what, value in (("function", self.function), ("targets", self.targets)):
            module, _, attr = str(value or "").partition(":")
            if not (module and attr):
                raise ValueError(f"ToolSpec {self.function!r}: {what} must be 'module:attribute',"
                                 f" got {value!r} (a tool without declared targets is not "
                                 "registered: the safety layer could not check its arguments)")
        if not isinstance(self.mutates, bool) or not isinstance(self.agent, bool):
            raise TypeError(f"ToolSpec {self.function!r}: mutates and agent must be True/False")

    @property
    def name(self) -> str:
        return self.function.rsplit(":", 1)[1]

    @property
    def func(self) -> Callable[..., object]:
        return _resolve(self.function)

    def targets_of(self, args: Mapping[str, object]) -> list:
        """What this call acts on (`tools.targets.Target`s); an argument no rule covers is an
        `unchecked` target, which the safety layer refuses."""
        return self.target_rules()(args)

    def target_rules(self):
        from uvmgr.tools.targets import Targets

        rules = _resolve(self.targets)
        if not isinstance(rules, Targets) or rules.tool != self.name:
            raise TypeError(f"{self.targets} is not the Targets of {self.name}")
        return rules

    @property
    def result_type(self) -> object:
        """The type the tool returns (its return annotation)."""
        import typing

        return typing.get_type_hints(self.func).get("return")

    @property
    def description(self) -> str:
        import inspect

        return inspect.getdoc(self.func) or ""

    def arguments(self) -> dict[str, tuple[object, str]]:
        """{name: (type, description)} for every argument the model fills in (not `ctx`)."""
        import inspect
        import typing

        hints = typing.get_type_hints(self.func, include_extras=True)
        out = {}
        for name in inspect.signature(self.func).parameters:
            if name == "ctx":
                continue
            hint = hints.get(name)
            description = ""
            if typing.get_origin(hint) is typing.Annotated:
                base, *extras = typing.get_args(hint)
                description = next((e.description for e in extras if isinstance(e, Arg)), "")
                hint = base
            out[name] = (hint, description)
        return out


def _resolve(reference: str) -> object:
    module, _, attr = reference.partition(":")
    return getattr(importlib.import_module(module), attr)
