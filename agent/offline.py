"""The offline planner: a deterministic DSPy engine that needs no model and no network.

It reads the person's request from the DSPy prompt with the one request reader
(`agent.intents.read_request`), plans the tool calls for its steps (`plan_for`), emits them one ReAct step at a time,
and writes the final answer from the observations. Instructions inside observations
(file contents, tool output) are never read as requests: only the `request` field is.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from uvmgr.agent.engine import TextEngine
from uvmgr.agent.intents import IntentMatcher, Reading, Step, read_request
from uvmgr.agent.lexicon import DOCS_VERBS
from uvmgr.prompts.answers import answer_for

OFFLINE_MODEL = "uvmgr/offline-planner"
_FIELD = re.compile(r"\[\[ ## (\w+) ## \]\]\n(.*?)(?=\n\n\[\[ ## |\Z)", re.DOTALL)
_STOP_OUTCOMES = ("REFUSED", "DECLINED", "ERROR", "ROLLED BACK")


@dataclass(frozen=True)
class PlannedCall:
    tool: str
    args: dict
    thought: str


_ASK_DOCS = rf"(please )?{DOCS_VERBS}\s+(the |its |our )?(docs|documentation)"
# "search the docs for" at the start, or "check the docs" at the end, of a request.
_DOCS_PHRASE = re.compile(rf"^\s*{_ASK_DOCS}\b\s*(for|about|on)?\s*[:,]?\s*|"
                          rf"[,.;?]?\s*{_ASK_DOCS}\s*[.!]?\s*$", re.IGNORECASE)


def docs_query(text: str) -> str:
    """The question without "search the docs for": the words that find the passage."""
    query = _DOCS_PHRASE.sub(" ", text).strip(" :,.")
    return query or text


def _call_for(step: Step, text: str) -> PlannedCall | None:
    i = step.intent
    if i == "outdated":
        return PlannedCall("outdated_packages", {"packages": step.packages or None},
                           "List the direct dependencies that have newer versions.")
    if i == "upgrade":
        return PlannedCall("upgrade_safely", {"level": step.level, "packages": step.packages},
                           f"Upgrade within the {step.level} level with the tests as a gate; "
                           "upgrade_safely keeps only what passes.")
    if i == "add" and step.specs:
        args: dict = {"specs": step.specs}
        if step.dev:
            args["dev"] = True
        elif step.group:
            args["group"] = step.group
        return PlannedCall("add_dependency", args, f"Add {', '.join(step.specs)}.")
    if i == "remove" and step.packages:
        return PlannedCall("remove_dependency", {"names": step.packages},
                           f"Remove {', '.join(step.packages)}.")
    if i == "docs":
        return PlannedCall("search_docs", {"query": docs_query(text), "k": 5},
                           "Look it up in the docs index and quote the sources.")
    simple = _SIMPLE.get(i)
    return PlannedCall(simple[0], {}, simple[1]) if simple else None


_SIMPLE = {
    "audit": ("audit_dependencies", "Check the locked packages against known advisories."),
    "fix": ("fix_vulnerabilities", ("Move each vulnerable package to its lowest fixed "
                                    "version, then run the tests.")),
    "list": ("list_dependencies", "List the direct dependencies."),
    "test": ("run_tests", "Run the test suite."),
    "build": ("build_package", "Build the sdist and wheel and check them."),
    "check": ("check_quality", "Run format, lint and type checks."),
    "lock": ("lock_project", "Update uv.lock from pyproject.toml."),
}


def plan_for(reading: Reading) -> list[PlannedCall]:
    """The tool calls that carry out a request, one per step, in the order asked; none when
    the reader asks back or refuses."""
    if reading.status != "act":
        return []
    calls = [_call_for(step, reading.text) for step in reading.steps]
    return [c for c in calls if c is not None]


_UPGRADED = re.compile(r"^\s+([a-z0-9][a-z0-9._-]*): \S+ -> (\d\S*)$", re.MULTILINE)


def _explain_upgrades(reading: Reading, observations: list[str]) -> list[PlannedCall]:
    """After upgrade_safely changed direct dependencies, look up their changelogs, so the
    answer can say what changed in them (quoted from the docs index)."""
    if reading.intent != "upgrade" or not observations:
        return []
    first = observations[0]
    if not first.startswith("upgrade_safely changed:"):
        return []
    upgraded = [f"{name} {version}" for name, version in _UPGRADED.findall(first)][:4]
    if not upgraded:
        return []
    return [PlannedCall("search_docs",
                        {"query": f"changelog {' '.join(upgraded)}", "kinds": ["packages"], "k": 3},
                        "Quote what changed in the upgraded packages from their changelogs.")]


def _fields(text: str) -> dict[str, str]:
    """The `[[ ## name ## ]]` fields of a prompt. The first occurrence wins, so text inside an
    observation cannot replace the person's request."""
    out: dict[str, str] = {}
    for match in _FIELD.finditer(text):
        out.setdefault(match.group(1), match.group(2).strip())
    return out


class OfflinePlanner(TextEngine):
    """A DSPy engine (`complete(Request) -> Response`) that plans without a model."""

    model = OFFLINE_MODEL

    def __init__(self, known_packages: list[str]):
        self.known_packages = known_packages
        self.matcher = IntentMatcher()

    def read(self, request: str) -> Reading:
        return read_request(request, self.known_packages, self.matcher)

    def respond(self, system: str, user: str) -> str:
        user = user.split("\n\nRespond with the corresponding output fields", 1)[0]
        fields = _fields(user)  # request, then the trajectory's thought_i, tool_name_i, ...
        request = fields.get("request", "")
        trajectory = {k: v for k, v in fields.items() if re.match(r"\w+_\d+$", k)}
        reading = self.read(request)
        if "next_tool_name" in system:
            return self._step(reading, trajectory)
        return self._answer(reading, trajectory)

    def _step(self, reading: Reading, trajectory: dict[str, str]) -> str:
        done = sum(1 for k in trajectory if k.startswith("tool_name_"))
        observations = [v for k, v in trajectory.items() if k.startswith("observation_")]
        plan = plan_for(reading) + _explain_upgrades(reading, observations)
        stop = any(o.startswith(_STOP_OUTCOMES) for o in observations)
        if stop or done >= len(plan):
            thought = "The request is handled." if plan else "No tool fits this request offline."
            return _format({"next_thought": thought, "next_tool_name": "finish",
                            "next_tool_args": "{}"})
        call = plan[done]
        return _format({"next_thought": call.thought, "next_tool_name": call.tool,
                        "next_tool_args": json.dumps(call.args)})

    def _answer(self, reading: Reading, trajectory: dict[str, str]) -> str:
        observations = [v for k, v in trajectory.items() if k.startswith("observation_")
                        and v != "Completed."]
        return _format({"reasoning": "Summarised the observations." if observations else
                        "No plan matched.", "answer": answer_for(reading, observations)})


def _format(fields: dict[str, str]) -> str:
    parts = [f"[[ ## {k} ## ]]\n{v}" for k, v in fields.items()]
    return "\n\n".join(parts + ["[[ ## completed ## ]]"])
