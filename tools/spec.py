"""How a tool is described: `Arg` for each argument, `ToolSpec` for the tool itself."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

Risk = Literal["none", "low", "medium", "high"]
Family = Literal["deps", "audit", "tests", "build", "quality", "docs", "advise"]


@dataclass(frozen=True)
class Arg:
    """The model-facing description of one argument, used as `Annotated[T, Arg("...")]`.

    A plain marker rather than pydantic's `Field` so the CLI path stays stdlib-fast; the
    agent turns it into the argument descriptions DSPy shows the model.
    """

    description: str


@dataclass(frozen=True)
class ToolSpec:
    """A tool as data. `target` is `module:function`, imported on first use, so a command
    loads only its own family's module."""

    target: str
    family: Family
    mutates: bool
    risk: Risk

    @property
    def name(self) -> str:
        return self.target.rsplit(":", 1)[1]

    @property
    def func(self) -> Callable[..., object]:
        module, _, attr = self.target.partition(":")
        return getattr(importlib.import_module(module), attr)

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
