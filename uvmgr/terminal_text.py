"""Text from untrusted sources (a repository's docs and file names, advisories, package
metadata, uv's and pytest's output) shown on a terminal as text, never as control sequences.

A planted `ESC ] 52 ; ...` writes the clipboard in many terminals; `ESC [ 2 J`, `ESC [ 1 A` or a
bare carriage return paint over what uvmgr printed (an approval preview, a refusal). Every C0
control but tab and newline, DEL and every C1 control (`0x9b` is a one-byte CSI) is shown as
`\\xNN`. Rich's own styling is not text: `safe_console()` neutralises only the text segments it
renders, so colours and the status line keep working.
"""

from __future__ import annotations

import functools
import re
from typing import Any

_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def neutral(text: str) -> str:
    """`text` with every control character but tab and newline shown as `\\xNN` (a Windows
    line end is just a line end)."""
    if not _CONTROLS.search(text):
        return text
    return _CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}", text.replace("\r\n", "\n"))


@functools.cache
def _safe_console_class() -> type:
    from rich.console import Console
    from rich.segment import Segment

    class SafeConsole(Console):
        """A rich Console whose rendered text carries no control sequence of its own."""

        def _render_buffer(self, buffer) -> str:  # rich's one place that joins the segments
            return super()._render_buffer(
                segment if segment.control else
                Segment(neutral(segment.text), segment.style, segment.control)
                for segment in buffer)

    return SafeConsole


def safe_console(**kwargs: Any):
    """A rich Console (same arguments) that shows untrusted text as text."""
    return _safe_console_class()(**kwargs)
