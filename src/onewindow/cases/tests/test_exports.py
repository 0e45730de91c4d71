"""The supervision board and the department queue exported as official reports (Excel, PDF):
who may export (permission first, nothing exported or audited as an export otherwise), what the
file holds (every row of the user's scope, in the page's order, no personal data), the audit
row, and a bounded number of queries."""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from onewindow.cases.models import Case
from onewindow.cases.services import case_accept, task_claim
from onewindow.core.models import AuditLog
from onewindow.org.models import Role
from onewindow.reports.tests.test_reports import pdf_pages
from onewindow.testing.factories import staff_with_role

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# A Wednesday morning of an ordinary working week.
MOMENT = dt.datetime(2026, 11, 18, 10, 0, tzinfo=SHANGHAI)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def url(name: str) -> str:
    return reverse(f"cases_staff:{name}")


@pytest.fixture
def frozen():
    with time_machine.travel(MOMENT, tick=False):
        yield MOMENT


def three_cases(city) -> list[Case]:
    """Three accepted lift cases: one overdue, two on time (due in 10 and 20 days)."""
    cases = [case_accept(intake=city.intake()) for _ in range(3)]
    for case, days in zip(cases, (-1, 10, 20), strict=True):
        Case.objects.filter(pk=case.pk).update(due_at=MOMENT + dt.timedelta(days=days))
    return cases


def sheet_rows(response) -> list[list]:
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def manager_of(city):
    return staff_with_role(Role.CENTRE_MANAGER, centre=city.street_centre)


# --- the supervision board ------------------------------------------------------------------


def test_the_board_exports_every_open_case_of_the_managers_centre(client, city, frozen):
    red, green, later = three_cases(city)
    manager = manager_of(city)
    client.force_login(manager)
    rows = sheet_rows(client.get(url("supervision_export"), {"format": "xlsx"}))
    empty = [None] * 7
    assert rows == [
        ["电子监察在办件清单", *empty[1:]],
        ["单位：街道中心", *empty[1:]],
        ["统计期间：截至 2026-11-18 10:00", *empty[1:]],
        ["生成时间：2026-11-18 10:00", *empty[1:]],
        empty,
        ["时限预警", "办件号", "事项", "部门", "服务中心", "状态", "承诺办结时间"],
        [
            "已超期",
            red.number,
            "既有住宅增设电梯",
            "区住房和建设局",
            "街道中心",
            "已受理，办理中",
            "2026-11-17",
        ],
        [
            "正常",
            green.number,
            "既有住宅增设电梯",
            "区住房和建设局",
            "街道中心",
            "已受理，办理中",
            "2026-11-28",
        ],
        [
            "正常",
            later.number,
            "既有住宅增设电梯",
            "区住房和建设局",
            "街道中心",
            "已受理，办理中",
            "2026-12-08",
        ],
        empty,
        ["办件数：3", *empty[1:]],
    ]
    export = AuditLog.objects.get(action="cases.supervision_export")
    assert (export.actor, export.object_id, export.object_repr, export.detail) == (
        manager,
        "supervision.cases",
        "电子监察在办件清单",
        {"format": "xlsx", "table": "cases", "light": "", "rows": 3},
    )
    # No personal data of the applicant in the file.
    content = load_workbook(
        io.BytesIO(client.get(url("supervision_export"), {"format": "xlsx"}).content)
    )
    cells = " ".join(str(c.value) for row in content.active.iter_rows() for c in row)
    assert city.person.name not in cells and city.person.id_number_masked not in cells


def test_the_board_exports_one_light_and_the_counts_by_department_as_pdf(
    client, city, frozen, tmp_path
):
    red, _, _ = three_cases(city)
    client.force_login(manager_of(city))
    response = client.get(url("supervision_export"), {"format": "pdf", "light": "red"})
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="supervision-cases_20261118.pdf"; '
        "filename*=UTF-8''%E7%94%B5%E5%AD%90%E7%9B%91%E5%AF%9F%E5%9C%A8%E5%8A%9E%E4%BB%B6"
        "%E6%B8%85%E5%8D%95_20261118.pdf"
    )
    lines = pdf_pages(response.content, tmp_path)[0]
    assert lines[:4] == [
        "电子监察在办件清单",
        "单位：街道中心",
        "统计期间：截至 2026-11-18 10:00",
        "生成时间：2026-11-18 10:00",
    ]
    assert red.number in lines and "所选灯色：已超期" in lines and "办件数：1" in lines
    rows = sheet_rows(
        client.get(url("supervision_export"), {"format": "xlsx", "table": "departments"})
    )
    assert rows[0][0] == "电子监察分部门统计"
    assert rows[5:] == [
        ["部门", "已超期", "1个工作日内到期", "暂停计时", "正常", "合计"],
        ["区住房和建设局", 1, 0, 0, 2, 3],
        ["合计", 1, 0, 0, 2, 3],
    ]


