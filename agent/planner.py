"""The planner: `dspy.ReAct` over the tool registry, with budgets and step events.

`run_agent` wires it together: the model chain (or the offline planner), the safety
layer every tool call goes through, and the run summary a front end renders.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from pathlib import Path

from uvmgr.agent.events import (
    Notice,
    Observer,
    RunStarted,
    RunSummary,
    StepFinished,
    StepStarted,
    ignore,
)
from uvmgr.agent.offline import OFFLINE_MODEL, OfflinePlanner
from uvmgr.agent.safety import Authority, Confirmer, Mode, SafetyLayer
from uvmgr.errors import EXIT_FAILED, EXIT_OK, EXIT_REFUSED, EXIT_ROLLED_BACK
from uvmgr.tools.context import ToolContext
from uvmgr.tools.registry import REGISTRY
from uvmgr.tools.spec import ToolSpec

# The planner chooses among these; the single-shot upgrade_packages stays a plain command so
# even a weak model takes the test-gated path.
AGENT_TOOLS = (
    "outdated_packages", "list_dependencies", "upgrade_safely", "audit_dependencies",
    "fix_vulnerabilities", "add_dependency", "remove_dependency", "run_tests", "build_package",
    "check_quality", "lock_project", "search_docs",
)
HIDDEN_ARGS = ("dry_run",)  # the safety layer decides dry runs, never the model


@dataclass
class Budget:
    max_steps: int
    max_seconds: float
    max_cost: float
    started: float = 0.0
    cancel: object = None  # a threading.Event the front end sets to stop between steps
    max_observation_chars: int = 8000

    def exhausted(self, cost: float) -> str:
        if self.cancel is not None and self.cancel.is_set():
            return "cancelled"
        if time.monotonic() - self.started > self.max_seconds:
            return "max_seconds"
        if cost > self.max_cost:
            return "max_cost"
        return ""


def bounded_observation(text: str, limit: int) -> str:
    """What the model is shown of one tool result: secrets masked, and at most `limit`
    characters, with a note saying it was cut and by how much."""
    from uvmgr.telemetry import redact_text

    text = redact_text(text)
    if len(text) <= limit:
        return text
    return (text[:limit] + f"\n[... cut: {len(text) - limit} more characters not shown; one "
            f"observation is limited to {limit} characters (max-observation-chars)]")


def _tool_for(spec: ToolSpec, safety: SafetyLayer, outcomes: dict):
    import dspy
    from pydantic import TypeAdapter

    arguments = {k: v for k, v in spec.arguments().items() if k not in HIDDEN_ARGS}
    schemas, types, descs = {}, {}, {}
    for name, (hint, desc) in arguments.items():
        schemas[name] = TypeAdapter(hint).json_schema()
        schemas[name]["description"] = desc
        types[name] = hint
        descs[name] = desc

    def call(**kwargs):
        unknown = sorted(set(kwargs) - set(arguments))
        if unknown:
            raise ValueError(f"unknown argument(s) {unknown}; {spec.name} takes "
                             f"{sorted(arguments) or 'no arguments'}")
        observation, outcome = safety.run(spec, kwargs)
        outcomes["last"] = outcome
        return observation

    call.__name__ = spec.name
    return dspy.Tool(call, name=spec.name, desc=spec.description, args=schemas,
                     arg_types=types, arg_desc=descs)


def _react_class():
    import dspy
    from dspy.utils.exceptions import ContextWindowExceededError

    class UvmgrReAct(dspy.ReAct):
        """ReAct with budgets checked between steps (never inside a tool call) and events."""

        def __init__(self, signature, tools, budget: Budget, summary: RunSummary,
                     observer: Observer, outcomes: dict, cost, mutating: set[str]):
            super().__init__(signature, tools=tools, max_iters=budget.max_steps)
            self.budget, self.summary, self.observer = budget, summary, observer
            self.outcomes, self.cost, self.mutating = outcomes, cost, mutating

        def forward(self, **input_args):
            trajectory: dict = {}
            steps = 0
            while True:
                stop = self.budget.exhausted(self.cost())
                if steps >= self.max_iters:
                    stop = "max_steps"
                if stop:
                    self.summary.stopped_by = stop
                    self.observer(Notice("stopped: cancelled" if stop == "cancelled" else
                                         f"stopped: the {stop.replace('_', ' ')} budget is spent"))
                    break
                try:
                    pred = self._call_with_potential_trajectory_truncation(
                        self.react, trajectory, **input_args)
                except ContextWindowExceededError as err:
                    self.observer(Notice(f"the trajectory no longer fits the model: {err}"))
                    break
                except Exception as err:  # noqa: BLE001 - an unparseable step ends the run cleanly
                    self.observer(Notice("the planner could not choose a valid step "
                                         f"({type(err).__name__}); ending the run"))
                    break
                idx = steps
                name, args = pred.next_tool_name, pred.next_tool_args or {}
                trajectory[f"thought_{idx}"] = pred.next_thought
                trajectory[f"tool_name_{idx}"] = name
                trajectory[f"tool_args_{idx}"] = args
                if name == "finish":
                    trajectory[f"observation_{idx}"] = "Completed."
                    break
                steps += 1
                self.observer(StepStarted(idx, pred.next_thought, name, args))
                started = time.monotonic()
                self.outcomes["last"] = "ok"
                try:
                    observation = self.tools[name](**args)
                except Exception as err:  # noqa: BLE001 - a tool error is an observation
                    observation = (f"ERROR in {name}: {err}. Check the arguments against the "
                                   "tool's description and try again, or finish.")
                    self.outcomes["last"] = "error"
                observation = bounded_observation(str(observation),
                                                  self.budget.max_observation_chars)
                trajectory[f"observation_{idx}"] = observation
                mutates = name in self.mutating
                finished = StepFinished(idx, name, args, str(observation),
                                        time.monotonic() - started, mutates,
                                        self.outcomes["last"])
                self.summary.steps.append(finished)
                self.observer(finished)
            try:
                extract = self._call_with_potential_trajectory_truncation(
                    self.extract, trajectory, **input_args)
                answer = extract.answer
            except Exception as err:  # noqa: BLE001 - the steps still deserve a report
                self.observer(Notice(f"the model could not write the answer ({type(err).__name__})"))
                observed = [str(v) for k, v in trajectory.items()
                            if k.startswith("observation_") and v != "Completed."]
                answer = "What happened:\n" + ("\n".join(observed) or "no tool ran.")
            return dspy.Prediction(trajectory=trajectory, answer=answer)

    return UvmgrReAct


def compiled_name(model: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", model).strip("_") + ".json"


def compiled_program_for(model: str) -> Path | None:
    """The program `uvmgr eval --optimize` compiled for this model, if there is one."""
    from uvmgr.prompts import compiled

    if not model or model == OFFLINE_MODEL:
        return None  # the offline planner reads no demos
    path = Path(compiled.__file__).parent / compiled_name(model)
    return path if path.is_file() else None


def agent_tools(safety: SafetyLayer | None, outcomes: dict) -> list:
    specs = {s.name: s for s in REGISTRY}
    return [_tool_for(specs[name], safety, outcomes) for name in AGENT_TOOLS]


def model_chain_for(ctx: ToolContext, model: str | None, offline: OfflinePlanner,
                    observer: Observer, offline_fallback: bool = True):
    """The engine answering for this run: the offline planner alone, or a chain ending in it."""
    from uvmgr.agent.models import ModelChain

    models = [m for m in [model or ctx.settings.model, *ctx.settings.fallbacks] if m]
    if not models or models == [OFFLINE_MODEL] or model == "offline":
        return ModelChain([], offline, tracer=ctx.tracer, observer=observer)
    return ModelChain(models, offline, tracer=ctx.tracer, observer=observer,
                      timeout=ctx.settings.model_timeout, retries=ctx.settings.model_retries,
                      api_base=ctx.settings.api_base, offline_fallback=offline_fallback,
                      max_tokens=ctx.settings.max_tokens)


def _check_request(text: str, settings) -> None:
    """A request longer than the person could have meant is an input error, before any work."""
    from uvmgr.errors import UsageError

    if len(text) > settings.max_request_chars:
        raise UsageError(f"the request is {len(text)} characters long; the limit is "
                         f"{settings.max_request_chars}",
                         hint="shorten it (point to a file instead of pasting it), or raise "
                              "max-request-chars in your user config or UVMGR_MAX_REQUEST_CHARS")


def run_agent(ctx: ToolContext, request: str, *, mode: Mode = "confirm",
              confirmer: Confirmer | None = None, model: str | None = None,
              max_steps: int | None = None, observer: Observer = ignore,
              engine=None, policy_text: str = "", cancel=None, offline_fallback: bool = True,
              program_path=None, predictors=None, authority: str | None = None) -> RunSummary:
    """Plan and carry out one request. `engine` replaces the model chain (scripted tests);
    `offline_fallback=False` scores a model alone (evals); `program_path` loads a compiled
    program (few-shot demos from `uvmgr eval --optimize`; by default the one compiled for the
    model, if any); `predictors` shares the optimiser's predictors with this run; `authority`
    is what the person asked when `request` also carries tool output for the model to read
    (AutoPilot's explanation), so that text can never authorise anything."""
    started = time.monotonic()
    _check_request(authority if authority is not None else request, ctx.settings)
    summary = RunSummary(request)
    offline = OfflinePlanner([d.name for d in ctx.project.direct_dependencies()])
    chain = engine if engine is not None else model_chain_for(ctx, model, offline, observer,
                                                              offline_fallback)
    label = getattr(chain, "active", None) or getattr(engine, "model", "scripted")
    observer(RunStarted(request, label, mode))

    with ctx.tracer.span("agent run", mode=mode, model=label) as span:
        import dspy

        logging.getLogger("dspy").setLevel(logging.ERROR)
        safety = SafetyLayer(ctx, Authority(request if authority is None else authority,
                                            policy_text=policy_text), mode, confirmer,
                             observer)
        outcomes: dict = {}  # the safety layer's verdict on the last call
        tools = agent_tools(safety, outcomes)
        budget = Budget(max_steps or ctx.settings.max_steps, ctx.settings.max_seconds,
                        ctx.settings.max_cost, started, cancel,
                        ctx.settings.max_observation_chars)
        from uvmgr.prompts.signatures import project_task

        program = _react_class()(project_task(), tools, budget, summary, observer, outcomes,
                                 lambda: getattr(chain, "cost", 0.0),
                                 {s.name for s in REGISTRY if s.mutates})
        if program_path is None and engine is None:
            program_path = compiled_program_for(getattr(chain, "active", ""))
        if program_path:  # False: the plain program, even when a compiled one exists
            program.load(str(program_path))
        if predictors is not None:
            program.react, program.extract = predictors.react, predictors.extract
        lm = dspy.LM(f"uvmgr/{getattr(chain, 'active', 'engine')}", engine=chain, cache=False,
                     num_retries=0)
        with dspy.context(lm=lm, adapter=dspy.ChatAdapter()):
            prediction = program(request=request)
        from uvmgr.telemetry import redact_text

        summary.answer = redact_text(str(prediction.answer).strip())
        summary.decisions = list(safety.decisions)
        summary.results = list(safety.executed)
        summary.model_calls = list(getattr(chain, "calls", []))
        if summary.stopped_by == "cancelled":
            summary.answer += ("\n\n(Cancelled: a change in flight was rolled back; nothing is "
                               "half done.)")
        elif summary.stopped_by:
            summary.answer += (f"\n\n(Stopped early: the {summary.stopped_by.replace('_', ' ')} "
                               "budget was reached between steps; no change was interrupted.)")
        if safety.rolled_back:
            summary.exit_code = EXIT_ROLLED_BACK
        elif safety.needs_person:
            summary.exit_code = EXIT_REFUSED
        elif summary.steps and summary.steps[-1].outcome == "error":
            summary.exit_code = EXIT_FAILED
        else:
            summary.exit_code = EXIT_OK
        summary.duration = round(time.monotonic() - started, 3)
        for key, value in (("steps", len(summary.steps)), ("exit_code", summary.exit_code),
                           ("tokens", summary.tokens), ("cost_usd", summary.cost),
                           ("models", summary.models_used)):
            span.set(key, value)
    return summary
