"""The offline planner: a deterministic `Planner` that needs no model, no network and no DSPy.

It reads the person's request with the one request reader (`agent.intents.read_request`),
plans the tool calls for its steps in order (`plan_for`), hands them to the uvmgr loop one
step at a time, and writes the final answer from the observations
(`prompts.answers.answer_for`). Only the request is read as a request: observations (file
contents, tool output) are data, and they can only end the plan early (a refusal, an error)
or feed the answer.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from uvmgr.agent.events import ModelCalled, Observer, ignore
from uvmgr.agent.intents import IntentMatcher, Reading, read_request
from uvmgr.agent.intents import Step as ReadingStep
from uvmgr.agent.lexicon import DOCS_VERBS
from uvmgr.agent.planning import Finish, Step, ToolCall, Trajectory
from uvmgr.prompts.answers import FrontEnd, answer_for

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
                          rf"(?:[,.;?]|(?<!\s))\s*{_ASK_DOCS}\s*[.!]?\s*$", re.IGNORECASE)


def docs_query(text: str) -> str:
    """The question without "search the docs for": the words that find the passage."""
    query = _DOCS_PHRASE.sub(" ", text).strip(" :,.")
    return query or text


def _call_for(step: ReadingStep, text: str) -> PlannedCall | None:
    i = step.intent
    if step.pack is not None:
        intent = step.pack
        return PlannedCall(intent.tool, dict(intent.args),
                           intent.thought or f"Run {intent.tool} (from a pack).")
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


class OfflinePlanner:
    """The `Planner` that plans without a model. Each decision is recorded like a model call
    (a span and a `ModelCalled` event, zero tokens), so traces and reports say who answered."""

    label = OFFLINE_MODEL
    cost = 0.0

    def __init__(self, known_packages: list[str], *, tracer=None, observer: Observer = ignore,
                 dev: list[str] | tuple[str, ...] = (), pack_intents: tuple = (),
                 front_end: FrontEnd = "cli"):
        self.known_packages = known_packages
        # the active packs' `uvmgr.packs.Intent`s for read-only tools (`Toolset.intents`)
        self.pack_intents = tuple(pack_intents)
        self.dev = tuple(dev)  # the dev-group dependencies: "everything except the dev tools"
        self.front_end = front_end  # who reads the answer: its "Next:" advice fits it
        self.matcher = IntentMatcher()
        self.tracer, self.observer = tracer, observer
        self.calls: list[ModelCalled] = []

    def read(self, request: str) -> Reading:
        return read_request(request, self.known_packages, self.matcher, dev=self.dev,
                            pack_intents=self.pack_intents)

    def next_step(self, request: str, trajectory: Trajectory) -> Step:
        with self._recorded():
            return self._step(self.read(request), trajectory)

    def answer(self, request: str, trajectory: Trajectory) -> str:
        with self._recorded():
            reading = self.read(request)
            return answer_for(reading, trajectory.observations, self.front_end)

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
