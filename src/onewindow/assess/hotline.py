"""The 12345 hotline's handling section of the assessment (``12345 热线办理``): one row per
handling unit (承办单位, a department) with the hotline's monthly figures, read from
``hotline.indicators.month_indicators`` — no formula is written here.

The three tables are per centre, street or district with department rows from the unit's cases;
the hotline's figures are city-wide per handling unit, so they are not mixed into those rows.
The section of a unit shows the handling units whose region lies in the unit's region: the
district (or a centre of the district, the district hall) every department of the district;
a street (or a street centre) the departments of that street — its street office. One query
for the departments and four for the figures, whatever the number of orders.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from onewindow.assess.tables import Period, Unit
from onewindow.hotline.indicators import INDICATORS, Indicator, Month, UnitFigures, month_indicators
from onewindow.org.models import Department

# The section's columns, in this order (the codes of ``hotline.indicators.INDICATORS``).
CODES = ("sign_on_time", "reply_on_time", "satisfaction", "redo", "return", "extension")
COLUMNS: tuple[Indicator, ...] = tuple(
    next(i for i in INDICATORS if i.code == code) for code in CODES
)


@dataclass(frozen=True)
class Cell:
    code: str
    numerator: int
    denominator: int
    rate: Decimal | None


@dataclass
class HotlineRow:
    department_id: int | None
    department: str
    figures: UnitFigures

    @property
    def cells(self) -> list[Cell]:
        return [
            Cell(c.code, *self.figures.fraction(c.code), self.figures.rate(c.code)) for c in COLUMNS
        ]


@dataclass
class HotlineTable:
    unit: Unit
    period: Period
    rows: list[HotlineRow]
    total: HotlineRow  # the sum of the rows' counts (the rates of these units together)
    columns: tuple[Indicator, ...] = COLUMNS


def department_ids_of(unit: Unit) -> set[int]:
    """The handling units a unit's section shows: departments whose region code starts with the
    unit's region prefix (one query)."""
    if not unit.region_prefix:
        return set()
    return set(
        Department.objects.filter(region__code__startswith=unit.region_prefix).values_list(
            "id", flat=True
        )
    )


def hotline_table(*, unit: Unit, period: Period) -> HotlineTable:
    """The section for ``unit`` and ``period``: every handling unit of the unit's region with
    anything counted in the month (``month_indicators`` limited to those departments)."""
    ids = department_ids_of(unit)
    figures = month_indicators(month=Month(period.year, period.month), department_ids=ids)
    return HotlineTable(
        unit=unit,
        period=period,
        rows=[HotlineRow(u.department_id, u.department, u) for u in figures.units],
        total=HotlineRow(None, "", figures.city),
    )


__all__ = [
    "CODES",
    "COLUMNS",
    "Cell",
    "HotlineRow",
    "HotlineTable",
    "department_ids_of",
    "hotline_table",
]
