"""Working days on the official Chinese calendar (holidays and make-up working days, 调休).

The official calendar comes from ``chinesecalendar``; ``CalendarOverride`` rows take precedence.
For a year the package does not cover, weekdays count as working days and weekends do not,
until a centre manager enters that year's official holidays as overrides
(``official_calendar_covers`` tells pages to warn about it).

All deadline arithmetic of the platform goes through ``WorkingCalendar``. ``calendar_current()``
is the calendar with every override, kept in the process and loaded again only after an override
changed (``calendar_invalidate``, called when an override row is saved or deleted): a deadline
costs no query.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Iterable
from functools import lru_cache

import chinese_calendar
from django.core.cache import cache

from onewindow.workcal.models import CalendarOverride

# The overrides' generation, shared through the Django cache so that every worker process of a
# deployment with a shared cache (``CACHE_REDIS_URL``) reloads after a change in any of them.
# With the per-process default cache each process still reloads after its own changes, and at
# the latest after ``PROCESS_CALENDAR_SECONDS``.
GENERATION_KEY = "workcal.overrides.generation"
PROCESS_CALENDAR_SECONDS = 300
_process_lock = threading.Lock()
_process_calendar: dict[str, object] = {}


@lru_cache(maxsize=4096)
def _official_is_working_day(day: dt.date) -> bool | None:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return None


def official_calendar_covers(year: int) -> bool:
    return _official_is_working_day(dt.date(year, 6, 1)) is not None


class WorkingCalendar:
    """A calendar with the overrides of a date range loaded once.

    Build one per operation (``WorkingCalendar.load(start, end)``) so a deadline computation costs
    one query, then ask it as often as needed.
    """

    def __init__(self, overrides: dict[dt.date, bool] | None = None):
        self.overrides = overrides or {}

    @classmethod
    def load(cls, start: dt.date, end: dt.date) -> WorkingCalendar:
        rows = CalendarOverride.objects.filter(day__gte=start, day__lte=end)
        return cls({row.day: row.is_working_day for row in rows})

    @classmethod
    def load_all(cls) -> WorkingCalendar:
        return cls(dict(CalendarOverride.objects.values_list("day", "is_working_day")))

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        official = _official_is_working_day(day)
        if official is not None:
            return official
        return day.weekday() < 5

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """The date ``days`` working days after ``start`` (``start`` itself not counted).

        Day one of a time limit is the first working day after the day of acceptance
        (行政许可法 §82: the day of acceptance is not counted).
        """
        if days < 0:
            raise ValueError("days must not be negative")
        current = start
        remaining = days
        while remaining:
            current += dt.timedelta(days=1)
            if self.is_working_day(current):
                remaining -= 1
        return current

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after ``start`` up to and including ``end`` (negative if end < start)."""
        if end < start:
            return -self.working_days_between(end, start)
        return sum(
            1
            for offset in range(1, (end - start).days + 1)
            if self.is_working_day(start + dt.timedelta(days=offset))
        )

    def previous_working_day(self, day: dt.date) -> dt.date:
        current = day - dt.timedelta(days=1)
        while not self.is_working_day(current):
            current -= dt.timedelta(days=1)
        return current

    def next_working_day(self, day: dt.date, *, include_today: bool = False) -> dt.date:
        current = day if include_today else day + dt.timedelta(days=1)
        while not self.is_working_day(current):
            current += dt.timedelta(days=1)
        return current

    def working_days_in(self, days: Iterable[dt.date]) -> list[dt.date]:
        return [day for day in days if self.is_working_day(day)]


def calendar_current() -> WorkingCalendar:
    """The calendar with every override, loaded once per process and generation."""
    import time

    generation = cache.get(GENERATION_KEY, "")
    now = time.monotonic()
    with _process_lock:
        held = _process_calendar.get("calendar")
        if (
            isinstance(held, WorkingCalendar)
            and _process_calendar.get("generation") == generation
            and now - float(_process_calendar.get("loaded", 0.0)) < PROCESS_CALENDAR_SECONDS  # type: ignore[arg-type]
        ):
            return held
    loaded = WorkingCalendar.load_all()
    with _process_lock:
        changing = _process_calendar.get("changing_since")
        if isinstance(changing, float) and now - changing < PROCESS_CALENDAR_SECONDS:
            # An override is being changed in a transaction not yet committed: what was just
            # read may be rolled back, so it is used once and not kept.
            return loaded
        _process_calendar.pop("changing_since", None)
        _process_calendar.update(calendar=loaded, generation=generation, loaded=now)
    return loaded


def calendar_changing() -> None:
    """An override row is being written: until ``calendar_invalidate`` runs after commit, this
    process reads the overrides afresh each time instead of keeping a calendar that a rollback
    could leave wrong."""
    import time

    with _process_lock:
        _process_calendar.clear()
        _process_calendar["changing_since"] = time.monotonic()


def calendar_invalidate() -> None:
    """Forget the loaded overrides in this process and tell the others (shared cache)."""
    with _process_lock:
        _process_calendar.clear()
    # A fresh random token, not a counter: a counter re-seeded after an eviction could come
    # back to a value some process still holds.
    cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)


def calendar_gaps(today: dt.date, *, years_ahead: int = 1) -> list[int]:
    """Years from ``today``'s to ``years_ahead`` later whose holidays nobody has loaded: not in
    the bundled official calendar and without a single local override. Deadlines in such a
    year count Monday to Friday only, so supervisors must be told."""
    from onewindow.workcal.models import CalendarOverride

    gaps = []
    for year in range(today.year, today.year + years_ahead + 1):
        if official_calendar_covers(year):
            continue
        if not CalendarOverride.objects.filter(day__year=year).exists():
            gaps.append(year)
    return gaps
