"""The grid case's loop in real headless Chromium at phone size (390×844), every step on the
pages: a report waiting to be filed — the 值班长 files it, the 派遣员 dispatches it to the
proposed street sanitation unit, the unit feeds back with a photo, the grid worker finds it not
done (返工), the unit feeds back again, the worker checks it done with the "after" photo, and
the 值班长 closes it: on time."""

from __future__ import annotations

import urllib.request
from typing import Any

import pytest
from playwright.sync_api import expect

from onewindow.cases.tests.test_browser_walks import Desk
from onewindow.papers.samples import sample_jpeg
from onewindow.testing.browser import PHONE_VIEWPORT
from onewindow.urban.models import CasePhoto, GridCase, GridCaseEvent
from onewindow.urban.tests.conftest import case_in
from onewindow.urban.transitions import CaseState

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHOTO = {"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": sample_jpeg()}


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    settings.STAFF_SECOND_FACTOR_ROLES = []


def fits(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def feed_back(unit: Desk, number: str, note: str) -> None:
    page = unit.go("/staff/urban/unit/")
    page.locator(f'tr[data-number="{number}"] a').click()
    page.locator("#feedback-note").fill(note)
    page.locator("#feedback-photos").set_input_files(PHOTO)
    page.locator("#submit-feedback").click()
    expect(page.locator('h1 [data-state="to_check"]')).to_be_visible()


def test_a_grid_case_from_filing_through_a_rework_to_closed_on_time(
    browser: Any, live_server: Any, scene: Any
):
    case = case_in(scene, CaseState.TO_FILE, description="沙面大街人行道上有一堆垃圾")
    number = case.number
    # The live server's first answer loads the whole site (a few seconds on a busy machine):
    # asked once here, so that the desks' sign-in pages answer within their timeouts.
    with urllib.request.urlopen(f"{live_server.url}/staff/sign-in/", timeout=60) as warm:
        assert warm.status == 200
    chief = Desk(browser, live_server, scene.chief, PHONE_VIEWPORT)
    dispatcher = Desk(browser, live_server, scene.dispatcher, PHONE_VIEWPORT)
    unit = Desk(browser, live_server, scene.sanitation_staff, PHONE_VIEWPORT)
    worker = Desk(browser, live_server, scene.worker, PHONE_VIEWPORT)
    try:
        # 立案: the filing condition confirmed.
        page = chief.go("/staff/urban/supervision/")
        page.locator(f'#to-file tr[data-number="{number}"] a').click()
        page.locator("#submit-file").click()  # the checkbox is required: the browser stops it
        expect(page.locator('h1 [data-state="to_file"]')).to_be_visible()
        page.locator("#file-condition").check()
        page.locator("#submit-file").click()
        page.wait_for_url(f"{live_server.url}/staff/urban/supervision/")
        expect(page.locator(f'#to-file tr[data-number="{number}"]')).to_have_count(0)

        # 派遣: the street's sanitation unit is proposed and chosen.
        page = dispatcher.go("/staff/urban/command/")
        row = page.locator(f'li[data-number="{number}"]')
        expect(row.locator("select option:checked")).to_contain_text("沙面街环卫站")
        row.locator(f"#dispatch-{number}").click()
        page.wait_for_url(f"{live_server.url}/staff/urban/command/")
        expect(page.locator(f'li[data-number="{number}"]')).to_have_count(0)

        # 处置反馈 with a photo, then the worker finds it not done.
        feed_back(unit, number, "已清理大部分")
        page = worker.go("/staff/urban/tasks/")
        page.locator(f"#task-{number}").click()
        expect(page.locator("#check-photos")).to_have_attribute("capture", "environment")
        assert fits(page)
        page.locator("#rework-reason").fill("角落还有两袋垃圾")
        page.locator("#submit-rework").click()
        page.wait_for_url(f"{live_server.url}/staff/urban/tasks/")
        expect(page.locator(f"#task-{number}")).to_have_count(0)

        feed_back(unit, number, "已全部清走")
        page = worker.go("/staff/urban/tasks/")
        page.locator(f"#task-{number}").click()
        page.locator("#submit-check").click()  # the "after" photo is required
        expect(page.locator('h1 [data-state="to_check"]')).to_be_visible()
        page.locator("#check-photos").set_input_files(PHOTO)
        page.locator("#check-note").fill("已清理干净")
        page.locator("#submit-check").click()
        page.wait_for_url(f"{live_server.url}/staff/urban/tasks/")

        # 结案: the closing condition confirmed.
        page = chief.go("/staff/urban/supervision/")
        page.locator(f'#to-close tr[data-number="{number}"] a').click()
        expect(page.locator('[data-photo="after"]')).to_have_count(1)
        expect(page.locator('[data-photo="handling"]')).to_have_count(2)
        page.locator("#close-condition").check()
        page.locator("#submit-close").click()
        page.wait_for_url(f"{live_server.url}/staff/urban/supervision/")
        expect(page.locator(f'#to-close tr[data-number="{number}"]')).to_have_count(0)
    finally:
        for desk in (chief, dispatcher, unit, worker):
            desk.close()

    closed = GridCase.objects.get(number=number)
    assert (closed.state, closed.unit, closed.rework_count) == (
        CaseState.CLOSED,
        scene.sanitation,
        1,
    )
    assert (closed.dispatch_accurate, closed.handled_on_time, closed.checked_on_time) == (
        True,
        True,
        True,
    )
    assert closed.closed_on_time is True
    assert list(
        GridCaseEvent.objects.filter(case=closed)
        .order_by("at", "id")
        .values_list("action", flat=True)
    ) == ["file", "dispatch", "feedback", "rework", "feedback", "check", "close"]
    assert CasePhoto.objects.filter(case=closed).count() == 3
