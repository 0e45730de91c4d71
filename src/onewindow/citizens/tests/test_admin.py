"""Citizen accounts in the admin: masked, read-only, audited, for administrators and auditors."""

from __future__ import annotations

import pytest
from django.test import Client

from onewindow.citizens.models import CitizenAccount
from onewindow.citizens.tests.conftest import PHONE, browser_sign_in
from onewindow.core.models import AuditLog
from onewindow.org.models import Role
from onewindow.testing.factories import staff_with_role

pytestmark = pytest.mark.django_db


def staff_client(role: str) -> Client:
    client = Client()
    client.force_login(staff_with_role(role))
    return client


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.ADMIN])
def test_accounts_show_masked_read_only_and_audited(role):
    browser_sign_in(Client())
    account = CitizenAccount.objects.get()
    client = staff_client(role)
    listing = client.get("/admin/citizens/citizenaccount/")
    detail = client.get(f"/admin/citizens/citizenaccount/{account.pk}/change/")
    assert (listing.status_code, detail.status_code) == (200, 200)
    for answer in (listing, detail):
        html = answer.content.decode()
        assert "139****5678" in html and PHONE not in html
    assert "_save" not in detail.content.decode()
    assert AuditLog.objects.filter(action="citizens.account_admin_list").count() == 1
    assert AuditLog.objects.get(action="citizens.account_admin_view").object_id == str(account.pk)
    assert client.get("/admin/citizens/citizenaccount/add/").status_code == 403


def test_a_clerk_is_refused_and_the_refusal_audited():
    client = staff_client(Role.INTAKE_CLERK)
    assert client.get("/admin/citizens/citizenaccount/").status_code == 403
    assert (
        AuditLog.objects.filter(allowed=False, object_type="citizens.citizenaccount").count() == 1
    )
