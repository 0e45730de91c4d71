"""三员分立 and passwords: whoever sets an account's password can sign in as its owner, so the
system administrator does not set (nor switch off, nor rename) the accounts of the three duties
— another administrator, the security administrator, the auditor; the security administrator
does. Every account change and password change made in the admin is audited, without secrets."""

from __future__ import annotations

import pytest
from django.test import Client

from onewindow.core.models import AuditLog
from onewindow.org.models import Role
from onewindow.testing.factories import CentreFactory, staff_with_role

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Handed-over-in-person-7"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def system_administrator():
    user = staff_with_role(Role.ADMIN)
    user.is_superuser = False
    user.save()
    return user


def password_form(password: str = NEW_PASSWORD) -> dict[str, str]:
    return {"password1": password, "password2": password, "usable_password": "true"}


def account_form(user, **changes: str) -> dict[str, str]:
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": "",
        "email": "",
        "is_active": "on",
        "is_staff": "on",
        "role_assignments-TOTAL_FORMS": "0",
        "role_assignments-INITIAL_FORMS": "0",
        "role_assignments-MIN_NUM_FORMS": "0",
        "role_assignments-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.SECURITY_ADMIN, Role.ADMIN])
def test_the_system_administrator_cannot_set_a_duty_accounts_password(role):
    system = system_administrator()
    target = staff_with_role(role)
    before = target.password
    client = client_for(system)
    page = f"/admin/auth/user/{target.pk}/password/"
    assert client.get(page).status_code == 403
    assert client.post(page, password_form()).status_code == 403
    target.refresh_from_db()
    assert target.password == before
    refusals = AuditLog.objects.filter(actor=system, action="denied:org.account_password")
    assert [(r.allowed, r.object_id, r.detail["method"]) for r in refusals.order_by("id")] == [
        (False, str(target.pk), "GET"),
        (False, str(target.pk), "POST"),
    ]
    assert not AuditLog.objects.filter(action="org.account_password").exists()


def test_the_system_administrator_cannot_switch_off_or_rename_the_auditor():
    system = system_administrator()
    auditor = staff_with_role(Role.AUDITOR)
    data = account_form(auditor, username="taken-over", is_active="")
    client_for(system).post(f"/admin/auth/user/{auditor.pk}/change/", data)
    name = auditor.username
    auditor.refresh_from_db()
    assert (auditor.username, auditor.is_active) == (name, True)


def test_the_security_administrator_sets_the_auditors_password_audited_without_it():
    security = staff_with_role(Role.SECURITY_ADMIN)
    auditor = staff_with_role(Role.AUDITOR)
    response = client_for(security).post(
        f"/admin/auth/user/{auditor.pk}/password/", password_form()
    )
    assert response.status_code == 302
    auditor.refresh_from_db()
    assert auditor.check_password(NEW_PASSWORD)
    row = AuditLog.objects.get(action="org.account_password")
    assert (row.actor_id, row.object_id, row.allowed, row.detail) == (
        security.pk,
        str(auditor.pk),
        True,
        {"usable": True},
    )
    assert NEW_PASSWORD not in str(row.detail) + row.object_repr


def test_the_system_administrator_sets_a_clerks_password_audited():
    system = system_administrator()
    clerk = staff_with_role(Role.INTAKE_CLERK, centre=CentreFactory())
    response = client_for(system).post(f"/admin/auth/user/{clerk.pk}/password/", password_form())
    assert response.status_code == 302
    clerk.refresh_from_db()
    assert clerk.check_password(NEW_PASSWORD)
    row = AuditLog.objects.get(action="org.account_password")
    assert (row.actor_id, row.object_id, row.detail) == (system.pk, str(clerk.pk), {"usable": True})


def test_the_security_administrator_still_sets_no_ordinary_accounts_password():
    security = staff_with_role(Role.SECURITY_ADMIN)
    clerk = staff_with_role(Role.INTAKE_CLERK, centre=CentreFactory())
    assert client_for(security).get(f"/admin/auth/user/{clerk.pk}/password/").status_code == 403


def test_an_account_change_is_audited_with_the_fields_named_not_their_values():
    system = system_administrator()
    clerk = staff_with_role(Role.INTAKE_CLERK, centre=CentreFactory())
    existing = clerk.role_assignments.get()
    data = account_form(clerk, first_name="新名字", is_active="")
    data.update(
        {
            "role_assignments-TOTAL_FORMS": "1",
            "role_assignments-INITIAL_FORMS": "1",
            "role_assignments-0-id": str(existing.pk),
            "role_assignments-0-user": str(clerk.pk),
            "role_assignments-0-role": Role.INTAKE_CLERK,
            "role_assignments-0-centre": str(existing.centre_id),
        }
    )
    response = client_for(system).post(f"/admin/auth/user/{clerk.pk}/change/", data)
    assert response.status_code == 302
    row = AuditLog.objects.get(action="org.account_change")
    assert (row.actor_id, row.object_id, row.detail) == (
        system.pk,
        str(clerk.pk),
        {"fields": ["first_name", "is_active"], "is_active": False},
    )
    assert "新名字" not in str(row.detail)
