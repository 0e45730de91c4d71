"""An applicant follows a case on a phone: the progress page of a delivered case, the way from the
public home (and the header, and the SMS short link) to a case's papers and outcome."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import pytest
from django.utils import timezone, translation

from onewindow.cases.events import CASE_EVENTS
from onewindow.cases.models import MaterialStatus
from onewindow.cases.receipts import progress_qr_text
from onewindow.cases.services import case_accept, case_refuse_at_intake, case_request_supplement
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

    # The form is sent by POST: the code is in no address.
    assert phone_page.url == f"{live_server.url}/progress/"
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


def no_sideways_scroll(page) -> bool:
    return page.evaluate(
        "() => document.scrollingElement.scrollWidth <= window.innerWidth && "
        "window.innerWidth === 390"
    )


def test_from_the_home_page_to_the_papers_still_to_bring_on_a_phone(live_server, phone_page, city):
    deadline = timezone.localdate() + dt.timedelta(days=10)
    wanting = city.receipts(**{"业主表决意见书": MaterialStatus.MISSING})
    case = case_request_supplement(intake=city.intake(materials=wanting), deadline=deadline)

    phone_page.goto(f"{live_server.url}/")
    link = phone_page.locator("#home-progress-link")
    assert link.inner_text() == "办件进度查询"
    assert link.is_visible()
    assert no_sideways_scroll(phone_page)
    link.click()
    phone_page.wait_for_url(f"{live_server.url}/progress/")
    phone_page.fill("#progress-number", case.number)
    phone_page.fill("#progress-code", case.query_code)
    phone_page.locator("form.progress-form button[type=submit]").click()
    phone_page.wait_for_selector(".progress-papers")

    assert phone_page.locator(".progress-papers__name").all_inner_texts() == ["业主表决意见书"]
    assert phone_page.locator(".progress-papers__meta").all_inner_texts() == [
        f"缺少或需补正 · {deadline.isoformat()}前"
    ]
    assert phone_page.locator(".progress-outcome").count() == 0
    assert no_sideways_scroll(phone_page)
    assert "陈大文" not in phone_page.locator("body").inner_text()
    phone_page.screenshot(path="/tmp/progress-phone-papers.png", full_page=True)


def test_the_header_link_and_the_sms_short_link_on_a_phone(live_server, phone_page, city):
    reasons = "该房屋不在本区范围内。"
    case = case_refuse_at_intake(intake=city.intake(), reasons=reasons)

    phone_page.goto(f"{live_server.url}/power-list/")
    header_link = phone_page.locator(".site-header .site-progress-link")
    assert header_link.is_visible()
    header_link.click()
    phone_page.wait_for_url(f"{live_server.url}/progress/")

    # The SMS link: the number is filled in and the code field has the focus.
    phone_page.goto(f"{live_server.url}/p/{case.number}")
    assert phone_page.url == f"{live_server.url}/progress/?number={case.number}"
    assert phone_page.input_value("#progress-number") == case.number
    assert phone_page.evaluate("() => document.activeElement.id") == "progress-code"
    phone_page.keyboard.type(case.query_code)
    phone_page.keyboard.press("Enter")
    phone_page.wait_for_selector(".progress-outcome")

    assert phone_page.locator(".progress-outcome__label").inner_text() == "不予受理"
    assert phone_page.locator(".progress-outcome__reason").inner_text() == reasons
    assert no_sideways_scroll(phone_page)
    phone_page.screenshot(path="/tmp/progress-phone-refused.png", full_page=True)


def test_the_receipts_qr_address_fills_and_sends_the_form_and_ends_without_the_code(
    live_server, phone_page, city, settings
):
    settings.PUBLIC_BASE_URL = live_server.url
    case = case_accept(intake=city.intake())
    scanned = progress_qr_text(case=case)
    assert scanned == (
        f"{live_server.url}/progress/?{urlencode({'number': case.number})}"
        f"#{urlencode({'code': case.query_code})}"
    )
    sent: list[tuple[str, str, str]] = []
    phone_page.on(
        "request",
        lambda request: sent.append(
            (request.method, request.url.split("#")[0], request.headers.get("referer", ""))
        ),
    )

    phone_page.goto(scanned)
    phone_page.wait_for_selector(".timeline")

    assert phone_page.locator("#progress-item").inner_text() == "既有住宅增设电梯"
    assert phone_page.url == f"{live_server.url}/progress/"
    assert case.query_code not in phone_page.url
    # What reached the server: the page by number, then the form by POST; the code in no
    # address and no referrer.
    documents = [(m, u) for m, u, _r in sent if "/progress/" in u]
    assert documents == [
        ("GET", f"{live_server.url}/progress/?number={case.number}"),
        ("POST", f"{live_server.url}/progress/"),
    ]
    for _method, url, referer in sent:
        assert case.query_code not in url
        assert case.query_code not in referer
    # The scanned address was replaced in the history: going back finds no code.
    phone_page.go_back()
    assert case.query_code not in phone_page.url


def test_an_old_receipts_address_with_the_code_shows_the_case_at_the_number_only(
    live_server, phone_page, city
):
    case = case_accept(intake=city.intake())
    old = f"{live_server.url}/progress/?" + urlencode(
        {"number": case.number, "code": case.query_code}
    )
    phone_page.goto(old)
    phone_page.wait_for_selector(".timeline")
    assert phone_page.locator("#progress-item").inner_text() == "既有住宅增设电梯"
    assert phone_page.url == f"{live_server.url}/progress/?number={case.number}"
