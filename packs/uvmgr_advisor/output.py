"""The advisor's report as text (the terminal table, and what the agent reads) and as a
Markdown section (AutoPilot's report, on request)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from uvmgr_advisor.findings import AdviceReport


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=False)]

    def line(cells: list[str]) -> str:
        return "  ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=False)).rstrip()

    return [line(header), *(line(r) for r in rows)]


def text(report: AdviceReport) -> str:
    out = [f"advisor: {len(report.findings)} finding(s)"]
    if report.findings:
        out += _table(["check", "finding", "subject", "figure"],
                      [[f.check, f.kind + (" (regression)" if f.regression else ""),
                        _cut(f.subject, 60), f.shown_figure] for f in report.findings])
        out.append("")
        for i, f in enumerate(report.findings, 1):
            out.append(f"{i}. {f.subject}: {f.evidence}")
            out.append(f"   -> {f.recommendation}")
    if report.slowest_tests:
        out += ["", f"slowest tests ({report.tests_total_s:.2f} s of test time):"]
        out += _table(["total s", "setup", "call", "teardown", "test"],
                      [[f"{t.total:.2f}", f"{t.setup:.2f}", f"{t.call:.2f}", f"{t.teardown:.2f}",
                        _cut(t.id, 80)] for t in report.slowest_tests[:5]])
    if report.imports:
        out += ["", f"top imports (import total {report.import_total_ms:.0f} ms):"]
        out += _table(["ms", "module", "from", "imported by"],
                      [[f"{c.cumulative_ms:.0f}", c.module, c.distribution, c.via]
                       for c in report.imports[:5]])
    if report.sizes:
        out += ["", "installed size per direct dependency (MB, with what it pulls in):"]
        out += _table(["total", "only via it", "packages", "dependency", "group"],
                      [[f"{r.total_mb:.1f}", f"{r.exclusive_mb:.1f}", str(r.packages), r.name,
                        r.group] for r in report.sizes[:10]])
    out.append("")
    out += [f"{c.check}: {c.state}" + (f" - {c.note}" if c.note else "") + f" ({c.seconds:.1f} s)"
            for c in report.checks]
    return "\n".join(out)


def markdown(report: AdviceReport) -> str:
    out = ["## Performance advisor", ""]
    if not report.findings:
        out.append("No findings.")
    else:
        out += ["| check | finding | subject | figure | evidence | recommendation |",
                "|---|---|---|---:|---|---|"]
        out += [f"| {f.check} | {f.kind}{' (regression)' if f.regression else ''} | "
                f"`{_md(f.subject)}` | {f.shown_figure} | {_md(f.evidence)} | "
                f"{_md(f.recommendation)} |" for f in report.findings]
    if report.sizes:
        out += ["", "Installed size per direct dependency:", "",
                "| dependency | group | MB with what it pulls in | MB only through it |",
                "|---|---|---:|---:|"]
        out += [f"| {r.name} | {r.group} | {r.total_mb:.1f} | {r.exclusive_mb:.1f} |"
                for r in report.sizes[:10]]
    out += ["", "Checks: " + "; ".join(f"{c.check} {c.state}" + (f" ({_md(c.note)})" if c.note
                                                                  else "")
                                       for c in report.checks),
            "", "_Advice only: the advisor changed no file._"]
    return "\n".join(out) + "\n"


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").replace("`", "'")
