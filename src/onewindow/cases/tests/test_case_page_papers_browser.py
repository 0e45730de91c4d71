"""The case page's papers box in a real headless Chromium: each checkbox sits on the line of
its label, before the paper's name (not centred above it)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from onewindow.cases.models import MaterialStatus
from onewindow.cases.services import MaterialReceipt, case_accept
from onewindow.cases.tests.test_browser_walks import Desk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEFERRED = "房屋安全鉴定报告"


def test_a_checkbox_sits_before_its_label_on_one_line(browser, live_server, city):
    receipts = city.receipts(
        **{
            DEFERRED: MaterialReceipt(
                name=DEFERRED,
                status=MaterialStatus.DEFERRED,
                due_date=timezone.localdate() + dt.timedelta(days=2),
            )
        }
    )
    case = case_accept(intake=city.intake(materials=receipts, promise_signed=True))
    desk = Desk(browser, live_server, city.clerk)
    try:
        page = desk.go(f"/staff/cases/{case.number}/")
        label = page.locator("#papers-arrived label.choice", has_text=DEFERRED)
        box = label.locator("input[type=checkbox]").bounding_box()
        whole = label.bounding_box()
        assert box is not None and whole is not None
        assert box["width"] < 40  # its own size, not the width of the form
        assert box["x"] - whole["x"] < 4  # first on the line
        assert whole["height"] < 2 * box["height"] + 12  # one line: the name is beside it
        label.click()  # a click on the name ticks it
        assert label.locator("input[type=checkbox]").is_checked()
    finally:
        desk.close()
