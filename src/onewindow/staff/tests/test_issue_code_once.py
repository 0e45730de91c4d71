"""Issuing an enrolment code in the admin: post/redirect/get, the code shown once on the GET
that follows, to its issuer, within a minute; a reload issues nothing and voids nothing."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from onewindow.core.models import AuditLog
from onewindow.org.models import Role
from onewindow.staff import enrolment
from onewindow.staff.admin import SHOWN_SESSION_KEY
from onewindow.staff.models import EnrolmentCode
from onewindow.testing.factories import staff_with_role

ISSUE = "/admin/staff/enrolmentcode/add/"
ALREADY = 'id="enrolment-code-already-shown"'


@pytest.fixture
def security_admin(db):
    return staff_with_role(Role.SECURITY_ADMIN)


def shown_code(html: str) -> str | None:
    found = re.search(r'<code id="enrolment-code"[^>]*>([A-Z0-9]+)</code>', html)
    return found.group(1) if found else None


def test_the_code_is_shown_once_on_a_get_and_a_reload_issues_nothing(staff, security_admin):
    clerk = staff["intake_clerk"]
    browser = Client()
    browser.force_login(security_admin)
    posted = browser.post(ISSUE, {"username": clerk.username})
    row = EnrolmentCode.objects.get(user=clerk)
    assert (posted.status_code, posted["Location"]) == (302, f"{ISSUE}?issued={row.pk}")
    assert shown_code(posted.content.decode()) is None
    page = browser.get(posted["Location"])
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    code = shown_code(page.content.decode())
    assert code is not None and enrolment.digest(code) == row.digest
    assert clerk.username in page.content.decode()
    # The code is not kept in the session in clear, and is gone from it once shown.
    assert SHOWN_SESSION_KEY not in browser.session
    again = browser.get(posted["Location"])
    html = again.content.decode()
    assert again.status_code == 200 and ALREADY in html and shown_code(html) is None
    assert list(EnrolmentCode.objects.values_list("pk", "digest")) == [(row.pk, row.digest)]
    assert AuditLog.objects.filter(action="staff.enrolment_code_issue").count() == 1


def test_the_code_is_kept_encrypted_in_the_session_until_shown(staff, security_admin):
    browser = Client()
    browser.force_login(security_admin)
    posted = browser.post(ISSUE, {"username": staff["intake_clerk"].username})
    entry = browser.session[SHOWN_SESSION_KEY]
    code = shown_code(browser.get(posted["Location"]).content.decode())
    assert code is not None and code not in repr(entry)


def test_only_the_issuers_session_sees_it(staff, security_admin):
    browser = Client()
    browser.force_login(security_admin)
    posted = browser.post(ISSUE, {"username": staff["intake_clerk"].username})
    colleague = Client()
    colleague.force_login(staff_with_role(Role.SECURITY_ADMIN))
    html = colleague.get(posted["Location"]).content.decode()
    assert ALREADY in html and shown_code(html) is None
    # The issuer still sees it.
    assert shown_code(browser.get(posted["Location"]).content.decode()) is not None


def test_after_a_minute_it_is_not_shown(staff, security_admin):
    browser = Client()
    browser.force_login(security_admin)
    posted = browser.post(ISSUE, {"username": staff["intake_clerk"].username})
    session = browser.session
    session[SHOWN_SESSION_KEY] = {**session[SHOWN_SESSION_KEY], "at": 0}
    session.save()
    html = browser.get(posted["Location"]).content.decode()
    assert ALREADY in html and shown_code(html) is None


@pytest.mark.parametrize("issued", ["abc", "1" * 40, "-1", "%00"])
def test_a_malformed_id_is_already_shown(staff, security_admin, issued):
    browser = Client()
    browser.force_login(security_admin)
    page = browser.get(ISSUE, {"issued": issued})
    assert page.status_code == 200 and ALREADY in page.content.decode()
    assert not EnrolmentCode.objects.exists()


def test_a_code_voided_by_a_newer_one_is_not_shown(staff, security_admin):
    clerk = staff["intake_clerk"]
    browser = Client()
    browser.force_login(security_admin)
    posted = browser.post(ISSUE, {"username": clerk.username})
    enrolment.issue_code(actor=security_admin, user=clerk)
    html = browser.get(posted["Location"]).content.decode()
    assert ALREADY in html and shown_code(html) is None
