"""The offline planner: a deterministic `Planner` that needs no model, no network and no DSPy.

It reads the person's request (`agent.intents.read_request`), plans the tool calls for it
(`plan_for`), hands them to the uvmgr loop one step at a time, and writes the final answer
from the observations (`answer_for`). Only the request is read as a request: observations
(file contents, tool output) are data, and they can only end the plan early (a refusal, an
error) or feed the answer.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from uvmgr.agent.events import ModelCalled, Observer, ignore
from uvmgr.agent.intents import DOCS_VERBS, IntentMatcher, Reading, read_request
from uvmgr.agent.planning import Finish, Step, ToolCall, Trajectory
from uvmgr.prompts.intents import INTENT_DESCRIPTIONS, NEXT_STEPS, OFFLINE_REFUSAL

OFFLINE_MODEL = "uvmgr/offline-planner"
_STOP_OUTCOMES = ("REFUSED", "DECLINED", "ERROR", "ROLLED BACK")


@dataclass(frozen=True)
class PlannedCall:
    tool: str
    args: dict
    thought: str


_ASK_DOCS = rf"(please )?{DOCS_VERBS}\s+(the |its |our )?(docs|documentation)"
# "search the docs for" at the start, or "check the docs" at the end, of a request.
# The second branch starts only at punctuation or at the first of a run of spaces: trying
# every space of a long run again made it quadratic.
_DOCS_PHRASE = re.compile(rf"^\s*{_ASK_DOCS}\b\s*(for|about|on)?\s*[:,]?\s*|"
                          rf"(?:[,.;?]|(?<!\s))\s*{_ASK_DOCS}\s*[.!]?\s*$", re.I)


def docs_query(text: str) -> str:
    """The question without "search the docs for": the words that find the passage."""
    query = _DOCS_PHRASE.sub(" ", text).strip(" :,.")
    return query or text


def plan_for(reading: Reading) -> list[PlannedCall]:
    """The tool calls that carry out one recognised request."""
    i = reading.intent
    names = reading.packages or None
    calls: list[PlannedCall] = []
    if reading.ambiguous:
        return calls
    if i == "outdated":
        calls.append(PlannedCall("outdated_packages", {"packages": names},
                                 "List the direct dependencies that have newer versions."))
    elif i == "upgrade":
        calls.append(PlannedCall("upgrade_safely", {"level": reading.level, "packages": names},
                                 f"Upgrade within the {reading.level} level with the tests as a "
                                 "gate; upgrade_safely keeps only what passes."))
    elif i == "audit":
        calls.append(PlannedCall("audit_dependencies", {},
                                 "Check the locked packages against known advisories."))
    elif i == "fix":
        calls.append(PlannedCall("fix_vulnerabilities", {},
                                 "Move each vulnerable package to its lowest fixed version, "
                                 "then run the tests."))
    elif i == "add" and reading.specs:
        args: dict = {"specs": reading.specs}
        if reading.dev:
            args["dev"] = True
        elif reading.group:
            args["group"] = reading.group
        calls.append(PlannedCall("add_dependency", args, f"Add {', '.join(reading.specs)}."))
    elif i == "remove" and reading.packages:
        calls.append(PlannedCall("remove_dependency", {"names": reading.packages},
                                 f"Remove {', '.join(reading.packages)}."))
    elif i == "list":
        calls.append(PlannedCall("list_dependencies", {}, "List the direct dependencies."))
    elif i == "test":
        calls.append(PlannedCall("run_tests", {}, "Run the test suite."))
    elif i == "build":
        calls.append(PlannedCall("build_package", {}, "Build the sdist and wheel and check them."))
    elif i == "check":
        calls.append(PlannedCall("check_quality", {}, "Run format, lint and type checks."))
    elif i == "lock":
        calls.append(PlannedCall("lock_project", {}, "Update uv.lock from pyproject.toml."))
    elif i == "docs":
        calls.append(PlannedCall("search_docs", {"query": docs_query(reading.text), "k": 5},
                                 "Look it up in the docs index and quote the sources."))
    if reading.then_test and calls:
        calls.append(PlannedCall("run_tests", {}, "Run the tests, as asked."))
    return calls


_UPGRADED = re.compile(r"^\s+([a-z0-9][a-z0-9._-]*): \S+ -> (\d\S*)$", re.M)


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


class OfflinePlanner:
    """The `Planner` that plans without a model. Each decision is recorded like a model call
    (a span and a `ModelCalled` event, zero tokens), so traces and reports say who answered."""

    label = OFFLINE_MODEL
    cost = 0.0

    def __init__(self, known_packages: list[str], *, tracer=None, observer: Observer = ignore):
        self.known_packages = known_packages
        self.matcher = IntentMatcher()
        self.tracer, self.observer = tracer, observer
        self.calls: list[ModelCalled] = []

    def read(self, request: str) -> Reading:
        return read_request(request, self.known_packages, self.matcher)

    def next_step(self, request: str, trajectory: Trajectory) -> Step:
        with self._recorded():
            return self._step(self.read(request), trajectory)

    def answer(self, request: str, trajectory: Trajectory) -> str:
        with self._recorded():
            return answer_for(self.read(request), trajectory.observations)

    @contextmanager
    def _recorded(self) -> Iterator[None]:
        started = time.monotonic()
        if self.tracer is None:
            yield
        else:
            with self.tracer.span("model call", model=OFFLINE_MODEL, input_tokens=0,
                                  output_tokens=0, cost_usd=0.0):
                yield
        event = ModelCalled(OFFLINE_MODEL, True, time.monotonic() - started)
        self.calls.append(event)
        self.observer(event)

    def _step(self, reading: Reading, trajectory: Trajectory) -> Step:
        done = len(trajectory.turns)
        observations = trajectory.observations
        plan = plan_for(reading) + _explain_upgrades(reading, observations)
        stop = any(o.startswith(_STOP_OUTCOMES) for o in observations)
        if stop or done >= len(plan):
            return Finish("The request is handled." if plan else
                          "No tool fits this request offline.")
        call = plan[done]
        return ToolCall(call.tool, dict(call.args), call.thought)


def answer_for(reading: Reading, observations: list[str]) -> str:
    """The offline planner's answer: what it understood, what the tools said, what next."""
    plan = plan_for(reading)
    lines = ["(offline planner: no model is configured, so requests are matched to known "
             "tasks)"]
    if not plan:
        if reading.ambiguous:
            lines.append(f"Your request says \"{reading.ambiguous}\", and the offline planner "
                         "does not guess what to leave out. Which packages exactly should "
                         "change? (e.g. \"upgrade demo-cli\"), or configure a model.")
        elif reading.intent == "add":
            lines.append("Which package should I add? Name it, e.g. \"add httpx>=0.27\".")
        elif reading.intent == "remove":
            lines.append("I could not find that package among the project's dependencies; "
                         "`uvmgr deps list` shows them.")
        else:
            lines.append(OFFLINE_REFUSAL)
        return "\n".join(lines)
    lines.append(f"Task: {INTENT_DESCRIPTIONS.get(reading.intent, reading.intent)}.")
    lines += ["", *observations] if observations else ["", "No tool ran."]
    refused = any(o.startswith(("REFUSED", "DECLINED")) for o in observations)
    tail = NEXT_STEPS["refused"] if refused else NEXT_STEPS.get(reading.intent)
    if reading.intent == "audit" and observations and observations[0].startswith("No known"):
        tail = None
    if tail:
        lines += ["", f"Next: {tail}"]
    return "\n".join(lines)
