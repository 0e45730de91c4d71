"""A unit's own office hours on the kernel's clock: checked once, used by every working-hour
computation, and nothing changes for callers that give none."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from onewindow.core.errors import ValidationFailed
from onewindow.workcal.calendar import WorkingCalendar
from onewindow.workflow import clock
from onewindow.workflow.clock import TimeUnit

CAL = WorkingCalendar()
OWN = [("08:30", "12:00"), ("14:30", "18:00")]
OWN_SPANS = [(dt.time(8, 30), dt.time(12, 0)), (dt.time(14, 30), dt.time(18, 0))]


def at(*args: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))


def codes(value: object) -> list[tuple[str, str]]:
    return [(e.field, e.code) for e in clock.office_hours_errors(value)]


def test_valid_office_hours_have_no_errors_and_parse_to_spans():
    assert codes([]) == []
    assert codes(OWN) == []
    assert codes([["09:00", "12:00"], ["12:00", "17:30"]]) == []  # touching is not overlapping
    assert clock.office_hours_spans(OWN) == OWN_SPANS
    assert clock.office_hours_spans([]) == clock.working_hours()
    assert clock.office_hours_spans(None) == [
        (dt.time(9, 0), dt.time(12, 0)),
        (dt.time(13, 30), dt.time(17, 30)),
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("09:00-12:00", [("office_hours", "invalid")]),
        ({"a": 1}, [("office_hours", "invalid")]),
        ([["09:00"]], [("office_hours[0]", "invalid")]),
        ([[9, 12]], [("office_hours[0]", "invalid")]),
        ([["9:00", "12:00"]], [("office_hours[0]", "invalid_time")]),
        ([["09:00", "24:00"]], [("office_hours[0]", "invalid_time")]),
        ([["09:00", "12:60"]], [("office_hours[0]", "invalid_time")]),
        ([["09:00\x00", "12:00"]], [("office_hours[0]", "invalid_time")]),
        ([["12:00", "09:00"]], [("office_hours[0]", "empty_span")]),
        ([["09:00", "09:00"]], [("office_hours[0]", "empty_span")]),
        ([["09:00", "12:00"], ["11:00", "17:00"]], [("office_hours[1]", "overlap")]),
        ([["13:30", "17:30"], ["09:00", "12:00"]], [("office_hours[1]", "overlap")]),
        ([["08:00", "09:00"]] * 7, [("office_hours", "too_many")]),
        (
            [["09:00", "12:00"], ["bad", "x"], ["12:30", "12:00"]],
            [("office_hours[1]", "invalid_time"), ("office_hours[2]", "empty_span")],
        ),
    ],
)
def test_bad_office_hours_are_located(value, expected):
    assert codes(value) == expected


def test_an_overlap_says_both_spans_in_both_languages():
    (error,) = clock.office_hours_errors([["09:00", "12:00"], ["11:00", "17:00"]])
    text = str(error)
    assert "11:00" in text and "12:00" in text
    assert "Span 2 opens at 11:00, before span 1 closes at 12:00" in text


def test_invalid_office_hours_are_refused_by_the_clock():
    with pytest.raises(ValidationFailed) as caught:
        clock.due_after(at(2026, 11, 27, 16), 4, TimeUnit.WORKING_HOUR, CAL, [("17:00", "09:00")])
    assert caught.value.code == "invalid_office_hours"
    assert [e.code for e in caught.value.errors] == ["empty_span"]


def test_a_units_own_hours_count_instead_of_the_platforms():
    friday = at(2026, 11, 27, 16, 0)
    # The platform's: 16:00–17:30 on Friday, then Monday 09:00–11:30.
    assert clock.due_after(friday, 4, TimeUnit.WORKING_HOUR, CAL) == at(2026, 11, 30, 11, 30)
    # The unit's: 16:00–18:00 on Friday, then Monday 08:30–10:30.
    assert clock.due_after(friday, 4, TimeUnit.WORKING_HOUR, CAL, OWN) == at(2026, 11, 30, 10, 30)
    assert clock.add_working_hours(friday, 4, CAL, OWN_SPANS) == at(2026, 11, 30, 10, 30)
    # Monday 12:00–14:30 is the unit's lunch.
    assert clock.add_working_hours(at(2026, 11, 30, 11, 0), 2, CAL, OWN_SPANS) == at(
        2026, 11, 30, 15, 30
    )
    assert clock.working_hours_between(
        friday, at(2026, 11, 30, 10, 30), CAL, OWN_SPANS
    ) == dt.timedelta(hours=4)
    assert clock.working_hours_between(friday, at(2026, 11, 30, 10, 30), CAL) == dt.timedelta(
        hours=3
    )
    # Other units do not depend on office hours.
    assert clock.due_after(friday, 7, TimeUnit.WORKING_DAY, CAL, OWN) == clock.end_of_day(
        dt.date(2026, 12, 8)
    )
    assert clock.due_after(friday, 3, TimeUnit.HOUR, CAL, OWN) == at(2026, 11, 27, 19, 0)


def test_a_pause_moves_the_deadline_by_the_units_office_hours_it_covered():
    due = at(2026, 11, 30, 16, 0)
    # Paused Monday 08:00–11:00: 2.5 of the unit's office hours (from 08:30), 2 of the
    # platform's (from 09:00).
    moved = clock.extend_due(
        due,
        TimeUnit.WORKING_HOUR,
        working_days=0,
        paused=dt.timedelta(hours=3),
        calendar=CAL,
        paused_from=at(2026, 11, 30, 8, 0),
        office_hours=OWN,
    )
    assert moved == at(2026, 12, 1, 9, 0)  # 16:00–18:00, then Tuesday 08:30–09:00
    default = clock.extend_due(
        due,
        TimeUnit.WORKING_HOUR,
        working_days=0,
        paused=dt.timedelta(hours=3),
        calendar=CAL,
        paused_from=at(2026, 11, 30, 8, 0),
    )
    assert default == at(2026, 12, 1, 9, 30)  # 16:00–17:30, then Tuesday 09:00–09:30


@pytest.mark.django_db
def test_a_clocked_record_runs_on_its_units_hours():
    from onewindow.hotline.models import WorkOrder

    order = WorkOrder()
    due = clock.clock_start(
        order, limit=4, unit=TimeUnit.WORKING_HOUR, now=at(2026, 11, 27, 16), office_hours=OWN
    )
    assert due == order.due_at == at(2026, 11, 30, 10, 30)
    clock.clock_pause(order, now=at(2026, 11, 30, 8, 0))
    clock.clock_resume(order, now=at(2026, 11, 30, 9, 0), office_hours=OWN)
    assert order.due_at == at(2026, 11, 30, 11, 0)  # 08:30–09:00 covered: half an hour later
