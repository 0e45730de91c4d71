"""The published results of 好差评 (国办发〔2019〕51号: results, rankings and fixes are made
public): per department and per item and month, from the ratings and the cases themselves.

The figures of one month (local time, ``TIME_ZONE``; a month runs from its first day 00:00 to
the first day of the next):

- ``ratings`` — every rating given in the month (``rated_at``), active and default ones, and
  ratings whose appeal was upheld (they leave the scores, not the count of ratings received);
  ``levels`` — how many of each level 5…1;
- 满意率 ``satisfaction_rate`` = ratings of level 5, 4 or 3 ÷ ``ratings``;
- 主动评价率 ``active_rate`` = cases completed in the month (handed over, or an instant item
  finished on the spot: ``figures.completed``) that have at least one active rating
  (``is_default`` false, whenever it was given) ÷ cases completed in the month. A case is
  counted once however many visits were rated; the last days' figure still grows while their
  rating period runs;
- 差评 ``bad`` — active ratings of level 1 or 2 given in the month;
- 差评整改率 ``rectification_rate`` = bad ratings of the month whose rectification is fixed or
  closed ÷ (``bad`` − those whose appeal was upheld);

the definitions of ``ratings.figures`` (ratings/README.md, "The figures"), the same as the
rectification queue's, table (1)'s and the dashboard's;
- a rate is ``None`` (shown "—") when its denominator is 0.

The fixes made (``fixes``): rectifications closed in a period with a fix (立行立改 / 限期整改:
``fix_summary``) or an explanation (``explanation``), with the day closed and the item. Only
those two text fields are shown: staff write them for publication; the rater, the staff, the
case number and the call-back's finding are never read here.

Every function runs a fixed number of queries, whatever the number of ratings (aggregates in
the database, grouped by month and department or item).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from onewindow.cases.models import Case
from onewindow.ratings import figures as rating_figures
from onewindow.ratings.codes import SATISFIED_LEVELS, Level
from onewindow.ratings.masking import mask_personal
from onewindow.ratings.models import Rating, Rectification, Resolution
from onewindow.ratings.transitions import RectificationState

LEVELS = (5, 4, 3, 2, 1)
# A rectification in one of these states counts as done (差评整改率): ``ratings.figures``.
FINISHED_STATES = rating_figures.RECTIFIED_STATES
# Resolutions whose text is published as a fix made.
FIX_RESOLUTIONS = (Resolution.FIXED_AT_ONCE, Resolution.LEDGER, Resolution.EXPLAINED)
FIXES_SHOWN = 50
MONTHS_SHOWN = 12


def rate(numerator: int, denominator: int) -> Decimal | None:
    """A percentage with one decimal (half up), ``None`` for an empty denominator."""
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


@dataclass
class Figures:
    """The published figures of one department or item in one month."""

    month: dt.date
    ratings: int = 0
    levels: dict[int, int] = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))
    defaults: int = 0
    upheld: int = 0
    completed: int = 0
    completed_rated: int = 0
    bad: int = 0
    bad_finished: int = 0  # fixed or closed
    bad_upheld: int = 0  # the appeal upheld: out of the rate's denominator

    @property
    def satisfied(self) -> int:
        return sum(self.levels[level] for level in SATISFIED_LEVELS)

    @property
    def satisfaction_rate(self) -> Decimal | None:
        return rating_figures.satisfaction_rate(satisfied=self.satisfied, total=self.ratings)

    @property
    def active_rate(self) -> Decimal | None:
        return rate(self.completed_rated, self.completed)

    @property
    def rectification_rate(self) -> Decimal | None:
        return rating_figures.rectified_rate(
            rectified=self.bad_finished, bad=self.bad, upheld=self.bad_upheld
        )

    def add(self, other: Figures) -> None:
        """Add ``other``'s counts to these (months or items summed up)."""
        self.ratings += other.ratings
        self.defaults += other.defaults
        self.upheld += other.upheld
        self.bad += other.bad
        self.bad_finished += other.bad_finished
        self.bad_upheld += other.bad_upheld
        self.completed += other.completed
        self.completed_rated += other.completed_rated
        for level in LEVELS:
            self.levels[level] += other.levels[level]

    @property
    def level_counts(self) -> list[tuple[int, int]]:
        return [(level, self.levels[level]) for level in LEVELS]


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def month_bounds(first: dt.date, last: dt.date | None = None) -> tuple[dt.datetime, dt.datetime]:
    """The aware instants from the start of month ``first`` to the end of month ``last``."""
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(month_start(first), dt.time.min, tzinfo=zone)
    end_month = add_months(month_start(last or first), 1)
    return start, dt.datetime.combine(end_month, dt.time.min, tzinfo=zone)


