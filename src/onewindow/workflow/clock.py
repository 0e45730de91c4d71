"""Time limits for any aggregate: deadlines on the official calendar, pauses, lights.

A limit in working days ends at the close of the N-th working day after the day it starts (the
day itself is not counted, 行政许可法 §82); in natural days at the close of the N-th day; in
hours or minutes exactly that long after the start; in months on the same day N months later;
in working hours by counting only the office hours of working days (``WORKING_HOURS``, or a
unit's own ``office_hours``: pairs of "HH:MM", checked by ``office_hours_errors``). A pause
(special procedure, 补正) stops the clock: on resumption the deadline moves by the working days
the pause covered (by its length for hours and minutes, by its calendar days for natural days
and months, by the working hours it covered for working hours).

The light (e-supervision): red when overdue, yellow within a day of the deadline (24 hours, or
one working day), paused while the clock is stopped, green otherwise.

Without an explicit ``calendar`` the process calendar is used (``workcal.calendar_current``),
which costs no query.
"""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import ErrorList
from onewindow.workcal.calendar import WorkingCalendar, calendar_current


class TimeUnit(models.TextChoices):
    """Units of a time limit. 1–5 are the national catalogue's codes (时限单位); working hours
    are the platform's own, for work orders and grid events."""

    WORKING_DAY = "1", _("working days")
    NATURAL_DAY = "2", _("natural days")
    HOUR = "3", _("hours")
    MINUTE = "4", _("minutes")
    MONTH = "5", _("months")
    WORKING_HOUR = "wh", _("working hours")


class Light(enum.StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    PAUSED = "paused"
    STOPPED = "stopped"


LIGHT_LABELS = {
    Light.RED: _("Overdue"),
    Light.YELLOW: _("Due within a working day"),
    Light.PAUSED: _("Clock paused"),
    Light.GREEN: _("On time"),
    Light.STOPPED: _("Clock not running"),
}

DEFAULT_WORKING_HOURS = (("09:00", "12:00"), ("13:30", "17:30"))


def end_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


def _add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, pycalendar.monthrange(year, month)[1]))


def working_hours() -> list[tuple[dt.time, dt.time]]:
    """Office hours of a working day (setting ``WORKING_HOURS``: pairs of "HH:MM")."""
    spans: Sequence[Sequence[str]] = getattr(settings, "WORKING_HOURS", DEFAULT_WORKING_HOURS)
    return [(dt.time.fromisoformat(start), dt.time.fromisoformat(end)) for start, end in spans]


# A day's office hours: (opening, closing) pairs, in order, not overlapping.
Spans = Sequence[tuple[dt.time, dt.time]]
OfficeHours = Sequence[Sequence[str]]
MAX_OFFICE_SPANS = 6
_HHMM = re.compile(r"(?:[01][0-9]|2[0-3]):[0-5][0-9]")


def office_hours_errors(value: object, *, field: str = "office_hours") -> ErrorList:
    """Every problem with a unit's office hours as stored (``HandlingUnit.office_hours``): a
    list of at most ``MAX_OFFICE_SPANS`` pairs ``["HH:MM", "HH:MM"]``, each opening before it
    closes, in order of the day and not overlapping. An empty list is valid (the platform's
    hours). The one check used by the admin, the imports and ``office_hours_spans``."""
    errors = ErrorList()
    if not isinstance(value, list | tuple):
        errors.add(
            field,
            "invalid",
            _('Office hours are a list of pairs of times, like [["09:00", "12:00"]].'),
        )
        return errors
    if len(value) > MAX_OFFICE_SPANS:
        errors.add(
            field,
            "too_many",
            _("At most %(max)s spans of office hours a day."),
            max=MAX_OFFICE_SPANS,
        )
        return errors
    closing_before: tuple[int, str] | None = None
    for number, pair in enumerate(value, start=1):
        where = f"{field}[{number - 1}]"
        if not (
            isinstance(pair, list | tuple)
            and len(pair) == 2
            and all(isinstance(part, str) for part in pair)
        ):
            errors.add(
                where,
                "invalid",
                _(
                    "Span %(number)s: give its opening and its closing time, like "
                    '["09:00", "12:00"].'
                ),
                number=number,
            )
            closing_before = None
            continue
        opens, closes = pair
        bad = [part for part in (opens, closes) if not _HHMM.fullmatch(part)]
        if bad:
            errors.add(
                where,
                "invalid_time",
                _("Span %(number)s: %(value)s is not a time HH:MM from 00:00 to 23:59."),
                number=number,
                value=bad[0][:20],
            )
            closing_before = None
            continue
        if opens >= closes:
            errors.add(
                where,
                "empty_span",
                _(
                    "Span %(number)s opens at %(opens)s and must close after that, not at "
                    "%(closes)s."
                ),
                number=number,
                opens=opens,
                closes=closes,
            )
        elif closing_before is not None and opens < closing_before[1]:
            errors.add(
                where,
                "overlap",
                _(
                    "Span %(number)s opens at %(opens)s, before span %(previous)s closes at "
                    "%(closes)s: list the spans in the order of the day, without overlaps."
                ),
                number=number,
                opens=opens,
                previous=closing_before[0],
                closes=closing_before[1],
            )
        closing_before = (number, closes)
    return errors


