"""How the chat shows text the agent produced: quoted docs become quoted blocks with a
visible source line, and what was written for the model alone is left out.

Docs passages reach the model wrapped as `<untrusted-doc cite="...">...</untrusted-doc>` with
an instruction to treat them as data (`agent/summaries.py`). A Markdown renderer eats that
markup, and with it the citation; the instruction is not meant for the person at all. The
quoted text and its citation are untrusted, so they are escaped: they render as text, never
as links, images or headings."""

from __future__ import annotations

import re

from uvmgr.tools.docs import UNTRUSTED_NOTE

DOC = re.compile(r'<untrusted-doc cite="(?P<cite>[^"]*)">\n?(?P<text>.*?)\n?</untrusted-doc>',
                 re.DOTALL)
# The sentence the docs search adds for the model, after "N passages for 'q'."
MODEL_ONLY = re.compile(r"\s*" + re.escape(UNTRUSTED_NOTE))
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~=])")


def escape_markdown(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def answer_markdown(answer: str) -> str:
    """The agent's answer as Markdown: its lines kept as they are (hard line breaks), each
    docs passage a block quote ending with its source."""
    def quote(match: re.Match[str]) -> str:
        lines = [f"> {_keep_indent(escape_markdown(line))}  " if line.strip() else ">"
                 for line in match.group("text").splitlines()]
        source = f"> — *source: {escape_markdown(match.group('cite'))}*"
        return "\n" + "\n".join([*lines, ">", source]) + "\n\n"

    parts = []
    last = 0
    text = MODEL_ONLY.sub("", answer)
    for match in DOC.finditer(text):
        parts.append(_hard_breaks(text[last:match.start()]))
        parts.append(quote(match))
        last = match.end()
    parts.append(_hard_breaks(text[last:]))
    return "".join(parts)


def plain_quotes(text: str) -> str:
    """A step's observation as plain text: passages indented under a bar, then the source."""
    def quote(match: re.Match[str]) -> str:
        lines = [f"  │ {line}" for line in match.group("text").splitlines()]
        return "\n".join([*lines, f"  — source: {match.group('cite')}"])

    return DOC.sub(quote, MODEL_ONLY.sub("", text))


def _keep_indent(line: str) -> str:
    """Leading spaces as no-break spaces: indented text stays text (four spaces would make
    a code block, where the escapes show)."""
    stripped = line.lstrip(" ")
    return "\u00a0" * (len(line) - len(stripped)) + stripped


def _hard_breaks(text: str) -> str:
    return text.replace("\n", "  \n")
