"""The pre-reviewing clerk may show the personal answers in full to check them against the
papers — by a POST, audited with the fields shown; anyone else gets the one 404."""

from __future__ import annotations

import pytest
from django.test import Client

from onewindow.core.models import AuditLog
from onewindow.online import services
from onewindow.online.tests.conftest import PHONE, filled

pytestmark = pytest.mark.django_db


def staff_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def sent(city):
    application = filled(city)
    services.application_submit(account=city.account, reference=application.reference, key="k")
    return application


def test_the_clerk_sees_the_answers_masked_then_in_full_on_asking(city):
    application = sent(city)
    clerk = staff_client(city.clerk)
    page = clerk.get(f"/staff/online/{application.reference}/").content.decode()
    assert city.id_number not in page and PHONE not in page
    assert 'id="online-reveal"' in page
    shown = clerk.post(f"/staff/online/{application.reference}/reveal/")
    html = shown.content.decode()
    assert shown.status_code == 200
    assert city.id_number in html and PHONE in html
    assert 'id="online-revealed"' in html
    row = AuditLog.objects.get(action="online.personal_reveal")
    assert (row.actor, row.detail["fields"]) == (city.clerk, ["operator_id", "phone"])
    assert city.id_number not in str(row.detail) and PHONE not in str(row.detail)
    assert clerk.get(f"/staff/online/{application.reference}/reveal/").status_code == 405


def test_another_centres_clerk_gets_the_one_404_audited(city):
    application = sent(city)
    other = staff_client(city.other_clerk)
    theirs = other.post(f"/staff/online/{application.reference}/reveal/")
    missing = other.post("/staff/online/W2099010100001/reveal/")
    assert (theirs.status_code, missing.status_code) == (404, 404)
    assert city.id_number not in theirs.content.decode()
    assert AuditLog.objects.filter(action="online.personal_reveal").count() == 0
    assert AuditLog.objects.filter(actor=city.other_clerk, allowed=False).count() == 2
