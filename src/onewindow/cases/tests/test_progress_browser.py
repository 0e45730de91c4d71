"""An applicant opens the progress page of a delivered case on a phone."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.utils import translation

from onewindow.cases.events import CASE_EVENTS
from onewindow.cases.tests.test_progress import delivered_lift_case

pytestmark = pytest.mark.browser


def test_delivered_lift_case_on_a_phone(live_server, phone_page, city):
    case = delivered_lift_case(city)
    with translation.override("zh-hans"):
        expected = [
            CASE_EVENTS.public_label(action)
            for action in case.events.filter(public=True)
            .order_by("at", "id")
            .values_list("action", flat=True)
        ]
    phone_page.goto(f"{live_server.url}/progress/")
    phone_page.fill("#progress-number", case.number)
    phone_page.fill("#progress-code", case.query_code.lower())
    phone_page.locator("form.progress-form button[type=submit]").click()
    phone_page.wait_for_selector(".timeline")

    assert phone_page.url == (
        f"{live_server.url}/progress/?"
        + urlencode({"number": case.number, "code": case.query_code.lower()})
    )
    assert phone_page.locator(".timeline__label").all_inner_texts() == expected
    assert phone_page.locator("#progress-item").inner_text() == "既有住宅增设电梯"
    assert (
        phone_page.locator(".timeline__step--latest .timeline__label").inner_text()
        == (expected[-1])
    )
    metrics = phone_page.evaluate(
        """() => ({
            scrollWidth: document.scrollingElement.scrollWidth,
            innerWidth: window.innerWidth,
            inputHeight: document.querySelector('#progress-code').getBoundingClientRect().height,
            labelSize: parseFloat(getComputedStyle(
                document.querySelector('.timeline__label')).fontSize),
        })"""
    )
    assert metrics["scrollWidth"] <= metrics["innerWidth"] == 390
    assert metrics["inputHeight"] >= 48
    assert metrics["labelSize"] >= 16
    body = phone_page.locator("body").inner_text()
    assert "陈大文" not in body
    phone_page.screenshot(path="/tmp/progress-phone.png", full_page=True)
