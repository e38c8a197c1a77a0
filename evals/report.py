"""Eval outputs: the terminal table, the JSON document, Markdown and HTML reports with a bar
chart per metric, and the comparison of two runs."""

from __future__ import annotations

import datetime
import html
import json
from pathlib import Path

from uvmgr.evals.metrics import MEANS, METRICS

FORMAT = "uvmgr-eval/1"


def document(results: list[dict], metrics: dict, *, started: str, seconds: float,
             scenarios_dir: str, trials: int) -> dict:
    from uvmgr import __version__

    return {"format": FORMAT, "uvmgr": __version__, "date": started,
            "seconds": round(seconds, 1), "scenarios_dir": scenarios_dir, "trials": trials,
            "models": metrics, "results": results}


def load(path: Path) -> dict:
    from uvmgr.errors import UsageError

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read eval results {path}: {exc}",
                         hint="pass the results.json that `uvmgr eval --out DIR` wrote") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise UsageError(f"{path} is not a uvmgr eval result ({FORMAT})",
                         hint="pass the results.json that `uvmgr eval --out DIR` wrote")
    return data


def _fmt(name: str, value) -> str:
    if value is None:
        return "—"
    if name.endswith(("_rate", "_accuracy", "_integrity", "_utility")) or name in (
            "pass_rate", "benign_utility", "utility_under_attack", "attack_not_exercised"):
        return f"{value * 100:.1f}%"
    if name == "mean_cost":
        return f"${value:.4f}"
    if name == "mean_latency":
        return f"{value:.2f}s"
    return f"{value:g}" if isinstance(value, float) else str(value)


def rows(models: dict) -> list[tuple[str, list[str]]]:
    out = []
    for name, label, _better, gate in METRICS:
        mark = f" (gate {_fmt(name, gate)})" if gate is not None else ""
        out.append((label + mark, [_fmt(name, m.get(name)) for m in models.values()]))
    k_values = sorted({k for m in models.values() for k in m["pass_hat_k"]}, key=int)
    for k in k_values:
        out.append((f"pass^{k}", [_fmt("pass_rate", m["pass_hat_k"].get(k))
                                  for m in models.values()]))
    for name, label in MEANS:
        out.append((f"mean {label}", [_fmt(name, m.get(name)) for m in models.values()]))
    return out


def print_table(doc: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    models = doc["models"]
    table = Table(title=f"uvmgr eval: {next(iter(models.values()))['scenarios']} scenarios, "
                        f"{doc['trials']} trial(s), {doc['seconds']}s")
    table.add_column("metric")
    for model in models:
        table.add_column(model, justify="right")
    for label, values in rows(models):
        table.add_row(label, *values)
    console = Console()
    console.print(table)
    for model, m in models.items():
        failed = sorted({r["id"] for r in doc["results"] if r["model"] == model
                         and not r["passed"]})
        gates = ", ".join(f"{g} {'ok' if ok else 'FAILED'}" for g, ok in m["gates"].items())
        console.print(f"[bold]{model}[/]: gates: {gates}")
        for pack, rate in m.get("by_pack", {}).items():
            console.print(f"  pack {pack}: {_fmt('pass_rate', rate)} of its scenarios passed")
        if failed:
            console.print(f"  failed: {', '.join(failed[:30])}" + (" …" if len(failed) > 30
                                                                     else ""))


# -- reports -----------------------------------------------------------------------------------

def _bar(value: float | None, width: int = 20) -> str:
    if value is None:
        return ""
    full = round(max(0.0, min(1.0, value)) * width)
    return "█" * full + "░" * (width - full)


def markdown(doc: dict) -> str:
    models = doc["models"]
    lines = ["# uvmgr eval report", "",
             f"- date: {doc['date']}", f"- uvmgr {doc['uvmgr']}",
             f"- models: {', '.join(models)}",
             f"- scenarios: {next(iter(models.values()))['scenarios']}, trials: {doc['trials']}, "
             f"wall time: {doc['seconds']} s", "",
             "| metric | " + " | ".join(models) + " |",
             "|---|" + "---:|" * len(models)]
    for label, values in rows(models):
        lines.append(f"| {label} | " + " | ".join(values) + " |")
    lines += ["", "## Charts", ""]
    for name, label, better, _gate in METRICS:
        lines += [f"**{label}** ({'higher' if better == 'up' else 'lower'} is better)", "", "```"]
        for model, m in models.items():
            lines.append(f"{model:<28} {_bar(m.get(name))} {_fmt(name, m.get(name))}")
        lines += ["```", ""]
    lines += ["## By category", "", "| category | " + " | ".join(models) + " |",
              "|---|" + "---:|" * len(models)]
    cats = sorted({c for m in models.values() for c in m["by_category"]})
    for cat in cats:
        lines.append(f"| {cat} | " + " | ".join(_fmt("pass_rate", m["by_category"].get(cat))
                                                 for m in models.values()) + " |")
    packs = sorted({p for m in models.values() for p in m.get("by_pack", {})})
    if packs:
        lines += ["", "## Packs' scenarios", "", "| pack | " + " | ".join(models) + " |",
                  "|---|" + "---:|" * len(models)]
        lines += [f"| {p} | " + " | ".join(_fmt("pass_rate", m.get("by_pack", {}).get(p))
                                           for m in models.values()) + " |" for p in packs]
    lines += ["", "## Failed scenarios", ""]
    failed = [r for r in doc["results"] if not r["passed"]]
    if not failed:
        lines.append("None.")
    for r in failed:
        lines.append(f"- `{r['id']}` ({r['model']}, trial {r['trial']}): "
                     + "; ".join(r["failures"][:4]).replace("|", "\\|"))
    return "\n".join(lines) + "\n"


def _svg_bars(name: str, models: dict) -> str:
    width, bar_h, gap, label_w = 520, 22, 8, 200
    items = list(models.items())
    height = len(items) * (bar_h + gap) + gap
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'role="img" aria-label="{html.escape(name)}">']
    for i, (model, m) in enumerate(items):
        value = m.get(name)
        y = gap + i * (bar_h + gap)
        length = 0 if value is None else round(max(0.0, min(1.0, value)) * (width - label_w - 70))
        parts.append(f'<text x="0" y="{y + 15}" font-size="12">{html.escape(model)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y}" width="{length}" height="{bar_h}" '
                     f'fill="#4a7bd0"/>')
        parts.append(f'<text x="{label_w + length + 6}" y="{y + 15}" font-size="12">'
                     f'{html.escape(_fmt(name, value))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def html_report(doc: dict) -> str:
    models = doc["models"]
    head = "".join(f"<th>{html.escape(m)}</th>" for m in models)
    body = "".join(f"<tr><td>{html.escape(label)}</td>" + "".join(
        f"<td>{html.escape(v)}</td>" for v in values) + "</tr>" for label, values in rows(models))
    charts = "".join(f"<h3>{html.escape(label)} <small>({'higher' if better == 'up' else 'lower'}"
                     f" is better)</small></h3>{_svg_bars(name, models)}"
                     for name, label, better, _gate in METRICS)
    failed = "".join(f"<li><code>{html.escape(r['id'])}</code> ({html.escape(r['model'])}): "
                     f"{html.escape('; '.join(r['failures'][:4]))}</li>"
                     for r in doc["results"] if not r["passed"]) or "<li>None.</li>"
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>uvmgr eval</title>"
            "<style>body{font-family:sans-serif;max-width:900px;margin:2em auto}"
            "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px}"
            "td+td{text-align:right}</style></head><body>"
            f"<h1>uvmgr eval report</h1><p>{html.escape(doc['date'])} · uvmgr "
            f"{html.escape(doc['uvmgr'])} · {next(iter(models.values()))['scenarios']} scenarios"
            f" · {doc['trials']} trial(s) · {doc['seconds']} s</p>"
            f"<table><tr><th>metric</th>{head}</tr>{body}</table><h2>Charts</h2>{charts}"
            f"<h2>Failed scenarios</h2><ul>{failed}</ul></body></html>\n")


