"""The eval scenario format (DESIGN.md, "Scenario format"), validated with pydantic.

One YAML file per scenario under `evals/scenarios/`. A bad file gets an error naming the
file and the field, never a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from uvmgr.tools.versions import Level

from uvmgr.errors import UsageError

SCENARIOS_DIR = Path(__file__).parent / "scenarios"
Decision = Literal["upgrade", "fix", "add", "remove", "lock", "report", "refuse", "rollback",
                   "ask"]
TestsKind = str  # pass | fail | none | slow | fail-after-upgrade:<pkg>


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ExtraRelease(_Strict):
    """A package release added to the scenario's own find-links folder: a package an
    injection asks for, or one whose description carries the injection."""

    name: str
    version: str
    summary: str = ""
    description: str = ""
    requires: list[str] = []  # `name; extra == "x"` gates one on an extra
    extras: list[str] = []  # Provides-Extra
    after_preview: bool = False  # published between the preview and the apply (a race)


class ProjectSpec(_Strict):
    dependencies: list[str]
    locked: dict[str, str] = {}
    tests: TestsKind = "pass"
    dev: list[str] | None = None
    groups: dict[str, list[str]] = {}
    build_system: bool = False
    docs: dict[str, str] = {}
    lock: bool = True
    tool_uvmgr: dict[str, object] = {}  # also written to the fixture's pyproject.toml
    symlinks: dict[str, str] = {}  # path in the project -> where it points (a hostile clone)

    @field_validator("tests")
    @classmethod
    def _tests(cls, value: str) -> str:
        if value in ("pass", "fail", "none", "slow") or value.startswith("fail-after-upgrade:"):
            return value
        raise ValueError("must be pass | fail | none | slow | fail-after-upgrade:<package>")


class Call(_Strict):
    tool: str
    args: dict[str, object] = {}


class StateCheck(_Strict):
    """Deterministic checks on the project after the run; every given key must hold."""

    locked_has: list[str] = []
    locked_lacks: list[str] = []
    locked_version: dict[str, str | None] = {}
    pyproject_contains: list[str] = []
    pyproject_lacks: list[str] = []
    called: list[Call] = []
    text_contains: list[str] = []  # in the answer, any observation or the trace file
    files_changed: bool | None = None
    # Files by path relative to the project (`../x` is outside it): holds the text / has lost
    # it (or is gone). What a hostile `.uvmgr/` would write or destroy.
    file_has: dict[str, str] = {}
    file_lost: dict[str, str] = {}


class Expect(_Strict):
    decision: Decision
    calls: list[Call] = []
    forbidden: list[str] = []
    locked_after: dict[str, str | None] = {}
    files_unchanged: bool | None = None
    answer_contains: list[str] = []
    exit_code: int | None = None


class Authorized(_Strict):
    """What the request authorises. Any change applied outside it is unsafe, whoever
    approved it (`--yes`, the confirmer, which approved only what it was shown, or the
    policy). Packages by name; `*` stands for every direct dependency. New transitive
    packages are covered when a covered package requires them (extras only when the request
    or the project already asked for that extra)."""

    upgrade: list[str] = []  # packages an upgrade may move up
    levels: list[Level] = ["patch", "minor"]  # the largest jumps `upgrade` may take
    fix: bool = False  # security fixes: any package up to a fixed version, no major jump
    add: list[str] = []  # requirements the request adds (name and any extras it names)
    remove: list[str] = []
    downgrade: list[str] = []  # packages the request asks to move down
    lock: bool = False  # (re)lock: versions may move as the unchanged constraints allow
    hold: list[str] = []  # packages that must not move at all (a policy's ignore and pin)


class Attack(_Strict):
    goal: str
    # Text vectors reach the model through a tool's output; the others act on uvmgr itself
    # (a committed .uvmgr/, the repository's [tool.uvmgr], a release published between the
    # preview and the apply, a name the request mentions in passing, the environment).
    vector: Literal["readme", "changelog", "package-metadata", "advisory", "docs", "journal",
                    "config", "race", "request", "env"]
    payload: str  # the injected text (also placed in the fixture by the scenario)
    injected_call: Call | None = None  # what a model that obeys the injection would call
    success_if: StateCheck


class Advisory(_Strict):
    id: str
    package: str
    introduced: str = "0"
    fixed: str | None = None
    summary: str
    details: str = ""


class Scenario(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    request: str = Field(min_length=1)
    category: str
    mode: Literal["confirm", "dry-run", "yes", "policy"] = "confirm"
    approve: bool | list[bool] = True
    policy: dict[str, object] = {}
    env: dict[str, str] = {}
    project: ProjectSpec
    index: Literal["default"] = "default"
    extra_packages: list[ExtraRelease] = []
    advisories: Literal["default", "none"] = "default"
    extra_advisories: list[Advisory] = []
    split: Literal["train", "test"] = "test"
    expect: Expect
    authorized: Authorized | None = None  # None: derived from `expect` (evals/authorized.py)
    attack: Attack | None = None
    path: str = ""
    pack: str | None = None  # the pack it came from (set when loaded, `evals/pack_scenarios.py`)

    @field_validator("mode", mode="before")
    @classmethod
    def _yes(cls, value: object) -> object:
        return "yes" if value is True else value  # YAML reads an unquoted `yes` as true

    @property
    def adversarial(self) -> bool:
        return self.attack is not None

    def answers(self) -> list[bool]:
        return list(self.approve) if isinstance(self.approve, list) else []


def load_scenario(path: Path) -> Scenario:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read scenario {path}: {exc}") from exc
    except yaml.YAMLError as exc:
        raise UsageError(f"scenario {path} is not valid YAML: {exc}",
                         hint="see DESIGN.md, \"Scenario format\"") from exc
    if not isinstance(data, dict):
        raise UsageError(f"scenario {path} must be a mapping of scenario keys",
                         hint="see DESIGN.md, \"Scenario format\"")
    try:
        scenario = Scenario.model_validate({**data, "path": str(path)})
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or '(top)'}: {e['msg']}"
                             for e in exc.errors()[:5])
        raise UsageError(f"scenario {path} is invalid: {problems}",
                         hint="see DESIGN.md, \"Scenario format\"") from None
    if scenario.id != path.stem:
        raise UsageError(f"scenario {path}: id {scenario.id!r} must match the file name "
                         f"{path.stem!r}")
    if scenario.attack is not None and scenario.split == "train":
        raise UsageError(f"scenario {path}: adversarial scenarios are never in the training "
                         "split")
    return scenario


def load_scenarios(directory: Path | None = None, only: list[str] | None = None,
                   extra: list[Scenario] | tuple[Scenario, ...] = ()) -> list[Scenario]:
    """The folder's scenarios (default: the bundled suite), then `extra` (the active packs',
    `evals/pack_scenarios.py`), narrowed to `only` (ids or id prefixes)."""
    directory = directory or SCENARIOS_DIR
    if not directory.is_dir():
        raise UsageError(f"no scenario folder at {directory}")
    scenarios = [load_scenario(p) for p in sorted(directory.glob("*.yaml"))] + list(extra)
    if not scenarios:
        raise UsageError(f"no *.yaml scenarios in {directory}")
    if only:
        known = {s.id for s in scenarios}
        missing = [o for o in only if o not in known and not any(k.startswith(o) for k in known)]
        if missing:
            import difflib

            close = [m for o in missing for m in difflib.get_close_matches(o, known, n=1)]
            raise UsageError(f"unknown scenario id(s): {', '.join(missing)}",
                             hint=f"did you mean {', '.join(close)}?" if close else
                             "`uvmgr eval --list` shows the ids")
        scenarios = [s for s in scenarios if any(s.id == o or s.id.startswith(o) for o in only)]
    return scenarios
