"""Clocks for any aggregate: working hours, pauses of every unit, and the process calendar."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from onewindow.workcal.calendar import calendar_current, calendar_invalidate
from onewindow.workcal.models import CalendarOverride
from onewindow.workflow import clock
from onewindow.workflow.clock import Light, TimeUnit


def at(*args: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))


def test_the_catalogues_time_units_mean_the_same_on_the_clock():
    from onewindow.catalog.codes import TimeUnit as CatalogueUnit

    assert {u.value: u.name for u in CatalogueUnit} == {
        u.value: u.name for u in TimeUnit if u != TimeUnit.WORKING_HOUR
    }


@pytest.mark.django_db
def test_working_hours_skip_lunch_evenings_and_the_weekend():
    # Friday 2026-11-27 16:30: one office hour left that day (to 17:30), then Monday.
    start = at(2026, 11, 27, 16, 30)
    assert clock.due_after(start, 1, TimeUnit.WORKING_HOUR) == at(2026, 11, 27, 17, 30)
    assert clock.due_after(start, 4, TimeUnit.WORKING_HOUR) == at(2026, 11, 30, 12, 0)
    # 11:00 + 2 working hours: one before lunch, one after it (13:30–14:30).
    assert clock.due_after(at(2026, 11, 30, 11, 0), 2, TimeUnit.WORKING_HOUR) == at(
        2026, 11, 30, 14, 30
    )
    # Started outside office hours: counting begins at the next opening.
    assert clock.due_after(at(2026, 11, 28, 20, 0), 1, TimeUnit.WORKING_HOUR) == at(
        2026, 11, 30, 10, 0
    )


@pytest.mark.django_db
def test_working_hours_skip_the_national_day_holiday_and_count_the_make_up_saturday():
    # 2026-09-30 (Wed) 17:00: half an hour left; 1–7 October off; Saturday 10 October works.
    start = at(2026, 9, 30, 17, 0)
    assert clock.due_after(start, 1, TimeUnit.WORKING_HOUR) == at(2026, 10, 8, 9, 30)
    assert clock.working_hours_between(start, at(2026, 10, 8, 9, 30)) == dt.timedelta(hours=1)


@pytest.mark.django_db
def test_a_pause_moves_a_working_hour_deadline_by_the_office_hours_it_covered():
    due = at(2026, 11, 30, 15, 0)
    # Paused Monday 09:00–11:00: two office hours.
    moved = clock.extend_due(
        due,
        TimeUnit.WORKING_HOUR,
        working_days=0,
        paused=dt.timedelta(hours=2),
        paused_from=at(2026, 11, 30, 9, 0),
    )
    assert moved == at(2026, 11, 30, 17, 0)
    with pytest.raises(ValueError):
        clock.extend_due(due, TimeUnit.WORKING_HOUR, working_days=0, paused=dt.timedelta(1))


@pytest.mark.django_db
def test_a_clocked_record_starts_pauses_resumes_and_shows_its_light():
    from onewindow.workflow.clock import Clocked

    class Order:  # the fields of ``Clocked`` on a plain object
        time_limit = 0
        time_limit_unit = TimeUnit.WORKING_DAY
        due_at = None
        paused_since = None

    order: Clocked = Order()  # type: ignore[assignment]
    due = clock.clock_start(order, limit=2, unit=TimeUnit.WORKING_DAY, now=at(2026, 11, 30, 10))
    assert due == clock.end_of_day(dt.date(2026, 12, 2))
    clock.clock_pause(order, now=at(2026, 12, 1, 9))
    assert clock.clock_light(order, running=True, now=at(2026, 12, 1, 10)) == Light.PAUSED
    paused = clock.clock_resume(order, now=at(2026, 12, 3, 9))
    assert paused == dt.timedelta(days=2)
    assert order.due_at == clock.end_of_day(dt.date(2026, 12, 4))  # two working days later
    assert clock.clock_light(order, running=True, now=at(2026, 12, 3, 10)) == Light.YELLOW
    assert clock.clock_light(order, running=False, now=at(2026, 12, 3, 10)) == Light.STOPPED
    assert clock.clock_resume(order, now=at(2026, 12, 3, 11)) == dt.timedelta(0)


@pytest.mark.django_db
def test_the_process_calendar_costs_no_query_until_an_override_is_saved(
    django_assert_num_queries,
):
    calendar_invalidate()
    calendar_current()  # loads the overrides once
    with django_assert_num_queries(0):
        for _ in range(20):
            clock.due_after(at(2026, 12, 1, 9), 5, TimeUnit.WORKING_DAY)
    before = clock.due_after(at(2026, 12, 1, 9), 1, TimeUnit.WORKING_DAY)
    assert before == clock.end_of_day(dt.date(2026, 12, 2))
    CalendarOverride.objects.create(day=dt.date(2026, 12, 2), is_working_day=False, reason="台风")
    # Saving the override invalidated the process calendar: the next deadline sees it.
    with django_assert_num_queries(1):
        after = clock.due_after(at(2026, 12, 1, 9), 1, TimeUnit.WORKING_DAY)
    assert after == clock.end_of_day(dt.date(2026, 12, 3))
    CalendarOverride.objects.filter(day=dt.date(2026, 12, 2)).get().delete()
    assert clock.due_after(at(2026, 12, 1, 9), 1, TimeUnit.WORKING_DAY) == before


@pytest.mark.django_db
def test_an_override_saved_in_a_transaction_that_rolls_back_leaves_no_trace(
    django_capture_on_commit_callbacks,
):
    from django.db import transaction

    start = at(2026, 12, 1, 9)
    normal = clock.end_of_day(dt.date(2026, 12, 2))
    with pytest.raises(RuntimeError), transaction.atomic():
        CalendarOverride.objects.create(day=dt.date(2026, 12, 2), is_working_day=False, reason="x")
        # Inside the transaction the override counts …
        assert clock.due_after(start, 1, TimeUnit.WORKING_DAY) == clock.end_of_day(
            dt.date(2026, 12, 3)
        )
        raise RuntimeError("rolled back")
    # … and after the rollback it does not, although no commit told the process.
    assert clock.due_after(start, 1, TimeUnit.WORKING_DAY) == normal
    # A committed change is kept again once it is committed.
    with django_capture_on_commit_callbacks(execute=True):
        CalendarOverride.objects.create(day=dt.date(2026, 12, 2), is_working_day=False, reason="y")
    calendar_current()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert clock.due_after(start, 1, TimeUnit.WORKING_DAY) == clock.end_of_day(
            dt.date(2026, 12, 3)
        )
    assert len(queries) == 0
