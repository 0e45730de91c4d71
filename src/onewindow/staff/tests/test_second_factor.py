"""The TOTP second factor: enrolment with a QR code, the code page after the password, the
session that opens nothing until the code is given, and wrong codes throttled and audited."""

from __future__ import annotations

import re
from base64 import b32encode

import pytest
from django.test import override_settings
from django_otp.oath import TOTP

from onewindow.core.models import AuditLog
from onewindow.staff.models import StaffTOTPDevice
from onewindow.staff.tests.conftest import PASSWORD

SIGN_IN = "/staff/sign-in/"
CODE = "/staff/second-factor/"
ENROL = "/staff/second-factor/enrol/"
HOME = "/staff/"

pytestmark = pytest.mark.usefixtures("second_factor_for_clerks")


@pytest.fixture
def second_factor_for_clerks(settings):
    settings.STAFF_SECOND_FACTOR_ROLES = ["intake_clerk", "auditor"]
    # The enrolment code is tested in test_enrolment_code.py; here the demo's default.
    settings.STAFF_ENROLMENT_NEEDS_CODE = False


def code_for(device: StaffTOTPDevice) -> str:
    """The code the user's app shows now, computed by django-otp's own TOTP."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def wrong_code_for(device: StaffTOTPDevice) -> str:
    right = int(code_for(device))
    return f"{(right + 500_000) % 1_000_000:06d}"


def confirmed_device(user) -> StaffTOTPDevice:
    return StaffTOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_a_clerk_without_a_device_is_led_to_enrol_and_lands_home_after_the_code(client, staff):
    clerk = staff["intake_clerk"]
    response = client.post(SIGN_IN, {"username": clerk.username, "password": PASSWORD})
    assert (response.status_code, response["Location"]) == (302, f"{ENROL}?next={HOME}")
    sign_in_row = AuditLog.objects.get(action="staff.sign_in")
    assert sign_in_row.detail["second_factor"] == "required"
    # Until the code is given, nothing opens: the home sends back to the code page.
    assert client.get(HOME)["Location"] == f"{CODE}?next={HOME}"
    page = client.get(ENROL)
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html and 'class="segno"' in html
    device = StaffTOTPDevice.objects.get(user=clerk)
    assert device.confirmed is False
    secret = re.search(r'<code id="second-factor-secret">([A-Z2-7 ]+)</code>', html).group(1)
    assert len(secret.replace(" ", "")) == 32
    # A reload shows the same device, so a QR code already scanned still works.
    client.get(ENROL)
    assert StaffTOTPDevice.objects.filter(user=clerk).count() == 1
    done = client.post(ENROL, {"code": code_for(device), "next": HOME})
    assert (done.status_code, done["Location"]) == (302, HOME)
    device.refresh_from_db()
    assert device.confirmed is True
    assert 'data-workstation="cases.intake"' in client.get(HOME).content.decode()
    assert AuditLog.objects.filter(actor=clerk, action="staff.second_factor_enrol").count() == 1


def test_a_clerk_with_a_device_gives_the_code_after_the_password(client, staff):
    clerk = staff["intake_clerk"]
    device = confirmed_device(clerk)
    response = client.post(
        SIGN_IN,
        {"username": clerk.username, "password": PASSWORD, "next": "/staff/cases/queue/"},
    )
    assert response["Location"] == f"{CODE}?next=/staff/cases/queue/"
    assert client.get(ENROL, {"next": HOME})["Location"] == f"{CODE}?next={HOME}"
    before_key = client.session.session_key
    done = client.post(CODE, {"code": code_for(device), "next": "/staff/cases/queue/"})
    assert (done.status_code, done["Location"]) == (302, "/staff/cases/queue/")
    assert client.session.session_key != before_key  # a new key for the verified session
    assert client.get(HOME).status_code == 200
    row = AuditLog.objects.get(action="staff.second_factor")
    assert (row.actor_id, row.allowed) == (clerk.pk, True)


def test_an_unverified_session_opens_no_staff_page_no_admin_and_no_api(client, staff):
    clerk = staff["intake_clerk"]
    confirmed_device(clerk)
    client.post(SIGN_IN, {"username": clerk.username, "password": PASSWORD})
    assert signed_in(client)
    assert client.get("/staff/cases/queue/")["Location"] == (f"{CODE}?next=/staff/cases/queue/")
    htmx = client.post(
        "/staff/cases/queue/1/claim/",
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/staff/cases/queue/",
    )
    assert (htmx.status_code, htmx["HX-Redirect"]) == (204, f"{CODE}?next=/staff/cases/queue/")
    assert client.get("/admin/")["Location"] == f"{CODE}?next=/admin/"
    assert client.get("/api/cases/queue").status_code == 401
    # The sign-in page itself sends on to the code page.
    assert client.get(SIGN_IN)["Location"] == f"{CODE}?next={HOME}"


def test_wrong_codes_are_refused_audited_and_then_locked(client, staff, settings):
    settings.STAFF_SECOND_FACTOR_MAX_FAILURES = 3
    clerk = staff["intake_clerk"]
    device = confirmed_device(clerk)
    # django-otp's own growing delay is switched off here, to see the account limit alone.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    client.post(SIGN_IN, {"username": clerk.username, "password": PASSWORD})
    for _ in range(3):
        page = client.post(CODE, {"code": wrong_code_for(device), "next": HOME})
        assert page.status_code == 200
        assert "这个验证码不正确。请输入验证器应用当前显示的六位数字。" in page.content.decode()
    locked = client.post(CODE, {"code": code_for(device), "next": HOME})
    assert locked.status_code == 200
    assert "验证码错误次数过多" in locked.content.decode()
    assert client.get(HOME)["Location"] == f"{CODE}?next={HOME}"
    rows = AuditLog.objects.filter(action="denied:staff.second_factor").order_by("id")
    assert [(r.actor_id, r.allowed, r.detail["reason"]) for r in rows] == [
        (clerk.pk, False, "wrong_code"),
        (clerk.pk, False, "wrong_code"),
        (clerk.pk, False, "wrong_code"),
        (clerk.pk, False, "locked"),
    ]


def test_django_otp_refuses_the_right_code_straight_after_a_wrong_one(client, staff):
    clerk = staff["intake_clerk"]
    device = confirmed_device(clerk)
    client.post(SIGN_IN, {"username": clerk.username, "password": PASSWORD})
    client.post(CODE, {"code": wrong_code_for(device), "next": HOME})
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    # Within the growing delay, even the right code is refused.
    device.throttling_failure_timestamp = device.throttling_failure_timestamp.replace(
        year=device.throttling_failure_timestamp.year + 1
    )
    device.save()
    refused = client.post(CODE, {"code": code_for(device), "next": HOME})
    assert refused.status_code == 200
    assert client.get(HOME)["Location"] == f"{CODE}?next={HOME}"


def test_a_code_is_accepted_once_only(client, staff, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    clerk = staff["intake_clerk"]
    device = confirmed_device(clerk)
    client.post(SIGN_IN, {"username": clerk.username, "password": PASSWORD})
    code = code_for(device)
    client.post(CODE, {"code": code, "next": HOME})
    client.post("/staff/sign-out/")
    client.post(SIGN_IN, {"username": clerk.username, "password": PASSWORD})
    replay = client.post(CODE, {"code": code, "next": HOME})
    assert replay.status_code == 200
    assert client.get(HOME)["Location"] == f"{CODE}?next={HOME}"


def test_roles_outside_the_setting_sign_in_with_the_password_alone(client, staff):
    approver = staff["approver"]
    response = client.post(SIGN_IN, {"username": approver.username, "password": PASSWORD})
    assert (response.status_code, response["Location"]) == (302, HOME)
    assert client.get(HOME).status_code == 200
    assert client.get(CODE)["Location"] == HOME
    assert not StaffTOTPDevice.objects.filter(user=approver).exists()


@override_settings(STAFF_SECOND_FACTOR_ROLES=[])
def test_with_no_role_configured_nobody_is_asked_for_a_code(client, staff):
    clerk = staff["intake_clerk"]
    response = client.post(SIGN_IN, {"username": clerk.username, "password": PASSWORD})
    assert (response.status_code, response["Location"]) == (302, HOME)


def test_the_admin_login_is_the_staff_sign_in(client, staff):
    response = client.get("/admin/login/", {"next": "/admin/"})
    assert (response.status_code, response["Location"]) == (302, f"{SIGN_IN}?next=/admin/")
    assert client.post("/admin/login/", {"username": "x"}).status_code == 405


def test_the_code_page_needs_a_password_first(client, db):
    assert client.get(CODE)["Location"] == f"{SIGN_IN}?next={CODE}"
    assert client.get(ENROL)["Location"] == f"{SIGN_IN}?next={ENROL}"


def test_only_the_security_administrator_resets_a_lost_device_and_no_one_sees_its_key(staff):
    from django.test import Client

    from onewindow.org.models import Role
    from onewindow.testing.factories import staff_with_role

    device = confirmed_device(staff["intake_clerk"])
    url = f"/admin/staff/stafftotpdevice/{device.pk}/"
    system = Client()
    system.force_login(staff["admin"])
    assert system.get("/admin/staff/stafftotpdevice/").status_code == 403
    security_admin = staff_with_role(Role.SECURITY_ADMIN)
    security = Client()
    security.force_login(security_admin)
    page = security.get(f"{url}change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert staff["intake_clerk"].username in html
    for form in (device.bin_key.hex(), b32encode(device.bin_key).decode(), device.key_encrypted):
        assert form not in html
    # django-otp's clear-key device model is not in the admin at all.
    assert security.get("/admin/otp_totp/totpdevice/").status_code == 404
    assert security.post(f"{url}delete/", {"post": "yes"}).status_code == 302
    assert not StaffTOTPDevice.objects.filter(pk=device.pk).exists()
    reset = AuditLog.objects.get(action="staff.second_factor_reset")
    assert (reset.actor_id, reset.object_id) == (security_admin.pk, str(staff["intake_clerk"].pk))


def test_a_misspelt_role_in_the_setting_stops_the_server(settings):
    from onewindow.staff.checks import second_factor_roles_are_known

    assert second_factor_roles_are_known() == []
    settings.STAFF_SECOND_FACTOR_ROLES = ["intake_clerk", "intake"]
    errors = second_factor_roles_are_known()
    assert [(error.id, error.msg.split(" / ")[0]) for error in errors] == [
        ("onewindow.staff.E001", "STAFF_SECOND_FACTOR_ROLES names unknown roles: intake")
    ]


GARBAGE_KEYS = ["garbage", "v1.k1.x", "v1.nokey.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"]


def make_unreadable(device: StaffTOTPDevice, ciphertext: str) -> None:
    StaffTOTPDevice.objects.filter(pk=device.pk).update(key_encrypted=ciphertext)


def page_secret(html: str) -> str:
    return re.search(r'<code id="second-factor-secret">([A-Z2-7 ]+)</code>', html).group(1)


@pytest.mark.parametrize("ciphertext", GARBAGE_KEYS)
def test_an_enrolment_whose_key_no_longer_decrypts_restarts_with_a_new_device(
    client, staff, caplog, ciphertext
):
    clerk = staff["intake_clerk"]
    client.post(SIGN_IN, {"username": clerk.username, "password": PASSWORD})
    client.get(ENROL)
    old = StaffTOTPDevice.objects.get(user=clerk)
    make_unreadable(old, ciphertext)
    caplog.set_level("ERROR", logger="onewindow.staff.second_factor")
    # A code typed for the unreadable device: not checked, not counted, the set-up restarts.
    page = client.post(ENROL, {"code": "123456", "next": HOME})
    html = page.content.decode()
    assert page.status_code == 200
    assert "set-up has started again: scan this new QR code" in html
    assert "设置已重新开始" in html
    new = StaffTOTPDevice.objects.get(user=clerk)
    assert new.pk != old.pk and new.confirmed is False
    assert page_secret(html).replace(" ", "") == b32encode(new.bin_key).decode().rstrip("=")
    assert not AuditLog.objects.filter(action="denied:staff.second_factor").exists()
    assert [r.getMessage() for r in caplog.records if r.name.startswith("onewindow")] == [
        f"second-factor device {old.pk} of user {clerk.pk}: its key does not decrypt "
        "(pending enrolment)"
    ]
    # The new device's code confirms it.
    done = client.post(ENROL, {"code": code_for(new), "next": HOME})
    assert (done.status_code, done["Location"]) == (302, HOME)
    new.refresh_from_db()
    assert new.confirmed is True


@pytest.mark.parametrize("ciphertext", GARBAGE_KEYS)
def test_a_confirmed_device_whose_key_no_longer_decrypts_sends_to_the_security_administrator(
    client, staff, caplog, ciphertext
):
    clerk = staff["intake_clerk"]
    device = confirmed_device(clerk)
    make_unreadable(device, ciphertext)
    client.post(SIGN_IN, {"username": clerk.username, "password": PASSWORD})
    caplog.set_level("ERROR", logger="onewindow.staff.second_factor")
    for response in (client.get(CODE), client.post(CODE, {"code": "123456", "next": HOME})):
        html = response.content.decode()
        assert response.status_code == 503
        assert "ask your security administrator to reset your second factor" in html
        assert "请安全管理员重置" in html
        assert '<form method="post" action="/staff/second-factor/"' not in html
    assert [r.getMessage() for r in caplog.records if r.name.startswith("onewindow")] == 2 * [
        f"second-factor device {device.pk} of user {clerk.pk}: its key does not decrypt (confirmed)"
    ]
    # Still one device, still confirmed, the session not verified.
    assert list(StaffTOTPDevice.objects.filter(user=clerk).values_list("pk", "confirmed")) == [
        (device.pk, True)
    ]
    assert client.get(HOME)["Location"] == f"{CODE}?next={HOME}"
