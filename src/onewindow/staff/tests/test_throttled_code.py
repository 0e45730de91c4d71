"""django-otp's growing delay after a wrong code is named as a pause, not as a wrong code."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from onewindow.core.models import AuditLog
from onewindow.staff.models import StaffTOTPDevice
from onewindow.staff.tests.conftest import PASSWORD
from onewindow.staff.tests.test_second_factor import code_for, wrong_code_for

SIGN_IN = "/staff/sign-in/"
CODE = "/staff/second-factor/"
ENROL = "/staff/second-factor/enrol/"
HOME = "/staff/"


@pytest.fixture(autouse=True)
def second_factor_for_clerks(settings):
    settings.STAFF_SECOND_FACTOR_ROLES = ["intake_clerk"]
    settings.STAFF_ENROLMENT_NEEDS_CODE = False
    settings.OTP_TOTP_THROTTLE_FACTOR = 1


def throttle(device: StaffTOTPDevice, *, failures: int, seconds_ago: float) -> None:
    StaffTOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=failures,
        throttling_failure_timestamp=timezone.now() - timedelta(seconds=seconds_ago),
    )


def test_a_throttled_code_asks_to_wait_the_seconds_left(client, staff):
    clerk = staff["intake_clerk"]
    device = StaffTOTPDevice.objects.create(user=clerk, name="phone", confirmed=True)
    client.post(SIGN_IN, {"username": clerk.username, "password": PASSWORD})
    # Four wrong codes so far: django-otp waits 8 seconds after the last; 2.5 have gone.
    throttle(device, failures=4, seconds_ago=2.5)
    page = client.post(CODE, {"code": code_for(device), "next": HOME})
    html = page.content.decode()
    assert page.status_code == 200
    assert "请等待 6 秒后再试" in html
    assert "please wait 6 seconds and try again" in html
    assert "这个验证码不正确" not in html
    device.refresh_from_db()
    assert device.throttling_failure_count == 4  # a refused try is no failure of the code
    row = AuditLog.objects.get(action="denied:staff.second_factor")
    assert (row.detail["reason"], row.detail["wait_seconds"]) == ("throttled", 6)
    assert client.get(HOME)["Location"] == f"{CODE}?next={HOME}"
    # Once the pause is over, a wrong code is a wrong code again, and the right one works.
    throttle(device, failures=1, seconds_ago=5)
    wrong = client.post(CODE, {"code": wrong_code_for(device), "next": HOME}).content.decode()
    assert "这个验证码不正确" in wrong and "请等待" not in wrong
    throttle(device, failures=1, seconds_ago=5)
    done = client.post(CODE, {"code": code_for(device), "next": HOME})
    assert (done.status_code, done["Location"]) == (302, HOME)


def test_a_throttled_enrolment_asks_to_wait_too(client, staff):
    clerk = staff["intake_clerk"]
    client.post(SIGN_IN, {"username": clerk.username, "password": PASSWORD})
    client.get(ENROL)
    device = StaffTOTPDevice.objects.get(user=clerk)
    throttle(device, failures=2, seconds_ago=0.5)
    html = client.post(ENROL, {"code": code_for(device), "next": HOME}).content.decode()
    assert "请等待 2 秒后再试" in html and "这个验证码不正确" not in html
    device.refresh_from_db()
    assert device.confirmed is False
