"""The rules a policy states for the gate (`uvmgr policy check`), and which way each setting
tightens, so a `locked` one can be kept from loosening.

Rule keys, beside the AutoPilot keys of `agent/policy.py`:

    banned = [{ name = "tqdm", reason = "use rich.progress" }]   # in the lock, at any depth
    licenses = ["MIT", "BSD-3-Clause", "Apache-2.0"]              # SPDX ids allowed
    max-severity = "medium"          # none | low | medium | high | critical
    days-to-fix = 30                 # an advisory may stay open this long after it is published
    max-release-age-days = 730       # direct dependencies locked at an older release fail
    required-gates = ["tests"]       # AutoPilot's `gates` must include these
    on-unknown = "warn"              # warn | fail: what a result that cannot be known counts as
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

from uvmgr.policy_sources import PolicyError

SEVERITIES = ("none", "low", "medium", "high", "critical")
_SEVERITY_ALIASES = {"moderate": "medium"}
ON_UNKNOWN = ("warn", "fail")


@dataclass(frozen=True)
class Ban:
    name: str  # normalised
    reason: str
    source: str = ""  # the policy that banned it


@dataclass(frozen=True)
class Rules:
    banned: tuple[Ban, ...] = ()
    """Packages that may not be in the lock (transitive ones included), each with a reason.
    Bans add up across policies: a later one can add a ban, never lift one."""
    licenses: tuple[str, ...] | None = None
    """SPDX license ids allowed for locked packages (None: any)."""
    max_severity: str | None = None
    """The highest advisory severity allowed in the lock (None: any)."""
    days_to_fix: int | None = None
    """Days an advisory may stay unfixed after it was published (None: no limit)."""
    max_release_age_days: int | None = None
    """Oldest release a direct dependency may be locked at, in days (None: no limit)."""
    required_gates: tuple[str, ...] = ()
    """Gates AutoPilot's policy must run (tests, build, check)."""
    on_unknown: str = "warn"
    """What a result that cannot be known (no license metadata, no upload date, no severity)
    counts as: `warn` (shown as unknown, passes) or `fail`."""

    @property
    def advisory_rules(self) -> bool:
        return self.max_severity is not None or self.days_to_fix is not None


RULE_KEYS = frozenset(f.name for f in fields(Rules))


def severity_rank(name: str) -> int:
    return SEVERITIES.index(name)


def normalise_severity(text: str) -> str | None:
    value = _SEVERITY_ALIASES.get(text.strip().lower(), text.strip().lower())
    return value if value in SEVERITIES else None


def rule_value(name: str, value: object, where: str) -> object:
    """One rule key's value, checked and normalised (`where` names the policy)."""
    def fail(expected: str) -> PolicyError:
        return PolicyError(f"invalid policy in {where}: {name.replace('_', '-')} must be "
                           f"{expected}, not {value!r}")

    if name == "banned":
        return _bans(value, where, fail)
    if name == "licenses":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise fail("a list of SPDX license ids")
        return tuple(_spdx_id(v, where) for v in value)
    if name == "max_severity":
        if not isinstance(value, str) or normalise_severity(value) is None:
            raise fail(" | ".join(SEVERITIES))
        return normalise_severity(value)
    if name in ("days_to_fix", "max_release_age_days"):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise fail("a whole number of days >= 0")
        return value
    if name == "required_gates":
        from uvmgr.agent.policy import GATES

        if not isinstance(value, list) or not all(v in GATES for v in value):
            raise fail("a list of gates: " + ", ".join(GATES))
        return tuple(value)
    if name == "on_unknown":
        if value not in ON_UNKNOWN:
            raise fail("warn or fail")
        return value
    raise PolicyError(f"unknown policy key {name!r} in {where}")


def _bans(value: object, where: str, fail) -> tuple[Ban, ...]:
    from uvmgr.tools.project import normalize_name

    if not isinstance(value, list):
        raise fail('a list of { name = "...", reason = "..." }')
    bans = []
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or \
                not isinstance(item.get("reason", ""), str) or set(item) - {"name", "reason"}:
            raise fail('a list of { name = "...", reason = "..." }')
        bans.append(Ban(normalize_name(item["name"]), item.get("reason", "").strip(), where))
    return tuple(bans)


def _spdx_id(text: str, where: str) -> str:
    from packaging.licenses import InvalidLicenseExpression, canonicalize_license_expression

    try:
        return str(canonicalize_license_expression(text))
    except InvalidLicenseExpression as exc:
        raise PolicyError(f"invalid policy in {where}: {text!r} in licenses is not an SPDX "
                          f"license id ({exc})",
                          hint="use ids from https://spdx.org/licenses/ such as MIT, "
                               "BSD-3-Clause, Apache-2.0") from None


def _number(value: object) -> float:
    return math.inf if value is None else float(value)  # type: ignore[arg-type]


def at_least_as_strict(name: str, old: object, new: object) -> bool:
    """Whether `new` is as strict as `old` or stricter, for setting `name`. A setting with no
    order (ignore, pin, test-args) may not change at all once locked."""
    if name in ("levels", "licenses"):  # fewer allowed is stricter; None allows any
        return old is None or (new is not None and set(new) <= set(old))  # type: ignore[arg-type]
    if name in ("gates", "required_gates"):
        return set(new) >= set(old)  # type: ignore[arg-type]
    if name == "security":
        return bool(new) or not old
    if name in ("allow_new_dependencies", "raise_caps"):
        return not new or bool(old)
    if name == "cooldown_days":
        return float(new) >= float(old)  # type: ignore[arg-type]
    if name in ("max_packages", "days_to_fix", "max_release_age_days"):
        return _number(new) <= _number(old)
    if name == "max_severity":
        return (old is None or new is not None
                and severity_rank(str(new)) <= severity_rank(str(old)))
    if name == "on_unknown":
        return new == "fail" or old == "warn"
    return new == old
