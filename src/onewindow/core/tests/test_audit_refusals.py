"""Every refusal leaves an audit row (anonymous ones a row a minute per address, counted), the
admin's 403s among them; signing out of the admin is audited."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from onewindow.core.audit import audit_anonymous_refusal, audit_record
from onewindow.core.models import AuditLog
from onewindow.org.models import Role
from onewindow.testing.factories import CentreFactory, UserFactory, staff_with_role

pytestmark = pytest.mark.django_db
MINUTE = 1_800_000_000 // 60 * 60  # the start of some minute


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def make_user():
    user = UserFactory()
    user.save()  # the factory sets the password without saving it
    return user


def refusal_rows(action: str) -> list[AuditLog]:
    return list(AuditLog.objects.filter(action=action, allowed=False).order_by("id"))


def test_anonymous_refusals_write_one_row_a_minute_per_address_and_action_and_count_the_rest():
    def refuse(address: str, second: int, action: str = "denied:test") -> AuditLog | None:
        return audit_anonymous_refusal(action=action, address=address, now=MINUTE + second)

    first = refuse("10.0.0.1", 0)
    assert [refuse("10.0.0.1", 10), refuse("10.0.0.1", 59)] == [None, None]
    other_address = refuse("10.0.0.2", 5)
    other_action = refuse("10.0.0.1", 6, action="denied:other")
    next_minute = refuse("10.0.0.1", 61)
    assert refuse("10.0.0.1", 62) is None
    assert first is not None and other_address is not None and other_action is not None
    assert next_minute is not None
    assert first.actor is None
    assert first.detail == {"address": "10.0.0.1", "minute": "2027-01-15T08:00:00+00:00"}
    assert other_address.detail["address"] == "10.0.0.2"
    assert next_minute.detail == {
        "address": "10.0.0.1",
        "minute": "2027-01-15T08:01:00+00:00",
        "earlier_minute": "2027-01-15T08:00:00+00:00",
        "earlier_refusals": 3,
    }
    assert AuditLog.objects.filter(action="denied:test").count() == 3


def test_anonymous_refusals_from_one_ipv6_64_network_share_one_row_a_minute():
    """An IPv6 client holds a whole /64: one address each would write a row each."""
    first = audit_anonymous_refusal(action="denied:test", address="2001:db8:1:2::1", now=MINUTE)
    same_network = [
        audit_anonymous_refusal(action="denied:test", address=f"2001:db8:1:2::{n:x}", now=MINUTE)
        for n in range(2, 40)
    ]
    other_network = audit_anonymous_refusal(
        action="denied:test", address="2001:db8:1:3::1", now=MINUTE
    )
    assert first is not None and other_network is not None
    assert same_network == [None] * 38
    assert first.detail["address"] == "2001:db8:1:2::1"
    assert AuditLog.objects.filter(action="denied:test").count() == 2


@override_settings(TRUSTED_PROXIES=["10.0.0.5"])
def test_an_anonymous_refusal_behind_a_trusted_proxy_names_the_client():
    response = Client(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.7").get(
        "/api/cases/queue"
    )
    assert response.status_code == 401
    [row] = refusal_rows("denied:unauthenticated")
    assert row.detail["address"] == "198.51.100.7"


def test_an_anonymous_api_request_refused_with_401_is_audited_once_a_minute():
    client = Client()
    answers = [client.get("/api/cases/queue").status_code for _ in range(3)]
    assert answers == [401, 401, 401]
    rows = refusal_rows("denied:unauthenticated")
    assert len(rows) == 1
    assert rows[0].actor is None
    assert rows[0].object_repr == "/api/cases/queue"
    assert {key: rows[0].detail[key] for key in ("address", "path", "method", "status")} == {
        "address": "127.0.0.1",
        "path": "/api/cases/queue",
        "method": "GET",
        "status": 401,
    }


def test_a_signed_in_users_csrf_refusal_is_audited_with_the_user():
    user = make_user()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post("/admin/logout/")
    assert response.status_code == 403
    rows = refusal_rows("denied:forbidden")
    assert [(row.actor, row.object_repr, row.detail["status"]) for row in rows] == [
        (user, "/admin/logout/", 403)
    ]


def test_a_refusal_audited_where_it_was_decided_is_not_written_again():
    clerk = staff_with_role(Role.INTAKE_CLERK, centre=CentreFactory())
    client = Client()
    client.force_login(clerk)
    before = AuditLog.objects.filter(allowed=False).count()
    assert client.get("/admin/core/auditlog/").status_code == 403
    refused = AuditLog.objects.filter(allowed=False).order_by("id")[before:]
    assert [(row.actor, row.object_type) for row in refused] == [(clerk, "core.auditlog")]


def test_an_admin_refusal_of_a_page_the_model_admin_decides_is_audited():
    clerk = staff_with_role(Role.INTAKE_CLERK, centre=CentreFactory())
    client = Client()
    client.force_login(clerk)
    # The clerk may list regions (org.view) but not add one (org.manage).
    assert client.get("/admin/org/region/").status_code == 200
    assert client.get("/admin/org/region/add/").status_code == 403
    rows = refusal_rows("denied:forbidden")
    assert [(row.actor, row.object_repr, row.detail["view"]) for row in rows] == [
        (clerk, "/admin/org/region/add/", "admin:org_region_add")
    ]


def test_signing_out_of_the_admin_is_audited_once():
    user = make_user()
    client = Client()
    client.force_login(user)
    assert client.post("/admin/logout/").status_code == 200
    rows = AuditLog.objects.filter(action__endswith="sign_out").order_by("id")
    assert [(row.action, row.actor, row.detail) for row in rows] == [
        ("admin.sign_out", user, {"address": "127.0.0.1"})
    ]


def test_signing_out_of_the_staff_shell_is_not_audited_twice():
    user = make_user()
    client = Client()
    client.force_login(user)
    assert client.post("/staff/sign-out/").status_code == 302
    actions = list(AuditLog.objects.filter(action__endswith="sign_out").values_list("action"))
    assert actions == [("staff.sign_out",)]


def test_a_refusal_inside_a_watched_block_is_counted_by_every_watcher():
    from onewindow.core.audit import refusals_counted

    with refusals_counted() as outer:
        with refusals_counted() as inner:
            audit_record(actor=None, action="denied:test", object_type="t", allowed=False)
        audit_anonymous_refusal(action="denied:test", address="10.0.0.9")
        audit_anonymous_refusal(action="denied:test", address="10.0.0.9")
    assert (outer.count, inner.count) == (3, 1)


def test_the_audit_log_admin_is_read_only_even_for_the_auditor_and_says_so_in_the_trail():
    entry = audit_record(actor=None, action="test.kept", object_type="test.thing")
    auditor = staff_with_role(Role.AUDITOR)
    client = Client()
    client.force_login(auditor)
    base = f"/admin/core/auditlog/{entry.pk}"
    answers = [
        client.post(f"{base}/change/", {"action": "test.rewritten"}).status_code,
        client.post(f"{base}/delete/", {"post": "yes"}).status_code,
        client.get("/admin/core/auditlog/add/").status_code,
    ]
    assert answers == [403, 403, 403]
    entry.refresh_from_db()
    assert entry.action == "test.kept"
    refused = AuditLog.objects.filter(actor=auditor, allowed=False).order_by("id")
    assert [row.object_repr for row in refused] == [
        f"{base}/change/",
        f"{base}/delete/",
        "/admin/core/auditlog/add/",
    ]


# A real Redis client against a port nobody listens on: the cache is down, not mocked.
CACHE_DOWN = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
    }
}


def test_with_the_cache_down_anonymous_refusals_keep_their_answer_and_are_all_audited(caplog):
    """The anonymous refusals' rate limit lives in the cache. Redis being down must not turn a
    401 or a 403 into a 500: every refusal writes its row (marked) and a warning is logged."""
    with override_settings(CACHES=CACHE_DOWN):
        with pytest.raises(Exception) as down:  # the cache is really unreachable
            cache.get("anything")
        assert "Connection" in type(down.value).__name__
        client = Client(raise_request_exception=False, enforce_csrf_checks=True)
        unauthenticated = [client.get("/api/cases/queue") for _ in range(2)]
        csrf = client.post("/progress/", {"number": "1", "code": "2"})
    assert [r.status_code for r in unauthenticated] == [401, 401]
    assert unauthenticated[0].json()["code"] == "sign_in_required"
    assert csrf.status_code == 403
    rows = refusal_rows("denied:unauthenticated")
    assert [(r.object_repr, r.detail["status"], r.detail["rate_limit"]) for r in rows] == [
        ("/api/cases/queue", 401, "cache_unavailable"),
        ("/api/cases/queue", 401, "cache_unavailable"),
    ]
    forbidden = refusal_rows("denied:forbidden")
    assert [(r.object_repr, r.detail["rate_limit"]) for r in forbidden] == [
        ("/progress/", "cache_unavailable")
    ]
    warnings = [
        r.getMessage()
        for r in caplog.records
        if r.name == "onewindow.core.audit" and r.levelname == "WARNING"
    ]
    assert len(warnings) == 3
    assert warnings[0].startswith(
        "anonymous refusal audited without its rate limit: the cache failed (ConnectionError"
    )
