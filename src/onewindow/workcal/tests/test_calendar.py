import datetime as dt

import pytest

from onewindow.workcal.calendar import WorkingCalendar, official_calendar_covers
from onewindow.workcal.models import CalendarOverride

D = dt.date


def test_national_day_2026_with_make_up_working_days():
    cal = WorkingCalendar()
    # 2026 National Day: 1–7 October off; Saturday 10 October worked (调休).
    assert [cal.is_working_day(D(2026, 10, day)) for day in range(1, 12)] == [
        False,
        False,
        False,
        False,
        False,
        False,
        False,
        True,
        True,
        True,
        False,
    ]
    assert cal.is_working_day(D(2026, 9, 28)) is True  # Monday after Mid-Autumn
    # Accepted on 30 September: five working days later is 13 October, counting the
    # make-up Saturday 10 October.
    assert cal.add_working_days(D(2026, 9, 30), 5) == D(2026, 10, 13)


def test_spring_festival_2026():
    cal = WorkingCalendar()
    # Accepted on Friday 13 February 2026; the holiday runs 15–23 February, with Saturday
    # 14 February and Saturday 28 February worked.
    assert cal.add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert cal.add_working_days(D(2026, 2, 13), 2) == D(2026, 2, 24)


def test_zero_days_and_negative():
    cal = WorkingCalendar()
    assert cal.add_working_days(D(2026, 3, 2), 0) == D(2026, 3, 2)
    with pytest.raises(ValueError):
        cal.add_working_days(D(2026, 3, 2), -1)


def test_working_days_between_is_the_inverse_of_adding():
    cal = WorkingCalendar()
    start = D(2026, 9, 25)
    for days in range(0, 30):
        end = cal.add_working_days(start, days)
        assert cal.working_days_between(start, end) == days
    assert cal.working_days_between(D(2026, 10, 13), D(2026, 9, 30)) == -5


def test_previous_and_next_working_day():
    cal = WorkingCalendar()
    assert cal.previous_working_day(D(2026, 10, 8)) == D(2026, 9, 30)
    assert cal.next_working_day(D(2026, 10, 1)) == D(2026, 10, 8)
    assert cal.next_working_day(D(2026, 10, 10), include_today=True) == D(2026, 10, 10)


def test_a_year_beyond_the_official_data_falls_back_to_weekdays():
    assert official_calendar_covers(2026) is True
    assert official_calendar_covers(2099) is False
    cal = WorkingCalendar()
    assert cal.is_working_day(D(2099, 1, 1)) is True  # a Thursday, no data: weekday
    assert cal.is_working_day(D(2099, 1, 3)) is False  # a Saturday


@pytest.mark.django_db
def test_local_overrides_take_precedence():
    CalendarOverride.objects.create(day=D(2026, 10, 12), is_working_day=False, reason="台风停工")
    CalendarOverride.objects.create(day=D(2099, 1, 1), is_working_day=False, reason="元旦")
    cal = WorkingCalendar.load(D(2026, 1, 1), D(2099, 12, 31))
    assert cal.is_working_day(D(2026, 10, 12)) is False
    assert cal.is_working_day(D(2099, 1, 1)) is False
    assert cal.add_working_days(D(2026, 9, 30), 5) == D(2026, 10, 14)


@pytest.mark.django_db
def test_calendar_gaps_name_the_years_nobody_has_loaded():
    from onewindow.workcal.calendar import calendar_gaps

    assert calendar_gaps(D(2026, 11, 23)) == [2027]
    CalendarOverride.objects.create(day=D(2027, 2, 8), is_working_day=False, reason="春节")
    assert calendar_gaps(D(2026, 11, 23)) == []
    assert calendar_gaps(D(2026, 3, 1), years_ahead=0) == []
