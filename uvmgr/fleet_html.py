"""The fleet dashboard: one static HTML file that works offline.

Charts are drawn by pygal (a small, pure-Python charting library) as SVG and embedded as
`data:` images: no script, no CDN, nothing fetched, and an image's SVG runs no script even if
a label tried. Every string from a report (repository and package names, ids, messages) is
untrusted and goes through `html.escape` on its way into the page.
"""

from __future__ import annotations

import base64
import datetime
from html import escape

from uvmgr.run_figures import SEVERITIES

_CSS = """
body{font-family:system-ui,sans-serif;margin:24px;color:#1f2328;background:#fff}
h1{margin:0 0 4px}h2{margin-top:36px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
.muted{color:#656d76}table{border-collapse:collapse;margin:8px 0 16px;font-size:14px}
th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left}td{white-space:nowrap}td.why{white-space:normal;max-width:700px}th{background:#f6f8fa}
td.n{text-align:right}tr.overdue td,td.overdue{background:#ffebe9;color:#82071e;font-weight:600}
.badge{display:inline-block;white-space:nowrap;padding:1px 8px;border-radius:10px;font-size:12px;color:#fff}
.ok{background:#1a7f37}.needs-person{background:#9a6700}.failed{background:#cf222e}
.critical{background:#8b0000}.high{background:#cf222e}.medium{background:#bc4c00}
.low{background:#9a6700}.unknown{background:#6e7781}.charts img{max-width:100%;margin:4px 0}
.cards{display:flex;gap:12px;flex-wrap:wrap}.card{border:1px solid #d0d7de;border-radius:6px;
padding:8px 14px;min-width:120px}.card.alert{background:#ffebe9;color:#82071e}.card b{font-size:24px;display:block}
"""
_STATUS = {0: "ok", 1: "failed", 3: "needs-person", 4: "failed"}
_SEVERITY_COLOURS = ("#8b0000", "#cf222e", "#bc4c00", "#9a6700", "#6e7781")


def dashboard(summary: dict) -> str:
    """The whole page for `summary` (from `fleet_report.summarize`)."""
    totals = summary["totals"]
    repos = summary["repositories"]
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        ("<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; "
        "img-src data:; style-src 'unsafe-inline'\">"),
        f"<title>uvmgr fleet: {totals['repositories']} repositories</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>uvmgr fleet</h1>",
        f"<p class='muted'>{summary['runs']} AutoPilot runs of {totals['repositories']} "
        f"repositories, as of {escape(summary['generated_at'])}"
        + (f"; {summary['skipped_files']} files skipped (not AutoPilot reports)"
           if summary["skipped_files"] else "") + "</p>",
        _cards(totals),
        "<h2>Repositories</h2>", _fleet_table(repos), _failures(summary["jobs_without_report"]),
        "<div class='charts'>", _img(_open_over_time(repos), "open vulnerabilities over time"),
        _img(_severity_bars(repos), "open vulnerabilities by severity"), "</div>",
    ]
    for repo in repos:
        parts.append(_repository(repo))
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _cards(totals: dict) -> str:
    open_total = sum(totals["open_by_severity"].values())
    cards = [("repositories", totals["repositories"], ""),
             ("open vulnerabilities", open_total, ""),
             ("overdue (past days-to-fix)", totals["overdue"], " alert" if totals["overdue"] else ""),
             ("failing a gate now", totals["failing_now"], " alert" if totals["failing_now"] else "")]
    return "<div class='cards'>" + "".join(
        f"<div class='card{cls}'><b>{value}</b>{escape(label)}</div>"
        for label, value, cls in cards) + "</div>"


