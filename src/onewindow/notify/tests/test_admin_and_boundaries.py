"""The dead-letter list in the admin (administrators only, masked, read-only), and notify's
independence of the apps that use it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.test import Client

import onewindow.notify
from onewindow.core.models import AuditLog
from onewindow.notify.backends import MemoryBackend
from onewindow.notify.models import Notification, NotificationStatus
from onewindow.notify.tests.factories import PHONE, queued
from onewindow.org.models import Role
from onewindow.testing.factories import staff_with_role

S = NotificationStatus
LIST = "/admin/notify/notification/"


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def outbox(db):
    rows = {status: queued(key=f"thing-{status}:sms") for status in S.values}
    for status, notification in rows.items():
        Notification.objects.filter(pk=notification.pk).update(
            status=status, attempts=5 if status == S.DEAD else 1
        )
    return rows


def test_an_administrator_lists_the_dead_letters_with_masked_recipients_only(outbox):
    client = client_for(staff_with_role(Role.ADMIN))
    listing = client.get(LIST, {"status__exact": S.DEAD})
    assert listing.status_code == 200
    assert [n.pk for n in listing.context["cl"].result_list] == [outbox[S.DEAD].pk]
    everything = client.get(LIST)
    assert len(everything.context["cl"].result_list) == len(S.values)
    detail = client.get(f"{LIST}{outbox[S.DEAD].pk}/change/")
    assert detail.status_code == 200
    for response in (listing, everything, detail):
        html = response.content.decode()
        assert "138****8000" in html
        for secret in (PHONE, outbox[S.DEAD].recipient_encrypted[:20], "Your thing is ready"):
            assert secret not in html
    assert "_save" not in detail.content.decode()  # read-only
    # The message's history is on its page.
    assert [e.action for e in detail.context["inline_admin_formsets"][0].formset.queryset] == [
        "queue"
    ]


def test_the_list_costs_the_same_few_queries_however_many_messages(
    outbox, django_assert_max_num_queries
):
    client = client_for(staff_with_role(Role.ADMIN))
    for number in range(20):
        queued(key=f"more-{number}")
    with django_assert_max_num_queries(12):
        assert client.get(LIST).status_code == 200


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.CENTRE_MANAGER, Role.INTAKE_CLERK])
def test_other_staff_may_not_see_or_retry_messages_and_nothing_changes(outbox, role):
    client = client_for(staff_with_role(role))
    assert client.get(LIST).status_code == 403
    assert client.get(f"{LIST}{outbox[S.DEAD].pk}/change/").status_code == 403
    response = client.post(
        LIST, {"action": "retry", "_selected_action": [outbox[S.DEAD].pk], "index": 0}
    )
    assert response.status_code == 403
    outbox[S.DEAD].refresh_from_db()
    assert (outbox[S.DEAD].status, outbox[S.DEAD].attempts) == (S.DEAD, 5)
    assert not AuditLog.objects.filter(action="notify.retry").exists()


def test_the_admin_action_retries_the_selected_dead_letters_and_leaves_the_rest(
    outbox, django_capture_on_commit_callbacks
):
    admin = staff_with_role(Role.ADMIN)
    client = client_for(admin)
    selected = [outbox[S.DEAD].pk, outbox[S.SENT].pk]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/en{LIST}", {"action": "retry", "_selected_action": selected, "index": 0}, follow=True
        )
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [
        "1 message is queued to be sent again.",
        "1 message was not a dead letter and was left alone.",
    ]
    retried = Notification.objects.get(pk=outbox[S.DEAD].pk)
    assert (retried.status, retried.attempts) == (S.SENT, 1)
    assert len(MemoryBackend.outbox) == 1
    assert AuditLog.objects.get(action="notify.retry").actor == admin
    untouched = Notification.objects.get(pk=outbox[S.SENT].pk)
    assert (untouched.status, untouched.revision) == (S.SENT, outbox[S.SENT].revision)


# --- boundaries --------------------------------------------------------------------------------

NOTIFY = Path(onewindow.notify.__file__).parent
# Spelled from parts, so that this file does not name them itself.
USERS_OF_NOTIFY = tuple(f"onewindow.{app}" for app in ("cases", "applicants"))


def imported_modules(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


def test_notify_imports_nothing_from_the_apps_that_use_it():
    """notify knows no aggregate: not by import, not by a dotted path in a string. (Its
    historical migrations 0001 and 0003 still name the cases app: 0001 created the old foreign
    key and 0003 moved it into the subject; they import nothing.)"""
    offenders = []
    for path in sorted(NOTIFY.rglob("*.py")):
        for name in imported_modules(path):
            if any(name == app or name.startswith(app + ".") for app in USERS_OF_NOTIFY):
                offenders.append(f"{path.relative_to(NOTIFY)} imports {name}")
        if "migrations" not in path.parts:
            text = path.read_text(encoding="utf-8")
            offenders += [
                f"{path.relative_to(NOTIFY)} names {a}" for a in USERS_OF_NOTIFY if a in text
            ]
    assert offenders == []
