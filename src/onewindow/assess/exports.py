"""The three tables and the 12345 hotline section as plain export data (title, columns with
their kinds, rows, a totals row, footnotes), ready for the platform's report printer (Excel and
PDF): a column's ``kind`` is one of ``text``, ``integer``, ``percent`` (a fraction: 0.571 prints
as 57.1%), ``decimal`` (two decimals) and ``days`` (one decimal)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from onewindow.assess.codes import SHORT_LABELS
from onewindow.assess.grid import GridTable, grid_table
from onewindow.assess.hotline import HotlineTable, hotline_table
from onewindow.assess.tables import (
    EfficiencyTable,
    Period,
    RatingTable,
    StaffTable,
    Unit,
    efficiency_table,
    rating_table,
    staff_table,
)
from onewindow.reports.report import Column, Kind, Report, cut_rows, export_limit

Text = str | Promise


@dataclass(frozen=True)
class ExportColumn:
    key: str
    label: Text
    kind: str = "text"


@dataclass(frozen=True)
class ExportTable:
    slug: str
    title: Text
    columns: list[ExportColumn]
    rows: list[dict[str, Any]]
    totals: dict[str, Any] | None = None
    footnotes: list[Text] = field(default_factory=list)


def fraction(share: Decimal | None) -> Decimal | None:
    """A percentage of the tables (57.1) as the fraction a report prints as a percent."""
    return None if share is None else share / 100


INT, PCT, DEC, DAYS = "integer", "percent", "decimal", "days"

RATING_COLUMNS = [
    ExportColumn("department", _("Department")),
    ExportColumn("total", _("Ratings"), INT),
    ExportColumn("level_5", _("Very satisfied"), INT),
    ExportColumn("level_4", _("Satisfied"), INT),
    ExportColumn("level_3", _("Basically satisfied"), INT),
    ExportColumn("level_2", _("Dissatisfied"), INT),
    ExportColumn("level_1", _("Very dissatisfied"), INT),
    ExportColumn("defaulted", _("Default ratings"), INT),
    ExportColumn("satisfaction", _("Satisfaction (满意率)"), PCT),
    ExportColumn("bad", _("Bad ratings (差评)"), INT),
    ExportColumn("rectified", _("Rectified"), INT),
    ExportColumn("rectify_overdue", _("Rectifications overdue"), INT),
]


def rating_export(table: RatingTable) -> ExportTable:
    def row(r: Any, name: Text) -> dict[str, Any]:
        return {
            "department": name,
            "total": r.total,
            **{f"level_{n}": r.levels[n] for n in (5, 4, 3, 2, 1)},
            "defaulted": r.defaulted,
            "satisfaction": fraction(r.satisfaction),
            "bad": r.bad,
            "rectified": r.rectified,
            "rectify_overdue": r.rectify_overdue,
        }

    return ExportTable(
        slug="assess-ratings",
        title=_("Table 1 · Department ratings (好差评)"),
        columns=RATING_COLUMNS,
        rows=[row(r, r.department) for r in table.rows],
        totals=row(table.total, _("Total")) if table.rows else None,
        footnotes=[
            _(
                "满意率 = (very satisfied + satisfied + basically satisfied) ÷ all ratings of "
                "the month, default ratings included. An overdue rectification is still open "
                "past its call-back or ledger deadline at the end of the month."
            )
        ],
    )


EFFICIENCY_COLUMNS = [
    ExportColumn("department", _("Department")),
    ExportColumn("accepted", _("Accepted"), INT),
    ExportColumn("decided", _("Decided"), INT),
    ExportColumn("on_time", _("Decided on time"), INT),
    ExportColumn("on_time_share", _("On-time rate (按时办结率)"), PCT),
    ExportColumn("average_days", _("Average working days"), DAYS),
    ExportColumn("average_promised", _("Promised (average)"), DAYS),
    ExportColumn("yellow", _("Yellow cards"), INT),
    ExportColumn("red", _("Red cards"), INT),
    ExportColumn("supplement", _("补正"), INT),
    ExportColumn("supplement_share", _("补正 rate"), PCT),
    ExportColumn("instant", _("Instant cases"), INT),
    ExportColumn("instant_share", _("Instant share"), PCT),
]


def efficiency_export(table: EfficiencyTable) -> ExportTable:
    def row(r: Any, name: Text) -> dict[str, Any]:
        return {
            "department": name,
            "accepted": r.accepted,
            "decided": r.decided,
            "on_time": r.on_time,
            "on_time_share": fraction(r.on_time_share),
            "average_days": r.average_days,
            "average_promised": r.average_promised,
            "yellow": r.yellow,
            "red": r.red,
            "supplement": r.supplement,
            "supplement_share": fraction(r.supplement_share),
            "instant": r.instant,
            "instant_share": fraction(r.instant_share),
        }

    return ExportTable(
        slug="assess-efficiency",
        title=_("Table 2 · Efficiency and e-supervision"),
        columns=EFFICIENCY_COLUMNS,
        rows=[row(r, r.department) for r in table.rows],
        totals=row(table.total, _("Total")) if table.rows else None,
        footnotes=[
            _(
                "Target: at least %(target)s %% of the cases are instant items (即办件), "
                "finished at the window on the spot."
            )
            % {"target": table.target},
            _(
                "按时办结率 = cases decided in the month on or before their promised date ÷ "
                "cases decided in the month. A red card: decided after the promised date; a "
                "yellow card: decided on time but in the last 24 hours of the limit. 补正 rate = "
                "accepted cases with papers asked for (at the window or by a department) ÷ "
                "accepted cases."
            ),
        ],
    )


STAFF_COLUMNS = [
    ExportColumn("rank", _("Rank"), INT),
    ExportColumn("name", _("Staff")),
    ExportColumn("taken_in", _("Cases taken in"), INT),
    ExportColumn("handled", _("Steps handled"), INT),
    ExportColumn("handled_on_time", _("Steps handled on time"), INT),
    ExportColumn("on_time_share", _("On-time share"), PCT),
    ExportColumn("returned", _("Returned for papers"), INT),
    ExportColumn("rated", _("Ratings that count"), INT),
    ExportColumn("rating_average", _("Rating average"), DEC),
    ExportColumn("score", _("Score"), DAYS),  # one decimal
]


def staff_export(table: StaffTable) -> ExportTable:
    return ExportTable(
        slug="assess-staff",
        title=_("Table 3 · Staff ranking"),
        columns=STAFF_COLUMNS,
        rows=[
            {
                "rank": r.rank,
                "name": r.name,
                "taken_in": r.taken_in,
                "handled": r.handled,
                "handled_on_time": r.handled_on_time,
                "on_time_share": fraction(r.on_time_share),
                "returned": r.returned,
                "rated": r.rated,
                "rating_average": r.rating_average,
                "score": r.score,
            }
            for r in table.rows
        ],
        footnotes=[
            _(
                "Score = Σ weight × figure ÷ Σ weight over the figures a person has, each "
                "figure on 0–100: work done against the most in the unit, on-time share of the "
                "steps handled, cases taken in without a return for papers, rating points of "
                "the active ratings that count."
            ),
            _("Weights: %(weights)s")
            % {
                "weights": ", ".join(
                    f"{SHORT_LABELS.get(k, k)} {v}" for k, v in table.weights.items()
                )
            },
        ],
    )


def hotline_export(table: HotlineTable) -> ExportTable:
    """The 12345 hotline section: per handling unit, the rates of ``hotline.indicators``."""

    def row(r: Any, name: Text) -> dict[str, Any]:
        return {"department": name, **{c.code: fraction(c.rate) for c in r.cells}}

    return ExportTable(
        slug="assess-hotline",
        title=_("12345 hotline handling (12345 热线办理)"),
        columns=[
            ExportColumn("department", _("Handling unit")),
            *(ExportColumn(c.code, c.label, PCT) for c in table.columns),
        ],
        rows=[row(r, r.department) for r in table.rows],
        totals=row(table.total, _("Total")) if table.rows else None,
        footnotes=[HOTLINE_NOTE],
    )


HOTLINE_NOTE = _(
    "12345 hotline figures of the handling units of this unit's region, counted city-wide per "
    "unit as in the hotline's indicators (docs/hotline-indicators.md): each rate is over the "
    "month's dispatches, replies, closures or call-backs of the unit; — where there is none."
)


def grid_export(table: GridTable) -> ExportTable:
    """Grid management: per street (or community), the rates of ``urban.indicators``, the
    parked cases and the month's grid score."""

    def row(r: Any, name: Text) -> dict[str, Any]:
        return {
            "name": name,
            **{c.code: fraction(c.rate) for c in r.cells},
            "parked": r.parked,
            "score": r.score,
        }

    return ExportTable(
        slug="assess-grid",
        title=_("Grid management (网格化管理)"),
        columns=[
            ExportColumn("name", _("Street or community")),
            *(ExportColumn(c.code, c.label, PCT) for c in table.columns),
            ExportColumn("parked", _("Parked at the month's end (挂账数)"), INT),
            ExportColumn("score", _("Grid score"), DAYS),  # one decimal
        ],
        rows=[row(r, r.name) for r in table.rows],
        totals=row(table.total, _("Total")) if table.rows else None,
        footnotes=[GRID_NOTE],
    )