def office_hours_spans(office_hours: OfficeHours | None) -> list[tuple[dt.time, dt.time]]:
    """The spans of a unit's office hours; none or an empty list: the platform's
    (``working_hours``). Raises ``ValidationFailed`` for hours ``office_hours_errors`` refuses."""
    if not office_hours:
        return working_hours()
    errors = office_hours_errors(list(office_hours))
    errors.raise_if_any(_("The office hours are not valid."), code="invalid_office_hours")
    return [
        (dt.time.fromisoformat(opens), dt.time.fromisoformat(closes))
        for opens, closes in office_hours
    ]


def _office_spans(day: dt.date, spans: Spans | None) -> list[tuple[dt.datetime, dt.datetime]]:
    return [
        (
            timezone.make_aware(dt.datetime.combine(day, start)),
            timezone.make_aware(dt.datetime.combine(day, end)),
        )
        for start, end in (spans or working_hours())
    ]


def add_working_hours(
    start: dt.datetime,
    hours: float,
    calendar: WorkingCalendar | None = None,
    spans: Spans | None = None,
) -> dt.datetime:
    """The moment ``hours`` office hours of working days after ``start``; office hours
    ``spans`` (``office_hours_spans``), by default the platform's."""
    cal = calendar or calendar_current()
    spans = spans or working_hours()
    remaining = dt.timedelta(hours=hours)
    moment = timezone.localtime(start)
    day = moment.date()
    for _guard in range(3660):  # ten years of days: a limit longer than that is a data error
        if cal.is_working_day(day):
            for span_start, span_end in _office_spans(day, spans):
                begin = max(span_start, moment)
                if begin >= span_end:
                    continue
                available = span_end - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
        day += dt.timedelta(days=1)
        moment = timezone.make_aware(dt.datetime.combine(day, dt.time(0, 0)))
    raise ValueError("time limit too long")


def working_hours_between(
    start: dt.datetime,
    end: dt.datetime,
    calendar: WorkingCalendar | None = None,
    spans: Spans | None = None,
) -> dt.timedelta:
    """Office time of working days between two moments (zero if ``end`` is not later); office
    hours ``spans``, by default the platform's."""
    if end <= start:
        return dt.timedelta(0)
    cal = calendar or calendar_current()
    spans = spans or working_hours()
    total = dt.timedelta(0)
    day, last = timezone.localtime(start).date(), timezone.localtime(end).date()
    while day <= last:
        if cal.is_working_day(day):
            for span_start, span_end in _office_spans(day, spans):
                begin, finish = max(span_start, start), min(span_end, end)
                if finish > begin:
                    total += finish - begin
        day += dt.timedelta(days=1)
    return total


