"""In a real headless Chromium: a clerk changes a known applicant's phone with the code the
applicant received on the registered (old) phone, which is then told of the change."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from onewindow.applicants.models import ChangeStatus, Person, PersonChange
from onewindow.cases.tests.conftest import resident_id
from onewindow.cases.tests.test_browser_walks import Desk, choose_window
from onewindow.notify.backends import MemoryBackend

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PHONE = "13912345678"
OLD_PHONE = "13800138000"


@pytest.fixture(autouse=True)
def _sms(settings):
    settings.NOTIFY_BACKEND = "onewindow.notify.backends.MemoryBackend"
    settings.NOTIFY_LANGUAGE = "en"
    MemoryBackend.outbox.clear()
    yield
    MemoryBackend.outbox.clear()


def sent_to(phone: str) -> list[str]:
    return [text for to, text, _id in MemoryBackend.outbox if to == phone]


def test_a_clerk_changes_an_applicants_phone_with_the_code_sent_to_the_registered_phone(
    browser: Any, live_server: Any, city: Any
) -> None:
    desk = Desk(browser, live_server, city.clerk)
    try:
        page = desk.go("/staff/cases/intake/")
        choose_window(page, "01")
        id_field = page.locator("#id_number")
        id_field.press_sequentially(resident_id())
        id_field.press("Enter")
        expect(page.locator(".applicant__name")).to_have_text("陈大文")

        page.locator("#change-details").click()
        page.locator("#chg-phone").fill(NEW_PHONE)
        page.locator("main button[type=submit]").click()
        # The page says what would change and asks for what a new phone needs.
        expect(page.locator(".changing--phone")).to_be_visible()
        expect(page.locator(".changing")).to_have_count(1)
        page.locator("#chg-send-code").check()
        page.locator("#chg-reason").fill("换了手机号")
        desk.shot("identity-change-checks")
        page.locator("main button[type=submit]").click()

        page.wait_for_url(re.compile(r"/staff/cases/intake/$"))
        pending = page.locator(".pending-change")
        expect(pending).to_contain_text("139****5678")
        desk.shot("identity-change-pending")
        assert Person.objects.get(pk=city.person.pk).phone_masked == "138****8000"
        assert sent_to(NEW_PHONE) == []  # a phone the clerk may hold proves nothing
        [message] = sent_to(OLD_PHONE)
        code = re.search(r"code (\d{6})", message).group(1)  # type: ignore[union-attr]

        # The code the applicant reads out goes into the field that has the focus.
        expect(pending.locator("input[name=code]")).to_be_focused()
        page.keyboard.type(code)
        pending.get_by_role("button", name=re.compile("确认新手机号|Confirm the new phone")).click()
        page.wait_for_url(re.compile(r"/staff/cases/intake/$"))
        expect(page.locator(".pending-change")).to_have_count(0)
        expect(page.locator(".applicant")).to_contain_text("139****5678")
        desk.shot("identity-change-done")
    finally:
        desk.close()
    change = PersonChange.objects.get()
    assert (change.status, change.method) == (ChangeStatus.APPLIED, "sms_code")
    assert Person.objects.get(pk=city.person.pk).phone_masked == "139****5678"
    [_code, notice] = sent_to(OLD_PHONE)
    assert notice.startswith("The mobile number registered for you at OneWindow was changed on ")
