"""A citizen on a phone (390×844, Debian's Chromium): from the public header to the sign-in,
the code from the SMS (read from the outbox, as the gateway gets it), the real name bound, and
"my cases" with the case's progress."""

from __future__ import annotations

import pytest

from onewindow.citizens.tests.conftest import PHONE, case_for, last_code
from onewindow.testing.factories import create_person, make_resident_id

pytestmark = pytest.mark.browser


def no_sideways_scroll(page) -> bool:
    return page.evaluate(
        "() => document.scrollingElement.scrollWidth <= window.innerWidth && "
        "window.innerWidth === 390"
    )


def test_a_citizen_signs_in_by_sms_code_and_sees_my_cases_on_a_phone(live_server, phone_page):
    number = make_resident_id()
    person = create_person(id_number=number, name="王小明", phone=PHONE)
    case = case_for(person=person)

    phone_page.goto(f"{live_server.url}/")
    phone_page.locator("#site-my-link").click()
    phone_page.wait_for_selector("#sign-in-phone")
    assert no_sideways_scroll(phone_page)
    phone_page.fill("#sign-in-phone", PHONE)
    phone_page.locator("#sign-in-send").click()
    phone_page.wait_for_selector("#sign-in-code")
    assert (
        phone_page.locator("#code-sent")
        .inner_text()
        .startswith("如此号码可接收短信，验证码正在发送中。")
    )
    height = phone_page.evaluate(
        "() => document.querySelector('#sign-in-code').getBoundingClientRect().height"
    )
    assert height >= 48
    # Asking again within the minute: the code field stays, the code sent still works.
    phone_page.locator("#sign-in-resend").click()
    phone_page.wait_for_selector("#code-resend-wait")
    assert phone_page.locator("#sign-in-code").count() == 1
    phone_page.fill("#sign-in-code", last_code())
    phone_page.locator("#sign-in-submit").click()
    phone_page.wait_for_selector("#my-cases-unbound")
    assert phone_page.locator("#my-phone").inner_text() == "139****5678"

    phone_page.locator("#my-bind-link").click()
    phone_page.fill("#bind-name", "王小明")
    phone_page.fill("#bind-id", number)
    phone_page.locator("#bind-submit").click()
    phone_page.wait_for_selector("#my-cases")
    assert phone_page.locator("#my-real-name").inner_text() == f"已实名 · {person.id_number_masked}"
    rows = phone_page.locator("#my-cases .my-case")
    assert rows.count() == 1
    assert rows.first.get_attribute("data-number") == case.number
    assert rows.first.locator(".my-case__state").inner_text() == "已受理，办理中"
    assert no_sideways_scroll(phone_page)
    # Each date on one line (it wrapped mid-date, "2026-12-\n02"), each labelled.
    assert phone_page.evaluate(
        "() => [...document.querySelectorAll('#my-cases .my-date')].every("
        "d => d.getClientRects().length === 1 && "
        "d.getBoundingClientRect().height < 2 * parseFloat(getComputedStyle(d).lineHeight || 24))"
    )
    assert rows.first.locator('[data-date="submitted"]').inner_text().startswith("提交时间")
    body = phone_page.locator("body").inner_text()
    assert number not in body and PHONE not in body

    rows.first.locator("a").click()
    phone_page.wait_for_selector(".timeline")
    assert phone_page.locator("#progress-item").inner_text() == case.item_version.snapshot["name"]
    assert phone_page.locator(".timeline__label").all_inner_texts()[0] == "申请已受理"
    assert no_sideways_scroll(phone_page)
    phone_page.screenshot(path="/tmp/citizen-my-case-phone.png", full_page=True)

    phone_page.locator("#my-sign-out").click()
    phone_page.wait_for_selector("#sign-in-phone")
    phone_page.goto(f"{live_server.url}/my/")
    phone_page.wait_for_selector("#sign-in-phone")
