"""The grid indicators as official reports (``reports.Report``): one table per level (grid,
community, street, handling unit, grid worker) and the month's score per street and unit — the
same cells on the page (``reports/_table.html``) and in the Excel / PDF export.

Scoped: the cases counted are those the user may read (``urban.view``: the centres and
managers district-wide, a grid worker their community, a unit its own cases), optionally
narrowed to a street or community (``prefix``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onewindow.hotline.indicators import Month
from onewindow.org.permissions import Action, scope_queryset
from onewindow.reports.report import Column, Kind, Report
from onewindow.reports.units import scope_unit
from onewindow.urban.indicators import (
    BY_CODE,
    INDICATORS,
    LEVEL_LABELS,
    WORKER_CODES,
    Figures,
    Level,
    MonthIndicators,
    month_indicators,
)
from onewindow.urban.models import GridCase
from onewindow.urban.score import WEIGHT_LABELS, month_score

COUNT_COLUMNS = (
    ("reports", _("Reports (上报数)")),
    ("self_handled", _("Handled on the spot (自行处置)")),
    ("filed", _("Filed (立案数)")),
    ("dispatched", _("Dispatched (派遣数)")),
    ("due_to_handle", _("Due to be handled (应处置数)")),
    ("due_to_close", _("Due to be closed (应结案数)")),
    ("parked", _("Parked at the month's end (挂账数)")),
)
WORKER_COUNT_COLUMNS = (
    ("reports", _("Reports (上报数)")),
    ("self_handled", _("Handled on the spot (自行处置)")),
)
# The case indicators of a grid, community, street or unit (not the inspector's own).
CASE_CODES = tuple(i.code for i in INDICATORS)


def readable_cases(user: Any) -> QuerySet[GridCase]:
    """The grid cases ``user`` may read (``urban.view``)."""
    return scope_queryset(
        user,
        Action.URBAN_VIEW,
        GridCase.objects.all(),
        department_path="unit_id",
        region_code_path="region_code",
    )


def _fraction(value: Decimal | None) -> Decimal | None:
    return None if value is None else value / 100


def _period(month: Month) -> dict[str, Any]:
    return {
        "period_label": month.key,
        "period_start": dt.date(month.year, month.month, 1),
        "period_end": (month.end - dt.timedelta(days=1)).date(),
    }


def _row(figures: Figures, name: Any, level: str) -> dict[str, Any]:
    counts = WORKER_COUNT_COLUMNS if level == Level.WORKER else COUNT_COLUMNS
    codes = WORKER_CODES if level == Level.WORKER else CASE_CODES
    row: dict[str, Any] = {"name": name}
    for key, _label in counts:
        row[key] = figures.counts[key]
    for code in codes:
        row[code] = _fraction(figures.rate(code))
    return row


def columns_of(level: str) -> list[Column]:
    counts = WORKER_COUNT_COLUMNS if level == Level.WORKER else COUNT_COLUMNS
    codes = WORKER_CODES if level == Level.WORKER else CASE_CODES
    return [
        Column("name", LEVEL_LABELS[level]),
        *(Column(key, label, Kind.INTEGER) for key, label in counts),
        *(Column(code, BY_CODE[code].label, Kind.PERCENT) for code in codes),
    ]


FORMULAS = _("Formulas: docs/grid-indicators.md (numerator, denominator, month).")


def indicator_report(
    *,
    user: Any,
    month: Month,
    level: str,
    prefix: str = "",
    unit_name: str = "",
    figures: MonthIndicators | None = None,
    now: dt.datetime | None = None,
) -> tuple[Report, MonthIndicators]:
    """The month's indicators per ``level`` with the total of the cases counted."""
    found = figures or month_indicators(
        month=month, cases=readable_cases(user), prefix=prefix, now=now
    )
    footnotes: list[Any] = [FORMULAS]
    if level == Level.WORKER:
        footnotes.append(
            _(
                "A grid worker's reports are their own; 按时核查率 and 漏报率 are those of the "
                "grids they were posted to in the month."
            )
        )
    report = Report(
        title=gettext("Grid indicators by %(level)s") % {"level": LEVEL_LABELS[level]},
        unit=unit_name or scope_unit(user, Action.URBAN_VIEW),
        columns=columns_of(level),
        rows=[_row(r, r.name, level) for r in found.rows(level)],
        totals=None if level == Level.WORKER else _row(found.total, _("Total"), level),
        slug=f"grid-indicators-{level}",
        footnotes=footnotes,
        **_period(month),
    )
    return report, found


def score_report(
    *,
    user: Any,
    month: Month,
    figures: MonthIndicators,
    unit_name: str = "",
) -> Report:
    """The month's score of each street and handling unit and of all the cases counted."""
    score = month_score(month=month, indicators=figures)
    rows: list[dict[str, Any]] = []
    for kind, found in (
        (LEVEL_LABELS[Level.STREET], score.streets),
        (LEVEL_LABELS[Level.UNIT], score.units),
    ):
        rows += [{"name": r.name, "kind": kind, "score": r.score} for r in found]
    weights = ", ".join(f"{WEIGHT_LABELS[k]} × {v}" for k, v in score.weights.items())
    return Report(
        title=_("Grid score of the month"),
        unit=unit_name or scope_unit(user, Action.URBAN_VIEW),
        columns=[
            Column("name", _("Street or unit")),
            Column("kind", _("Kind")),
            Column("score", _("Score"), Kind.DECIMAL),
        ],
        rows=rows,
        totals={"name": _("Total"), "kind": "", "score": score.district.score},
        slug="grid-score",
        footnotes=[
            gettext(
                "Score = Σ weight × figure ÷ Σ weight × 100, over the figures with cases: %(w)s."
            )
            % {"w": weights},
            FORMULAS,
        ],
        **_period(month),
    )


__all__ = ["columns_of", "indicator_report", "readable_cases", "score_report"]
