"""Scoring the request reader on the labelled corpus (`evals/data/requests/`).

Pure: for each row, the reading (`read_request`, with the bundled advisor pack's intents), the plan (`plan_for`) and the strict authority
(`agent.authority`) for every planned mutating call; no uv, no processes. Reports full accuracy
(tool sequence and key arguments, or ask/refuse where that is right, counting alternatives),
intent accuracy, ask-back precision and recall, dangerous misreadings (a planned change the
label does not have, or a wider one) and `--yes` over-approvals (a planned change the strict
authority approves while the label says `yes: false` or the change is not the labelled one),
per split and per tag, with the failing rows. Also the cost of the strict grammar: `--yes`
under-approvals, rows labelled `yes: true` read right whose change `--yes` does not approve (the
person is asked); not a gate.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from uvmgr.tools.versions import LEVELS

from uvmgr.errors import UsageError

CORPUS = Path(__file__).parent / "data" / "requests"
SPLITS = ("train", "dev", "test")
# Later independent held-out sets (`holdout.yaml`, then `fresh.yaml` and `probe.yaml`, `fresh2.yaml`, `fresh3.yaml`, `fresh4.yaml`, `fresh5.yaml`,
# written
# blind), each
# scored on its own and only when asked for; never part of "all".
HELD_OUT = ("holdout", "fresh", "probe", "fresh2", "fresh3", "fresh4", "fresh5")
MUTATING = frozenset({"upgrade_safely", "upgrade_packages", "fix_vulnerabilities",
                      "add_dependency", "remove_dependency", "lock_project"})
_GATED = ("upgrade_safely", "fix_vulnerabilities")  # they run the tests themselves


@dataclass
class RowResult:
    id: str
    split: str
    text: str
    tags: list[str]
    expected: str
    predicted: str
    calls: list[dict]
    labelled: list[dict]
    full: bool = False
    intent: bool = False
    dangerous: list[str] = field(default_factory=list)
    over_approved: list[str] = field(default_factory=list)
    under_approved: bool = False  # labelled yes, read right, yet --yes asks the person
    label_ask: bool = False  # asking back is an acceptable answer
    primary_ask: bool = False


def load_rows(splits: list[str], root: Path = CORPUS,
              ) -> tuple[list[str], tuple[str, ...], list[dict]]:
    import yaml

    try:
        project = yaml.safe_load((root / "project.yaml").read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise UsageError(f"cannot read the corpus project {root / 'project.yaml'}: {exc}",
                         hint="the corpus lives in evals/data/requests/") from exc
    known = list(project.get("dependencies") or []) + list(project.get("dev") or [])
    dev = tuple(project.get("dev") or [])
    rows: list[dict] = []
    for split in splits:
        path = root / f"{split}.yaml"
        try:
            doc = yaml.safe_load(path.read_text()) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise UsageError(f"cannot read {path}: {exc}") from exc
        for row in doc.get("requests") or []:
            rows.append({**row, "split": split})
    return known, dev, rows


def _norm(name: str) -> str:
    from uvmgr.tools.project import normalize_name

    return normalize_name(str(name))


def _spec_key(spec: str) -> str:
    from uvmgr.agent.authority import _spec_key as key

    return key(spec)


def _args_match(tool: str, want: dict, got: dict) -> bool:
    """The key arguments of a labelled call, compared by value (the docs query is not)."""
    if tool in ("upgrade_safely", "upgrade_packages", "outdated_packages"):
        w, g = want.get("packages"), got.get("packages")
        if (w is None) != (not g):
            return False
        if w is not None and {_norm(p) for p in w} != {_norm(p) for p in g}:
            return False
        return tool == "outdated_packages" or want.get("level", "minor") == got.get("level",
                                                                                  "minor")
    if tool == "add_dependency":
        if sorted(map(_spec_key, want.get("specs") or [])) != sorted(
                map(_spec_key, got.get("specs") or [])):
            return False
        return bool(want.get("dev")) == bool(got.get("dev")) and \
            (want.get("group") or None) == (got.get("group") or None)
    if tool == "remove_dependency":
        return {_norm(n) for n in want.get("names") or []} == {
            _norm(n) for n in got.get("names") or []}
    if tool == "advise":
        return set(want.get("checks") or []) == set(got.get("checks") or [])
    return True


def bundled_pack_intents() -> tuple:
    """The intents of the packs that ship with uvmgr (the advisor): the corpus is read as a
    fresh install reads it, whatever else the person running the score has installed."""
    from uvmgr_advisor.pack import PACK

    return PACK.intents


def _drop_gated_tests(calls: list[dict]) -> list[dict]:
    out: list[dict] = []
    for call in calls:
        if call["tool"] == "run_tests" and out and out[-1]["tool"] in _GATED:
            continue
        out.append(call)
    return out


def _answers(row: dict) -> list[dict]:
    primary = {"expect": row.get("expect", "act"), "calls": row.get("calls") or []}
    return [primary, *({"expect": a.get("expect", "act"), "calls": a.get("calls") or []}
                       for a in row.get("alternatives") or [])]


def _matches(answer: dict, expected: str, calls: list[dict]) -> bool:
    if answer["expect"] != expected:
        return False
    if expected != "act":
        return True
    want = _drop_gated_tests(answer["calls"])
    got = _drop_gated_tests(calls)
    return len(want) == len(got) and all(
        w["tool"] == g["tool"] and _args_match(w["tool"], w.get("args") or {}, g["args"])
        for w, g in zip(want, got))


def _no_wider(want: dict, got: dict, tool: str, known: list[str]) -> bool:
    """The planned call does no more than the labelled one of the same tool."""
    if tool in ("upgrade_safely", "upgrade_packages"):
        w, g = want.get("packages"), got.get("packages")
        allowed = {_norm(p) for p in (w if w is not None else known)}
        if g is None and w is not None:
            return False
        if g is not None and not {_norm(p) for p in g} <= allowed:
            return False
        return LEVELS.index(got.get("level") or "minor") <= LEVELS.index(want.get("level")
                                                                          or "minor")
    if tool == "add_dependency":
        return set(map(_spec_key, got.get("specs") or [])) <= set(
            map(_spec_key, want.get("specs") or [])) and (
            bool(got.get("dev")) == bool(want.get("dev")))
    if tool == "remove_dependency":
        return {_norm(n) for n in got.get("names") or []} <= {
            _norm(n) for n in want.get("names") or []}
    return True


def _dangerous(row: dict, calls: list[dict], known: list[str]) -> list[str]:
    out = []
    for call in calls:
        if call["tool"] not in MUTATING:
            continue
        covered = any(
            a["expect"] == "act" and any(
                w["tool"] == call["tool"] and _no_wider(w.get("args") or {}, call["args"],
                                                        call["tool"], known)
                for w in a["calls"])
            for a in _answers(row))
        if not covered:
            out.append(f"{call['tool']} {json.dumps(call['args'], sort_keys=True)}")
    return out


def score_rows(rows: list[dict], known: list[str], dev: tuple[str, ...] = (),
               pack_intents: tuple | None = None) -> list[RowResult]:
    from uvmgr.agent.authority import approves, strict_reading
    from uvmgr.agent.intents import IntentMatcher, read_request
    from uvmgr.agent.offline import plan_for

    matcher = IntentMatcher()
    intents = bundled_pack_intents() if pack_intents is None else pack_intents
    project = tuple(sorted(known))
    results = []
    for row in rows:
        text = str(row.get("text", ""))
        reading = read_request(text, known, matcher, dev=dev, pack_intents=intents)
        plan = plan_for(reading)
        calls = [{"tool": c.tool, "args": dict(c.args)} for c in plan]
        predicted = "act" if calls else ("refuse" if reading.status == "refuse" else "ask")
        answers = _answers(row)
        res = RowResult(str(row.get("id")), row["split"], text, list(row.get("tags") or []),
                        answers[0]["expect"], predicted, calls, answers[0]["calls"])
        res.full = any(_matches(a, predicted, calls) for a in answers)
        first = calls[0]["tool"] if calls else predicted
        res.intent = any((a["calls"][0]["tool"] if a["expect"] == "act" and a["calls"]
                          else a["expect"]) == first for a in answers)
        res.label_ask = any(a["expect"] == "ask" for a in answers)
        res.primary_ask = answers[0]["expect"] == "ask"
        res.dangerous = _dangerous(row, calls, known)
        strict = strict_reading(text, project)
        labelled_yes = bool(row.get("yes", row.get(True)))  # YAML 1.1 reads `yes:` as True
        approved = [c for c in calls if c["tool"] in MUTATING and approves(
            strict, c["tool"], c["args"], known)]
        res.under_approved = labelled_yes and res.full and not approved
        for call in approved:
            exact = any(w["tool"] == call["tool"] and _args_match(
                w["tool"], w.get("args") or {}, call["args"]) for w in answers[0]["calls"])
            if not labelled_yes or not exact:
                res.over_approved.append(f"{call['tool']} "
                                         f"{json.dumps(call['args'], sort_keys=True)}")
        results.append(res)
    return results


def metrics(results: list[RowResult]) -> dict:
    n = len(results)
    asked = [r for r in results if r.predicted == "ask"]
    should = [r for r in results if r.primary_ask]
    return {
        "rows": n,
        "full_accuracy": round(sum(r.full for r in results) / n, 4) if n else 0.0,
        "intent_accuracy": round(sum(r.intent for r in results) / n, 4) if n else 0.0,
        "ask_precision": round(sum(r.label_ask for r in asked) / len(asked), 4) if asked
        else 1.0,
        "ask_recall": round(sum(r.predicted == "ask" for r in should) / len(should), 4)
        if should else 1.0,
        "dangerous_misreadings": sum(bool(r.dangerous) for r in results),
        "yes_over_approvals": sum(bool(r.over_approved) for r in results),
        "yes_under_approvals": sum(r.under_approved for r in results),
    }


def report(results: list[RowResult], splits: list[str], seconds: float) -> dict:
    by_split = {s: metrics([r for r in results if r.split == s]) for s in splits}
    tags = sorted({t for r in results for t in r.tags})
    by_tag = {t: metrics([r for r in results if t in r.tags]) for t in tags}
    failing = [r.__dict__ for r in results if not r.full or r.dangerous or r.over_approved]
    return {"overall": metrics(results), "by_split": by_split, "by_tag": by_tag,
            "seconds": round(seconds, 3), "failing": failing}


def gates(doc: dict, splits: list[str]) -> dict[str, bool]:
    out = {"dangerous_misreadings == 0": doc["overall"]["dangerous_misreadings"] == 0,
           "yes_over_approvals == 0": doc["overall"]["yes_over_approvals"] == 0}
    for held_out in ("test", *HELD_OUT):
        if held_out in splits:
            out[f"{held_out} full_accuracy >= 0.90"] = \
                doc["by_split"][held_out]["full_accuracy"] >= 0.90
    return out


def markdown(doc: dict) -> str:
    cols = ("rows", "full_accuracy", "intent_accuracy", "ask_precision", "ask_recall",
            "dangerous_misreadings", "yes_over_approvals", "yes_under_approvals")
    head = "| | " + " | ".join(cols) + " |\n|" + "---|" * (len(cols) + 1) + "\n"

    def table(rows: dict) -> str:
        return head + "".join(f"| {k} | " + " | ".join(str(m[c]) for c in cols) + " |\n"
                              for k, m in rows.items())

    lines = ["# Request reader on the corpus", "", table({"all": doc["overall"],
                                                         **doc["by_split"]}),
             "## Gates", ""]
    lines += [f"- {'PASS' if ok else 'FAIL'} {name}" for name, ok in doc["gates"].items()]
    lines += ["", "## Per tag", "", table(doc["by_tag"]), "## Failing rows", ""]
    for r in doc["failing"]:
        flags = ("DANGEROUS " if r["dangerous"] else "") + ("OVER-APPROVED " if
                                                             r["over_approved"] else "")
        lines.append(f"- `{r['id']}` ({r['split']}) {flags}{r['text']!r}: expected "
                     f"{r['expected']} {[(c['tool'], c.get('args')) for c in r['labelled']]}, "
                     f"got {r['predicted']} {[(c['tool'], c['args']) for c in r['calls']]}"
                     + (f"; dangerous: {r['dangerous']}" if r["dangerous"] else "")
                     + (f"; approved: {r['over_approved']}" if r["over_approved"] else ""))
    return "\n".join(lines) + "\n"


def run(split: str, out: Path, root: Path = CORPUS) -> dict:
    splits = list(SPLITS) if split == "all" else [split]
    if any(s not in (*SPLITS, *HELD_OUT) for s in splits):
        raise UsageError(f"unknown split {split!r}",
                         hint="use train, dev, test, holdout, fresh, probe, fresh2, fresh3, fresh4, fresh5 or all")
    if split in HELD_OUT and not (root / f"{split}.yaml").is_file():
        raise UsageError(f"no held-out set at {root / (split + '.yaml')}",
                         hint="the held-out set is written separately; score train, dev or test")
    known, dev, rows = load_rows(splits, root)
    started = time.monotonic()
    results = score_rows(rows, known, dev)
    doc = report(results, splits, time.monotonic() - started)
    doc["gates"] = gates(doc, splits)
    out.mkdir(parents=True, exist_ok=True)
    (out / "requests.json").write_text(json.dumps(doc, indent=1))
    (out / "requests.md").write_text(markdown(doc))
    doc["outputs"] = {"json": str(out / "requests.json"), "markdown": str(out / "requests.md")}
    return doc
