"""Licenses of the installed distributions, as SPDX expressions, and whether an expression
is allowed by a list of license ids.

The order PEP 639 gives: `License-Expression`, then the trove classifiers (only those that name
one license unambiguously; several are read as a choice, OR), then a `License` field that is
itself a valid SPDX expression. Anything else is unknown, and says why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

# Classifiers that name exactly one SPDX license. "BSD License" (2- or 3-clause?) and "GNU
# General Public License (GPL)" (which version?) are not here: they are unknown.
CLASSIFIERS = {
    "MIT License": "MIT",
    "MIT No Attribution License (MIT-0)": "MIT-0",
    "Apache Software License": "Apache-2.0",
    "ISC License (ISCL)": "ISC",
    "Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
    "Python Software Foundation License": "PSF-2.0",
    "The Unlicense (Unlicense)": "Unlicense",
    "Zope Public License": "ZPL-2.1",
    "GNU General Public License v2 (GPLv2)": "GPL-2.0-only",
    "GNU General Public License v3 (GPLv3)": "GPL-3.0-only",
    "GNU Lesser General Public License v2 (LGPLv2)": "LGPL-2.0-only",
    "GNU Lesser General Public License v3 (LGPLv3)": "LGPL-3.0-only",
    "GNU Affero General Public License v3": "AGPL-3.0-only",
    "Eclipse Public License 2.0 (EPL-2.0)": "EPL-2.0",
    "Boost Software License 1.0 (BSL-1.0)": "BSL-1.0",
}


@dataclass(frozen=True)
class License:
    expression: str | None  # canonical SPDX, None when unknown
    origin: str  # License-Expression | classifiers | License | why it is unknown


def _canonical(text: str) -> str | None:
    from packaging.licenses import InvalidLicenseExpression, canonicalize_license_expression

    try:
        return str(canonicalize_license_expression(text))
    except InvalidLicenseExpression:
        return None


def license_of(metadata) -> License:
    expression = metadata.get("License-Expression")
    if expression:
        canonical = _canonical(expression)
        if canonical:
            return License(canonical, "License-Expression")
        return License(None, f"License-Expression {expression!r} is not valid SPDX")
    named = [c.split(" :: ")[-1] for c in metadata.get_all("Classifier") or []
             if c.startswith("License ::")]
    if named:
        ids = [CLASSIFIERS.get(n) for n in named]
        if all(ids):
            return License(" OR ".join(dict.fromkeys(ids)), "classifiers")  # type: ignore[arg-type]
        unclear = next(n for n, i in zip(named, ids, strict=True) if not i)
        field = _canonical(metadata.get("License") or "")
        if field:
            return License(field, "License")
        return License(None, f"the classifier {unclear!r} names no single SPDX license")
    text = (metadata.get("License") or "").strip()
    field = _canonical(text) if text and len(text) < 100 else None
    if field:
        return License(field, "License")
    if text:
        return License(None, f"the License field {text[:60]!r} is not an SPDX expression")
    return License(None, "no license metadata")


def site_packages(venv: Path) -> list[Path]:
    found = sorted(venv.glob("lib/python*/site-packages")) + sorted(venv.glob("Lib/site-packages"))
    return [p for p in found if p.is_dir()]


def installed_licenses(venv: Path) -> dict[str, tuple[str, License]]:
    """{normalised name: (version, license)} for the distributions installed in `venv`."""
    from importlib.metadata import distributions

    from uvmgr.tools.project import normalize_name

    out = {}
    for dist in distributions(path=[str(p) for p in site_packages(venv)]):
        name = dist.metadata.get("Name")
        if name:
            out[normalize_name(name)] = (dist.version, license_of(dist.metadata))
    return out


_TOKEN = re.compile(r"\(|\)|[^\s()]+")


def allowed(expression: str, ids: tuple[str, ...]) -> bool:
    """Whether an SPDX expression is satisfied by the allowed ids: `A OR B` needs one, `A AND
    B` both; `A WITH exception` is allowed when `A WITH exception` or `A` is."""
    allowed_ids = {i.lower() for i in ids}
    tokens = _TOKEN.findall(expression)
    pos = 0

    def peek() -> str:
        return tokens[pos].upper() if pos < len(tokens) else ""

    def take() -> str:
        nonlocal pos
        pos += 1
        return tokens[pos - 1]

    def factor() -> bool:
        if peek() == "(":
            take()
            value = either()
            if peek() == ")":
                take()
            return value
        name = take()
        if peek() == "WITH":
            take()
            exception = take()
            return f"{name} with {exception}".lower() in allowed_ids or name.lower() in allowed_ids
        return name.lower() in allowed_ids

    def both() -> bool:
        value = factor()
        while peek() == "AND":
            take()
            value = factor() and value
        return value

    def either() -> bool:
        value = both()
        while peek() == "OR":
            take()
            value = both() or value
        return value

    return bool(tokens) and either()