def test_a_board_export_is_refused_before_anything_is_read_or_exported(client, city, frozen):
    three_cases(city)
    response = client.get(url("supervision_export"), {"format": "xlsx"})
    assert response.status_code == 302 and "/staff/sign-in/" in response["Location"]
    client.force_login(city.clerk)
    response = client.get(url("supervision_export"), {"format": "xlsx"})
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
    # Refused before the format is even looked at.
    assert client.get(url("supervision_export"), {"format": "csv"}).status_code == 403
    assert AuditLog.objects.filter(action="cases.supervision_export").count() == 0
    assert AuditLog.objects.filter(actor=city.clerk, action="denied:case.supervise").count() == 2


def test_an_unknown_export_format_answers_400_with_a_clear_message(client, city):
    client.force_login(manager_of(city))
    response = client.get(url("supervision_export"), {"format": "docx"})
    assert response.status_code == 400
    assert (
        "不提供此导出格式。请在页面上选择 Excel（xlsx）或 PDF（pdf）。" in response.content.decode()
    )
    assert AuditLog.objects.filter(action="cases.supervision_export").count() == 0


def test_an_unknown_export_table_answers_400_with_a_clear_message(client, city):
    client.force_login(manager_of(city))
    response = client.get(url("supervision_export"), {"format": "xlsx", "table": "people"})
    assert response.status_code == 400
    assert "This table is not offered for export." in response.content.decode()
    assert AuditLog.objects.filter(action="cases.supervision_export").count() == 0


def test_another_centres_manager_exports_none_of_these_cases(client, city, frozen):
    from onewindow.cases.tests.test_staff_pages import other_street_clerk

    three_cases(city)
    stranger = staff_with_role(
        Role.CENTRE_MANAGER, centre=other_street_clerk().role_assignments.get().centre
    )
    client.force_login(stranger)
    rows = sheet_rows(client.get(url("supervision_export"), {"format": "xlsx"}))
    assert rows[5:] == [
        ["时限预警", "办件号", "事项", "部门", "服务中心", "状态", "承诺办结时间"],
        [None] * 7,
        ["办件数：0", *[None] * 6],
    ]


def test_a_board_export_beyond_the_maximum_is_cut_and_says_so(client, city, frozen, monkeypatch):
    from onewindow.reports.report import EXPORT_LIMITS

    cases = three_cases(city)
    monkeypatch.setitem(EXPORT_LIMITS, "xlsx", 2)
    client.force_login(manager_of(city))
    rows = sheet_rows(client.get(url("supervision_export"), {"format": "xlsx"}))
    assert [row[1] for row in rows[6:8]] == [cases[0].number, cases[1].number]
    assert rows[8:] == [
        [None] * 7,
        ["办件数：3", *[None] * 6],
        ["仅导出了全部 3 行中的前 2 行。请在页面上缩小筛选范围，分批导出。", *[None] * 6],
    ]


def test_the_board_export_reads_a_constant_number_of_queries(
    client, city, frozen, django_assert_max_num_queries
):
    client.force_login(manager_of(city))
    three_cases(city)
    client.get(url("supervision_export"), {"format": "xlsx"})  # warm the session
    with django_assert_max_num_queries(8):
        assert client.get(url("supervision_export"), {"format": "xlsx"}).status_code == 200
    for _ in range(6):
        case_accept(intake=city.intake())
    with django_assert_max_num_queries(8):
        response = client.get(url("supervision_export"), {"format": "xlsx"})
    assert len(sheet_rows(response)) == 11 + 6


def test_the_board_offers_its_exports(client, city):
    client.force_login(manager_of(city))
    case_accept(intake=city.intake())
    page = client.get(url("supervision"), {"light": "green"}).content.decode()
    export = url("supervision_export")
    assert (
        f'href="{export}?table=cases&amp;format=xlsx&amp;light=green" download>导出 Excel<' in page
    )
    assert f'href="{export}?table=cases&amp;format=pdf&amp;light=green" download>导出 PDF<' in page
    assert f'href="{export}?table=departments&amp;format=xlsx" download>导出 Excel<' in page


