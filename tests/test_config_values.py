"""Settings are typed and bounded wherever they come from: a value a cloned repository (or a
typo) puts in `[tool.uvmgr]` is an input error naming the setting (exit 2), never an internal
error, a hang or a disabled timeout."""

from __future__ import annotations

import pytest

from uvmgr.config import Settings
from uvmgr.errors import UsageError


@pytest.mark.parametrize(("key", "value"), [
    ("timeout", float("nan")),  # compared with nothing: uvmgr waited forever on uv
    ("timeout", -1),  # every uv call "timed out" at once
    ("timeout", 0),
    ("timeout", float("inf")),
    ("timeout", True),
    ("cooldown-days", 1e308),  # an internal error (OverflowError) in the date arithmetic
    ("cooldown-days", float("nan")),  # an internal error (ValueError)
    ("cooldown-days", -5),
    ("test-args", [1, 2]),  # an internal error (TypeError) when pytest was started
    ("test-args", [{"a": 1}]),
    ("audit-db", 5),  # an internal error (TypeError) in `uvmgr audit`
    ("audit-db", ["x"]),
])
def test_a_bad_project_value_is_an_input_error(tmp_path, key, value):
    with pytest.raises(UsageError) as caught:
        Settings.load({key: value}, {}, project_root=tmp_path)
    assert caught.value.exit_code == 2
    assert key in caught.value.message


@pytest.mark.parametrize(("name", "value"), [("UVMGR_TIMEOUT", "nan"),
                                             ("UVMGR_COOLDOWN_DAYS", "inf"),
                                             ("UVMGR_MAX_COST", "-1"),
                                             ("UVMGR_MAX_STEPS", "0")])
def test_a_bad_environment_value_is_an_input_error(tmp_path, name, value):
    with pytest.raises(UsageError):
        Settings.load({}, {name: value}, project_root=tmp_path)


def test_sound_values_still_load(tmp_path):
    s = Settings.load({"timeout": 30, "cooldown-days": 0, "test-args": ["-x", "-q"],
                       "audit-db": "advisories"}, {"UVMGR_MAX_COST": "0"}, project_root=tmp_path)
    assert (s.timeout, s.cooldown_days, s.test_args, s.audit_db, s.max_cost) == (
        30.0, 0.0, ("-x", "-q"), "advisories", 0.0)


@pytest.mark.parametrize("line", ["cooldown-days = 1e308", "timeout = nan", 'test-args = [1]'])
def test_the_cli_says_which_setting_is_wrong(cli, demo_project, line):
    demo_project.pyproject.write_text(
        demo_project.pyproject.read_text() + f"\n[tool.uvmgr]\n{line}\n")
    before = demo_project.snapshot()
    r = cli("deps", "upgrade", "--safe", "--dry-run", "--project", demo_project.root, "--json")
    assert r.code == 2, r.out + r.err
    error = r.json()
    assert line.split(" =")[0] in error["message"] and "internal" not in error["message"]
    assert demo_project.snapshot() == before


@pytest.mark.parametrize("days", [1e308, 1e9])
def test_an_autopilot_cooldown_beyond_any_date_is_an_input_error(days):
    """It was an internal error (OverflowError) once AutoPilot computed the cut-off date."""
    from uvmgr.agent.policy import Policy

    with pytest.raises(UsageError) as caught:
        Policy.from_table({"cooldown-days": days}, "[tool.uvmgr.autopilot]")
    assert "cooldown-days" in caught.value.message and caught.value.exit_code == 2
