"""DSPy ReAct as a `Planner`, for models: the next step is one call of the ReAct program's
`react` predictor over the trajectory, the answer one call of its `extract` predictor. The
prompts are exactly the ones `dspy.ReAct` builds, so compiled programs (`uvmgr eval
--optimize`), shared predictors and recorded cassettes keep working.

When every configured model has failed, the run goes on with the fallback planner (the
offline planner), which reads the same typed trajectory: no prompt text is parsed.
"""

from __future__ import annotations

import logging
from pathlib import Path

from uvmgr.agent.events import ModelCalled, Notice, Observer, ignore
from uvmgr.agent.planning import Finish, Planner, PlannerFailed, Step, ToolCall, Trajectory
from uvmgr.agent.toolcalls import AGENT_TOOLS, agent_arguments
from uvmgr.tools.registry import REGISTRY
from uvmgr.tools.spec import ToolSpec


def _dspy_tool(spec: ToolSpec):
    """The tool as the model reads it (name, docstring, argument schemas). The loop calls the
    tool through the safety layer, never through this object."""
    import dspy
    from pydantic import TypeAdapter

    schemas, types, descs = {}, {}, {}
    for name, (hint, desc) in agent_arguments(spec).items():
        schemas[name] = TypeAdapter(hint).json_schema()
        schemas[name]["description"] = desc
        types[name] = hint
        descs[name] = desc

    def call(**kwargs):
        raise RuntimeError(f"{spec.name} runs through the safety layer, not through DSPy")

    call.__name__ = spec.name
    return dspy.Tool(call, name=spec.name, desc=spec.description, args=schemas,
                     arg_types=types, arg_desc=descs)


def agent_tools() -> list:
    """The planner's tools as `dspy.Tool`s, in the order the model reads them."""
    specs = {s.name: s for s in REGISTRY}
    return [_dspy_tool(specs[name]) for name in AGENT_TOOLS]


def react_program(max_steps: int = 20):
    """The `dspy.ReAct` program whose predictors (`react`, `extract`) plan for a model."""
    import dspy

    from uvmgr.prompts.signatures import project_task

    return dspy.ReAct(project_task(), tools=agent_tools(), max_iters=max_steps)


class ReActPlanner:
    """A `Planner` over a DSPy engine: the model chain, or a scripted LM in tests."""

    def __init__(self, engine, *, max_steps: int, program_path: Path | None = None,
                 predictors=None, fallback: Planner | None = None,
                 observer: Observer = ignore):
        import dspy

        logging.getLogger("dspy").setLevel(logging.ERROR)
        self.engine, self.fallback, self.observer = engine, fallback, observer
        self.program = react_program(max_steps)
        if program_path:
            self.program.load(str(program_path))
        if predictors is not None:
            self.program.react, self.program.extract = predictors.react, predictors.extract
        self.lm = dspy.LM(f"uvmgr/{getattr(engine, 'active', 'engine')}", engine=engine,
                          cache=False, num_retries=0)
        self.fell_back = False
        self.fell_back_because = ""  # which model failed and why, when the fallback answers
        self.truncated = 0  # oldest turns dropped to fit the model's context window

    @property
    def label(self) -> str:
        if self.fell_back and self.fallback is not None:
            return self.fallback.label
        return getattr(self.engine, "active", None) or getattr(self.engine, "model", "scripted")

    @property
    def calls(self) -> list[ModelCalled]:
        own = list(getattr(self.engine, "calls", []))
        return own + (list(self.fallback.calls) if self.fell_back and self.fallback else [])

    @property
    def cost(self) -> float:
        return float(getattr(self.engine, "cost", 0.0))

    def next_step(self, request: str, trajectory: Trajectory) -> Step:
        if not self.fell_back:
            try:
                pred = self._predict(self.program.react, request, trajectory,
                                     "the planner could not choose a valid step ({}); "
                                     "ending the run")
            except _Exhausted:
                pass
            else:
                args = pred.next_tool_args or {}
                if pred.next_tool_name == "finish":
                    return Finish(pred.next_thought, args)
                return ToolCall(pred.next_tool_name, args, pred.next_thought)
        return self.fallback.next_step(request, trajectory)  # type: ignore[union-attr]

    def answer(self, request: str, trajectory: Trajectory) -> str:
        if not self.fell_back:
            try:
                return str(self._predict(self.program.extract, request, trajectory,
                                         "the model could not write the answer ({})").answer)
            except _Exhausted:
                pass
        answer = self.fallback.answer(request, trajectory)  # type: ignore[union-attr]
        if self.fell_back_because:  # not "no model is configured": say which failed and why
            from uvmgr.prompts.answers import HEADER

            answer = (f"(offline planner: the model failed ({self.fell_back_because}), so "
                      f"requests are matched to known tasks)\n{answer.replace(HEADER, '').lstrip()}")
        return answer

    def _predict(self, module, request: str, trajectory: Trajectory, failed: str):
        """One call of a predictor over the trajectory; `failed` says what went wrong when
        it raises ({} is the error's type)."""
        import dspy
        from dspy.utils.exceptions import ContextWindowExceededError

        from uvmgr.agent.models import ModelsExhausted

        fields = self._fields(trajectory)
        size = len(fields)
        try:
            with dspy.context(lm=self.lm, adapter=dspy.ChatAdapter()):
                return self.program._call_with_potential_trajectory_truncation(
                    module, fields, request=request)
        except ContextWindowExceededError as err:
            if module is self.program.react:
                raise PlannerFailed(f"the trajectory no longer fits the model: {err}") from None
            raise PlannerFailed(failed.format(type(err).__name__)) from None
        except Exception as err:  # noqa: BLE001 - whatever DSPy raises, the run ends cleanly
            exhausted = _caused_by(err, ModelsExhausted)  # DSPy wraps the engine's errors
            if exhausted is not None and self.fallback is not None:
                self.fell_back = True
                self.fell_back_because = exhausted.reason  # type: ignore[attr-defined]
                self.observer(Notice("every configured model failed; the offline planner "
                                     "answers"))
                raise _Exhausted from None
            raise PlannerFailed(failed.format(type(exhausted or err).__name__)) from None
        finally:
            self.truncated += (size - len(fields)) // 4  # DSPy truncates the dict in place

    def _fields(self, trajectory: Trajectory) -> dict:
        """The trajectory as `dspy.ReAct` keeps it: thought_i, tool_name_i, tool_args_i and
        observation_i per step, the finish last (its observation "Completed.")."""
        out: dict = {}
        turns = [(t.thought, t.tool, t.args, t.observation) for t in trajectory.turns]
        if trajectory.finish is not None:
            turns.append((trajectory.finish.thought, "finish", trajectory.finish.args,
                          "Completed."))
        for i, (thought, tool, args, observation) in enumerate(turns):
            if i < self.truncated:
                continue
            out[f"thought_{i}"], out[f"tool_name_{i}"] = thought, tool
            out[f"tool_args_{i}"], out[f"observation_{i}"] = args, observation
        return out


def _caused_by(err: BaseException, kind: type[BaseException]) -> BaseException | None:
    chain: list[BaseException] = []
    while err is not None and err not in chain:  # a context chain can loop
        if isinstance(err, kind):
            return err
        chain.append(err)
        err = err.__cause__ or err.__context__  # type: ignore[assignment]
    return None


class _Exhausted(Exception):
    """Every model failed and the fallback planner takes over (internal to this module)."""
