"""A message's status table, checked for every action × status; an administrator's retry of a
dead letter, and everybody else's refusal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import translation

from onewindow.core.errors import PermissionDenied
from onewindow.core.models import AuditLog
from onewindow.notify.backends import MemoryBackend
from onewindow.notify.delivery import notification_move
from onewindow.notify.errors import NotificationMoveNotAllowed
from onewindow.notify.models import Notification, NotificationEvent, NotificationStatus
from onewindow.notify.services import message_retry
from onewindow.notify.tests.factories import PHONE, T0, queued
from onewindow.notify.transitions import NOTIFICATION_MACHINE
from onewindow.org.models import Role
from onewindow.testing.factories import staff_with_role
from onewindow.workflow.machine import NEW

pytestmark = pytest.mark.django_db
S = NotificationStatus

# Written out again, independently of NOTIFICATION_MACHINE: action → {from: to}.
EXPECTED_MOVES = {
    "queue": {NEW: S.PENDING},
    "deliver": {S.PENDING: S.SENT, S.FAILED: S.SENT},
    "fail": {S.PENDING: S.FAILED, S.FAILED: S.FAILED},
    "give_up": {S.PENDING: S.DEAD, S.FAILED: S.DEAD},
    "retry": {S.DEAD: S.PENDING},
}


def test_the_table_has_exactly_the_expected_actions():
    assert set(NOTIFICATION_MACHINE.actions) == set(EXPECTED_MOVES)
    for action, moves in EXPECTED_MOVES.items():
        for status in [NEW, *S.values]:
            assert NOTIFICATION_MACHINE.target(action, status) == moves.get(status), (
                action,
                status,
            )


@pytest.mark.parametrize("status", S.values)
@pytest.mark.parametrize("action", sorted(EXPECTED_MOVES))
def test_every_action_from_every_status(action, status):
    notification = queued()
    Notification.objects.filter(pk=notification.pk).update(status=status, revision=3)
    notification.refresh_from_db()
    target = EXPECTED_MOVES[action].get(status)
    events_before = NotificationEvent.objects.count()
    if target is None:
        with pytest.raises(NotificationMoveNotAllowed) as refused:
            notification_move(notification, action, last_error="changed")
        assert refused.value.status == 409
        assert notification.last_error == ""
        notification.refresh_from_db()
        assert (notification.status, notification.revision, notification.last_error) == (
            status,
            3,
            "",
        )
        assert NotificationEvent.objects.count() == events_before
    else:
        event = notification_move(notification, action, last_error="changed")
        notification.refresh_from_db()
        assert (notification.status, notification.revision, notification.last_error) == (
            target,
            4,
            "changed",
        )
        assert (event.notification, event.action, event.from_state, event.to_state) == (
            notification,
            action,
            status,
            target,
        )
        assert event.public is False
        assert AuditLog.objects.filter(action=f"notify.{action}").count() == 1


def test_a_refused_move_names_the_message_and_the_verb():
    notification = queued()
    Notification.objects.filter(pk=notification.pk).update(status=S.SENT)
    notification.refresh_from_db()
    with pytest.raises(NotificationMoveNotAllowed) as refused:
        notification_move(notification, "retry")
    with translation.override("en"):
        assert refused.value.as_dict()["message_en"] == (
            "The message is Sent; it cannot be sent again now. Reload the page."
        )


@pytest.fixture
def dead_letter(settings):
    settings.NOTIFY_MAX_ATTEMPTS = 5
    notification = queued()
    Notification.objects.filter(pk=notification.pk).update(
        status=S.DEAD,
        attempts=5,
        next_attempt_at=None,
        last_error="ConnectionError: gateway unreachable",
        revision=5,
    )
    notification.refresh_from_db()
    return notification


def snapshot(notification):
    return Notification.objects.filter(pk=notification.pk).values().get()


def test_an_administrator_sends_a_dead_letter_again_and_it_is_audited(
    dead_letter, django_capture_on_commit_callbacks
):
    admin = staff_with_role(Role.ADMIN)
    later = T0 + dt.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        retried = message_retry(notification=dead_letter, actor=admin, now=later)
    assert (retried.status, retried.attempts, retried.next_attempt_at, retried.revision) == (
        S.PENDING,
        0,
        later,
        6,
    )
    log = AuditLog.objects.get(action="notify.retry")
    assert (log.actor, log.object_id, log.allowed) == (admin, str(dead_letter.pk), True)
    event = dead_letter.events.get(action="retry")
    assert (event.actor, event.at, event.from_state, event.to_state, event.data) == (
        admin,
        later,
        S.DEAD,
        S.PENDING,
        {"attempts": 5, "last_error": "ConnectionError: gateway unreachable"},
    )
    assert log.detail == {
        "from": S.DEAD,
        "to": S.PENDING,
        "event": event.pk,
        "subject_type": "test.thing",
        "subject_id": "1",
        "template_code": "thing_ready",
        "recipient": "138****8000",
        "attempts": 5,
        "last_error": "ConnectionError: gateway unreachable",
    }
    assert PHONE not in str(log.detail) + log.object_repr
    # Sent after commit, with the full schedule of attempts again.
    for callback in callbacks:
        callback()
    dead_letter.refresh_from_db()
    assert (dead_letter.status, dead_letter.attempts, dead_letter.last_error) == (S.SENT, 1, "")
    assert MemoryBackend.outbox[0][0] == PHONE


@pytest.mark.parametrize("role", [role for role in Role.values if role != Role.ADMIN])
def test_nobody_but_an_administrator_may_retry_and_the_refusal_changes_nothing(
    dead_letter, role, django_capture_on_commit_callbacks
):
    user = staff_with_role(role)
    before = snapshot(dead_letter)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(PermissionDenied),
    ):
        message_retry(notification=dead_letter, actor=user)
    assert callbacks == []
    assert snapshot(dead_letter) == before
    refusal = AuditLog.objects.get(allowed=False)
    assert (refusal.action, refusal.actor, refusal.object_id) == (
        "denied:notify.manage",
        user,
        str(dead_letter.pk),
    )
    assert not dead_letter.events.filter(action="retry").exists()
    assert MemoryBackend.outbox == []


def test_an_anonymous_retry_is_refused_and_changes_nothing(dead_letter):
    before = snapshot(dead_letter)
    with pytest.raises(PermissionDenied):
        message_retry(notification=dead_letter, actor=AnonymousUser())
    assert snapshot(dead_letter) == before
    assert list(AuditLog.objects.filter(allowed=False).values_list("action", flat=True)) == [
        "denied:notify.manage"
    ]
    assert not AuditLog.objects.filter(action="notify.retry").exists()


@pytest.mark.parametrize("status", [S.PENDING, S.FAILED, S.SENT])
def test_only_a_dead_letter_can_be_retried(status, django_capture_on_commit_callbacks):
    notification = queued()
    Notification.objects.filter(pk=notification.pk).update(status=status, attempts=2)
    before = snapshot(notification)
    admin = staff_with_role(Role.ADMIN)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(NotificationMoveNotAllowed),
    ):
        message_retry(notification=notification, actor=admin)
    assert callbacks == []
    assert snapshot(notification) == before
    assert not AuditLog.objects.filter(action="notify.retry").exists()
