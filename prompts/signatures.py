"""DSPy signatures. The instructions text lives beside this file in `instructions.md`."""

from __future__ import annotations

from functools import cache
from pathlib import Path

INSTRUCTIONS_FILE = Path(__file__).with_name("instructions.md")


def instructions() -> str:
    return INSTRUCTIONS_FILE.read_text(encoding="utf-8").strip()


@cache
def project_task():
    """`request -> answer`, with the maintainer's instructions (dspy imports on first use)."""
    import dspy

    class ProjectTask(dspy.Signature):
        request: str = dspy.InputField(desc="what the person asked, in their own words")
        answer: str = dspy.OutputField(
            desc="for the person: what was done, what changed (before -> after), what was held "
                 "back and why, and what to do next")

    return ProjectTask.with_instructions(instructions())