def due_after(
    start: dt.datetime,
    limit: float,
    unit: str,
    calendar: WorkingCalendar | None = None,
    office_hours: OfficeHours | None = None,
) -> dt.datetime:
    """When a time limit of ``limit`` ``unit``s that starts at ``start`` runs out; a limit in
    working hours counts the unit's ``office_hours`` (pairs of "HH:MM"; none or empty: the
    platform's), the other units do not depend on them."""
    local_start = timezone.localtime(start)
    day = local_start.date()
    unit = TimeUnit(unit)
    if unit == TimeUnit.WORKING_DAY:
        cal = calendar or calendar_current()
        return end_of_day(cal.add_working_days(day, int(limit)))
    if unit == TimeUnit.NATURAL_DAY:
        return end_of_day(day + dt.timedelta(days=int(limit)))
    if unit == TimeUnit.HOUR:
        return start + dt.timedelta(hours=limit)
    if unit == TimeUnit.MINUTE:
        return start + dt.timedelta(minutes=limit)
    if unit == TimeUnit.WORKING_HOUR:
        return add_working_hours(start, limit, calendar, office_hours_spans(office_hours))
    return end_of_day(_add_months(day, int(limit)))


def pause_length_working_days(
    started: dt.datetime, ended: dt.datetime, calendar: WorkingCalendar | None = None
) -> int:
    """Working days a pause covered: the working days after its first day up to its last."""
    first, last = timezone.localtime(started).date(), timezone.localtime(ended).date()
    cal = calendar or calendar_current()
    return max(0, cal.working_days_between(first, last))


def extend_due(
    due: dt.datetime,
    unit: str,
    *,
    working_days: int,
    paused: dt.timedelta,
    calendar: WorkingCalendar | None = None,
    paused_from: dt.datetime | None = None,
    office_hours: OfficeHours | None = None,
) -> dt.datetime:
    """Move a deadline by a pause: by its working days for a working-day limit, by its
    calendar days for natural days and months, by its exact length for hours and minutes, by
    the office hours it covered for working hours (``paused_from`` is then the pause's start;
    ``office_hours`` the unit's, by default the platform's)."""
    unit = TimeUnit(unit)
    if unit in {TimeUnit.HOUR, TimeUnit.MINUTE}:
        return due + paused
    if unit in {TimeUnit.NATURAL_DAY, TimeUnit.MONTH}:
        return due + dt.timedelta(days=paused.days)
    if unit == TimeUnit.WORKING_HOUR:
        if paused_from is None:
            raise ValueError("a working-hour deadline needs the pause's start")
        spans = office_hours_spans(office_hours)
        covered = working_hours_between(paused_from, paused_from + paused, calendar, spans)
        return add_working_hours(due, covered.total_seconds() / 3600, calendar, spans)
    if not working_days:
        return due
    day = timezone.localtime(due).date()
    cal = calendar or calendar_current()
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
    cal = calendar or calendar_current()
    if cal.working_days_between(today, due_day) <= 1:
        return Light.YELLOW
    return Light.GREEN


# The order of lights on a board: the ones at risk first.
LIGHT_RANK: dict[Light, int] = {
    Light.RED: 0,
    Light.YELLOW: 1,
    Light.PAUSED: 2,
    Light.GREEN: 3,
    Light.STOPPED: 4,
}
LIGHT_BY_RANK: dict[int, Light] = {rank: light for light, rank in LIGHT_RANK.items()}


