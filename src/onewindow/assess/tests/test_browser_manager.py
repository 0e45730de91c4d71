"""The centre manager's month, in real headless Chromium: open table 1, drill into the 差评 of
a department, see the cases behind it, confirm the service star on the ranking, and find the
name on the public honour board."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from onewindow.assess.models import Honour
from onewindow.cases.tests.test_browser_walks import Desk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_manager_drills_into_a_figure_and_confirms_the_service_star(
    live_server, browser, month, settings
):
    settings.STAFF_SECOND_FACTOR_ROLES = []
    desk = Desk(browser, live_server, month.manager)
    try:
        page = desk.go("/staff/assess/")
        # The pickers: the manager's centre, then November.
        page.locator("#assess-unit").select_option(f"c:{month.centre.code}")
        page.locator("#assess-month").fill("2026-11")
        page.locator("#assess-pickers button").click()
        table = page.locator("#assess-ratings-table")
        expect(table).to_contain_text("区住房和建设局")
        expect(page.locator("#assess-ratings-total")).to_contain_text("57.1%")
        row = table.locator(f'tr[data-department="{month.dept_a.pk}"]')
        row.locator('a[data-figure="bad"]').click()
        expect(page.locator("#assess-cases-count")).to_contain_text("2")
        numbers = page.locator("#assess-cases-table tr[data-case]")
        expect(numbers).to_have_count(2)
        assert sorted(numbers.evaluate_all("rows => rows.map(r => r.dataset.case)")) == sorted(
            [month.cases["A3"].number, month.cases["A5"].number]
        )
        page.locator("text=返回三张表").click()
        page.locator("#assess-tab-ranking").click()
        expect(page.locator("#assess-ranking-table")).to_contain_text("王小明")
        expect(page.locator("#assess-service-star")).to_contain_text("91.4")
        page.locator("#assess-confirm-star").click()
        expect(page.locator('#assess-service-star [data-confirmed="yes"]')).to_contain_text(
            "王小明"
        )
        star = Honour.objects.get(kind="service_star")
        assert (star.user_id, star.confirmed_by_id) == (month.clerk.pk, month.manager.pk)
        page.locator("#assess-board-link").click()
        board = page.locator('[data-month="2026-11"]')
        expect(board).to_contain_text("王小明")
        expect(board).to_contain_text(month.centre.name)
    finally:
        desk.close()