def _fleet_table(repos: list[dict]) -> str:
    head = ("<tr><th>repository</th><th>last run</th><th>status</th>"
            + "".join(f"<th>{s}</th>" for s in SEVERITIES)
            + "<th>overdue</th><th>applied</th><th>held back</th><th>deferred</th>"
              "<th>gate failures</th><th>runs</th></tr>")
    rows = []
    for r in repos:
        latest = r["latest"]
        counts = "".join(f"<td class='n'>{r['open_by_severity'][s] if latest['audited'] else '?'}"
                         "</td>" for s in SEVERITIES)
        overdue = f"<td class='n{' overdue' if r['overdue'] else ''}'>{r['overdue']}</td>"
        rows.append(
            f"<tr><td><a href='#{_anchor(r['name'])}'>{escape(r['name'])}</a></td>"
            f"<td>{escape(latest['started_at'])}</td><td>{_status(latest['exit_code'])}</td>"
            f"{counts}{overdue}<td class='n'>{latest['upgrades_applied']}</td>"
            f"<td class='n'>{latest['held_back']}</td><td class='n'>{latest['deferred']}</td>"
            f"<td class='n{' overdue' if latest['gate_failures'] else ''}'>"
            f"{latest['gate_failures']}</td><td class='n'>{r['runs']}</td></tr>")
    return f"<table>{head}{''.join(rows)}</table>"


def _failures(failures: list[dict]) -> str:
    """The latest `fleet run`'s jobs that left no report: no figures, only why."""
    if not failures:
        return ""
    rows = "".join(f"<tr><td>{escape(f['repository'])}</td><td>{_badge(f['status'])}</td>"
                   f"<td class='why'>{escape(f['message'])}</td></tr>" for f in failures)
    return (f"<p>Jobs that left no report in the latest <code>uvmgr fleet run</code> "
            f"({escape(failures[0]['finished_at'])}):</p><table><tr><th>repository</th>"
            f"<th>status</th><th>why</th></tr>{rows}</table>")


def _repository(r: dict) -> str:
    latest = r["latest"]
    gates = ", ".join(f"{escape(g['name'])}: {'pass' if g['ok'] else 'FAIL'}"
                      for g in latest["gates"]) or "not run (nothing changed)"
    lines = [
        (f"<h2 id='{_anchor(r['name'])}'>{escape(r['name'])} "
        f"<span class='muted'>({escape(r['project'])})</span></h2>"),
        (f"<p>Latest run {escape(latest['started_at'])} ({escape(latest['source'])}): "
        f"{_status(latest['exit_code'])} exit {latest['exit_code']}, "
        f"{latest['duration']:.1f} s. Upgrades applied {latest['upgrades_applied']}, "
        f"security fixes {latest['security_fixes']}, held back {latest['held_back']}, "
        f"deferred {latest['deferred']}, majors outside the policy "
        f"{latest['majors_available']}, needs a person {latest['needs_person']}. "
        f"Gates: {gates}.</p>"),
        (f"<p class='muted'>SLA: {r['days_to_fix']:g} days to fix ({escape(r['sla_source'])});"
        " a vulnerability's clock starts when its advisory was published, or when a run first "
        "saw it open.</p>"),
    ]
    if not latest["audited"]:
        lines.append("<p class='overdue'>The latest run could not audit: open vulnerabilities "
                     "are unknown.</p>")
    elif r["vulnerabilities"]:
        rows = "".join(
            f"<tr class='{'overdue' if v['overdue'] else ''}'><td>{escape(v['package'])}</td>"
            f"<td>{escape(v['version'])}</td><td>{escape(v['id'])}</td>"
            f"<td><span class='badge {escape(v['severity'])}'>{escape(v['severity'])}</span></td>"
            f"<td>{escape(v['opened_at'][:10])} ({escape(v['clock'])})</td>"
            f"<td class='n'>{v['age_days']:g}</td><td class='n'>{v['days_left']:g}</td></tr>"
            for v in r["vulnerabilities"])
        lines.append("<table><tr><th>package</th><th>version</th><th>advisory</th>"
                     "<th>severity</th><th>open since</th><th>age (days)</th>"
                     f"<th>days left</th></tr>{rows}</table>")
    else:
        lines.append("<p>No known vulnerabilities open.</p>")
    lines.append("<div class='charts'>" + _img(_trend(r), f"{r['name']}: trend") + "</div>")
    return "\n".join(lines)