def this_month(now: dt.datetime | None = None) -> dt.date:
    return month_start(timezone.localdate(now or timezone.now()))


def last_months(month: dt.date, count: int = MONTHS_SHOWN) -> list[dt.date]:
    """``count`` months ending with ``month``, newest first."""
    return [add_months(month_start(month), -offset) for offset in range(count)]


def _as_month(value: dt.date | dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.date().replace(day=1)
    return value.replace(day=1)


def _rating_rows(ratings: QuerySet[Rating], group: tuple[str, ...]) -> Iterable[dict[str, Any]]:
    zone = timezone.get_current_timezone()
    return (
        ratings.annotate(month=TruncMonth("rated_at", tzinfo=zone))
        .order_by()
        .values(*group, "month")
        .annotate(
            total=Count("id"),
            defaults=Count("id", filter=Q(is_default=True)),
            upheld=Count("id", filter=Q(counts_in_scores=False)),
            bad=Count("id", filter=rating_figures.bad()),
            bad_finished=Count("id", filter=rating_figures.bad_rectified()),
            bad_upheld=Count("id", filter=rating_figures.bad_upheld()),
            **{f"level_{level}": Count("id", filter=Q(level=level)) for level in LEVELS},
        )
    )


def _case_rows(cases: QuerySet[Case], group: tuple[str, ...]) -> Iterable[dict[str, Any]]:
    zone = timezone.get_current_timezone()
    active = Rating.objects.filter(case=OuterRef("pk"), is_default=False)
    return (
        cases.annotate(
            month=TruncMonth(rating_figures.completed_at(), tzinfo=zone), rated=Exists(active)
        )
        .order_by()
        .values(*group, "month")
        .annotate(completed=Count("id"), completed_rated=Count("id", filter=Q(rated=True)))
    )


def figures(
    *,
    first: dt.date,
    last: dt.date | None = None,
    group: str | None = None,
    department_id: int | None = None,
    item_id: int | None = None,
) -> dict[tuple[Any, dt.date], Figures]:
    """The figures from month ``first`` to month ``last`` (default: ``first`` only), keyed by
    (department id / item id / ``None`` for ``group=None``, month), optionally of one
    department or item. Two queries. Keys with nothing to show are absent."""
    start, end = month_bounds(first, last)
    ratings = Rating.objects.filter(rated_at__gte=start, rated_at__lt=end)
    cases = Case.objects.filter(rating_figures.completed(since=start, until=end))
    if department_id is not None:
        ratings = ratings.filter(department_id=department_id)
        cases = cases.filter(department_id=department_id)
    if item_id is not None:
        ratings = ratings.filter(item_id=item_id)
        cases = cases.filter(item_id=item_id)
    keys: tuple[str, ...] = {None: (), "department": ("department_id",), "item": ("item_id",)}[
        group
    ]

    out: dict[tuple[Any, dt.date], Figures] = {}

    def slot(row: dict[str, Any]) -> Figures:
        month = _as_month(row["month"])
        key = (row[keys[0]] if keys else None, month)
        if key not in out:
            out[key] = Figures(month=month)
        return out[key]

    for row in _rating_rows(ratings, keys):
        one = slot(row)
        one.ratings += row["total"]
        one.defaults += row["defaults"]
        one.upheld += row["upheld"]
        one.bad += row["bad"]
        one.bad_finished += row["bad_finished"]
        one.bad_upheld += row["bad_upheld"]
        for level in LEVELS:
            one.levels[level] += row[f"level_{level}"]
    for row in _case_rows(cases, keys):
        one = slot(row)
        one.completed += row["completed"]
        one.completed_rated += row["completed_rated"]
    return out


def months_of(
    month: dt.date,
    *,
    department_id: int | None = None,
    item_id: int | None = None,
    count: int = MONTHS_SHOWN,
) -> list[Figures]:
    """The ``count`` months ending with ``month`` (newest first), every month present."""
    months = last_months(month, count)
    found = figures(first=months[-1], last=months[0], department_id=department_id, item_id=item_id)
    return [found.get((None, m)) or Figures(month=m) for m in months]


def by_department(month: dt.date) -> dict[int, Figures]:
    """The figures of ``month`` per department id (departments with anything to show)."""
    return {key: one for (key, _m), one in figures(first=month, group="department").items()}


def by_item(month_first: dt.date, month_last: dt.date, *, department_id: int) -> dict[int, Figures]:
    """The figures of the months ``month_first``…``month_last`` added up per item of one
    department (items with anything to show)."""
    out: dict[int, Figures] = {}
    found = figures(first=month_first, last=month_last, group="item", department_id=department_id)
    for (item_id, _month), one in found.items():
        out.setdefault(item_id, Figures(month=month_first)).add(one)
    return out


@dataclass(frozen=True)
class Fix:
    """One fix made (or explanation given), as published: no personal data."""

    closed_on: dt.date
    item_id: int
    item_name: str
    item_code: str
    department_id: int
    resolution: str
    resolution_label: str
    text: str


def fixes(
    first: dt.date,
    last: dt.date | None = None,
    *,
    department_id: int | None = None,
    item_id: int | None = None,
    limit: int = FIXES_SHOWN,
) -> list[Fix]:
    """The rectifications closed in the months ``first``…``last`` with a published text, newest
    first, at most ``limit``. One query; reads only the fix's own published fields."""
    start, end = month_bounds(first, last)
    rows = Rectification.objects.filter(
        state=RectificationState.CLOSED,
        resolution__in=FIX_RESOLUTIONS,
        closed_at__gte=start,
        closed_at__lt=end,
    )
    if department_id is not None:
        rows = rows.filter(department_id=department_id)
    if item_id is not None:
        rows = rows.filter(rating__item_id=item_id)
    labels = dict(Resolution.choices)
    out = []
    for row in rows.order_by("-closed_at", "-id").values(
        "closed_at",
        "resolution",
        "fix_summary",
        "explanation",
        "department_id",
        "rating__item_id",
        "rating__case_name",
        "rating__item_code",
    )[:limit]:
        explained = row["resolution"] == Resolution.EXPLAINED
        # Masked: a number typed by mistake (a phone, an ID) is never published.
        text = mask_personal((row["explanation"] if explained else row["fix_summary"]).strip())
        if not text:
            continue
        out.append(
            Fix(
                closed_on=timezone.localdate(row["closed_at"]),
                item_id=row["rating__item_id"],
                item_name=row["rating__case_name"],
                item_code=row["rating__item_code"],
                department_id=row["department_id"],
                resolution=row["resolution"],
                resolution_label=str(labels[row["resolution"]]),
                text=text,
            )
        )
    return out


__all__ = [
    "FINISHED_STATES",
    "LEVELS",
    "Figures",
    "Fix",
    "Level",
    "add_months",
    "by_department",
    "by_item",
    "figures",
    "fixes",
    "month_bounds",
    "months_of",
    "rate",
    "this_month",
]
