"""The manager's dashboard: every figure of a hand-built set of cases, exactly, in the page's
tables and in the exports; who may see it; a constant number of queries."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from onewindow.cases.services import case_accept
from onewindow.core.models import AuditLog
from onewindow.dashboard.tables import CHARTS, scene_for
from onewindow.dashboard.tests.conftest import at, place
from onewindow.org.models import CentreLevel, Role
from onewindow.testing.factories import CentreFactory, StreetFactory, staff_with_role

PAGE = "/staff/dashboard/"
LEVELS_HEAD = ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]
RATINGS_HEAD = ["部门", *LEVELS_HEAD, "评价数", "其中默认评价", "满意率"]
MONTHS = ["2025-12"] + [f"2026-{m:02d}" for m in range(1, 12)]


def export_url(chart: str) -> str:
    return reverse("dashboard_staff:export", args=[chart])


def table(page: str, key: str) -> list[list[str]]:
    """The cells of the table ``table-<key>`` of the page, row by row (head, body, foot)."""
    found = re.search(
        rf'<table class="staff-table report-table" id="table-{key}">(.*?)</table>', page, re.S
    )
    assert found, key
    rows = re.findall(r"<tr>(.*?)</tr>", found.group(1), re.S)
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>.*?</t[hd]>", row, re.S)
        ]
        for row in rows
    ]


def chart_json(page: str, key: str) -> dict:
    found = re.search(
        rf'<script id="chart-data-{key}" type="application/json">(.*?)</script>', page, re.S
    )
    assert found, key
    return json.loads(found.group(1))


def sheet(response) -> list[list]:
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    return [[cell.value for cell in row] for row in book.active.iter_rows()]


def test_the_monthly_trend_counts_acceptances_decisions_and_hand_overs_by_local_month(
    client, scene
):
    client.force_login(scene.manager)
    page = client.get(PAGE).content.decode()
    counts = {month: ["0", "0", "0"] for month in MONTHS}
    counts["2026-09"] = ["1", "1", "0"]
    counts["2026-10"] = ["0", "0", "1"]
    # The case accepted at 00:30 on 1 November, local time, is November's (October's in UTC).
    counts["2026-11"] = ["4", "1", "0"]
    assert table(page, "trend") == [
        ["月份", "已受理", "已审批", "已办结"],
        *[[month, *counts[month]] for month in MONTHS],
        ["合计", "5", "2", "1"],
    ]
    assert chart_json(page, "trend") == {
        "kind": "lines",
        "categories": MONTHS,
        "series": [
            {"name": "已受理", "data": [int(counts[m][0]) for m in MONTHS]},
            {"name": "已审批", "data": [int(counts[m][1]) for m in MONTHS]},
            {"name": "已办结", "data": [int(counts[m][2]) for m in MONTHS]},
        ],
    }


def test_intake_is_counted_by_local_hour_and_weekday(client, scene):
    client.force_login(scene.manager)
    page = client.get(PAGE).content.decode()
    rows = table(page, "intake")
    assert rows[0] == [
        "时段",
        "星期一",
        "星期二",
        "星期三",
        "星期四",
        "星期五",
        "星期六",
        "星期日",
        "合计",
    ]
    body = {row[0]: row[1:] for row in rows[1:-1]}
    assert list(body) == [f"{h:02d}:00–{h + 1:02d}:00" for h in range(24)]
    expected = {h: ["0"] * 8 for h in range(24)}
    expected[0] = ["0", "0", "0", "0", "0", "0", "1", "1"]  # Sunday 00:30
    expected[8] = ["0", "0", "1", "0", "0", "0", "0", "1"]  # Wednesday 08:15
    expected[9] = ["2", "0", "0", "0", "0", "0", "0", "2"]  # Monday 09:30 and 09:45
    expected[14] = ["0", "1", "0", "0", "0", "0", "0", "1"]  # Tuesday 14:10
    assert body == {f"{h:02d}:00–{h + 1:02d}:00": expected[h] for h in range(24)}
    assert rows[-1] == ["合计", "2", "1", "1", "0", "0", "0", "1", "5"]
    data = chart_json(page, "intake")
    assert data["max"] == 2
    assert sorted(cell for cell in data["cells"] if cell[2]) == [
        [0, 6, 1],
        [8, 2, 1],
        [9, 0, 2],
        [14, 1, 1],
    ]


def test_the_windows_workload_counts_this_months_acceptances_per_window(client, scene):
    client.force_login(scene.manager)
    page = client.get(PAGE).content.decode()
    assert table(page, "windows") == [
        ["服务中心", "窗口", "已受理"],
        ["街道中心", "01 号窗口", "3"],
        ["街道中心", "02 号窗口", "1"],
        ["合计", "", "4"],
    ]


def test_overdue_cases_are_counted_by_department_with_the_boards_lights(client, scene):
    client.force_login(scene.manager)
    page = client.get(PAGE).content.decode()
    assert table(page, "overdue") == [
        ["部门", "已超期", "1个工作日内到期", "在办办件"],
        ["区住房和建设局", "1", "0", "2"],
        ["联办部门1", "1", "0", "1"],
        ["合计", "2", "0", "3"],
    ]
    assert chart_json(page, "overdue") == {
        "kind": "stacked",
        "categories": ["区住房和建设局", "联办部门1"],
        "series": [
            {"name": "已超期", "data": [1, 1], "light": "red"},
            {"name": "1个工作日内到期", "data": [0, 0], "light": "yellow"},
        ],
    }


def test_a_department_lead_sees_only_the_departments_cases(client, scene):
    lead = scene.city.leads[scene.city.joint_departments[0].pk]
    client.force_login(lead)
    page = client.get(PAGE).content.decode()
    assert '<p class="dashboard-unit">统计范围：联办部门1</p>' in page
    assert table(page, "windows")[1:] == [["街道中心", "01 号窗口", "1"], ["合计", "", "1"]]
    assert table(page, "overdue")[1:] == [["联办部门1", "1", "0", "1"], ["合计", "1", "0", "1"]]


def test_another_centres_manager_counts_none_of_these_cases(client, scene):
    other = CentreFactory(level=CentreLevel.STREET_CENTRE, region=StreetFactory(), name="另一街道")
    client.force_login(staff_with_role(Role.CENTRE_MANAGER, centre=other))
    page = client.get(PAGE).content.decode()
    assert table(page, "trend")[-1] == ["合计", "0", "0", "0"]
    assert table(page, "windows") == [
        ["服务中心", "窗口", "已受理"],
        ["暂无可统计的数据。"],
        ["合计", "", "0"],
    ]
    assert table(page, "overdue")[-1] == ["合计", "0", "0", "0"]


def test_the_district_halls_manager_sees_the_street_centres_cases(client, scene):
    client.force_login(staff_with_role(Role.CENTRE_MANAGER, centre=scene.city.hall))
    page = client.get(PAGE).content.decode()
    assert table(page, "trend")[-1] == ["合计", "5", "2", "1"]


@pytest.mark.parametrize("role", [Role.INTAKE_CLERK, Role.OUTPUT_CLERK, Role.DEPT_APPROVER])
def test_the_dashboard_and_its_exports_are_refused_to_other_roles(client, scene, role):
    scope = (
        {"department": scene.city.lead_department}
        if role == Role.DEPT_APPROVER
        else {"centre": scene.city.street_centre}
    )
    user = staff_with_role(role, **scope)
    client.force_login(user)
    assert client.get(PAGE).status_code == 403
    for chart in ("trend", "overdue", "nothing"):
        response = client.get(export_url(chart), {"format": "xlsx"})
        assert response.status_code == 403
        assert response["Content-Type"].startswith("text/html")
    assert AuditLog.objects.filter(action="dashboard.export").count() == 0
    assert AuditLog.objects.filter(actor=user, action="denied:case.supervise").count() == 4


def test_anonymous_visitors_are_sent_to_the_sign_in(client, scene):
    for address in (PAGE, export_url("trend") + "?format=xlsx"):
        response = client.get(address)
        assert response.status_code == 302 and "/staff/sign-in/" in response["Location"]
    assert AuditLog.objects.filter(action="dashboard.export").count() == 0


def test_each_chart_exports_its_table_to_excel_exactly(client, scene):
    client.force_login(scene.manager)
    rows = sheet(client.get(export_url("overdue"), {"format": "xlsx"}))
    empty = [None] * 4
    assert rows == [
        ["各部门超期办件", *empty[1:]],
        ["单位：街道中心", *empty[1:]],
        ["统计期间：截至 2026-11-18 10:00", *empty[1:]],
        ["生成时间：2026-11-18 10:00", *empty[1:]],
        empty,
        ["部门", "已超期", "1个工作日内到期", "在办办件"],
        ["区住房和建设局", 1, 0, 2],
        ["联办部门1", 1, 0, 1],
        ["合计", 2, 0, 3],
        empty,
        ["超期：已过承诺办结时间且仍在计时的在办件。灯色与电子监察一致。", *empty[1:]],
    ]
    trend = sheet(client.get(export_url("trend"), {"format": "xlsx"}))
    assert trend[2][0] == "统计期间：最近 12 个月（2025-12-01 至 2026-11-30）"
    assert trend[5:19] == [
        ["月份", "已受理", "已审批", "已办结"],
        *[
            [
                m,
                *{"2026-09": [1, 1, 0], "2026-10": [0, 0, 1], "2026-11": [4, 1, 0]}.get(
                    m, [0, 0, 0]
                ),
            ]
            for m in MONTHS
        ],
        ["合计", 5, 2, 1],
    ]
    windows = sheet(client.get(export_url("windows"), {"format": "xlsx"}))
    assert windows[2][0] == "统计期间：2026年11月（2026-11-01 至 2026-11-30）"
    assert AuditLog.objects.filter(action="dashboard.export", actor=scene.manager).count() == 3
    assert AuditLog.objects.filter(action="dashboard.export").latest("id").detail == {
        "format": "xlsx",
        "rows": 2,
    }


def test_a_chart_exports_to_pdf_and_an_unknown_chart_or_format_is_refused_clearly(
    client, scene, tmp_path
):
    from onewindow.reports.tests.test_reports import pdf_pages

    client.force_login(scene.manager)
    response = client.get(export_url("windows"), {"format": "pdf"})
    assert response["Content-Type"] == "application/pdf"
    lines = pdf_pages(response.content, tmp_path)[0]
    assert lines[:4] == [
        "各窗口受理量",
        "单位：街道中心",
        "统计期间：2026年11月（2026-11-01 至 2026-11-30）",
        "生成时间：2026-11-18 10:00",
    ]
    assert "01 号窗口" in lines and "02 号窗口" in lines
    assert client.get(export_url("nothing"), {"format": "pdf"}).status_code == 404
    bad = client.get(export_url("windows"), {"format": "html"})
    assert bad.status_code == 400
    assert "不提供此导出格式" in bad.content.decode()
    assert AuditLog.objects.filter(action="dashboard.export").count() == 1


def test_the_page_offers_every_export_and_loads_its_scripts_from_static_files(client, scene):
    client.force_login(scene.manager)
    page = client.get(PAGE).content.decode()
    for chart in CHARTS:
        assert f'href="{export_url(chart.key)}?format=xlsx" download>导出 Excel<' in page
        assert f'href="{export_url(chart.key)}?format=pdf" download>导出 PDF<' in page
        assert f'data-chart="{chart.key}" data-source="chart-data-{chart.key}"' in page
    assert "/static/vendor/echarts.min.js" in page and "/static/dashboard/dashboard.js" in page
    # No inline script: only the JSON data blocks and the two static files.
    scripts = re.findall(r"<script([^>]*)>", page)
    assert all('type="application/json"' in s or "src=" in s for s in scripts)


def test_the_page_reads_a_constant_number_of_queries(client, scene, django_assert_max_num_queries):
    client.force_login(scene.manager)
    client.get(PAGE)  # warm the session
    # Session, user, role assignments, the unit's name; three for the trend (one a date), one
    # each for the hours, the windows, the overdue cases and the ratings.
    with django_assert_max_num_queries(11):
        assert client.get(PAGE).status_code == 200
    for hour in range(8):
        place(
            case_accept(intake=scene.city.intake()),
            accepted_at=at(f"2026-11-1{hour % 8}T1{hour}:00"),
        )
    with django_assert_max_num_queries(11):
        page = client.get(PAGE).content.decode()
    assert table(page, "trend")[-1] == ["合计", "13", "2", "1"]


def test_the_tables_are_the_same_report_for_the_page_and_the_export(scene):
    built = scene_for(scene.manager)
    titles = [str(chart.build(built).title) for chart in CHARTS]
    assert titles == [
        "各月办件量",
        "各时段受理量",
        "各窗口受理量",
        "各部门超期办件",
        "各部门好差评",
    ]


def test_ratings_are_counted_per_level_and_department_this_month(client, scene):
    from onewindow.ratings.tests.conftest import rating_of

    cases = scene.cases
    for n, level in enumerate((5, 4, 3, 2)):
        rating_of(cases["green"], level, key=f"t:{n}", rated_at=at("2026-11-10T10:00"))
    rating_of(cases["green"], 5, key="t:default", is_default=True, rated_at=at("2026-11-12T00:10"))
    rating_of(cases["joint_red"], 1, key="t:bad", rated_at=at("2026-11-18T09:00"))
    # Out of the scores after an upheld appeal: still a rating of the record, counted in 满意率
    # (ratings.figures); a rating of last month is not counted.
    rating_of(cases["joint_red"], 5, key="t:appealed", counts_in_scores=False)
    rating_of(cases["green"], 5, key="t:october", rated_at=at("2026-10-31T23:59"))
    client.force_login(scene.manager)
    page = client.get(PAGE).content.decode()
    assert table(page, "ratings") == [
        [
            "部门",
            "非常满意",
            "满意",
            "基本满意",
            "不满意",
            "非常不满意",
            "评价数",
            "其中默认评价",
            "满意率",
        ],
        ["区住房和建设局", "2", "1", "1", "1", "0", "5", "1", "80.0%"],
        ["联办部门1", "1", "0", "0", "0", "1", "2", "0", "50.0%"],
        ["合计", "3", "1", "1", "1", "1", "7", "1", "71.4%"],
    ]
    rows = sheet(client.get(export_url("ratings"), {"format": "xlsx"}))
    assert rows[2][0] == "统计期间：2026年11月（2026-11-01 至 2026-11-30）"
    assert rows[5:9] == [
        [
            "部门",
            "非常满意",
            "满意",
            "基本满意",
            "不满意",
            "非常不满意",
            "评价数",
            "其中默认评价",
            "满意率",
        ],
        ["区住房和建设局", 2, 1, 1, 1, 0, 5, 1, 0.8],
        ["联办部门1", 1, 0, 0, 0, 1, 2, 0, 0.5],
        ["合计", 3, 1, 1, 1, 1, 7, 1, 5 / 7],
    ]
    # The rule of ratings.figures, in the page's language.
    assert rows[10][0] == (
        "满意率 =（非常满意 + 满意 + 基本满意）÷ 评价总数。所有评价均计入："
        "包括评价期满后的默认评价（单列显示）和因申诉成立而不计分的评价。"
    )
    # The rater appears nowhere: the table counts, it names no one.
    assert scene.city.person.name not in page
    lead = scene.city.leads[scene.city.joint_departments[0].pk]
    client.force_login(lead)
    page = client.get(PAGE).content.decode()
    assert table(page, "ratings")[1:] == [
        ["联办部门1", "1", "0", "0", "0", "1", "2", "0", "50.0%"],
        ["合计", "1", "0", "0", "0", "1", "2", "0", "50.0%"],
    ]


def test_the_dashboard_in_english_keeps_its_figures(client, scene):
    client.force_login(scene.manager)
    page = client.get("/en" + PAGE).content.decode()
    assert table(page, "overdue")[0] == [
        "Department",
        "Overdue",
        "Due within a working day",
        "Open cases",
    ]
    assert table(page, "intake")[0][1:3] == ["Monday", "Tuesday"]
    assert table(page, "trend")[-1] == ["Total", "5", "2", "1"]
    rows = sheet(client.get("/en/staff/dashboard/export/windows/", {"format": "xlsx"}))
    assert rows[:3] == [
        ["Cases accepted per window", None, None],
        ["Unit: 街道中心", None, None],
        ["Period: November 2026 (2026-11-01 to 2026-11-30)", None, None],
    ]
