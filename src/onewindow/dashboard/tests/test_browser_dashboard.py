"""The manager's dashboard in a real headless Chromium (Debian's, never downloaded): a centre
manager signs in, sees the five charts drawn (a canvas each, no console error, no violation of
the Content-Security-Policy) with their tables' exact figures for a hand-built set of cases, and
downloads a table as an Excel workbook."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from onewindow.cases.services import case_accept
from onewindow.cases.transitions import CaseState
from onewindow.dashboard.selectors import month_start
from onewindow.dashboard.tests.conftest import place
from onewindow.org.models import Role
from onewindow.ratings.tests.conftest import rating_of
from onewindow.staff.tests.conftest import PASSWORD
from onewindow.testing.factories import staff_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 900}
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""
WEEKDAYS = ["星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"]


@pytest.fixture
def tomorrow_morning():
    """The walk happens tomorrow at 10:00 local time, the clock ticking on from there (for the
    server's threads too): ahead of the browser's own clock, so its cookies stay fresh."""
    import time_machine

    day = timezone.localdate() + dt.timedelta(days=1)
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))
    with time_machine.travel(moment, tick=True):
        yield moment


@pytest.fixture
def desk(browser):
    context = browser.new_context(
        viewport=DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai", accept_downloads=True
    )
    context.set_default_timeout(10_000)
    context.add_init_script(WATCH_VIOLATIONS)
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
    page.console_messages = console
    yield page
    context.close()


def cells(page, key: str) -> list[list[str]]:
    return page.locator(f"#table-{key} tr").evaluate_all(
        "rows => rows.map(r => Array.from(r.children).map(c => c.textContent.trim()))"
    )


def test_a_centre_manager_sees_the_charts_and_tables_and_downloads_an_excel_table(
    desk, live_server, settings, city, tomorrow_morning
):
    settings.STAFF_SECOND_FACTOR_ROLES = []
    today = tomorrow_morning.date()

    def local(day: dt.date, hour: int, minute: int) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))

    last_month = month_start(today, 1) + dt.timedelta(days=14)
    green = place(
        case_accept(intake=city.intake()),
        accepted_at=local(today, 9, 30),
        due_at=tomorrow_morning + dt.timedelta(days=10),
    )
    rating_of(green, 4, rated_at=local(today, 9, 50))
    place(
        case_accept(intake=city.intake()),
        accepted_at=local(today, 9, 45),
        due_at=tomorrow_morning - dt.timedelta(hours=1),
    )
    place(
        case_accept(intake=city.intake()),
        accepted_at=local(last_month, 14, 10),
        decided_at=local(last_month, 16, 0),
        state=CaseState.DECIDED,
    )
    manager = staff_with_role(Role.CENTRE_MANAGER, centre=city.street_centre)

    page = desk
    page.goto(f"{live_server.url}/staff/sign-in/?next=/staff/dashboard/")
    page.locator("#id_username").fill(manager.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url(f"{live_server.url}/staff/dashboard/")
    expect(page.locator("h1")).to_have_text("管理看板")
    expect(page.locator(".staff-nav a[aria-current=page]")).to_have_text("管理看板")

    for key in ("trend", "intake", "windows", "overdue", "ratings"):
        box = page.locator(f'[data-chart="{key}"]')
        expect(box).to_have_attribute("data-drawn", "true")
        # ECharts draws on a canvas (a heatmap adds layers for its scale and hover).
        canvas = box.locator("canvas").first
        expect(canvas).to_be_visible()
        assert canvas.bounding_box()["height"] > 200

    trend = cells(page, "trend")
    assert trend[0] == ["月份", "已受理", "已审批", "已办结"]
    assert len(trend) == 14
    assert trend[-3:] == [
        [f"{last_month:%Y-%m}", "1", "1", "0"],
        [f"{today:%Y-%m}", "2", "0", "0"],
        ["合计", "3", "1", "0"],
    ]
    intake = cells(page, "intake")
    assert intake[0] == ["时段", *WEEKDAYS, "合计"]
    nine = ["0"] * 7
    nine[today.weekday()] = "2"
    fourteen = ["0"] * 7
    fourteen[last_month.weekday()] = "1"
    assert intake[10] == ["09:00–10:00", *nine, "2"]
    assert intake[15] == ["14:00–15:00", *fourteen, "1"]
    assert intake[-1][-1] == "3"
    assert cells(page, "windows") == [
        ["服务中心", "窗口", "已受理"],
        ["街道中心", "01 号窗口", "2"],
        ["合计", "", "2"],
    ]
    assert cells(page, "overdue") == [
        ["部门", "已超期", "1个工作日内到期", "在办办件"],
        ["区住房和建设局", "1", "0", "2"],
        ["合计", "1", "0", "2"],
    ]
    assert cells(page, "ratings")[1:] == [
        ["区住房和建设局", "0", "1", "0", "0", "0", "1", "0", "100.0%"],
        ["合计", "0", "1", "0", "0", "0", "1", "0", "100.0%"],
    ]
    page.screenshot(path="/tmp/onewindow-dashboard.png", full_page=True)

    with page.expect_download() as info:
        page.locator("#chart-windows").get_by_role("link", name="导出 Excel").click()
    download = info.value
    assert download.suggested_filename == f"各窗口受理量_{today:%Y%m%d}.xlsx"
    with open(download.path(), "rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read())).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][0] == "各窗口受理量"
    assert rows[1][0] == "单位：街道中心"
    assert rows[5:8] == [
        ["服务中心", "窗口", "已受理"],
        ["街道中心", "01 号窗口", 2],
        ["合计", None, 2],
    ]

    assert page.evaluate("window.__cspViolations") == []
    assert [line for line in page.console_messages if line.startswith(("error", "pageerror"))] == []
    assert not [line for line in page.console_messages if "Content Security Policy" in line]