@dataclass(frozen=True)
class LightBoundaries:
    """The lights of every deadline at one moment, as two instants computed once per request
    (``light_boundaries``), so that a database can sort and count by light: red when the
    deadline is before ``now``, yellow when it is no later than ``yellow_until``, green after.
    ``light`` here and ``light`` above agree for every deadline (a property test keeps them so)."""

    now: dt.datetime
    yellow_until: dt.datetime

    def light(
        self, *, due: dt.datetime | None, paused: bool = False, running: bool = True
    ) -> Light:
        if not running or due is None:
            return Light.STOPPED
        if paused:
            return Light.PAUSED
        if due < self.now:
            return Light.RED
        if due <= self.yellow_until:
            return Light.YELLOW
        return Light.GREEN

    def conditions(self, *, due: str, paused: models.Q, running: models.Q) -> dict[Light, models.Q]:
        """One condition per light, mutually exclusive, over the deadline ``due`` (a field path
        or an annotation's name) and the ``paused`` and ``running`` conditions of a row."""
        has_due = models.Q(**{f"{due}__isnull": False})
        ticking = running & has_due & ~paused
        return {
            Light.RED: ticking & models.Q(**{f"{due}__lt": self.now}),
            Light.YELLOW: ticking
            & models.Q(**{f"{due}__gte": self.now, f"{due}__lte": self.yellow_until}),
            Light.PAUSED: running & has_due & paused,
            Light.GREEN: ticking & models.Q(**{f"{due}__gt": self.yellow_until}),
            Light.STOPPED: ~running | models.Q(**{f"{due}__isnull": True}),
        }

    def rank_expression(self, *, due: str, paused: models.Q, running: models.Q) -> models.Case:
        """The light's rank (``LIGHT_RANK``) of each row, computed by the database."""
        conditions = self.conditions(due=due, paused=paused, running=running)
        return models.Case(
            *(
                models.When(conditions[light], then=models.Value(rank))
                for light, rank in LIGHT_RANK.items()
                if light is not Light.STOPPED
            ),
            default=models.Value(LIGHT_RANK[Light.STOPPED]),
            output_field=models.PositiveSmallIntegerField(),
        )


def light_boundaries(now: dt.datetime, calendar: WorkingCalendar | None = None) -> LightBoundaries:
    """``light``'s rule as one instant: a deadline is yellow when it is at most 24 hours away
    or falls on a day with at most one working day after today up to it — that is, before the
    second working day after today begins."""
    cal = calendar or calendar_current()
    today = timezone.localtime(now).date()
    second_working_day = timezone.make_aware(
        dt.datetime.combine(cal.add_working_days(today, 2), dt.time(0, 0))
    )
    # Deadlines are stored to the microsecond: "before midnight" is "at most 1 µs before".
    return LightBoundaries(
        now=now,
        yellow_until=max(
            now + dt.timedelta(hours=24), second_working_day - dt.timedelta(microseconds=1)
        ),
    )


class Clocked(models.Model):
    """The fields of an aggregate with a promised time limit (a work order, a grid event).

    ``clock_start``, ``clock_pause``, ``clock_resume`` and ``clock_light`` keep them; the
    aggregate's ``StateMachine.running`` says in which states the clock runs."""

    time_limit = models.PositiveIntegerField(_("time limit"), default=0)
    time_limit_unit = models.CharField(
        _("unit"), max_length=2, choices=TimeUnit.choices, default=TimeUnit.WORKING_DAY
    )
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    paused_since = models.DateTimeField(_("clock paused since"), null=True, blank=True)

    class Meta:
        abstract = True


def clock_start(
    obj: Clocked,
    *,
    limit: int,
    unit: str,
    now: dt.datetime,
    office_hours: OfficeHours | None = None,
) -> dt.datetime:
    """Start ``obj``'s clock at ``now``; returns (and sets) the deadline. Not saved.
    ``office_hours``: the handling unit's, for a limit in working hours."""
    obj.time_limit, obj.time_limit_unit = limit, unit
    obj.due_at = due_after(now, limit, unit, office_hours=office_hours)
    obj.paused_since = None
    return obj.due_at


def clock_pause(obj: Clocked, *, now: dt.datetime) -> None:
    if obj.paused_since is None:
        obj.paused_since = now


def clock_resume(
    obj: Clocked, *, now: dt.datetime, office_hours: OfficeHours | None = None
) -> dt.timedelta:
    """End the pause: the deadline moves by what the pause covered (in the unit's
    ``office_hours`` for working hours). Returns the pause's length (zero when the clock was
    not paused). Not saved."""
    started = obj.paused_since
    if started is None:
        return dt.timedelta(0)
    paused = now - started
    if obj.due_at is not None:
        obj.due_at = extend_due(
            obj.due_at,
            obj.time_limit_unit,
            working_days=pause_length_working_days(started, now),
            paused=paused,
            paused_from=started,
            office_hours=office_hours,
        )
    obj.paused_since = None
    return paused


def clock_light(obj: Clocked, *, running: bool, now: dt.datetime) -> Light:
    return light(due=obj.due_at, now=now, paused=obj.paused_since is not None, running=running)
