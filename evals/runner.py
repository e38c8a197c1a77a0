"""Run eval scenarios through the real agent, tools and safety layer.

Each scenario builds its fixture project in its own temp dir over the shared local wheel
index (plus its own extra packages and advisories), runs `run_agent` with the scenario's
mode and confirmer answers, and is scored deterministically (`evals.scoring`). Scenarios
share no state, so they run in parallel worker processes.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from uvmgr.evals.scenario import Scenario

OFFLINE = "offline"
OBEDIENT = "obedient"


class EvalConfirmer:
    """Answers approvals as the scenario says and records every question and answer."""

    def __init__(self, scenario: Scenario):
        self.answers = scenario.answers()
        self.default = scenario.approve if isinstance(scenario.approve, bool) else False
        self.log: list[tuple[str, dict, str, bool]] = []

    def __call__(self, ask) -> bool:
        answer = self.answers.pop(0) if self.answers else self.default
        self.log.append((ask.tool, dict(ask.args), ask.preview, answer))
        return answer


def _write_advisories(scenario: Scenario, dest: Path) -> Path | None:
    from uvmgr.evals.fixtures import ADVISORIES_DIR

    if scenario.advisories == "none" and not scenario.extra_advisories:
        return None
    dest.mkdir(parents=True, exist_ok=True)
    if scenario.advisories == "default":
        for path in ADVISORIES_DIR.glob("*.json"):
            shutil.copy(path, dest / path.name)
    for adv in scenario.extra_advisories:
        events = [{"introduced": adv.introduced}] + ([{"fixed": adv.fixed}] if adv.fixed else [])
        record = {"schema_version": "1.6.0", "id": adv.id, "modified": "2024-06-01T00:00:00Z",
                  "published": "2024-05-01T00:00:00Z", "aliases": [], "summary": adv.summary,
                  "details": adv.details or adv.summary,
                  "affected": [{"package": {"name": adv.package, "ecosystem": "PyPI",
                                            "purl": f"pkg:pypi/{adv.package}"},
                                "ranges": [{"type": "ECOSYSTEM", "events": events}]}]}
        (dest / f"{adv.id}.json").write_text(json.dumps(record, indent=2), encoding="utf-8")
    return dest


def _extra_index(scenario: Scenario, dest: Path, *, after_preview: bool = False) -> list[Path]:
    """The scenario's own releases in its find-links folder: those published from the start,
    or (`after_preview`) those published while the person reads the first preview."""
    from uvmgr.evals.wheel_index import DemoPackage, DemoRelease, build_demo_wheel

    if not scenario.extra_packages:
        return []
    dest.mkdir(parents=True, exist_ok=True)
    for r in scenario.extra_packages:
        if r.after_preview == after_preview:
            build_demo_wheel(dest, DemoPackage(r.name), DemoRelease(
                r.version, tuple(r.requires), summary=r.summary, description=r.description,
                extras=tuple(r.extras)))
    return [dest]


def _observer(scenario: Scenario, events: list, dest: Path) -> Callable[[object], None]:
    """Records the run's events; at the first approval (by the person, --yes or the policy,
    after the preview and before the apply) publishes the scenario's late releases."""
    from uvmgr.agent.events import Decision

    late = any(r.after_preview for r in scenario.extra_packages)

    def observe(event: object) -> None:
        events.append(event)
        if late and isinstance(event, Decision) and event.approved and not any(
                isinstance(e, Decision) and e.approved for e in events[:-1]):
            _extra_index(scenario, dest, after_preview=True)
    return observe


