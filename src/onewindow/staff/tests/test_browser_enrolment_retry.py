"""In a real headless Chromium: a wrong enrolment code keeps the secret already scanned and
the code typed, and the focus lands on the enrolment code field; a wrong app code puts it on
the code field."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from onewindow.org.models import Role
from onewindow.staff import enrolment
from onewindow.staff.tests.conftest import PASSWORD
from onewindow.staff.tests.test_browser_second_factor import code_from_key
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


def test_wrong_tries_keep_the_secret_and_the_typed_code_and_focus_the_field_at_fault(
    desk, live_server, centre, settings
):
    settings.STAFF_SECOND_FACTOR_ROLES = ["intake_clerk"]
    settings.STAFF_ENROLMENT_NEEDS_CODE = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    clerk = staff_with_role(Role.INTAKE_CLERK, centre=centre)
    code = enrolment.issue_code(actor=staff_with_role(Role.SECURITY_ADMIN), user=clerk)
    page = desk
    page.goto(f"{live_server.url}/staff/sign-in/")
    page.locator("#id_username").fill(clerk.username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/staff/second-factor/enrol/?next=/staff/")
    secret = page.locator("#second-factor-secret").inner_text()
    expect(page.locator("#id_enrolment_code")).to_be_focused()

    page.locator("#id_enrolment_code").fill("AAAAAAAA")
    page.locator("#id_code").fill(code_from_key(secret))
    page.get_by_role("button", name="确认并登录").click()
    expect(page.locator("#second-factor-error")).to_contain_text("绑定码")
    expect(page.locator("#second-factor-secret")).to_have_text(secret)
    expect(page.locator("#id_enrolment_code")).to_have_value("AAAAAAAA")
    expect(page.locator("#id_enrolment_code")).to_be_focused()
    expect(page.locator("#id_code")).to_have_value("")

    page.locator("#id_enrolment_code").fill(code)
    wrong = f"{(int(code_from_key(secret)) + 500_000) % 1_000_000:06d}"
    page.locator("#id_code").fill(wrong)
    page.get_by_role("button", name="确认并登录").click()
    expect(page.locator("#second-factor-error")).to_contain_text("验证码不正确")
    expect(page.locator("#second-factor-secret")).to_have_text(secret)
    expect(page.locator("#id_enrolment_code")).to_have_value(code)
    expect(page.locator("#id_code")).to_be_focused()

    page.locator("#id_code").fill(code_from_key(secret))
    page.get_by_role("button", name="确认并登录").click()
    page.wait_for_url(f"{live_server.url}/staff/")