# --- the department queue -------------------------------------------------------------------


def test_the_queue_exports_the_departments_tasks_with_who_works_them(client, city, frozen):
    red, green, later = three_cases(city)
    department = city.joint_departments[2]
    approver = city.approvers[department.pk]
    task_claim(task=green.tasks.get(department=department), actor=approver)
    client.force_login(approver)
    assert client.get(url("queue")).status_code == 200
    rows = sheet_rows(client.get(url("queue_export"), {"format": "xlsx"}))
    assert rows[:2] == [["部门待办", *[None] * 6], ["单位：联办部门3", *[None] * 6]]
    body = rows[5:]
    assert body[0] == ["时限预警", "办件号", "事项", "环节", "部门", "截止时间", "办理人"]
    worker = approver.get_full_name() or approver.get_username()
    assert [row[1] for row in body[1:4]] == [red.number, green.number, later.number]
    assert [row[6] for row in body[1:4]] == ["待认领", worker, "待认领"]
    assert [row[4] for row in body[1:4]] == ["联办部门3"] * 3
    assert [row[3] for row in body[1:4]] == ["审查 · 联办"] * 3
    # Each step's own deadline (the joint review's), not the case's.
    assert [row[5] for row in body[1:4]] == ["2026-12-02"] * 3
    assert {row[0] for row in body[1:4]} == {"正常"}
    assert [row[2] for row in body[1:4]] == ["既有住宅增设电梯"] * 3
    assert body[4:] == [[None] * 7, ["筛选：全部", *[None] * 6], ["待办数：3", *[None] * 6]]
    mine = sheet_rows(client.get(url("queue_export"), {"format": "xlsx", "show": "mine"}))
    assert [row[1] for row in mine[6:-3]] == [green.number]
    assert AuditLog.objects.filter(action="cases.queue_export", actor=approver).count() == 2
    assert AuditLog.objects.filter(action="cases.queue_export").latest("id").detail == {
        "format": "xlsx",
        "show": "mine",
        "rows": 1,
    }


def test_a_queue_export_is_refused_to_anyone_without_a_department_role(client, city):
    case_accept(intake=city.intake())
    assert client.get(url("queue_export"), {"format": "pdf"}).status_code == 302
    for outsider in (city.clerk, manager_of(city)):
        client.force_login(outsider)
        assert client.get(url("queue_export"), {"format": "pdf"}).status_code == 403
    assert AuditLog.objects.filter(action="cases.queue_export").count() == 0


def test_the_queue_export_reads_a_constant_number_of_queries(
    client, city, django_assert_max_num_queries
):
    approver = city.approvers[city.lead_department.pk]
    client.force_login(approver)
    case_accept(intake=city.intake())
    client.get(url("queue_export"), {"format": "xlsx"})
    with django_assert_max_num_queries(9):
        client.get(url("queue_export"), {"format": "xlsx"})
    for _ in range(6):
        case_accept(intake=city.intake())
    with django_assert_max_num_queries(9):
        response = client.get(url("queue_export"), {"format": "pdf"})
    assert response["Content-Type"] == "application/pdf"


def test_the_queue_offers_its_exports(client, city):
    case_accept(intake=city.intake())
    client.force_login(city.approvers[city.lead_department.pk])
    page = client.get(url("queue"), {"show": "unclaimed"}).content.decode()
    export = url("queue_export")
    assert f'href="{export}?show=unclaimed&amp;format=xlsx" download>导出 Excel<' in page
    assert f'href="{export}?show=unclaimed&amp;format=pdf" download>导出 PDF<' in page


def test_a_queue_pdf_beyond_its_maximum_is_cut_and_says_so(client, city, monkeypatch, tmp_path):
    from onewindow.reports.report import EXPORT_LIMITS

    first, second = (case_accept(intake=city.intake()) for _ in range(2))
    monkeypatch.setitem(EXPORT_LIMITS, "pdf", 1)
    client.force_login(city.approvers[city.lead_department.pk])
    lines = pdf_pages(client.get(url("queue_export"), {"format": "pdf"}).content, tmp_path)[0]
    assert first.number in lines and second.number not in lines
    # (pdftotext may read a wide header cell after the foot: the lines, not their order)
    for line in (
        "筛选：全部",
        "待办数：2",
        "仅导出了全部 2 行中的前 1 行。请在页面上缩小筛选范围，分批导出。",
    ):
        assert lines.count(line) == 1
