"""`run_agent`: one request, planned and carried out.

It picks the planner (the offline planner, or DSPy ReAct over the model chain with the
offline planner as its fallback), lets the uvmgr loop drive it through the safety layer every
tool call goes through, and fills the run summary a front end renders. The offline path
imports no DSPy: `agent/react.py` loads only when a model (or a scripted LM) plans.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from uvmgr.agent.events import Observer, RunStarted, RunSummary, ignore
from uvmgr.agent.loop import Budget, drive
from uvmgr.agent.offline import OFFLINE_MODEL, OfflinePlanner
from uvmgr.agent.planning import Planner
from uvmgr.agent.safety import Authority, Confirmer, Mode, SafetyLayer
from uvmgr.prompts.answers import FrontEnd
from uvmgr.tools.context import ToolContext

from uvmgr.errors import EXIT_OK, EXIT_REFUSED, EXIT_ROLLED_BACK


@dataclass(frozen=True)
class AgentOptions:
    """How one request is run. The defaults are a plain `uvmgr ask`."""

    mode: Mode = "confirm"
    """confirm | dry-run | yes | policy: who may approve a change (see `agent/safety.py`)."""
    confirmer: Confirmer | None = None
    """Asks the person (terminal, TUI modal) or the policy; None: nobody to ask."""
    model: str | None = None
    """A litellm model for this run; None: the configured one; "offline": the offline planner."""
    max_steps: int | None = None
    """Tool calls at most; None: the configured `max-steps`."""
    observer: Observer = ignore
    """Receives the run's events as they happen."""
    planner: Planner | None = None
    """Plans instead of the configured model chain (evals' obedient planner)."""
    engine: object = None
    """A DSPy engine the ReAct planner talks to instead of the model chain (a scripted LM in
    tests, the offline teacher when optimising)."""
    policy_names: tuple[str, ...] = ()
    """The packages AutoPilot's policy names (ignore, pin): the person named them. The
    policy's own wording never names a package."""
    cancel: threading.Event | None = None
    """Set by the front end to stop between steps."""
    offline_fallback: bool = True
    """False scores a model alone (evals): no offline planner takes over when it fails."""
    program_path: Path | bool | None = None
    """A compiled program (few-shot demos from `uvmgr eval --optimize`); None: the one
    compiled for the model, if any; False: the plain program."""
    predictors: object = None
    """The optimiser's predictors, shared with this run."""
    authority: str | None = None
    """What the person asked, when the request also carries tool output for the model to
    read (AutoPilot's explanation), so that text can never authorise anything."""
    front_end: FrontEnd = "cli"
    """Who shows the answer: the offline planner's "Next:" advice names commands on the
    command line ("cli") and asks in words in the chat ("chat")."""


def compiled_name(model: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", model).strip("_") + ".json"


def compiled_program_for(model: str) -> Path | None:
    """The program `uvmgr eval --optimize` compiled for this model, if there is one."""
    from uvmgr.prompts import compiled

    if not model or model == OFFLINE_MODEL:
        return None  # the offline planner reads no demos
    path = Path(compiled.__file__).parent / compiled_name(model)
    return path if path.is_file() else None


def planner_for(ctx: ToolContext, options: AgentOptions) -> Planner:
    """The planner for this run: the one given, the offline planner when no model is
    configured, else DSPy ReAct over the model chain with the offline planner to fall back on."""
    if options.planner is not None:
        return options.planner
    deps = ctx.project.direct_dependencies()
    offline = OfflinePlanner([d.name for d in deps], tracer=ctx.tracer,
                             observer=options.observer,
                             dev=[d.name for d in deps if d.group in ("dev", "test", "tests")],
                             pack_intents=ctx.tools.intents,
                             front_end=options.front_end)
    models = [m for m in [options.model or ctx.settings.model, *ctx.settings.fallbacks] if m]
    if options.engine is None and (not models or models == [OFFLINE_MODEL]
                                   or options.model == "offline"):
        return offline
    from uvmgr.agent.react import ReActPlanner

    engine, program_path = options.engine, options.program_path
    if engine is None:
        from uvmgr.agent.models import ModelChain

        s = ctx.settings
        engine = ModelChain(models, tracer=ctx.tracer, observer=options.observer,
                            timeout=s.model_timeout, retries=s.model_retries,
                            api_base=s.api_base, max_tokens=s.max_tokens)
        if program_path is None:
            program_path = compiled_program_for(engine.active)
    return ReActPlanner(engine, max_steps=options.max_steps or ctx.settings.max_steps,
                        program_path=program_path or None, predictors=options.predictors,
                        fallback=offline if options.offline_fallback else None,
                        observer=options.observer, tools=ctx.tools)


def _check_request(text: str, settings) -> None:
    """A request longer than the person could have meant is an input error, before any work."""
    from uvmgr.errors import UsageError

    if len(text) > settings.max_request_chars:
        raise UsageError(f"the request is {len(text)} characters long; the limit is "
                         f"{settings.max_request_chars}",
                         hint="shorten it (point to a file instead of pasting it), or raise "
                              "max-request-chars in your user config or UVMGR_MAX_REQUEST_CHARS")


def run_agent(ctx: ToolContext, request: str,
              options: AgentOptions = AgentOptions()) -> RunSummary:
    """Plan and carry out one request."""
    started = time.monotonic()
    o = options
    _check_request(request if o.authority is None else o.authority, ctx.settings)
    summary = RunSummary(request)
    planner = planner_for(ctx, o)
    o.observer(RunStarted(request, planner.label, o.mode))

    with ctx.tracer.span("agent run", mode=o.mode, model=planner.label) as span:
        safety = SafetyLayer(ctx, Authority(request if o.authority is None else o.authority,
                                            policy_names=o.policy_names), o.mode, o.confirmer,
                             o.observer)
        budget = Budget(o.max_steps or ctx.settings.max_steps, ctx.settings.max_seconds,
                        ctx.settings.max_cost, started, o.cancel,
                        ctx.settings.max_observation_chars)
        from uvmgr.telemetry import redact_text

        answer = drive(planner, request, safety, budget, summary, o.observer)
        summary.answer = redact_text(answer).strip()  # a model may echo what it was sent
        summary.decisions = list(safety.decisions)
        summary.results = list(safety.executed)
        summary.model_calls = list(planner.calls)
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
            summary.exit_code = safety.error_exit_code  # the code its plain command exits with
        else:
            summary.exit_code = EXIT_OK
        summary.duration = round(time.monotonic() - started, 3)
        for key, value in (("steps", len(summary.steps)), ("exit_code", summary.exit_code),
                           ("tokens", summary.tokens), ("cost_usd", summary.cost),
                           ("models", summary.models_used)):
            span.set(key, value)
    return summary
