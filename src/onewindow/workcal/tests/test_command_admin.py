"""The ``calendar_year`` command and the calendar overrides in the admin."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import translation

from onewindow.core.models import AuditLog
from onewindow.org.models import Role
from onewindow.testing.factories import CentreFactory, staff_with_role
from onewindow.workcal.models import CalendarOverride

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


D = dt.date


@pytest.fixture
def manager():
    return staff_with_role(Role.CENTRE_MANAGER, centre=CentreFactory())


def run(*args):
    from io import StringIO

    out = StringIO()
    call_command("calendar_year", *args, stdout=out)
    return out.getvalue()


def test_command_loads_a_year(tmp_path, manager):
    path = tmp_path / "2027.csv"
    path.write_text("date,working,reason\n2027-10-01,0,国庆节\n2027-10-09,1,调休上班\n")
    output = run("2027", str(path), "--user", manager.username)
    assert "2 days set, 0 removed for 2027." in output
    assert "does not cover 2027" in output
    assert list(CalendarOverride.objects.values_list("day", "is_working_day", "created_by")) == [
        (D(2027, 10, 1), False, manager.pk),
        (D(2027, 10, 9), True, manager.pk),
    ]


def test_command_check_only_writes_nothing(tmp_path, manager):
    path = tmp_path / "2027.csv"
    path.write_text("2027-10-01,0,国庆节\n")
    output = run("2027", str(path), "--user", manager.username, "--check-only")
    assert output.strip() == "The file is correct (1 days)."
    assert CalendarOverride.objects.count() == 0


def test_command_rejects_the_whole_file_listing_lines(tmp_path, manager):
    path = tmp_path / "2027.csv"
    path.write_text("2027-10-01,0,国庆节\n2027-10-02,2,国庆节\n2027-02-30,0,春节\n")
    from io import StringIO

    out = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("calendar_year", "2027", str(path), "--user", manager.username, stdout=out)
    assert "nothing was loaded" in str(caught.value)
    lines = out.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines] == ["line 2", "line 3"]
    assert "Write 1 for a working day or 0 for a day off, not 2." in lines[0]
    assert CalendarOverride.objects.count() == 0


def test_command_needs_a_user_allowed_to_edit_the_calendar(tmp_path):
    clerk = staff_with_role(Role.INTAKE_CLERK, centre=CentreFactory())
    path = tmp_path / "2027.csv"
    path.write_text("2027-10-01,0,国庆节\n")
    with pytest.raises(CommandError, match=r"You are not allowed to do this\."):
        run("2027", str(path), "--user", clerk.username)
    with pytest.raises(CommandError, match=r"No user nobody\."):
        run("2027", str(path), "--user", "nobody")
    with pytest.raises(CommandError, match="No such file"):
        run("2027", str(tmp_path / "missing.csv"), "--user", clerk.username)
    assert CalendarOverride.objects.count() == 0
    assert AuditLog.objects.filter(actor=clerk, action="denied:calendar.edit").count() == 1


URL = "/admin/workcal/calendaroverride/"


def test_manager_adds_changes_and_deletes_in_the_admin(manager):
    client = Client()
    client.force_login(manager)
    assert client.get(URL).status_code == 200
    response = client.post(
        f"{URL}add/", {"day": "2027-03-01", "is_working_day": "", "reason": "台风停工"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    row = CalendarOverride.objects.get()
    assert (row.day, row.is_working_day, row.reason, row.created_by) == (
        D(2027, 3, 1),
        False,
        "台风停工",
        manager,
    )
    response = client.post(
        f"{URL}{row.pk}/change/",
        {"day": "2027-03-08", "is_working_day": "on", "reason": "恢复办公"},
    )
    assert response.status_code == 302
    row.refresh_from_db()
    # The day is read-only on change: the posted day is ignored.
    assert (row.day, row.is_working_day, row.reason) == (D(2027, 3, 1), True, "恢复办公")
    response = client.post(f"{URL}{row.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert CalendarOverride.objects.count() == 0
    assert list(
        AuditLog.objects.filter(action__startswith="workcal.").order_by("id").values_list("action")
    ) == [("workcal.override_set",), ("workcal.override_set",), ("workcal.override_remove",)]


def test_admin_form_shows_the_service_error_for_a_blank_reason(manager):
    client = Client()
    client.force_login(manager)
    response = client.post(f"{URL}add/", {"day": "2027-03-01", "reason": "   "})
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["reason"]
    assert CalendarOverride.objects.count() == 0


def test_clerk_cannot_open_the_calendar_admin():
    row = CalendarOverride.objects.create(day=D(2027, 3, 1), is_working_day=False, reason="x")
    client = Client()
    client.force_login(staff_with_role(Role.INTAKE_CLERK, centre=CentreFactory()))
    assert client.get(URL).status_code == 403
    assert client.post(f"{URL}{row.pk}/delete/", {"post": "yes"}).status_code == 403
    assert (
        client.post(
            f"{URL}add/", {"day": "2027-03-02", "is_working_day": "on", "reason": "x"}
        ).status_code
        == 403
    )
    assert list(CalendarOverride.objects.values_list("day", flat=True)) == [D(2027, 3, 1)]
