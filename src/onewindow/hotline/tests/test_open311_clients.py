"""The Open311 clients' staff page: an administrator issues a key (shown once, only its digest
kept) and revokes it; nobody else may."""

from __future__ import annotations

import hashlib

from django.test import Client

from onewindow.core.models import AuditLog
from onewindow.hotline.models import Open311Client
from onewindow.org.codes import Role
from onewindow.testing.factories import staff_with_role

PAGE = "/staff/hotline/open311/clients/"


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_an_administrator_issues_a_key_shown_once_and_revokes_it(db):
    admin = staff_with_role(Role.ADMIN)
    browser = signed_in(admin)
    assert browser.get(PAGE).status_code == 200
    response = browser.post(
        PAGE, {"name": "随手拍", "contact": "app@example.com", "per_minute": "5"}
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    row = Open311Client.objects.get()
    page = response.content.decode()
    start = page.index('id="the-key">') + len('id="the-key">')
    key = page[start : page.index("</code>", start)]
    assert hashlib.sha256(key.encode()).hexdigest() == row.key_digest
    assert (row.name, row.contact, row.per_minute, row.issued_by) == (
        "随手拍",
        "app@example.com",
        5,
        admin,
    )
    assert row.key_prefix == key[:6]
    listed = browser.get(PAGE).content.decode()
    assert "随手拍" in listed and key not in listed
    unmeant = browser.post(f"{PAGE}{row.pk}/revoke/")  # the box not ticked: nothing changes
    assert unmeant.status_code == 302
    row.refresh_from_db()
    assert row.revoked_at is None
    response = browser.post(f"{PAGE}{row.pk}/revoke/", {"confirm": "yes"})
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.revoked_by, row.revoked_at is not None) == (admin, True)
    assert AuditLog.objects.filter(action="hotline.open311_client_revoke").count() == 1
    # Revoking again changes nothing; a missing client is the one 404.
    assert browser.post(f"{PAGE}{row.pk}/revoke/", {"confirm": "yes"}).status_code == 302
    assert browser.post(f"{PAGE}999999/revoke/", {"confirm": "yes"}).status_code == 404
    assert browser.post(f"{PAGE}abc/revoke/", {"confirm": "yes"}).status_code == 404


def test_bad_input_is_refused_with_nothing_saved(db):
    browser = signed_in(staff_with_role(Role.ADMIN))
    response = browser.post(PAGE, {"name": "", "contact": "a\x00b", "per_minute": "0"})
    assert response.status_code == 422
    assert Open311Client.objects.count() == 0
    page = response.content.decode()
    assert 'data-field="name"' in page
    assert 'data-field="contact"' in page
    assert 'data-field="per_minute"' in page


def test_only_an_administrator_may(db):
    agent = signed_in(staff_with_role(Role.HOTLINE_AGENT))
    assert agent.get(PAGE).status_code == 403
    assert agent.post(PAGE, {"name": "x", "contact": "y"}).status_code == 403
    assert Open311Client.objects.count() == 0
    assert Client().get(PAGE).status_code == 302  # to the sign-in
