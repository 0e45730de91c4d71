"""Local overrides: who may edit them, what they change, and that every change is audited."""

import datetime as dt

import pytest

from onewindow.core.errors import NotFoundOrForbidden, PermissionDenied, ValidationFailed
from onewindow.core.models import AuditLog
from onewindow.org.models import Role
from onewindow.testing.factories import CentreFactory, DepartmentFactory, staff_with_role
from onewindow.workcal.calendar import WorkingCalendar
from onewindow.workcal.models import CalendarOverride
from onewindow.workcal.services import (
    calendar_file_parse,
    calendar_override_remove,
    calendar_override_set,
    calendar_year_apply,
)

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def manager():
    return staff_with_role(Role.CENTRE_MANAGER, centre=CentreFactory())


def test_manager_closes_a_day_and_opens_it_again(manager):
    monday = D(2027, 3, 1)
    assert WorkingCalendar.load(monday, monday).is_working_day(monday) is True
    row = calendar_override_set(
        day=monday, is_working_day=False, reason=" 台风停工 ", actor=manager
    )
    assert (row.day, row.is_working_day, row.reason, row.created_by) == (
        monday,
        False,
        "台风停工",
        manager,
    )
    assert WorkingCalendar.load(monday, monday).is_working_day(monday) is False

    calendar_override_set(day=monday, is_working_day=True, reason="恢复办公", actor=manager)
    assert CalendarOverride.objects.count() == 1
    assert WorkingCalendar.load(monday, monday).is_working_day(monday) is True

    calendar_override_remove(day=monday, actor=manager)
    assert CalendarOverride.objects.count() == 0
    audit = list(
        AuditLog.objects.filter(actor=manager).order_by("id").values_list("action", "detail")
    )
    assert audit == [
        (
            "workcal.override_set",
            {
                "day": "2027-03-01",
                "is_working_day": False,
                "reason": "台风停工",
                "previous": None,
            },
        ),
        (
            "workcal.override_set",
            {
                "day": "2027-03-01",
                "is_working_day": True,
                "reason": "恢复办公",
                "previous": {"is_working_day": False, "reason": "台风停工"},
            },
        ),
        (
            "workcal.override_remove",
            {"day": "2027-03-01", "previous": {"is_working_day": True, "reason": "恢复办公"}},
        ),
    ]


def test_an_override_beats_the_official_calendar():
    admin = staff_with_role(Role.ADMIN)
    national_day = D(2026, 10, 1)
    assert WorkingCalendar().is_working_day(national_day) is False
    calendar_override_set(day=national_day, is_working_day=True, reason="测试", actor=admin)
    assert WorkingCalendar.load_all().is_working_day(national_day) is True


@pytest.mark.parametrize(
    "role,scope",
    [
        (Role.INTAKE_CLERK, "centre"),
        (Role.DEPT_LEAD, "department"),
        (Role.AUDITOR, None),
    ],
)
def test_other_roles_are_refused_audited_and_nothing_changes(role, scope):
    kwargs = {"centre": CentreFactory()} if scope == "centre" else {}
    if scope == "department":
        kwargs = {"department": DepartmentFactory()}
    user = staff_with_role(role, **kwargs)
    CalendarOverride.objects.create(day=D(2027, 5, 3), is_working_day=False, reason="劳动节")
    with pytest.raises(PermissionDenied):
        calendar_override_set(day=D(2027, 5, 4), is_working_day=False, reason="x", actor=user)
    with pytest.raises(PermissionDenied):
        calendar_override_remove(day=D(2027, 5, 3), actor=user)
    with pytest.raises(PermissionDenied):
        calendar_year_apply(year=2027, lines=[], actor=user, replace=True)
    assert list(CalendarOverride.objects.values_list("day", flat=True)) == [D(2027, 5, 3)]
    assert (
        list(AuditLog.objects.filter(actor=user).values_list("action", "allowed"))
        == [("denied:calendar.edit", False)] * 3
    )


def test_reason_is_required_and_bounded(manager):
    with pytest.raises(ValidationFailed) as caught:
        calendar_override_set(day=D(2027, 1, 4), is_working_day=False, reason="  ", actor=manager)
    assert [(e.field, e.code) for e in caught.value.errors] == [("reason", "required")]
    assert caught.value.as_dict()["message_en"] == "The calendar day cannot be saved."
    with pytest.raises(ValidationFailed) as caught:
        calendar_override_set(
            day=D(2027, 1, 4), is_working_day=False, reason="长" * 129, actor=manager
        )
    assert [(e.field, e.code) for e in caught.value.errors] == [("reason", "too_long")]
    assert CalendarOverride.objects.count() == 0
    assert not AuditLog.objects.filter(action__startswith="workcal.").exists()


