"""Grid management's section of the assessment (``网格化管理``): one row per street of the
assessed district (per community when a street is assessed) with the grid indicators of the
month and the month's grid score, read from ``urban.indicators`` and ``urban.score`` — no
formula is written here (``docs/grid-indicators.md``). Seven counting queries, the names and
the weights, whatever the number of cases."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from onewindow.assess.tables import Period, Unit
from onewindow.hotline.indicators import Month
from onewindow.urban.indicators import BY_CODE, Figures, Indicator, Level, month_indicators
from onewindow.urban.score import score_of, weights_at

# The section's rate columns, in this order (codes of ``urban.indicators.INDICATORS``).
CODES = (
    "valid_report",
    "file_on_time",
    "dispatch_accurate",
    "handle_on_time",
    "close_on_time",
    "rework",
    "extension",
)
COLUMNS: tuple[Indicator, ...] = tuple(BY_CODE[code] for code in CODES)
DISTRICT_PREFIX = 6


@dataclass(frozen=True)
class Cell:
    code: str
    numerator: int
    denominator: int
    rate: Decimal | None


@dataclass
class GridRow:
    key: str
    name: str
    figures: Figures
    score: Decimal | None

    @property
    def cells(self) -> list[Cell]:
        return [
            Cell(c.code, *self.figures.fraction(c.code), self.figures.rate(c.code)) for c in COLUMNS
        ]

    @property
    def parked(self) -> int:
        return self.figures.counts["parked"]


@dataclass
class GridTable:
    unit: Unit
    period: Period
    level: str
    rows: list[GridRow]
    total: GridRow
    weights: dict[str, int]
    columns: tuple[Indicator, ...] = COLUMNS


def grid_table(*, unit: Unit, period: Period) -> GridTable:
    """The section for ``unit`` and ``period``: the streets (or communities) of the unit's
    region with anything counted in the month, and their total; scores with the weights in
    force at the month's end."""
    month = Month(period.year, period.month)
    prefix = unit.region_prefix
    level = Level.STREET if len(prefix) <= DISTRICT_PREFIX else Level.COMMUNITY
    weights = weights_at(month.end)
    if not prefix:
        empty = Figures(level="", key="", name="")
        return GridTable(unit, period, level, [], GridRow("", "", empty, None), weights)
    found = month_indicators(month=month, prefix=prefix)
    rows = [GridRow(f.key, f.name, f, score_of(f, weights)) for f in found.rows(level)]
    total = GridRow("", "", found.total, score_of(found.total, weights))
    return GridTable(unit, period, level, rows, total, weights)


__all__ = ["CODES", "COLUMNS", "Cell", "GridRow", "GridTable", "grid_table"]
