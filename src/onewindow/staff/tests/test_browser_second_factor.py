"""A clerk whose role needs a second factor signs in, in a real headless Chromium: password,
then enrolment with the QR code (shown as SVG) and the key in text, then a code computed by
django-otp's own TOTP from that key, and lands on the workstation home."""

from __future__ import annotations

from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from onewindow.org.models import Role
from onewindow.staff.tests.conftest import PASSWORD
from onewindow.testing.factories import staff_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def desk(browser):
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def code_from_key(key_text: str) -> str:
    """What the clerk's phone app shows for the key it was given."""
    key = b32decode(key_text.replace(" ", "") + "=" * (-len(key_text.replace(" ", "")) % 8))
    return f"{TOTP(key).token():06d}"


def test_a_clerk_signs_in_with_password_then_a_totp_code_and_lands_home(
    desk, live_server, centre, settings
):
    settings.STAFF_SECOND_FACTOR_ROLES = ["intake_clerk"]
    settings.STAFF_ENROLMENT_NEEDS_CODE = False  # as on the embedded demo
    clerk = staff_with_role(Role.INTAKE_CLERK, centre=centre)
    page = desk
    page.goto(f"{live_server.url}/staff/sign-in/")
    page.locator("#id_username").fill(clerk.username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()

    # First time: enrol. The QR code is inline SVG, the key is there to type in by hand.
    page.wait_for_url(f"{live_server.url}/staff/second-factor/enrol/?next=/staff/")
    expect(page.locator("h1")).to_have_text("设置双因素验证")
    expect(page.locator(".second-factor-qr svg")).to_be_visible()
    expect(page.locator(".staff-nav")).to_have_count(0)  # nothing opens before the code
    key_text = page.locator("#second-factor-secret").inner_text()
    page.screenshot(path="/tmp/onewindow-second-factor-enrol.png", full_page=True)
    expect(page.locator("#id_code")).to_be_focused()
    page.locator("#id_code").fill(code_from_key(key_text))
    page.get_by_role("button", name="确认并登录").click()

    page.wait_for_url(f"{live_server.url}/staff/")
    expect(page.locator("h1")).to_have_text("工作台首页")
    expect(page.locator(".staff-tile").nth(0)).to_have_attribute("data-workstation", "cases.intake")
    page.screenshot(path="/tmp/onewindow-second-factor-home.png", full_page=True)

    # Signed out and back: this time the code page, not the enrolment.
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url(f"{live_server.url}/staff/sign-in/")
    page.locator("#id_username").fill(clerk.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url(f"{live_server.url}/staff/second-factor/?next=/staff/")
    expect(page.locator("h1")).to_have_text("双因素验证")