def test_removing_a_day_without_override_is_not_found(manager):
    with pytest.raises(NotFoundOrForbidden):
        calendar_override_remove(day=D(2027, 1, 4), actor=manager)


GOOD_FILE = """date,working,reason
# National Day week, as an example of the format
2027-10-01,0,国庆节
2027-10-04,0,"国庆节, 调休"
2027-10-09,1,国庆节调休上班

"""


def test_parse_a_good_file():
    lines = calendar_file_parse(text="\ufeff" + GOOD_FILE, year=2027)
    assert [(line.line, line.day, line.is_working_day, line.reason) for line in lines] == [
        (3, D(2027, 10, 1), False, "国庆节"),
        (4, D(2027, 10, 4), False, "国庆节, 调休"),
        (5, D(2027, 10, 9), True, "国庆节调休上班"),
    ]


def test_a_bad_file_lists_every_bad_line():
    text = "\n".join(
        [
            "2027-10-01,0,国庆节",
            "2027-13-01,0,没有十三月",
            "2026-10-01,0,去年",
            "2027-10-01,1,重复",
            "2027-10-02,yes,国庆节",
            "2027-10-03,0,",
            "2027-10-05,0",
            "20271006,0,格式",
        ]
    )
    with pytest.raises(ValidationFailed) as caught:
        calendar_file_parse(text=text, year=2027)
    assert [(e.row, e.field, e.code) for e in caught.value.errors] == [
        (2, "date", "invalid_date"),
        (3, "date", "other_year"),
        (4, "date", "duplicate"),
        (5, "working", "invalid_choice"),
        (6, "reason", "required"),
        (7, "line", "columns"),
        (8, "date", "invalid_date"),
    ]
    assert caught.value.errors[2].as_dict()["message_en"] == (
        "2027-10-01 is already given on line 1."
    )


def test_an_empty_file_is_an_error():
    with pytest.raises(ValidationFailed) as caught:
        calendar_file_parse(text="date,working,reason\n# nothing\n", year=2027)
    assert [(e.row, e.code) for e in caught.value.errors] == [(1, "empty")]


def test_apply_a_year_and_replace_it(manager):
    CalendarOverride.objects.create(day=D(2027, 12, 31), is_working_day=False, reason="旧")
    CalendarOverride.objects.create(day=D(2028, 1, 3), is_working_day=False, reason="明年")
    lines = calendar_file_parse(text=GOOD_FILE, year=2027)
    assert calendar_year_apply(year=2027, lines=lines, actor=manager, source="f.csv") == {
        "set": 3,
        "removed": 0,
    }
    calendar = WorkingCalendar.load(D(2027, 1, 1), D(2028, 12, 31))
    # Saturday 9 October 2027 is worked; Monday 4 October is off.
    assert calendar.is_working_day(D(2027, 10, 9)) is True
    assert calendar.is_working_day(D(2027, 10, 4)) is False
    assert calendar.add_working_days(D(2027, 9, 30), 2) == D(2027, 10, 6)

    assert calendar_year_apply(year=2027, lines=lines[:1], actor=manager, replace=True) == {
        "set": 1,
        "removed": 3,
    }
    assert list(CalendarOverride.objects.values_list("day", flat=True)) == [
        D(2027, 10, 1),
        D(2028, 1, 3),
    ]
    removed = AuditLog.objects.filter(action="workcal.override_remove").values_list(
        "object_repr", flat=True
    )
    assert sorted(removed) == [
        "2027-10-04 国庆节, 调休",
        "2027-10-09 国庆节调休上班",
        "2027-12-31 旧",
    ]
    set_rows = AuditLog.objects.filter(action="workcal.override_set")
    assert set_rows.count() == 4
    assert set_rows.order_by("id").first().detail["source"] == "f.csv"


def test_apply_refuses_lines_of_another_year(manager):
    lines = calendar_file_parse(text=GOOD_FILE, year=2027)
    with pytest.raises(ValidationFailed):
        calendar_year_apply(year=2028, lines=lines, actor=manager)
    assert CalendarOverride.objects.count() == 0