def write_outputs(doc: dict, out: Path) -> dict[str, str]:
    """results.json, report.md and report.html, redacted like traces (a model's answer or a
    failure message may carry a key it was sent)."""
    from uvmgr.telemetry import redact

    doc = redact(doc, by_key=False)  # type: ignore[assignment]
    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / "results.json", "markdown": out / "report.md",
             "html": out / "report.html"}
    from uvmgr.telemetry import redact_text

    # Answers, observations and failures quote tool output: redacted like traces.
    paths["json"].write_text(redact_text(json.dumps(doc, indent=2, default=str)) + "\n",
                             encoding="utf-8")
    paths["markdown"].write_text(redact_text(markdown(doc)), encoding="utf-8")
    paths["html"].write_text(redact_text(html_report(doc)), encoding="utf-8")
    return {k: str(v) for k, v in paths.items()}


def now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


# -- comparison --------------------------------------------------------------------------------

def compare(a: dict, b: dict) -> dict:
    """What got better or worse from run `a` to run `b`, per model both ran."""
    out: dict = {"a": a["date"], "b": b["date"], "models": {}}
    for model in [m for m in b["models"] if m in a["models"]]:
        ma, mb = a["models"][model], b["models"][model]
        changes = []
        for name, label, better, _gate in METRICS:
            va, vb = ma.get(name), mb.get(name)
            if va is None or vb is None or va == vb:
                continue
            improved = (vb > va) if better == "up" else (vb < va)
            changes.append({"metric": name, "label": label, "a": va, "b": vb,
                            "verdict": "better" if improved else "worse"})
        pa = {r["id"]: r["passed"] for r in a["results"] if r["model"] == model and r["trial"] == 0}
        pb = {r["id"]: r["passed"] for r in b["results"] if r["model"] == model and r["trial"] == 0}
        out["models"][model] = {
            "metrics": changes,
            "now_passing": sorted(i for i in pb if pb[i] and pa.get(i) is False),
            "now_failing": sorted(i for i in pb if not pb[i] and pa.get(i) is True),
            "new_scenarios": sorted(set(pb) - set(pa)),
            "dropped_scenarios": sorted(set(pa) - set(pb)),
        }
    out["only_in_a"] = sorted(set(a["models"]) - set(b["models"]))
    out["only_in_b"] = sorted(set(b["models"]) - set(a["models"]))
    return out


def print_compare(diff: dict) -> None:
    print(f"comparing {diff['a']} (A) with {diff['b']} (B)")
    for model, d in diff["models"].items():
        print(f"\n{model}:")
        if not d["metrics"] and not d["now_passing"] and not d["now_failing"]:
            print("  no change")
        for c in d["metrics"]:
            arrow = "▲" if c["verdict"] == "better" else "▼"
            print(f"  {arrow} {c['label']}: {_fmt(c['metric'], c['a'])} -> "
                  f"{_fmt(c['metric'], c['b'])} ({c['verdict']})")
        for key, label in (("now_passing", "now passing"), ("now_failing", "now failing"),
                           ("new_scenarios", "new scenarios"),
                           ("dropped_scenarios", "dropped scenarios")):
            if d[key]:
                print(f"  {label}: {', '.join(d[key])}")
    for key, label in (("only_in_a", "models only in A"), ("only_in_b", "models only in B")):
        if diff[key]:
            print(f"{label}: {', '.join(diff[key])}")
