"""Deadlines on the official calendar: holidays, make-up working days, pauses, lights."""

import datetime as dt
import zoneinfo

import pytest

from onewindow.cases.services import case_accept
from onewindow.catalog.codes import TimeUnit
from onewindow.workflow import clock
from onewindow.workflow.clock import Light

pytestmark = pytest.mark.django_db  # calendar overrides live in the database

SH = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(y, m, d, hour=10, minute=0):
    return dt.datetime(y, m, d, hour, minute, tzinfo=SH)


def test_working_days_across_national_day_with_the_make_up_saturday():
    # Accepted Wednesday 30 September 2026: 1–7 October are holidays, Saturday 10 October is
    # a make-up working day, so 5 working days end on Tuesday 13 October.
    assert clock.due_after(at(2026, 9, 30), 5, TimeUnit.WORKING_DAY) == at(
        2026, 10, 13, 23, 59
    ).replace(second=59)


def test_other_units():
    start = at(2026, 1, 30, 9, 30)
    assert clock.due_after(start, 3, TimeUnit.NATURAL_DAY) == at(2026, 2, 2, 23, 59).replace(
        second=59
    )
    assert clock.due_after(start, 4, TimeUnit.HOUR) == at(2026, 1, 30, 13, 30)
    assert clock.due_after(start, 45, TimeUnit.MINUTE) == at(2026, 1, 30, 10, 15)
    assert clock.due_after(start, 1, TimeUnit.MONTH) == at(2026, 2, 28, 23, 59).replace(second=59)


def test_a_pause_over_the_holiday_moves_the_deadline_by_its_working_days():
    due = clock.due_after(at(2026, 9, 28), 10, TimeUnit.WORKING_DAY)
    assert due.date() == dt.date(2026, 10, 16)
    # Paused from 29 September to 9 October: 30 Sep, 8 Oct, 9 Oct are working days after
    # the first day, so the deadline moves by three working days.
    paused = clock.pause_length_working_days(at(2026, 9, 29), at(2026, 10, 9))
    assert paused == 3
    moved = clock.extend_due(
        due, TimeUnit.WORKING_DAY, working_days=paused, paused=at(2026, 10, 9) - at(2026, 9, 29)
    )
    assert moved.date() == dt.date(2026, 10, 21)
    # Hour limits move by the pause's length.
    hour_due = at(2026, 3, 2, 14)
    assert clock.extend_due(
        hour_due, TimeUnit.HOUR, working_days=0, paused=dt.timedelta(hours=2)
    ) == at(2026, 3, 2, 16)


def test_lights():
    due = at(2026, 10, 13, 23, 59)
    assert clock.light(due=due, now=at(2026, 10, 8)) == Light.GREEN
    # One working day before (Saturday 10 October is worked, Sunday is not, Monday 12 is).
    assert clock.light(due=due, now=at(2026, 10, 12)) == Light.YELLOW
    assert clock.light(due=due, now=at(2026, 10, 13, 9)) == Light.YELLOW
    assert clock.light(due=due, now=at(2026, 10, 14, 8)) == Light.RED
    assert clock.light(due=due, now=at(2026, 10, 14), paused=True) == Light.PAUSED
    assert clock.light(due=None, now=at(2026, 10, 14)) == Light.STOPPED


def test_acceptance_pins_the_deadline_on_the_calendar(city):
    case = case_accept(intake=city.intake(materials=city.receipts()), now=at(2026, 9, 30))
    # The factory item promises 10 working days: 8, 9, 10, 12, 13, 14, 15, 16, 19, 20 October.
    assert case.due_at.astimezone(SH).date() == dt.date(2026, 10, 20)
    assert case.events.get(action="accept").at == at(2026, 9, 30)


def test_natural_day_limits_move_by_calendar_days():
    due = at(2026, 9, 30, 23, 59)
    moved = clock.extend_due(
        due, TimeUnit.NATURAL_DAY, working_days=1, paused=at(2026, 10, 8) - at(2026, 9, 30)
    )
    assert moved == at(2026, 10, 8, 23, 59)
