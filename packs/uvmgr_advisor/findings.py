"""What the advisor reports: findings (each with a figure, its evidence and a recommendation),
the measurements behind them, and how each check went."""

from __future__ import annotations

from dataclasses import dataclass, field

from uvmgr.errors import EXIT_OK

MB = 1_000_000


@dataclass(frozen=True)
class Finding:
    check: str  # tests | imports | sizes | deps
    kind: str  # slow-test | slow-import | heavy-dependency | unused | undeclared | ...
    subject: str  # a test id, a module, a distribution
    figure: float  # the measurement, in `unit`
    unit: str  # s | ms | MB | ""
    evidence: str
    recommendation: str
    regression: bool = False

    @property
    def shown_figure(self) -> str:
        return figure_text(self.figure, self.unit)


@dataclass(frozen=True)
class CheckStatus:
    check: str
    state: str  # ok | skipped | unavailable
    note: str = ""
    seconds: float = 0.0


@dataclass(frozen=True)
class TestTiming:
    id: str
    setup: float
    call: float
    teardown: float
    outcome: str

    @property
    def total(self) -> float:
        return self.setup + self.call + self.teardown


@dataclass(frozen=True)
class ImportCost:
    module: str
    cumulative_ms: float
    distribution: str  # the distribution it comes from; "(stdlib)" or "(project)"
    via: str = ""  # the module that imported it first


@dataclass(frozen=True)
class DependencySize:
    name: str
    group: str
    total_mb: float  # the package and everything it pulls in
    exclusive_mb: float  # what no other direct dependency pulls in too: removing it saves this
    packages: int  # how many packages it brings, itself included


@dataclass(frozen=True)
class AdviceReport:
    findings: list[Finding]
    checks: list[CheckStatus]
    slowest_tests: list[TestTiming] = field(default_factory=list)
    tests_total_s: float = 0.0
    import_total_ms: float | None = None
    imports: list[ImportCost] = field(default_factory=list)
    sizes: list[DependencySize] = field(default_factory=list)

    @property
    def exit_status(self) -> int:
        return EXIT_OK  # advice, not a verdict

    def summary(self) -> str:
        """The findings as a table, the measurements, and how each check went."""
        from uvmgr_advisor.output import text

        return text(self)

    def markdown(self) -> str:
        """A Markdown section for a report (AutoPilot adds it on request)."""
        from uvmgr_advisor.output import markdown

        return markdown(self)


def figure_text(value: float, unit: str) -> str:
    if not unit:
        return ""
    if unit == "s":
        return f"{value:.2f} s"
    if unit == "ms":
        return f"{value:.0f} ms"
    return f"{value:.1f} {unit}"
