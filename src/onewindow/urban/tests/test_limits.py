"""Grid case limits to the minute: working hours across a weekend, a holiday and its make-up
working day, working days, a unit's own office hours, and the illegal-building stages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from onewindow.hotline.codes import UnitKind
from onewindow.hotline.models import HandlingUnit
from onewindow.testing.factories import DepartmentFactory
from onewindow.testing.grid_factories import category_make, unit_make
from onewindow.urban.limits import office_hours_of, stage_due, stages_plan
from onewindow.workcal.models import CalendarOverride
from onewindow.workflow.clock import TimeUnit

WH, WD = TimeUnit.WORKING_HOUR, TimeUnit.WORKING_DAY
OWN = [("08:30", "12:00"), ("14:30", "18:00")]
ILLEGAL_BUILDING = (("停工", 4, WH), ("处罚", 7, WD), ("拆除", 20, WD))

pytestmark = pytest.mark.django_db


def at(*args: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))


def close_of(year: int, month: int, day: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, 23, 59, 59))


def test_four_working_hours_from_friday_afternoon_end_on_monday_morning():
    # Default hours 09:00–12:00 and 13:30–17:30: Friday 16:00–17:30 (1.5 h), Monday
    # 09:00–11:30 (2.5 h).
    assert stage_due(start=at(2026, 11, 27, 16, 0), limit=4, unit=WH) == at(2026, 11, 30, 11, 30)
    # Reported on Saturday evening: the count starts at Monday's opening.
    assert stage_due(start=at(2026, 11, 28, 20, 0), limit=4, unit=WH) == at(2026, 11, 30, 14, 30)


def test_working_hours_skip_national_day_and_count_its_make_up_saturday():
    # Wednesday 30 September 16:00: 1.5 h that day; 1–7 October off; Thursday 8 October.
    assert stage_due(start=at(2026, 9, 30, 16, 0), limit=4, unit=WH) == at(2026, 10, 8, 11, 30)
    # Friday 9 October 16:00: Saturday 10 October is a make-up working day (调休).
    assert stage_due(start=at(2026, 10, 9, 16, 0), limit=4, unit=WH) == at(2026, 10, 10, 11, 30)
    # Friday 18 September 16:00: Sunday 20 September is worked for the Mid-Autumn holiday.
    assert stage_due(start=at(2026, 9, 18, 16, 0), limit=4, unit=WH) == at(2026, 9, 20, 11, 30)


def test_working_hours_across_the_spring_festival():
    friday = at(2026, 2, 13, 16, 0)
    # Saturday 14 February is worked; the holiday runs 15–23 February.
    assert stage_due(start=friday, limit=4, unit=WH) == at(2026, 2, 14, 11, 30)
    assert stage_due(start=friday, limit=8.5, unit=WH) == at(2026, 2, 14, 17, 30)
    # 1.5 h Friday + 7 h Saturday, then Tuesday 24 February 09:00–12:00 and 13:30–14:00.
    assert stage_due(start=friday, limit=12, unit=WH) == at(2026, 2, 24, 14, 0)


def test_seven_working_days():
    # From Friday 27 November: 30 Nov, 1, 2, 3, 4, 7, 8 December.
    assert stage_due(start=at(2026, 11, 27, 16, 0), limit=7, unit=WD) == close_of(2026, 12, 8)
    # From 30 September: 8, 9, 10 (the make-up Saturday), 12, 13, 14, 15 October.
    assert stage_due(start=at(2026, 9, 30, 10, 0), limit=7, unit=WD) == close_of(2026, 10, 15)


def test_a_local_closure_moves_a_working_hour_deadline():
    CalendarOverride.objects.create(day=dt.date(2026, 11, 30), is_working_day=False, reason="台风")
    assert stage_due(start=at(2026, 11, 27, 16, 0), limit=4, unit=WH) == at(2026, 12, 1, 11, 30)


def test_a_unit_with_its_own_hours():
    own = unit_make(kind=UnitKind.STREET)
    HandlingUnit.objects.filter(department=own).update(office_hours=[list(p) for p in OWN])
    plain = unit_make(kind=UnitKind.FUNCTIONAL)
    assert office_hours_of(own) == OWN
    assert office_hours_of(own.pk) == OWN
    assert office_hours_of(plain) == []
    assert office_hours_of(DepartmentFactory()) == []  # no HandlingUnit row
    assert office_hours_of(None) == []
    friday = at(2026, 11, 27, 16, 0)
    # Friday 16:00–18:00 (2 h), Monday 08:30–10:30.
    assert stage_due(start=friday, limit=4, unit=WH, office_hours=office_hours_of(own)) == at(
        2026, 11, 30, 10, 30
    )
    # 6 h: Friday 2 h, Monday 08:30–12:00 (3.5 h), the lunch to 14:30 not counted, 0.5 h.
    assert stage_due(start=friday, limit=6, unit=WH, office_hours=OWN) == at(2026, 11, 30, 15, 0)
    assert stage_due(start=friday, limit=4, unit=WH, office_hours=office_hours_of(plain)) == at(
        2026, 11, 30, 11, 30
    )


def test_the_illegal_building_stages_planned_from_a_friday_afternoon():
    category = category_make(
        kind="event", code="E0301", name="违法建设", major_name="施工管理", stages=ILLEGAL_BUILDING
    )
    start = at(2026, 9, 18, 16, 0)  # Friday
    plan = stages_plan(start=start, stages=category.stages.order_by("order"))
    assert [(p.order, p.name, p.limit, p.unit) for p in plan] == [
        (1, "停工", 4, WH),
        (2, "处罚", 7, WD),
        (3, "拆除", 20, WD),
    ]
    assert [(p.starts_at, p.due_at) for p in plan] == [
        # Friday 16:00–17:30, then the make-up Sunday 20 September 09:00–11:30.
        (start, at(2026, 9, 20, 11, 30)),
        # 21, 22, 23, 24, (25 Mid-Autumn, 26, 27 off) 28, 29, 30 September.
        (at(2026, 9, 20, 11, 30), close_of(2026, 9, 30)),
        # 8, 9, 10 (make-up Saturday), 12–16, 19–23, 26–30 October, 2, 3 November.
        (close_of(2026, 9, 30), close_of(2026, 11, 3)),
    ]
    # Tuples plan the same; a unit's own hours change only the working-hour stage.
    own = stages_plan(start=start, stages=ILLEGAL_BUILDING, office_hours=OWN)
    assert [p.due_at for p in own] == [
        at(2026, 9, 20, 10, 30),
        close_of(2026, 9, 30),
        close_of(2026, 11, 3),
    ]
    assert stages_plan(start=start, stages=[]) == []
