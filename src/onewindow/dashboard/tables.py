"""Each chart of the dashboard as a report (``onewindow.reports``): the table under the chart,
its Excel and PDF export and the chart's data are the one ``Report``, so what is drawn, what is
listed and what is exported cannot differ."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onewindow.cases.staff_selectors import supervision_calendar
from onewindow.catalog.names import local_text
from onewindow.dashboard import selectors
from onewindow.org.permissions import Action
from onewindow.reports.report import Column, Kind, Report
from onewindow.reports.units import scope_unit
from onewindow.workflow.clock import LIGHT_LABELS, Light, light_boundaries


@dataclass(frozen=True)
class Scene:
    """What every table of one page shares: who asks, for which unit, when."""

    user: Any
    unit: str
    now: dt.datetime

    @property
    def today(self) -> dt.date:
        return timezone.localdate(self.now)


def scene_for(user: Any, now: dt.datetime | None = None) -> Scene:
    return Scene(user=user, unit=scope_unit(user, Action.CASE_SUPERVISE), now=now or timezone.now())


def month_label(month: dt.date) -> str:
    """The month in the locale's year-and-month format: 2026年11月, November 2026."""
    return date_format(month, "YEAR_MONTH_FORMAT")


def _months_label() -> str:
    return gettext("The last %(count)s months") % {"count": selectors.TREND_MONTHS}


def trend_report(scene: Scene) -> Report:
    period = selectors.trend_period(scene.today)
    months = selectors.monthly_trend(user=scene.user, period=period)
    return Report(
        title=gettext("Cases by month"),
        unit=scene.unit,
        slug="cases-by-month",
        period_label=_months_label(),
        period_start=period.start,
        period_end=period.last_day,
        generated_at=scene.now,
        columns=[
            Column("month", _("Month")),
            Column("accepted", _("Accepted"), Kind.INTEGER),
            Column("decided", _("Decided"), Kind.INTEGER),
            Column("delivered", _("Completed"), Kind.INTEGER),
        ],
        rows=[
            {
                "month": f"{m.month:%Y-%m}",
                "accepted": m.accepted,
                "decided": m.decided,
                "delivered": m.delivered,
            }
            for m in months
        ],
        totals={
            "month": gettext("Total"),
            "accepted": sum(m.accepted for m in months),
            "decided": sum(m.decided for m in months),
            "delivered": sum(m.delivered for m in months),
        },
        footnotes=[
            gettext(
                "Accepted, decided and completed: the cases whose acceptance, decision or "
                "hand-over fell in the month."
            )
        ],
    )


WEEKDAY_KEYS = [f"d{day}" for day in range(1, 8)]


def intake_report(scene: Scene) -> Report:
    period = selectors.trend_period(scene.today)
    counts = selectors.intake_by_hour_and_weekday(user=scene.user, period=period)
    rows = [
        {
            "hour": f"{hour:02d}:00–{hour + 1:02d}:00",
            **{key: counts.get((day, hour), 0) for day, key in enumerate(WEEKDAY_KEYS, start=1)},
            "total": sum(counts.get((day, hour), 0) for day in range(1, 8)),
        }
        for hour in range(24)
    ]
    return Report(
        title=gettext("Cases accepted by hour and weekday"),
        unit=scene.unit,
        slug="intake-by-hour",
        period_label=_months_label(),
        period_start=period.start,
        period_end=period.last_day,
        generated_at=scene.now,
        columns=[
            Column("hour", _("Hour")),
            *[
                Column(key, WEEKDAYS[day - 1], Kind.INTEGER)
                for day, key in enumerate(WEEKDAY_KEYS, start=1)
            ],
            Column("total", _("Total"), Kind.INTEGER),
        ],
        rows=rows,
        totals={
            "hour": gettext("Total"),
            **{
                key: sum(n for (d, _h), n in counts.items() if d == day)
                for day, key in enumerate(WEEKDAY_KEYS, start=1)
            },
            "total": sum(counts.values()),
        },
        footnotes=[gettext("By the hour and weekday of acceptance, local time.")],
    )


def windows_report(scene: Scene) -> Report:
    period = selectors.month_period(scene.today)
    loads = selectors.window_workload(user=scene.user, period=period)
    return Report(
        title=gettext("Cases accepted per window"),
        unit=scene.unit,
        slug="cases-per-window",
        period_label=month_label(period.start),
        period_start=period.start,
        period_end=period.last_day,
        generated_at=scene.now,
        columns=[
            Column("centre", _("Centre")),
            Column("window", _("Window")),
            Column("accepted", _("Accepted"), Kind.INTEGER),
        ],
        rows=[
            {
                "centre": local_text(load.centre_name, load.centre_name_en),
                "window": _window_text(load),
                "accepted": load.accepted,
            }
            for load in loads
        ],
        totals={
            "centre": gettext("Total"),
            "window": "",
            "accepted": sum(load.accepted for load in loads),
        },
        footnotes=[gettext("Windows that accepted no case in the month are not listed.")],
    )


def _window_text(load: selectors.WindowLoad) -> str:
    number = gettext("Window %(w)s") % {"w": load.window_number}
    return f"{number} {load.window_name}".strip()


OVERDUE_LIGHTS = (Light.RED, Light.YELLOW)


