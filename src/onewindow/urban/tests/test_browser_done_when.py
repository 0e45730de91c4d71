"""Issue 12's first story in real headless Chromium at phone size (390×844), every step on the
pages: a grid worker, offline, reports exposed rubbish with a photo and the phone's position;
back online it is sent once; the 值班长 files it, the 派遣员 dispatches it to the street's
sanitation unit, the unit handles it with a photo; the worker checks, finds it not done —
rework; done; the 值班长 closes it, on time."""

from __future__ import annotations

import re
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import expect

from onewindow.cases.tests.test_browser_walks import Desk
from onewindow.testing.browser import PHONE_VIEWPORT
from onewindow.urban.models import CasePhoto, GridCase, GridCaseEvent
from onewindow.urban.tests.test_browser_flow import PHOTO, feed_back
from onewindow.urban.transitions import CaseState

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pass-1234-word"  # UserFactory's


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    settings.STAFF_SECOND_FACTOR_ROLES = []


def report_offline(browser: Any, live_server: Any, scene: Any) -> str:
    """The worker's phone: offline, the report queued; online, sent once. Its number."""
    context = browser.new_context(
        viewport=PHONE_VIEWPORT,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    context.set_default_timeout(20_000)
    context.grant_permissions(["geolocation"], origin=live_server.url)
    context.set_geolocation({"longitude": scene.grid.label_lon, "latitude": scene.grid.label_lat})
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/staff/sign-in/?next=/staff/urban/report/")
        page.locator("#id_username").fill(scene.worker.username)
        page.locator("#id_password").fill(PASSWORD)
        page.locator("#id_password").press("Enter")
        page.wait_for_url(re.compile(r"/staff/urban/report/$"))
        assert page.evaluate("navigator.serviceWorker.ready.then(r => !!r.active)") is True
        expect(page.locator("#report-longitude")).to_have_value(f"{scene.grid.label_lon:.6f}")

        context.set_offline(True)
        expect(page.locator("#report-network")).to_have_class(re.compile("is-offline"))
        page.locator("#category-search").fill("暴露")
        page.locator('#category-list button[data-code="E0101"]').click()
        page.locator("#report-place").fill("沙面大街1号")
        page.locator("#report-photos").set_input_files(files=[PHOTO])
        expect(page.locator("#photos-status")).to_contain_text("1")
        page.locator("#report-description").fill("沙面大街人行道上有一堆暴露垃圾")
        page.locator("#report-submit").click()
        expect(page.locator('#report-queue li[data-state="queued"]')).to_have_count(1)
        assert GridCase.objects.count() == 0

        context.set_offline(False)
        sent = page.locator('#report-queue li[data-state="sent"] .report-number')
        expect(sent).to_have_text(re.compile(r"^WG\d{14}$"), timeout=40_000)
        number = sent.inner_text()
        page.reload()
        expect(page.locator('#report-queue li[data-state="sent"]')).to_have_count(1)
    finally:
        context.close()
    case = GridCase.objects.get()
    assert (case.number, case.state, case.grid_id) == (number, CaseState.TO_FILE, scene.grid.pk)
    return number


def test_offline_report_to_closed_on_time_through_a_rework(
    browser: Any, live_server: Any, scene: Any
) -> None:
    with urllib.request.urlopen(f"{live_server.url}/staff/sign-in/", timeout=60) as warm:
        assert warm.status == 200
    number = report_offline(browser, live_server, scene)

    chief = Desk(browser, live_server, scene.chief, PHONE_VIEWPORT)
    dispatcher = Desk(browser, live_server, scene.dispatcher, PHONE_VIEWPORT)
    unit = Desk(browser, live_server, scene.sanitation_staff, PHONE_VIEWPORT)
    worker = Desk(browser, live_server, scene.worker, PHONE_VIEWPORT)
    try:
        page = chief.go("/staff/urban/supervision/")
        page.locator(f'#to-file tr[data-number="{number}"] a').click()
        page.locator("#file-condition").check()
        page.locator("#submit-file").click()
        page.wait_for_url(f"{live_server.url}/staff/urban/supervision/")

        page = dispatcher.go("/staff/urban/command/")
        row = page.locator(f'li[data-number="{number}"]')
        expect(row.locator("select option:checked")).to_contain_text("沙面街环卫站")
        row.locator(f"#dispatch-{number}").click()
        page.wait_for_url(f"{live_server.url}/staff/urban/command/")

        feed_back(unit, number, "已清理大部分")
        page = worker.go("/staff/urban/tasks/")
        page.locator(f"#task-{number}").click()
        page.locator("#rework-reason").fill("角落还有两袋垃圾")
        page.locator("#submit-rework").click()
        page.wait_for_url(f"{live_server.url}/staff/urban/tasks/")

        feed_back(unit, number, "已全部清走")
        page = worker.go("/staff/urban/tasks/")
        page.locator(f"#task-{number}").click()
        page.locator("#check-photos").set_input_files(PHOTO)
        page.locator("#check-note").fill("已清理干净")
        page.locator("#submit-check").click()
        page.wait_for_url(f"{live_server.url}/staff/urban/tasks/")

        page = chief.go("/staff/urban/supervision/")
        page.locator(f'#to-close tr[data-number="{number}"] a').click()
        page.locator("#close-condition").check()
        page.locator("#submit-close").click()
        page.wait_for_url(f"{live_server.url}/staff/urban/supervision/")
    finally:
        for desk in (chief, dispatcher, unit, worker):
            desk.close()

    closed = GridCase.objects.get(number=number)
    assert (closed.state, closed.unit, closed.rework_count, closed.source) == (
        CaseState.CLOSED,
        scene.sanitation,
        1,
        "inspector",
    )
    assert (closed.handled_on_time, closed.checked_on_time, closed.closed_on_time) == (
        True,
        True,
        True,
    )
    assert list(
        GridCaseEvent.objects.filter(case=closed)
        .order_by("at", "id")
        .values_list("action", flat=True)
    ) == ["report", "file", "dispatch", "feedback", "rework", "feedback", "check", "close"]
    # The report's photo, two of the handling, the "after" photo.
    assert CasePhoto.objects.filter(case=closed).count() == 4
