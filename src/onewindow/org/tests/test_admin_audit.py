"""The audit log in the admin: an auditor opens an entry read-only; a scoped role cannot."""

import pytest
from django.test import Client

from onewindow.core.audit import audit_record
from onewindow.org.models import Role
from onewindow.testing.factories import CentreFactory, staff_with_role

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_an_auditor_opens_an_audit_entry_read_only_and_a_clerk_cannot():
    entry = audit_record(actor=None, action="test.something", object_type="test.thing")
    url = f"/admin/core/auditlog/{entry.pk}/change/"
    auditor = client_for(staff_with_role(Role.AUDITOR))
    page = auditor.get(url)
    assert page.status_code == 200
    assert "test.something" in page.content.decode()
    assert 'name="_save"' not in page.content.decode()
    clerk = client_for(staff_with_role(Role.INTAKE_CLERK, centre=CentreFactory()))
    assert clerk.get(url).status_code == 403