def _status(code: int) -> str:
    return _badge(_STATUS.get(code, "failed"))


def _badge(word: str) -> str:
    kind = word if word in ("ok", "needs-person") else "failed"
    return f"<span class='badge {kind}'>{escape(word)}</span>"


def _anchor(name: str) -> str:
    return "repo-" + "".join(c if c.isalnum() or c in "-_" else "_" for c in name)


def _img(svg: bytes, alt: str) -> str:
    data = base64.b64encode(svg).decode("ascii")
    return f"<img alt='{escape(alt)}' src='data:image/svg+xml;base64,{data}'>"


def _label(text: str) -> str:
    """A chart label from report content: no control characters (an XML library may refuse
    them, and they mean nothing on a chart), at most 60 characters."""
    import unicodedata

    clean = "".join("?" if unicodedata.category(c).startswith("C") else c for c in text)
    return clean if len(clean) <= 60 else clean[:59] + "…"


def _chart(kind: str, title: str, **options):
    import pygal
    from pygal.style import Style

    style = Style(background="white", plot_background="white", font_family="sans-serif",
                  colors=options.pop("colors", ("#0969da", "#1a7f37", "#9a6700", "#8250df",
                                                "#cf222e", "#6e7781", "#bc4c00")))
    return getattr(pygal, kind)(title=_label(title), style=style, js=[], width=900, height=320,
                                explicit_size=True, legend_at_bottom=True, truncate_legend=40,
                                **options)


def _counts(values) -> dict:
    """Whole-number y labels (counts have no 0.5) from 0 to at least the highest value."""
    top = max([v for v in values if v is not None] + [1])
    step = max(1, -(-top // 8))
    return {"y_labels": list(range(0, top + step, step)), "range": (0, top)}


def _open_over_time(repos: list[dict]) -> bytes:
    points = [(datetime.datetime.fromisoformat(p["started_at"]), p["open"])
              for r in repos for p in r["trend"] if p["open"] is not None]
    days = (max(t for t, _ in points) - min(t for t, _ in points)).days if points else 0
    shape = "%Y-%m-%d" if days >= 3 else "%m-%d %H:%M"
    chart = _chart("DateTimeLine", "Open vulnerabilities per repository", x_label_rotation=20,
                   x_value_formatter=lambda d: d.strftime(shape), dots_size=3,
                   **_counts([v for _, v in points]))
    for r in repos:
        chart.add(_label(r["name"]), [(datetime.datetime.fromisoformat(p["started_at"]), p["open"])
                              for p in r["trend"] if p["open"] is not None])
    return chart.render()


def _severity_bars(repos: list[dict]) -> bytes:
    chart = _chart("StackedBar", "Open vulnerabilities by severity (latest run)",
                   colors=_SEVERITY_COLOURS, x_label_rotation=20,
                   **_counts([sum(r["open_by_severity"].values()) for r in repos]))
    chart.x_labels = [_label(r["name"]) for r in repos]
    for severity in SEVERITIES:
        chart.add(severity, [r["open_by_severity"][severity] for r in repos])
    return chart.render()


def _trend(r: dict) -> bytes:
    trend = r["trend"]
    keys = ("open", "upgrades_applied", "held_back", "deferred", "gate_failures",
            "security_fixes")
    chart = _chart("Line", f"{r['name']}: runs over time", x_label_rotation=20,
                   show_minor_x_labels=len(trend) <= 12, dots_size=3,
                   **_counts([p[k] for p in trend for k in keys]))
    chart.x_labels = [p["started_at"][:16].replace("T", " ") for p in trend]
    for key, label in (("open", "open vulnerabilities"), ("upgrades_applied", "upgrades applied"),
                       ("held_back", "held back"), ("deferred", "deferred"),
                       ("gate_failures", "gate failures"), ("security_fixes", "security fixes")):
        chart.add(label, [p[key] for p in trend])
    return chart.render()
