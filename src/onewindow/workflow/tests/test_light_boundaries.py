"""The light as two instants (``light_boundaries``) says what ``light`` says, for any deadline,
moment and calendar — holidays on weekdays and make-up working weekends (调休) included."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from onewindow.workcal.calendar import WorkingCalendar
from onewindow.workflow import clock
from onewindow.workflow.clock import Light

FIRST_DAY = dt.date(2026, 1, 1)
# 2026 is in the bundled official calendar, 2027 and 2028 are not (weekdays work there).
DAYS = 3 * 365


def at(*args: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))


@st.composite
def calendars(draw: st.DrawFn) -> WorkingCalendar:
    """Overrides on random days: a weekday made a holiday, a weekend made a working day."""
    overrides = {}
    for offset in draw(st.lists(st.integers(0, DAYS), max_size=40)):
        day = FIRST_DAY + dt.timedelta(days=offset)
        overrides[day] = day.weekday() >= 5  # a weekend works; a weekday is off
    return WorkingCalendar(overrides)


moments = st.datetimes(min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2028, 10, 1)).map(
    timezone.make_aware
)
# Deadlines near the moment, often at the close of a day or just after midnight, as the
# working-day limits make them.
offsets = st.one_of(
    st.timedeltas(min_value=dt.timedelta(days=-3), max_value=dt.timedelta(days=20)),
    st.integers(-3, 20).map(lambda d: dt.timedelta(days=d)),
    st.integers(-1, 1).map(lambda us: dt.timedelta(hours=24, microseconds=us)),
)
times_of_day = st.sampled_from(
    [None, dt.time(0, 0), dt.time(23, 59, 59), dt.time(23, 59, 59, 999999), dt.time(0, 0, 0, 1)]
)


@settings(max_examples=500, deadline=None)
@given(
    now=moments,
    offset=offsets,
    time_of_day=times_of_day,
    calendar=calendars(),
    paused=st.booleans(),
    running=st.booleans(),
    has_due=st.booleans(),
)
def test_the_boundaries_give_the_same_light_as_the_rule(
    now, offset, time_of_day, calendar, paused, running, has_due
):
    due = now + offset
    if time_of_day is not None:
        due = timezone.make_aware(dt.datetime.combine(timezone.localtime(due).date(), time_of_day))
    due_or_none = due if has_due else None
    expected = clock.light(
        due=due_or_none, now=now, paused=paused, running=running, calendar=calendar
    )
    bounds = clock.light_boundaries(now, calendar)
    assert bounds.light(due=due_or_none, paused=paused, running=running) == expected


def test_a_make_up_saturday_and_a_holiday_move_the_yellow_boundary():
    # Friday 2027-01-08 10:00 (weekdays work in 2027): Monday is one working day away, Tuesday
    # two, so deadlines up to Monday's close are yellow.
    now = at(2027, 1, 8, 10)
    plain = clock.light_boundaries(now, WorkingCalendar())
    assert plain.yellow_until == at(2027, 1, 11, 23, 59, 59, 999999)
    assert plain.light(due=at(2027, 1, 11, 17)) == Light.YELLOW
    assert plain.light(due=at(2027, 1, 12, 0)) == Light.GREEN
    # Saturday works (调休): Monday is the second working day.
    make_up = clock.light_boundaries(now, WorkingCalendar({dt.date(2027, 1, 9): True}))
    assert make_up.yellow_until == at(2027, 1, 10, 23, 59, 59, 999999)
    assert make_up.light(due=at(2027, 1, 11, 17)) == Light.GREEN
    # Monday a holiday: Tuesday is one working day away.
    holiday = clock.light_boundaries(now, WorkingCalendar({dt.date(2027, 1, 11): False}))
    assert holiday.yellow_until == at(2027, 1, 12, 23, 59, 59, 999999)
    assert holiday.light(due=at(2027, 1, 12, 17)) == Light.YELLOW
    assert holiday.light(due=at(2027, 1, 8, 9, 59)) == Light.RED
