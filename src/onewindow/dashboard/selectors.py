"""The figures of the manager's dashboard, counted by the database.

Every figure is of the cases the user supervises (``Action.CASE_SUPERVISE``: a centre manager
their centre — a district hall's manager every centre of the district —, a department lead
their department, administrators and auditors the city), the scope of the supervision board.
The ratings (好差评) are those the user may read (``Action.RATING_VIEW``, the same roles and
scopes). Each figure is one GROUP BY query (the monthly trend three: one per date), so a page
costs the same for ten cases as for a million. Months, hours and weekdays are those of the
project's time zone (``TIME_ZONE``), computed by the database (``Trunc`` / ``Extract`` with
``tzinfo``) on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, TruncMonth
from django.utils import timezone

from onewindow.cases.models import Case
from onewindow.cases.selectors import BoardCounts, supervision_board_counts
from onewindow.org.permissions import Action, scope_queryset
from onewindow.ratings import figures as rating_figures
from onewindow.ratings.models import Rating
from onewindow.workflow import clock

TREND_MONTHS = 12
TREND_DATES = ("accepted_at", "decided_at", "delivered_at")


def supervised_cases(user: Any) -> QuerySet[Case]:
    """Every case (in any state) the user supervises."""
    return scope_queryset(
        user,
        Action.CASE_SUPERVISE,
        Case.objects.all(),
        department_path="department_id",
        centre_path="centre_id",
        region_code_path="centre__region__code",
    )


def month_start(day: dt.date, months_back: int = 0) -> dt.date:
    """The first day of the month ``months_back`` months before ``day``'s."""
    index = day.year * 12 + day.month - 1 - months_back
    return dt.date(index // 12, index % 12 + 1, 1)


def local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@dataclass(frozen=True)
class Period:
    """From ``start`` (included) to ``end`` (excluded), local dates."""

    start: dt.date
    end: dt.date

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    @property
    def since(self) -> dt.datetime:
        return local_midnight(self.start)

    @property
    def until(self) -> dt.datetime:
        return local_midnight(self.end)


def trend_period(today: dt.date) -> Period:
    """The last twelve months, this one included."""
    return Period(month_start(today, TREND_MONTHS - 1), month_start(today, -1))


def month_period(today: dt.date) -> Period:
    return Period(month_start(today), month_start(today, -1))


def _local_date(moment: dt.datetime, tz: Any) -> dt.date:
    """The local date of a truncated moment (aware with ``USE_TZ``, as every backend gives it)."""
    return (timezone.localtime(moment, tz) if timezone.is_aware(moment) else moment).date()


@dataclass(frozen=True)
class MonthCounts:
    month: dt.date  # its first day
    accepted: int
    decided: int
    delivered: int


def monthly_trend(*, user: Any, period: Period) -> list[MonthCounts]:
    """Cases accepted, decided and delivered in each month of ``period`` (every month listed,
    none missing): three GROUP BY queries, one per date."""
    tz = timezone.get_current_timezone()
    counts: dict[str, dict[dt.date, int]] = {}
    for date_field in TREND_DATES:
        grouped = (
            supervised_cases(user)
            .filter(**{f"{date_field}__gte": period.since, f"{date_field}__lt": period.until})
            .annotate(month=TruncMonth(date_field, tzinfo=tz))
            .order_by()
            .values("month")
            .annotate(count=Count("pk"))
        )
        counts[date_field] = {_local_date(row["month"], tz): row["count"] for row in grouped}
    months = []
    month = period.start
    while month < period.end:
        months.append(
            MonthCounts(
                month=month,
                accepted=counts["accepted_at"].get(month, 0),
                decided=counts["decided_at"].get(month, 0),
                delivered=counts["delivered_at"].get(month, 0),
            )
        )
        month = month_start(month, -1)
    return months


def intake_by_hour_and_weekday(*, user: Any, period: Period) -> dict[tuple[int, int], int]:
    """Cases accepted in ``period`` counted by (ISO weekday 1–7, hour 0–23) of their acceptance,
    local time: one GROUP BY query. Pairs without a case are absent."""
    tz = timezone.get_current_timezone()
    grouped = (
        supervised_cases(user)
        .filter(accepted_at__gte=period.since, accepted_at__lt=period.until)
        .annotate(
            weekday=ExtractIsoWeekDay("accepted_at", tzinfo=tz),
            hour=ExtractHour("accepted_at", tzinfo=tz),
        )
        .order_by()
        .values("weekday", "hour")
        .annotate(count=Count("pk"))
    )
    return {(row["weekday"], row["hour"]): row["count"] for row in grouped}


@dataclass(frozen=True)
class WindowLoad:
    centre_name: str
    centre_name_en: str
    window_number: str
    window_name: str
    accepted: int


def window_workload(*, user: Any, period: Period) -> list[WindowLoad]:
    """Cases accepted at each window in ``period`` (windows that accepted none are not listed;
    cases accepted online, without a window, neither), busiest first: one GROUP BY query."""
    grouped = (
        supervised_cases(user)
        .filter(accepted_at__gte=period.since, accepted_at__lt=period.until, window__isnull=False)
        .order_by()
        .values(
            "window_id",
            "window__number",
            "window__name",
            "window__centre__code",
            "window__centre__name",
            "window__centre__name_en",
        )
        .annotate(count=Count("pk"))
    )
    rows = sorted(
        grouped,
        key=lambda r: (-r["count"], r["window__centre__code"], r["window__number"]),
    )
    return [
        WindowLoad(
            centre_name=row["window__centre__name"],
            centre_name_en=row["window__centre__name_en"],
            window_number=row["window__number"],
            window_name=row["window__name"],
            accepted=row["count"],
        )
        for row in rows
    ]


def overdue_by_department(*, user: Any, bounds: clock.LightBoundaries) -> BoardCounts:
    """The open cases by department and light, as the supervision board counts them (the same
    scope and light boundaries): one GROUP BY query."""
    return supervision_board_counts(user=user, bounds=bounds)


@dataclass
class DepartmentRatings:
    name: str
    name_en: str
    levels: dict[int, int]  # level 1–5: ratings
    defaults: int = 0  # of which given by default after the rating period

    @property
    def satisfaction_rate(self) -> Decimal | None:
        """满意率 in percent (``ratings.figures``)."""
        satisfied = sum(self.levels[level] for level in SATISFIED_LEVELS)
        return rating_figures.satisfaction_rate(
            satisfied=satisfied, total=sum(self.levels.values())
        )


# 满意率: the three highest levels (非常满意, 满意, 基本满意) over all ratings — defaults and
# upheld ones included (``ratings.figures``, the one definition).
SATISFIED_LEVELS = tuple(sorted(rating_figures.SATISFIED_LEVELS, reverse=True))
LEVELS = (5, 4, 3, 2, 1)


def ratings_by_department(*, user: Any, period: Period) -> list[DepartmentRatings]:
    """The ratings given in ``period`` — every one, as 满意率 counts them (``ratings.figures``:
    defaults and ratings whose appeal was upheld included; only the scores leave those out) —
    per department and level, defaults among them counted apart: one GROUP BY query.
    Departments by name."""
    grouped = (
        scope_queryset(
            user,
            Action.RATING_VIEW,
            Rating.objects.filter(rated_at__gte=period.since, rated_at__lt=period.until),
            department_path="department_id",
            centre_path="centre_id",
            region_code_path="region_code",
        )
        .order_by()
        .values("department_id", "department__name", "department__name_en", "level", "is_default")
        .annotate(count=Count("pk"))
    )
    departments: dict[int, DepartmentRatings] = {}
    for row in grouped:
        department = departments.setdefault(
            row["department_id"],
            DepartmentRatings(
                name=row["department__name"],
                name_en=row["department__name_en"],
                levels=dict.fromkeys(LEVELS, 0),
            ),
        )
        department.levels[row["level"]] += row["count"]
        if row["is_default"]:
            department.defaults += row["count"]
    return sorted(departments.values(), key=lambda d: d.name)