def overdue_report(scene: Scene) -> Report:
    bounds = light_boundaries(scene.now, supervision_calendar(scene.now))
    counts = selectors.overdue_by_department(user=scene.user, bounds=bounds)
    departments = sorted(
        counts.departments, key=lambda d: (-d.counts[Light.RED], -d.counts[Light.YELLOW], d.name)
    )
    return Report(
        title=gettext("Overdue cases by department"),
        unit=scene.unit,
        slug="overdue-by-department",
        period_label=gettext("As of %(moment)s")
        % {"moment": f"{timezone.localtime(scene.now):%Y-%m-%d %H:%M}"},
        generated_at=scene.now,
        columns=[
            Column("department", _("Department")),
            Column("red", LIGHT_LABELS[Light.RED], Kind.INTEGER),
            Column("yellow", LIGHT_LABELS[Light.YELLOW], Kind.INTEGER),
            Column("open", _("Open cases"), Kind.INTEGER),
        ],
        rows=[
            {
                "department": local_text(d.name, d.name_en),
                "red": d.counts[Light.RED],
                "yellow": d.counts[Light.YELLOW],
                "open": d.total,
            }
            for d in departments
        ],
        totals={
            "department": gettext("Total"),
            "red": counts.lights[Light.RED],
            "yellow": counts.lights[Light.YELLOW],
            "open": counts.total,
        },
        footnotes=[
            gettext(
                "Overdue: open cases past their promised completion, the clock running. The "
                "lights are the supervision board's."
            )
        ],
    )


LEVEL_LABELS = {
    5: _("Very satisfied"),
    4: _("Satisfied"),
    3: _("Basically satisfied"),
    2: _("Dissatisfied"),
    1: _("Very dissatisfied"),
}


def ratings_report(scene: Scene) -> Report:
    period = selectors.month_period(scene.today)
    departments = selectors.ratings_by_department(user=scene.user, period=period)
    level_keys = [f"level{level}" for level in selectors.LEVELS]

    def row(name: str, levels: dict[int, int], defaults: int) -> dict[str, Any]:
        total = sum(levels.values())
        satisfied = sum(levels[level] for level in selectors.SATISFIED_LEVELS)
        return {
            "department": name,
            **{key: levels[level] for key, level in zip(level_keys, selectors.LEVELS, strict=True)},
            "total": total,
            "defaults": defaults,
            "share": satisfied / total if total else None,
        }

    all_levels = {level: sum(d.levels[level] for d in departments) for level in selectors.LEVELS}
    return Report(
        title=gettext("Ratings by department"),
        unit=scene.unit,
        slug="ratings-by-department",
        period_label=month_label(period.start),
        period_start=period.start,
        period_end=period.last_day,
        generated_at=scene.now,
        columns=[
            Column("department", _("Department")),
            *[
                Column(key, LEVEL_LABELS[level], Kind.INTEGER)
                for key, level in zip(level_keys, selectors.LEVELS, strict=True)
            ],
            Column("total", _("Ratings given"), Kind.INTEGER),
            Column("defaults", _("Of which by default"), Kind.INTEGER),
            Column("share", _("Satisfied share"), Kind.PERCENT),
        ],
        rows=[row(local_text(d.name, d.name_en), d.levels, d.defaults) for d in departments],
        totals=row(gettext("Total"), all_levels, sum(d.defaults for d in departments)),
        footnotes=[
            gettext(
                "Satisfied share = (very satisfied + satisfied + basically satisfied) ÷ ratings "
                "given. Every rating given is counted: those given by default after the rating "
                "period (shown apart) and those taken out of the scores by an upheld appeal."
            )
        ],
    )


@dataclass(frozen=True)
class Chart:
    key: str
    build: Callable[[Scene], Report]


CHARTS = [
    Chart("trend", trend_report),
    Chart("intake", intake_report),
    Chart("windows", windows_report),
    Chart("overdue", overdue_report),
    Chart("ratings", ratings_report),
]
CHARTS_BY_KEY = {chart.key: chart for chart in CHARTS}


def chart_data(key: str, report: Report) -> dict[str, Any]:
    """What ``dashboard.js`` draws for the chart ``key``: the report's own rows (the totals row
    left out), with the series' names as the table heads them."""
    labels = {column.key: str(column.label) for column in report.columns}
    rows = list(report.rows)
    if key == "trend":
        series = ["accepted", "decided", "delivered"]
        return {
            "kind": "lines",
            "categories": [row["month"] for row in rows],
            "series": [{"name": labels[k], "data": [row[k] for row in rows]} for k in series],
        }
    if key == "intake":
        return {
            "kind": "heatmap",
            "hours": [f"{hour:02d}" for hour in range(24)],
            "days": [labels[k] for k in WEEKDAY_KEYS],
            "cells": [
                [hour, day, row[k]]
                for hour, row in enumerate(rows)
                for day, k in enumerate(WEEKDAY_KEYS)
            ],
            "max": max([row[k] for row in rows for k in WEEKDAY_KEYS] + [1]),
        }
    if key == "windows":
        return {
            "kind": "bars",
            "categories": [f"{row['centre']} {row['window']}" for row in rows],
            "series": [{"name": labels["accepted"], "data": [row["accepted"] for row in rows]}],
        }
    if key == "ratings":
        return {
            "kind": "stacked",
            "categories": [row["department"] for row in rows],
            "series": [
                {"name": labels[k], "data": [row[k] for row in rows], "light": k}
                for k in (f"level{level}" for level in selectors.LEVELS)
            ],
        }
    return {
        "kind": "stacked",
        "categories": [row["department"] for row in rows],
        "series": [
            {"name": labels[k], "data": [row[k] for row in rows], "light": k}
            for k in ("red", "yellow")
        ],
    }
