"""The tools one run may call: the built-in registry plus the tools of the packs the person
activated (see `uvmgr/packs/`), and which pack each tool came from.

A `Toolset` is made once per run by the front end (`open_session`) and handed down in the
`ToolContext`; the planners, the loop, the CLI and `invoke` all read it, so a pack's tool is
called exactly like a built-in one. Its only change is `disable`: a pack caught changing
`pyproject.toml` or `uv.lock` from a "read-only" tool is dropped for the rest of the run (and,
through `on_disable`, remembered by the front end).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

from uvmgr.tools.registry import REGISTRY
from uvmgr.tools.spec import ToolSpec


class Toolset:
    def __init__(self, specs: tuple[ToolSpec, ...] = REGISTRY,
                 pack_of: Mapping[str, str] = MappingProxyType({}),
                 on_disable: Callable[[str, str], None] | None = None,
                 intents: tuple = (), docs: tuple[tuple[str, str, str], ...] = ()) -> None:
        self._specs = tuple(specs)
        self._intents = tuple(intents)
        self._docs = tuple(docs)
        self._pack_of = MappingProxyType(dict(pack_of))
        self._disabled: set[str] = set()
        self._on_disable = on_disable

    @property
    def specs(self) -> tuple[ToolSpec, ...]:
        return tuple(s for s in self._specs if self.pack_of(s.name) not in self._disabled)

    def get(self, name: str) -> ToolSpec | None:
        return next((s for s in self.specs if s.name == name), None)

    def __getitem__(self, name: str) -> ToolSpec:
        spec = self.get(name)
        if spec is None:
            raise KeyError(name)
        return spec

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    @property
    def agent_tools(self) -> tuple[str, ...]:
        """The tools a planner may choose, built-ins first, in the registry's order."""
        return tuple(s.name for s in self.specs if s.agent)

    def pack_of(self, name: str) -> str | None:
        """The pack a tool came from; None for a built-in tool."""
        return self._pack_of.get(name)

    def pack_tools(self) -> tuple[ToolSpec, ...]:
        return tuple(s for s in self.specs if self.pack_of(s.name) is not None)

    @property
    def intents(self) -> tuple:
        """The active packs' `uvmgr.packs.Intent`s, for the offline planner's reader: only those
        of read-only tools, so a pack's phrase can never plan a change."""
        return tuple(i for i in self._intents if (spec := self.get(i.tool)) is not None
                     and self.pack_of(i.tool) is not None and not spec.mutates)

    @property
    def pack_docs(self) -> tuple[tuple[str, str, str], ...]:
        """(pack, version, "package:folder") of the active packs' docs, for the docs index."""
        return tuple(d for d in self._docs if d[0] not in self._disabled)

    def disable(self, pack: str, reason: str) -> None:
        """Drop every tool of `pack` for the rest of this run, and tell the front end."""
        self._disabled.add(pack)
        if self._on_disable is not None:
            self._on_disable(pack, reason)

