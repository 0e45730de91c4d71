"""Wrong tries on the enrolment page keep the secret already scanned and what was typed."""

from __future__ import annotations

import re

import pytest

from onewindow.org.models import Role
from onewindow.staff import enrolment
from onewindow.staff.models import StaffTOTPDevice
from onewindow.staff.tests.conftest import PASSWORD
from onewindow.staff.tests.test_second_factor import code_for, wrong_code_for
from onewindow.testing.factories import staff_with_role

SIGN_IN = "/staff/sign-in/"
ENROL = "/staff/second-factor/enrol/"
HOME = "/staff/"


@pytest.fixture(autouse=True)
def enrolment_needs_a_code(settings):
    settings.STAFF_SECOND_FACTOR_ROLES = ["intake_clerk"]
    settings.STAFF_ENROLMENT_NEEDS_CODE = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def page_secret(html: str) -> str:
    return re.search(r'<code id="second-factor-secret">([A-Z2-7 ]+)</code>', html).group(1)


def test_a_wrong_enrolment_code_keeps_the_same_device_and_secret(client, staff):
    security_admin = staff_with_role(Role.SECURITY_ADMIN)
    clerk = staff["intake_clerk"]
    code = enrolment.issue_code(actor=security_admin, user=clerk)
    client.post(SIGN_IN, {"username": clerk.username, "password": PASSWORD})
    first = client.get(ENROL).content.decode()
    device = StaffTOTPDevice.objects.get(user=clerk)
    for typed in ("AAAAAAAA", "CCCCCCCC"):
        page = client.post(ENROL, {"code": code_for(device), "enrolment_code": typed, "next": HOME})
        assert page.status_code == 200
        assert page_secret(page.content.decode()) == page_secret(first)
    assert list(StaffTOTPDevice.objects.filter(user=clerk).values_list("pk", flat=True)) == [
        device.pk
    ]
    done = client.post(ENROL, {"code": code_for(device), "enrolment_code": code, "next": HOME})
    assert (done.status_code, done["Location"]) == (302, HOME)


def test_after_a_wrong_try_the_typed_enrolment_code_stays_and_the_wrong_field_has_focus(
    client, staff
):
    security_admin = staff_with_role(Role.SECURITY_ADMIN)
    clerk = staff["intake_clerk"]
    code = enrolment.issue_code(actor=security_admin, user=clerk)
    client.post(SIGN_IN, {"username": clerk.username, "password": PASSWORD})
    first = client.get(ENROL).content.decode()
    device = StaffTOTPDevice.objects.get(user=clerk)
    # Before any try, the first field of the page has the focus.
    assert re.search(r'<input id="id_enrolment_code"[^>]* autofocus', first)
    assert not re.search(r'<input id="id_code"[^>]* autofocus', first)
    wrong_enrolment = client.post(
        ENROL, {"code": code_for(device), "enrolment_code": "AAAAAAAA", "next": HOME}
    ).content.decode()
    field = re.search(r'<input id="id_enrolment_code"[^>]*>', wrong_enrolment).group(0)
    assert 'value="AAAAAAAA"' in field and " autofocus" in field
    assert not re.search(r'<input id="id_code"[^>]* autofocus', wrong_enrolment)
    assert not re.search(r'<input id="id_code"[^>]* value="\d', wrong_enrolment)
    # The enrolment code right, the app's code wrong: the code field has the focus, the
    # enrolment code typed is still there.
    wrong_code = client.post(
        ENROL, {"code": wrong_code_for(device), "enrolment_code": code, "next": HOME}
    ).content.decode()
    field = re.search(r'<input id="id_enrolment_code"[^>]*>', wrong_code).group(0)
    assert f'value="{code}"' in field and " autofocus" not in field
    assert re.search(r'<input id="id_code"[^>]* autofocus', wrong_code)
    assert page_secret(wrong_code) == page_secret(first)
