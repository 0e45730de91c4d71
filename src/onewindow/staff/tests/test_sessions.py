"""Idle timeout and bounded lifetime of a staff session, without sleeping: the tests move the
timestamps the session keeps."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from onewindow.core.models import AuditLog
from onewindow.staff.sessions import LAST_SEEN, SIGNED_IN_AT, TOUCH_EVERY
from onewindow.staff.tests.conftest import PASSWORD

HOME = "/staff/"


def sign_in(client, user) -> None:
    response = client.post(
        reverse("staff:sign_in"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302


def age(client, **seconds: int) -> None:
    """Move the session's clocks back by the given number of seconds."""
    session = client.session
    for key, name in ((SIGNED_IN_AT, "signed_in"), (LAST_SEEN, "last_seen")):
        session[key] -= seconds.get(name, 0)
    session.save()


def test_signing_in_starts_both_clocks(client, staff):
    sign_in(client, staff["intake_clerk"])
    session = client.session
    assert isinstance(session[SIGNED_IN_AT], int)
    assert session[LAST_SEEN] == session[SIGNED_IN_AT]


def test_a_session_idle_past_the_limit_is_signed_out_audited_and_sent_to_sign_in(
    client, staff, settings
):
    settings.STAFF_SESSION_IDLE_MINUTES = 30
    clerk = staff["intake_clerk"]
    sign_in(client, clerk)
    age(client, last_seen=29 * 60, signed_in=29 * 60)
    assert client.get(HOME).status_code == 200  # 29 minutes: still signed in
    age(client, last_seen=31 * 60)
    response = client.get(HOME)
    assert (response.status_code, response["Location"]) == (302, f"/staff/sign-in/?next={HOME}")
    assert "_auth_user_id" not in client.session
    row = AuditLog.objects.get(action="staff.session_timeout")
    assert (row.actor_id, row.detail["reason"]) == (clerk.pk, "idle")
    page = client.get("/staff/sign-in/").content.decode()
    assert "您已因30分钟无操作而退出登录。" in page


def test_activity_keeps_the_session_but_not_past_its_lifetime(client, staff, settings):
    settings.STAFF_SESSION_IDLE_MINUTES = 30
    settings.STAFF_SESSION_MAX_HOURS = 12
    clerk = staff["intake_clerk"]
    sign_in(client, clerk)
    # Used a minute ago, but signed in 12 hours and a minute ago.
    age(client, signed_in=12 * 3600 + 60, last_seen=60)
    response = client.get(HOME)
    assert response.status_code == 302
    row = AuditLog.objects.get(action="staff.session_timeout")
    assert row.detail["reason"] == "lifetime"


def test_a_request_moves_the_idle_clock(client, staff):
    sign_in(client, staff["intake_clerk"])
    age(client, last_seen=10 * 60)
    before = client.session[LAST_SEEN]
    client.get(HOME)
    assert client.session[LAST_SEEN] >= before + 10 * 60


def test_an_idle_htmx_request_sends_the_whole_window_to_the_sign_in(client, staff):
    sign_in(client, staff["intake_clerk"])
    age(client, last_seen=31 * 60)
    response = client.post(
        "/staff/cases/queue/1/claim/",
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/staff/cases/queue/",
    )
    assert (response.status_code, response["HX-Redirect"]) == (
        204,
        "/staff/sign-in/?next=/staff/cases/queue/",
    )


@pytest.mark.django_db
def test_an_idle_api_session_gets_401(client, staff):
    sign_in(client, staff["approver"])
    assert client.get("/api/cases/queue").status_code == 200
    age(client, last_seen=31 * 60)
    assert client.get("/api/cases/queue").status_code == 401


def session_writes(client, path: str) -> list[str]:
    """The statements a GET of ``path`` sent that write the session table."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return [
        q["sql"]
        for q in queries.captured_queries
        if "django_session" in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")
    ]


@pytest.mark.django_db
def test_the_idle_clock_is_written_at_most_once_a_minute(client, staff):
    """A clerk's API calls come many a minute: a request within TOUCH_EVERY seconds of the
    recorded last use writes no session row (the idle limit counts in minutes); the first one
    after that writes the new time, once."""
    assert TOUCH_EVERY == 60
    sign_in(client, staff["approver"])
    age(client, last_seen=TOUCH_EVERY // 2)
    before = client.session[LAST_SEEN]
    assert session_writes(client, "/api/cases/queue") == []
    assert client.session[LAST_SEEN] == before
    age(client, last_seen=TOUCH_EVERY // 2)  # recorded a minute ago now
    [write] = session_writes(client, "/api/cases/queue")
    assert write.lstrip().upper().startswith("UPDATE")
    assert client.session[LAST_SEEN] >= before + TOUCH_EVERY // 2
    assert session_writes(client, "/api/cases/queue") == []
