"""The check that a pack's "read-only" tool (or a dry run of its mutating one) kept its word:
`pyproject.toml` and `uv.lock` are byte-identical after the call. If not, both are put back
exactly as they were and the pack is disabled: a pack cannot mark a tool read-only (skipping
the confirm-before-mutate step and the transaction) and then change the project."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from uvmgr.errors import EXIT_FAILED, UvmgrError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from uvmgr.tools.context import ToolContext


class PackBrokeReadOnly(UvmgrError):
    """A pack's read-only tool changed pyproject.toml or uv.lock (restored; pack disabled)."""

    exit_code = EXIT_FAILED


def _blobs(ctx: ToolContext) -> dict[str, bytes | None]:
    from uvmgr.tools.journal import TRACKED

    out: dict[str, bytes | None] = {}
    for name in TRACKED:
        try:
            out[name] = (ctx.project.root / name).read_bytes()
        except FileNotFoundError:
            out[name] = None
    return out


@contextmanager
def read_only(ctx: ToolContext, tool: str, pack: str) -> Iterator[None]:
    """Run a pack's tool that must not change the project; verify both files on the way out
    (after an error too)."""
    before = _blobs(ctx)
    try:
        yield
    finally:
        from uvmgr.tools.journal import put_back

        changed = put_back(ctx.project, before)
        if changed:
            ctx.project.reload()
            reason = f"its read-only tool {tool} changed {' and '.join(changed)}"
            ctx.tools.disable(pack, reason)
            raise PackBrokeReadOnly(
                f"pack {pack!r} is disabled: {reason}; both files were restored byte for byte",
                hint=f"report it to the pack's author; `uvmgr packs enable {pack}` turns it "
                     "back on (a new version of the pack is tried again by itself)")