GRID_NOTE = _(
    "Grid cases of this unit's region by street (or community), as in the grid indicators "
    "(docs/grid-indicators.md); the score is 处置率 ×30 + 按期处置率 ×20 + (1 − 返工率) ×20 + "
    "(1 − 超期未处置率) ×20 + (1 − 延期率) ×10 unless the weights were changed; — where there is "
    "no case."
)

TABLES = ("ratings", "efficiency", "ranking", "hotline", "grid")


def table_export(*, table: str, unit: Unit, period: Period, weights: dict[str, int]) -> ExportTable:
    """One of the three tables of ``unit`` for ``period`` as export data (``TABLES``)."""
    if table == "ratings":
        return rating_export(rating_table(unit=unit, period=period))
    if table == "efficiency":
        return efficiency_export(efficiency_table(unit=unit, period=period))
    if table == "hotline":
        return hotline_export(hotline_table(unit=unit, period=period))
    if table == "grid":
        return grid_export(grid_table(unit=unit, period=period))
    return staff_export(staff_table(unit=unit, period=period, weights=weights))


def as_report(data: ExportTable, *, unit: Unit, period: Period, fmt: str) -> Report:
    """The export data as the platform's ``Report`` (at most ``export_limit(fmt)`` rows)."""
    rows, cut = cut_rows(data.rows, len(data.rows), export_limit(fmt))
    last_day = period.end.date() - dt.timedelta(days=1)
    return Report(
        title=data.title,
        unit=unit.name,
        columns=[Column(c.key, c.label, Kind(c.kind)) for c in data.columns],
        rows=rows,
        totals=data.totals,
        slug=data.slug,
        period_label=period.key,
        period_start=period.first_day,
        period_end=last_day,
        footnotes=[*data.footnotes, *cut],
    )
