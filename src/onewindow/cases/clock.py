"""Promised time limits on the official calendar, pauses, and the e-supervision light.

A time limit in working days ends at the close of the N-th working day after the day of
acceptance (the day itself is not counted); in natural days at the close of the N-th day; in
hours or minutes exactly that long after acceptance; in months on the same day N months later.
Special procedures pause the clock: on resumption the deadline moves by the working days the
pause covered.
"""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
import enum

from django.utils import timezone

from onewindow.catalog.codes import TimeUnit
from onewindow.workcal.calendar import WorkingCalendar


class Light(enum.StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    PAUSED = "paused"
    STOPPED = "stopped"


def end_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


def _add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, pycalendar.monthrange(year, month)[1]))


def due_after(
    start: dt.datetime, limit: int, unit: str, calendar: WorkingCalendar | None = None
) -> dt.datetime:
    """When a time limit of ``limit`` ``unit``s that starts at ``start`` runs out."""
    local_start = timezone.localtime(start)
    day = local_start.date()
    unit = TimeUnit(unit)
    if unit == TimeUnit.WORKING_DAY:
        cal = calendar or WorkingCalendar.load(day, day + dt.timedelta(days=limit * 3 + 30))
        return end_of_day(cal.add_working_days(day, limit))
    if unit == TimeUnit.NATURAL_DAY:
        return end_of_day(day + dt.timedelta(days=limit))
    if unit == TimeUnit.HOUR:
        return start + dt.timedelta(hours=limit)
    if unit == TimeUnit.MINUTE:
        return start + dt.timedelta(minutes=limit)
    return end_of_day(_add_months(day, limit))


def pause_length_working_days(
    started: dt.datetime, ended: dt.datetime, calendar: WorkingCalendar | None = None
) -> int:
    """Working days a pause covered: the working days after its first day up to its last."""
    first, last = timezone.localtime(started).date(), timezone.localtime(ended).date()
    cal = calendar or WorkingCalendar.load(first, last)
    return max(0, cal.working_days_between(first, last))


def extend_due(
    due: dt.datetime,
    unit: str,
    *,
    working_days: int,
    paused: dt.timedelta,
    calendar: WorkingCalendar | None = None,
) -> dt.datetime:
    """Move a deadline by a pause: by its working days for a working-day limit, by its
    calendar days for natural days and months, by its exact length for hours and minutes."""
    unit = TimeUnit(unit)
    if unit in {TimeUnit.HOUR, TimeUnit.MINUTE}:
        return due + paused
    if unit in {TimeUnit.NATURAL_DAY, TimeUnit.MONTH}:
        return due + dt.timedelta(days=paused.days)
    if not working_days:
        return due
    day = timezone.localtime(due).date()
    cal = calendar or WorkingCalendar.load(day, day + dt.timedelta(days=working_days * 3 + 30))
    return end_of_day(cal.add_working_days(day, working_days))


def light(
    *,
    due: dt.datetime | None,
    now: dt.datetime,
    paused: bool = False,
    running: bool = True,
    calendar: WorkingCalendar | None = None,
) -> Light:
    """E-supervision: red when overdue, yellow from one working day before the deadline."""
    if not running or due is None:
        return Light.STOPPED
    if paused:
        return Light.PAUSED
    if now > due:
        return Light.RED
    today, due_day = timezone.localtime(now).date(), timezone.localtime(due).date()
    if due - now <= dt.timedelta(hours=24):
        return Light.YELLOW
    cal = calendar or WorkingCalendar.load(today, due_day)
    if cal.working_days_between(today, due_day) <= 1:
        return Light.YELLOW
    return Light.GREEN