def _hostile_clone(scenario: Scenario, root: Path) -> None:
    """What a repository can carry besides its docs: symlinks (e.g. inside `.uvmgr/`) and a
    `[tool.uvmgr]` table in its pyproject.toml."""
    for rel, target in scenario.project.symlinks.items():
        link = root / rel
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(target)
    if scenario.project.tool_uvmgr:
        import json as _json

        lines = ["", "[tool.uvmgr]"] + [f"{k} = {_json.dumps(v)}" for k, v in
                                        scenario.project.tool_uvmgr.items()
                                        if not isinstance(v, dict)]
        with (root / "pyproject.toml").open("a", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")


def build_fixture(scenario: Scenario, index: Path, workdir: Path):
    from uvmgr.evals.fixtures import make_project

    p = scenario.project
    fixture = make_project(
        workdir / "app", index, p.dependencies, p.locked, tests=p.tests, dev=p.dev,
        groups=p.groups, build_system=p.build_system, docs=p.docs, lock=p.lock,
        find_links=_extra_index(scenario, workdir / "extra-index"))
    _hostile_clone(scenario, fixture.root)
    return fixture


def _planner(scenario: Scenario, model: str, known: list[str]):
    from uvmgr.evals.scripted_lm import ObedientPlanner

    if model == OBEDIENT:
        attack = scenario.attack
        call = (attack.injected_call.tool, dict(attack.injected_call.args)) if (
            attack and attack.injected_call) else None
        return ObedientPlanner(known, attack.payload if attack else "\0", call)
    return None


def run_scenario(scenario: Scenario, index: Path, model: str = OFFLINE, trial: int = 0,
                 workdir: Path | None = None, api_base: str | None = None,
                 program_path: Path | None = None, predictors=None) -> dict:
    """Build, run and score one scenario; returns its result as plain data."""
    from uvmgr.config import Settings
    from uvmgr.evals.scoring import score
    from uvmgr.session import open_session
    from uvmgr.telemetry import Tracer

    own = workdir is None
    workdir = Path(tempfile.mkdtemp(prefix=f"uvmgr-eval-{scenario.id}-")) if own else workdir
    saved_env = {k: os.environ.get(k) for k in scenario.env}
    try:
        os.environ.update(scenario.env)
        setup_started = time.monotonic()
        fixture = build_fixture(scenario, index, workdir)
        db = _write_advisories(scenario, workdir / "advisories")
        setup = time.monotonic() - setup_started
        before = fixture.snapshot()
        locked_before = fixture.locked()
        tracer = Tracer(fixture.root / ".uvmgr" / "traces")
        # The scenario's [tool.uvmgr] is the cloned repository's: read with no user config and
        # no environment, so its personal settings are ignored as they would be for a person.
        settings = Settings.load(scenario.project.tool_uvmgr, env={}, project_root=fixture.root,
                                 audit_db=str(db) if db else None, api_base=api_base,
                                 max_steps=6, model_retries=0, max_tokens=256,
                                 model_timeout=120)
        # Recovered by `_start`, as the CLI does, so that a refusal ends the run with its error.
        # The active packs' tools too, as `uvmgr ask` offers them (a pack's scenario needs
        # its tools; a model's prompt lists every tool it may call).
        ctx = open_session(fixture.root, tracer=tracer, settings=settings, timeout=120,
                           recover=False, packs=True).ctx
        project = ctx.project
        confirmer, policy_names = _confirmer(scenario)
        events: list = []
        planner = _planner(scenario, model, [d.name for d in project.direct_dependencies()])
        started = time.monotonic()
        summary = _start(project, ctx, scenario) or _run(
            ctx, scenario, model, confirmer, policy_names,
            _observer(scenario, events, workdir / "extra-index"), planner, program_path,
            predictors)
        latency = time.monotonic() - started
        tracer.finish()
        return score(scenario, summary, events, confirmer, fixture, before, locked_before,
                     model=model, trial=trial, latency=latency, setup=setup)
    finally:
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        if own:
            shutil.rmtree(workdir, ignore_errors=True)


def _start(project, ctx, scenario: Scenario):
    """As the CLI does at start: a journal found in the project is dealt with first. When
    that refuses (a hostile `.uvmgr/`), the run ends there with the error, as the CLI's does;
    None: go on."""
    from uvmgr.agent.events import RunSummary
    from uvmgr.tools.recovery import recover_interrupted

    from uvmgr.errors import UvmgrError

    try:
        recover_interrupted(project, ctx.runner)
    except UvmgrError as exc:
        hint = f" Hint: {exc.hint}" if exc.hint else ""
        return RunSummary(scenario.request, answer=f"ERROR: {exc.message}.{hint}",
                          exit_code=exc.exit_code)
    return None


def _confirmer(scenario: Scenario):
    if scenario.mode == "policy":
        from uvmgr.agent.policy import Policy, PolicyConfirmer

        policy = Policy.from_table(dict(scenario.policy), f"scenario {scenario.id} policy")
        return PolicyConfirmer(policy), tuple(sorted(policy.held))
    if scenario.mode == "yes":
        return None, ()  # unattended: --yes with no terminal to fall back on
    return EvalConfirmer(scenario), ()


def _run(ctx, scenario, model, confirmer, policy_names, observe, planner, program_path,
         predictors=None):
    from uvmgr.agent.planner import AgentOptions, run_agent

    kwargs: dict = {}
    if predictors is not None and model == OFFLINE:
        # The optimiser records what the predictors saw: the offline planner teaches through
        # DSPy's prompts, as a model would answer them.
        from uvmgr.evals.scripted_lm import OfflineTeacher

        kwargs["engine"] = OfflineTeacher([d.name for d in ctx.project.direct_dependencies()])
    elif planner is not None:
        kwargs["planner"] = planner
    elif model != OFFLINE:
        kwargs["model"] = model
        kwargs["offline_fallback"] = False
    else:
        kwargs["model"] = "offline"
    # Evals score the program they are given: the plain one unless a compiled one is named.
    kwargs["program_path"] = program_path or False
    if predictors is not None:
        kwargs["predictors"] = predictors
    return run_agent(ctx, scenario.request, AgentOptions(
        mode=scenario.mode, confirmer=confirmer, observer=observe,
        policy_names=policy_names, **kwargs))


# -- the suite ---------------------------------------------------------------------------------

def _worker_init(models: tuple[str, ...] = ()) -> None:
    """Pay DSPy's import once per worker, not per scenario, when a model plans through it (the
    offline and obedient planners do not)."""
    if all(m in (OFFLINE, OBEDIENT) for m in models):
        return
    import logging

    import dspy  # noqa: F401

    logging.getLogger("dspy").setLevel(logging.ERROR)


def _task(scenario_json: str, index: str, model: str, trial: int, api_base: str | None,
          program_path: str | None) -> dict:
    scenario = Scenario.model_validate_json(scenario_json)
    try:
        return run_scenario(scenario, Path(index), model, trial, api_base=api_base,
                            program_path=Path(program_path) if program_path else None)
    except Exception as exc:  # noqa: BLE001 - a broken scenario is a failed result, not a crash
        from uvmgr.evals.scoring import crashed

        return crashed(scenario, model, trial, exc)


def run_suite(scenarios: list[Scenario], models: list[str], trials: int = 1, jobs: int = 0,
              api_base: str | None = None, index: Path | None = None,
              program_path: Path | None = None,
              progress: Callable[[dict], None] | None = None) -> list[dict]:
    """Every scenario x model x trial; results in a stable order."""
    from uvmgr.evals.fixtures import build_full_index

    tmp = None
    if index is None:
        tmp = Path(tempfile.mkdtemp(prefix="uvmgr-eval-index-"))
        index = build_full_index(tmp)
    tasks = [(s, m, t) for m in models for s in scenarios for t in range(trials)]
    jobs = jobs or min(len(tasks), max(1, os.cpu_count() or 1))
    results: list[dict] = []
    try:
        if jobs <= 1:
            _worker_init(tuple(models))
            for s, m, t in tasks:
                results.append(_task(s.model_dump_json(), str(index), m, t, api_base,
                                     str(program_path) if program_path else None))
                if progress:
                    progress(results[-1])
        else:
            import multiprocessing

            # Slow scenarios first, so the pool does not end waiting on one.
            tasks.sort(key=lambda x: -_weight(x[0]))
            with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn"),
                                     initializer=_worker_init,
                                     initargs=(tuple(models),)) as pool:
                futures = [pool.submit(_task, s.model_dump_json(), str(index), m, t, api_base,
                                       str(program_path) if program_path else None)
                           for s, m, t in tasks]
                for future in as_completed(futures):
                    results.append(future.result())
                    if progress:
                        progress(results[-1])
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    order = {(s.id, m, t): i for i, (s, m, t) in enumerate(
        (s, m, t) for m in models for s in scenarios for t in range(trials))}
    return sorted(results, key=lambda r: order.get((r["id"], r["model"], r["trial"]), 0))


def _weight(scenario: Scenario) -> int:
    """A rough cost: upgrades run the tests several times; docs build an index."""
    return {"upgrade": 3, "rollback": 3, "fix": 2}.get(scenario.expect.decision, 1) + (
        2 if scenario.attack else 0)
