"""Enrolling a second factor takes a one-time code the security administrator issued out of
band (ADR 0012, amended): the password alone enrols nobody."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from onewindow.core.models import AuditLog
from onewindow.org.models import Role
from onewindow.staff import enrolment
from onewindow.staff.models import EnrolmentCode, StaffTOTPDevice
from onewindow.staff.tests.conftest import PASSWORD
from onewindow.staff.tests.test_second_factor import code_for
from onewindow.testing.factories import staff_with_role

SIGN_IN = "/staff/sign-in/"
ENROL = "/staff/second-factor/enrol/"
HOME = "/staff/"
ISSUE = "/admin/staff/enrolmentcode/add/"


@pytest.fixture(autouse=True)
def enrolment_needs_a_code(settings):
    settings.STAFF_SECOND_FACTOR_ROLES = ["intake_clerk"]
    settings.STAFF_ENROLMENT_NEEDS_CODE = True


@pytest.fixture
def security_admin(db):
    return staff_with_role(Role.SECURITY_ADMIN)


def signed_in_by_password(client, user) -> StaffTOTPDevice:
    client.post(SIGN_IN, {"username": user.username, "password": PASSWORD})
    page = client.get(ENROL)
    assert page.status_code == 200
    assert 'name="enrolment_code"' in page.content.decode()
    return StaffTOTPDevice.objects.get(user=user)


def enrol(client, device, enrolment_code):
    return client.post(
        ENROL, {"code": code_for(device), "enrolment_code": enrolment_code, "next": HOME}
    )


def nothing_enrolled(user) -> bool:
    return not StaffTOTPDevice.objects.filter(user=user, confirmed=True).exists()


def refusal_reasons(user) -> list[str]:
    return [
        row.detail["reason"]
        for row in AuditLog.objects.filter(
            actor=user, action="denied:staff.second_factor_enrol"
        ).order_by("pk")
    ]


def test_the_password_alone_enrols_nobody(client, staff):
    clerk = staff["intake_clerk"]
    device = signed_in_by_password(client, clerk)
    response = enrol(client, device, "")
    assert response.status_code == 200
    assert nothing_enrolled(clerk)
    assert refusal_reasons(clerk) == ["enrolment_code_missing"]
    assert "_auth_user_id" in client.session
    assert client.get(HOME).status_code == 302


def test_a_wrong_code_enrols_nobody_and_counts_as_a_wrong_try(client, staff, security_admin):
    clerk = staff["intake_clerk"]
    enrolment.issue_code(actor=security_admin, user=clerk)
    device = signed_in_by_password(client, clerk)
    assert enrol(client, device, "AAAAAAAA").status_code == 200
    assert nothing_enrolled(clerk)
    assert refusal_reasons(clerk) == ["enrolment_code_wrong"]
    row = AuditLog.objects.get(actor=clerk, action="denied:staff.second_factor_enrol")
    assert row.detail["failures"] == 1


def test_wrong_enrolment_codes_lock_the_account_like_wrong_codes(
    client, staff, security_admin, settings
):
    settings.STAFF_SECOND_FACTOR_MAX_FAILURES = 2
    clerk = staff["intake_clerk"]
    code = enrolment.issue_code(actor=security_admin, user=clerk)
    device = signed_in_by_password(client, clerk)
    enrol(client, device, "AAAAAAAA")
    enrol(client, device, "CCCCCCCC")
    # Locked now: even the right code is refused.
    assert enrol(client, device, code).status_code == 200
    assert nothing_enrolled(clerk)
    assert (
        AuditLog.objects.filter(
            actor=clerk, action="denied:staff.second_factor", detail__reason="locked"
        ).count()
        == 1
    )


def test_an_expired_code_enrols_nobody(client, staff, security_admin):
    clerk = staff["intake_clerk"]
    code = enrolment.issue_code(actor=security_admin, user=clerk)
    EnrolmentCode.objects.filter(user=clerk).update(expires_at=timezone.now() - timedelta(1))
    device = signed_in_by_password(client, clerk)
    assert enrol(client, device, code).status_code == 200
    assert nothing_enrolled(clerk)
    assert refusal_reasons(clerk) == ["enrolment_code_expired"]


def test_another_accounts_code_enrols_nobody(client, staff, security_admin):
    clerk = staff["intake_clerk"]
    code = enrolment.issue_code(actor=security_admin, user=staff["output_clerk"])
    device = signed_in_by_password(client, clerk)
    assert enrol(client, device, code).status_code == 200
    assert nothing_enrolled(clerk)
    assert refusal_reasons(clerk) == ["enrolment_code_wrong"]


def test_the_right_code_enrols_once_and_is_then_used(client, staff, security_admin):
    clerk = staff["intake_clerk"]
    code = enrolment.issue_code(actor=security_admin, user=clerk)
    device = signed_in_by_password(client, clerk)
    done = enrol(client, device, code.lower())
    assert (done.status_code, done["Location"]) == (302, HOME)
    device.refresh_from_db()
    assert device.confirmed is True
    assert EnrolmentCode.objects.get(user=clerk).used_at is not None
    assert AuditLog.objects.filter(actor=clerk, action="staff.enrolment_code_use").count() == 1
    assert AuditLog.objects.filter(actor=clerk, action="staff.second_factor_enrol").count() == 1
    # The device is lost and reset: the same code does not enrol again.
    StaffTOTPDevice.objects.filter(user=clerk).delete()
    again = Client()
    device = signed_in_by_password(again, clerk)
    assert enrol(again, device, code).status_code == 200
    assert nothing_enrolled(clerk)
    assert refusal_reasons(clerk) == ["enrolment_code_used"]


def test_a_new_code_voids_the_unused_one_before_it(client, staff, security_admin):
    clerk = staff["intake_clerk"]
    first = enrolment.issue_code(actor=security_admin, user=clerk)
    enrolment.issue_code(actor=security_admin, user=clerk)
    device = signed_in_by_password(client, clerk)
    assert enrol(client, device, first).status_code == 200
    assert nothing_enrolled(clerk)


def test_the_security_administrator_issues_a_code_shown_once_and_stored_only_hashed(
    staff, security_admin
):
    clerk = staff["intake_clerk"]
    browser = Client()
    browser.force_login(security_admin)
    assert browser.get(ISSUE).status_code == 200
    posted = browser.post(ISSUE, {"username": clerk.username})
    assert posted.status_code == 302  # shown by the GET that follows (test_issue_code_once.py)
    page = browser.get(posted["Location"])
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    code = re.search(r'<code id="enrolment-code"[^>]*>([A-Z0-9]+)</code>', page.content.decode())
    code = code.group(1)
    assert len(code) == 8 and set(code) <= set(enrolment.ALPHABET)
    issued = AuditLog.objects.get(action="staff.enrolment_code_issue")
    assert (issued.actor_id, issued.object_id) == (security_admin.pk, str(clerk.pk))
    assert code not in str(issued.detail)
    # Not in the table in clear, in any column.
    table = EnrolmentCode._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")
        dump = repr(cursor.fetchall())
    assert code not in dump and code.lower() not in dump
    assert EnrolmentCode.objects.get(user=clerk).digest == enrolment.digest(code)
    # Nowhere to read it again: the list shows no code, and no row can be opened to change.
    listing = browser.get("/admin/staff/enrolmentcode/").content.decode()
    assert code not in listing


@pytest.mark.parametrize("role", ["admin", "auditor"])
def test_the_system_administrator_and_the_auditor_may_not_issue_a_code(staff, role):
    actor = staff[role]
    browser = Client()
    browser.force_login(actor)
    assert browser.get(ISSUE).status_code == 403
    assert browser.post(ISSUE, {"username": staff["intake_clerk"].username}).status_code == 403
    assert not EnrolmentCode.objects.exists()
    assert (
        AuditLog.objects.filter(actor=actor, action="denied:security.manage", allowed=False).count()
        == 2
    )


def test_the_service_refuses_anyone_but_the_security_administrator(staff):
    from onewindow.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        enrolment.issue_code(actor=staff["admin"], user=staff["intake_clerk"])
    assert not EnrolmentCode.objects.exists()
    denied = AuditLog.objects.filter(actor=staff["admin"], action="denied:security.manage")
    assert denied.count() == 1


def test_with_the_setting_off_the_password_and_a_code_from_the_app_enrol(client, staff, settings):
    settings.STAFF_ENROLMENT_NEEDS_CODE = False
    clerk = staff["intake_clerk"]
    client.post(SIGN_IN, {"username": clerk.username, "password": PASSWORD})
    page = client.get(ENROL).content.decode()
    assert 'name="enrolment_code"' not in page
    device = StaffTOTPDevice.objects.get(user=clerk)
    done = client.post(ENROL, {"code": code_for(device), "next": HOME})
    assert (done.status_code, done["Location"]) == (302, HOME)


def test_someone_with_only_the_password_never_sees_the_secret_the_owner_enrols(
    client, staff, security_admin
):
    clerk = staff["intake_clerk"]
    intruder = Client()
    theirs = signed_in_by_password(intruder, clerk)
    code = enrolment.issue_code(actor=security_admin, user=clerk)
    client.post(SIGN_IN, {"username": clerk.username, "password": PASSWORD})
    assert client.get(ENROL).status_code == 200
    owners = StaffTOTPDevice.objects.filter(user=clerk).exclude(pk=theirs.pk).get()
    assert owners.bin_key != theirs.bin_key
    assert 'name="enrolment_code"' in intruder.get(ENROL).content.decode()
    assert StaffTOTPDevice.objects.filter(user=clerk).count() == 2
    done = enrol(client, owners, code)
    assert (done.status_code, done["Location"]) == (302, HOME)
    # The owner's device is the only one left; the intruder's pending one is gone.
    assert list(StaffTOTPDevice.objects.filter(user=clerk).values_list("pk", "confirmed")) == [
        (owners.pk, True)
    ]
