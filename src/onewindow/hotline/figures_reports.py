"""The hotline's monthly figures as official reports (``reports.Report``): the indicator table
per unit with the city total, and the hot spots (recurring problems) of the month — the same
cells on the page (``reports/_table.html``) and in the Excel / PDF export.

Scoped: the hotline centre, the auditor and the administrator (``HOTLINE_VIEW`` over all) see
every unit and the city; a unit's staff see their own unit's row only (its total is theirs)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onewindow.hotline import hotspots
from onewindow.hotline.indicators import (
    FIRST_CALL,
    INDICATORS,
    Month,
    MonthIndicators,
    UnitFigures,
    month_indicators,
)
from onewindow.org.permissions import Action, Scope, grants_for
from onewindow.reports.report import Column, Kind, Report
from onewindow.reports.units import scope_unit

RECURRING_LEAST = 3

COUNT_COLUMNS = (
    ("dispatched", _("Lead dispatches")),
    ("replies", _("Handling replies")),
    ("closed", _("Closed")),
    ("rated", _("Call-backs rated")),
)


def departments_shown(user: Any) -> frozenset[int] | None:
    """``None`` for a city-wide reader, else the departments of the user's grants (maybe
    none: then nothing is shown)."""
    grants = grants_for(user, Action.HOTLINE_VIEW)
    if any(g.scope is Scope.ALL for g in grants):
        return None
    return frozenset(g.department_id for g in grants if g.department_id)


def _fraction(value: Decimal | None) -> Decimal | None:
    return None if value is None else value / 100


def _row(figures: UnitFigures, name: Any) -> dict[str, Any]:
    row: dict[str, Any] = {"unit": name}
    for key, _label in COUNT_COLUMNS:
        row[key] = figures.counts.get(key, 0)
    for indicator in INDICATORS:
        row[indicator.code] = _fraction(figures.rate(indicator.code))
    return row


def _period(month: Month) -> dict[str, Any]:
    last = (month.end - dt.timedelta(days=1)).date()
    return {
        "period_label": month.key,
        "period_start": dt.date(month.year, month.month, 1),
        "period_end": last,
    }


def indicator_report(*, user: Any, month: Month) -> tuple[Report, MonthIndicators]:
    shown = departments_shown(user)
    figures = month_indicators(month=month, department_ids=shown)
    columns = [
        Column("unit", _("Handling unit")),
        *(Column(key, label, Kind.INTEGER) for key, label in COUNT_COLUMNS),
        *(Column(i.code, i.label, Kind.PERCENT) for i in INDICATORS),
    ]
    footnotes: list[Any] = [
        _("Formulas: docs/hotline-indicators.md (numerator, denominator, month).")
    ]
    if shown is None:
        part, whole = figures.city.fraction(FIRST_CALL.code)
        rate = figures.city.rate(FIRST_CALL.code)
        footnotes.insert(
            0,
            gettext("%(label)s: %(part)s / %(whole)s = %(rate)s")
            % {
                "label": FIRST_CALL.label,
                "part": part,
                "whole": whole,
                "rate": "—" if rate is None else f"{rate}%",
            },
        )
    report = Report(
        title=_("12345 hotline: indicators of the handling units"),
        unit=scope_unit(user, Action.HOTLINE_VIEW),
        columns=columns,
        rows=[_row(u, u.department) for u in figures.units],
        totals=_row(figures.city, _("Whole city") if shown is None else _("Total")),
        slug="hotline-indicators",
        footnotes=footnotes,
        **_period(month),
    )
    return report, figures


def hotspot_report(*, user: Any, month: Month) -> Report:
    """The recurring problems of the month (city-wide readers only: a unit gets an empty
    table, the hot spots being the centre's analysis)."""
    rows: list[dict[str, Any]] = []
    if departments_shown(user) is None:
        since = dt.date(month.year, month.month, 1)
        until = dt.date(month.next.year, month.next.month, 1)
        for found in hotspots.recurring(since=since, until=until, least=RECURRING_LEAST):
            rows.append(
                {
                    "category": found.category,
                    "where": found.street or found.place,
                    "count": found.count,
                    "numbers": " ".join(found.numbers),
                }
            )
    return Report(
        title=_("12345 hotline: recurring problems"),
        unit=scope_unit(user, Action.HOTLINE_VIEW),
        columns=[
            Column("category", _("Category of the matter")),
            Column("where", _("Street or place")),
            Column("count", _("Orders"), Kind.INTEGER),
            Column("numbers", _("Work order numbers")),
        ],
        rows=rows,
        slug="hotline-hotspots",
        footnotes=[
            gettext("The same category in the same street (or place) with at least %(n)s orders.")
            % {"n": RECURRING_LEAST}
        ],
        **_period(month),
    )


def week_report(*, user: Any, month: Month) -> Report:
    """Orders per category × street × ISO week of the weeks that touch the month (city-wide
    readers only, like the recurring problems): the hot-spot grid."""
    rows: list[dict[str, Any]] = []
    if departments_shown(user) is None:
        since = dt.date(month.year, month.month, 1)
        until = dt.date(month.next.year, month.next.month, 1)
        for found in hotspots.week_counts(since=since, until=until):
            rows.append(
                {
                    "week": found.week,
                    "category": found.category,
                    "street": found.street,
                    "count": found.count,
                }
            )
    return Report(
        title=_("12345 hotline: orders by category, street and week"),
        unit=scope_unit(user, Action.HOTLINE_VIEW),
        columns=[
            Column("week", _("ISO week")),
            Column("category", _("Category of the matter")),
            Column("street", _("Street")),
            Column("count", _("Orders"), Kind.INTEGER),
        ],
        rows=rows,
        slug="hotline-weeks",
        **_period(month),
    )
