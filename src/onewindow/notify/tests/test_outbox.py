"""The outbox for any aggregate: stored once under its key, sent after commit, retried with
backoff, given up as a dead letter. The subject here is not a case (``test.thing``)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db.models import QuerySet
from django.utils import translation

from onewindow.core import crypto
from onewindow.core import tasks as core_tasks
from onewindow.core.models import AuditLog
from onewindow.notify.backends import MemoryBackend
from onewindow.notify.models import (
    RECIPIENT_CONTEXT,
    TEXT_CONTEXT,
    Notification,
    NotificationStatus,
)
from onewindow.notify.services import (
    message_retry_delay,
    message_send,
    messages_dispatch_due,
)
from onewindow.notify.tasks import notification_send
from onewindow.notify.tests.factories import MINUTE, PHONE, T0, enqueue, queued

pytestmark = pytest.mark.django_db
S = NotificationStatus


def state(notification):
    notification.refresh_from_db()
    return (notification.status, notification.attempts, notification.next_attempt_at)


def test_a_message_about_any_subject_is_stored_encrypted_and_sent_only_after_commit(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification = enqueue(now=T0)
        assert MemoryBackend.outbox == []  # not before the commit
    assert len(callbacks) == 1
    row = Notification.objects.values().get()
    assert all(PHONE not in str(value) for value in row.values())
    assert crypto.decrypt(row["recipient_encrypted"], context=RECIPIENT_CONTEXT) == PHONE
    assert {key: row[key] for key in ("subject_type", "subject_id", "recipient_masked")} == {
        "subject_type": "test.thing",
        "subject_id": "1",
        "recipient_masked": "138****8000",
    }
    assert MemoryBackend.outbox == [(PHONE, "Your thing is ready (thing-1:ready:sms).", "mem-1")]
    notification.refresh_from_db()
    # Two moves: queued (revision 1), sent (2); each with its event and audit row.
    assert (notification.status, notification.attempts, notification.revision) == (S.SENT, 1, 2)
    assert list(notification.events.values_list("action", "from_state", "to_state")) == [
        ("queue", "new", S.PENDING),
        ("deliver", S.PENDING, S.SENT),
    ]
    assert list(
        AuditLog.objects.filter(object_type="notify.notification")
        .order_by("id")
        .values_list("action", "actor")
    ) == [("notify.queue", None), ("notify.deliver", None)]
    assert (notification.provider_message_id, notification.next_attempt_at) == ("mem-1", None)
    assert notification.sent_at == notification.last_attempt_at is not None


def test_a_replay_of_the_key_returns_the_first_message_and_queues_nothing(
    django_capture_on_commit_callbacks,
):
    first = queued()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = enqueue(text="Another text", recipient="13912345678")
    assert again == first
    assert callbacks == []
    stored = Notification.objects.get()
    assert crypto.decrypt(stored.text_encrypted, context=TEXT_CONTEXT) == (
        "Your thing is ready (thing-1:ready:sms)."
    )
    assert stored.text_shown == "Your thing is ready (thing-1:ready:sms)."
    assert MemoryBackend.outbox == []


def test_a_concurrent_replay_is_settled_by_the_unique_key(
    monkeypatch, django_capture_on_commit_callbacks
):
    first = queued()
    # The replay does not see the stored row, as a concurrent one would not.
    monkeypatch.setattr(QuerySet, "first", lambda self: None)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = enqueue(text="Another text")
    assert again == first
    assert callbacks == []
    assert Notification.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"channel": "pigeon"}, "unknown channel"),
        ({"recipient": ""}, "needs a subject, a recipient"),
        ({"subject_type": ""}, "needs a subject, a recipient"),
        ({"text": ""}, "needs a subject, a recipient"),
        ({"idempotency_key": ""}, "idempotency key"),
        ({"idempotency_key": "k" * 129}, "idempotency key"),
    ],
)
def test_a_message_that_cannot_be_sent_is_refused_and_nothing_is_stored(overrides, problem):
    with pytest.raises(ValueError, match=problem):
        enqueue(**overrides)
    assert Notification.objects.count() == 0


def test_each_failed_attempt_waits_longer_and_the_last_one_makes_a_dead_letter(failing_gateway):
    notification = queued()
    moment = T0
    for attempt, seconds in enumerate([60, 300, 1800, 7200], start=1):
        assert message_send(notification_id=notification.pk, now=moment) == S.FAILED
        assert state(notification) == (S.FAILED, attempt, moment + dt.timedelta(seconds=seconds))
        assert notification.last_attempt_at == moment
        assert notification.last_error == "ConnectionError: gateway unreachable"
        moment = notification.next_attempt_at
    assert message_send(notification_id=notification.pk, now=moment) == S.DEAD
    assert state(notification) == (S.DEAD, 5, None)
    assert (notification.last_error, notification.sent_at) == (
        "ConnectionError: gateway unreachable",
        None,
    )
    # A dead letter is never attempted again: not by a queued send, not by the sweep.
    later = moment + dt.timedelta(days=1)
    assert message_send(notification_id=notification.pk, now=later) == S.DEAD
    assert messages_dispatch_due(now=later) == {}
    assert state(notification) == (S.DEAD, 5, None)


def test_the_retry_delays_come_from_the_settings_and_the_last_one_repeats(settings):
    settings.NOTIFY_RETRY_DELAYS = [10, 20]
    assert [message_retry_delay(n).total_seconds() for n in (0, 1, 2, 3, 9)] == [
        10,
        10,
        20,
        20,
        20,
    ]
    for bad in ([], [10, 0], ["soon"]):
        settings.NOTIFY_RETRY_DELAYS = bad
        with pytest.raises(ImproperlyConfigured):
            message_retry_delay(1)
    settings.NOTIFY_RETRY_DELAYS = [60]
    settings.NOTIFY_MAX_ATTEMPTS = 0
    with pytest.raises(ImproperlyConfigured):
        message_send(notification_id=queued().pk)


def test_the_sweep_sends_what_is_due_and_nothing_else():
    lost = queued(key="a")  # pending: its queued send was lost
    later = queued(key="b")
    due = queued(key="c")
    sent = queued(key="d")
    Notification.objects.filter(pk=later.pk).update(
        status=S.FAILED, attempts=1, next_attempt_at=T0 + 10 * MINUTE
    )
    Notification.objects.filter(pk=due.pk).update(
        status=S.FAILED, attempts=1, next_attempt_at=T0 + MINUTE
    )
    assert message_send(notification_id=sent.pk, now=T0) == S.SENT
    MemoryBackend.outbox.clear()

    assert messages_dispatch_due(now=T0 + 5 * MINUTE) == {"sent": 2}
    assert [text for _phone, text, _id in MemoryBackend.outbox] == [
        "Your thing is ready (a).",
        "Your thing is ready (c).",
    ]
    assert state(lost) == (S.SENT, 1, None)
    assert state(due) == (S.SENT, 2, None)
    assert state(later) == (S.FAILED, 1, T0 + 10 * MINUTE)
    assert state(sent) == (S.SENT, 1, None)
    assert messages_dispatch_due(now=T0 + 5 * MINUTE) == {}


def test_the_sweep_retries_on_schedule_and_buries_the_message_at_the_limit(
    settings, failing_gateway
):
    settings.NOTIFY_MAX_ATTEMPTS = 2
    notification = queued()
    assert messages_dispatch_due(now=T0) == {"failed": 1}
    assert messages_dispatch_due(now=T0 + MINUTE / 2) == {}  # not due yet
    assert state(notification) == (S.FAILED, 1, T0 + MINUTE)
    assert messages_dispatch_due(now=T0 + MINUTE) == {"dead": 1}
    assert state(notification) == (S.DEAD, 2, None)
    assert messages_dispatch_due(now=T0 + 60 * MINUTE) == {}


def test_a_message_over_a_lowered_limit_is_given_up_without_sending(settings):
    notification = queued()
    Notification.objects.filter(pk=notification.pk).update(status=S.FAILED, attempts=3)
    settings.NOTIFY_MAX_ATTEMPTS = 2
    assert messages_dispatch_due(now=T0) == {"dead": 1}
    assert state(notification) == (S.DEAD, 3, None)
    assert MemoryBackend.outbox == []


class RecordingTimer:
    started: list[tuple[float, object, tuple]] = []

    def __init__(self, interval, function, args):
        self.interval, self.function, self.args = interval, function, args
        self.daemon = False

    def start(self):
        assert self.daemon
        RecordingTimer.started.append((self.interval, self.function, self.args))


def test_on_the_thread_backend_a_failure_queues_its_retry_for_after_the_delay(
    settings, monkeypatch, failing_gateway, django_capture_on_commit_callbacks
):
    settings.TASK_BACKEND = "thread"
    RecordingTimer.started = []
    monkeypatch.setattr(core_tasks.threading, "Timer", RecordingTimer)
    notification = queued()
    with django_capture_on_commit_callbacks(execute=True):
        message_send(notification_id=notification.pk, now=T0)
    notification.refresh_from_db()
    task_name = "onewindow.notify.tasks.notification_send"
    call = {"notification_id": notification.pk, "revision": notification.revision}
    assert RecordingTimer.started == [(60.0, core_tasks._run_in_thread, (task_name, call))]

    # The sweep gets there first and sends it; the timer, when it fires, finds the message
    # moved on (another revision) and does nothing.
    settings.NOTIFY_BACKEND = "onewindow.notify.backends.MemoryBackend"
    assert messages_dispatch_due(now=T0 + MINUTE) == {"sent": 1}
    assert core_tasks.run_registered(task_name, call) == S.SENT
    assert state(notification) == (S.SENT, 2, None)
    assert len(MemoryBackend.outbox) == 1


def test_a_send_queued_for_an_old_revision_does_nothing(failing_gateway):
    notification = queued()
    queued_for = notification.revision
    assert message_send(notification_id=notification.pk, revision=queued_for, now=T0) == S.FAILED
    assert state(notification) == (S.FAILED, 1, T0 + MINUTE)
    assert notification.revision == queued_for + 1
    # The same queued send delivered twice (Celery may): the second finds the message moved on.
    again = message_send(notification_id=notification.pk, revision=queued_for, now=T0 + MINUTE)
    assert again == S.FAILED
    assert state(notification) == (S.FAILED, 1, T0 + MINUTE)
    # Without a revision (run by hand) it is attempted now, whatever the schedule says.
    assert notification_send(notification_id=notification.pk) == S.FAILED
    notification.refresh_from_db()
    assert (notification.attempts, notification.revision) == (2, queued_for + 2)
    assert list(notification.events.values_list("action", "reason", "data__attempt")) == [
        ("queue", "", None),
        ("fail", "ConnectionError: gateway unreachable", 1),
        ("fail", "ConnectionError: gateway unreachable", 2),
    ]


def test_the_dispatch_task_runs_every_minute_where_a_scheduler_runs_it():
    core_tasks.discover_tasks()
    assert core_tasks.periodic_tasks()["onewindow.notify.tasks.notification_dispatch_due"] == 60


def test_the_cron_command_sends_what_is_due_and_says_what_happened():
    queued()
    out = io.StringIO()
    with translation.override("en"):
        call_command("notify_dispatch", stdout=out)
    assert out.getvalue().strip() == (
        "Messages sent: 1, failed (to be retried): 0, given up: 0, skipped: 0."
    )
    assert len(MemoryBackend.outbox) == 1


class EchoingBackend:
    """A gateway whose refusal repeats the number it was given (as real ones do)."""

    def send(self, phone: str, text: str, *, shown: str) -> str:
        raise RuntimeError(f"invalid destination {phone} for sender 10690001")


def test_a_gateway_error_that_echoes_the_number_keeps_it_out_of_the_error_and_log(settings, caplog):
    settings.NOTIFY_BACKEND = "onewindow.notify.tests.test_outbox.EchoingBackend"
    notification = queued()
    with caplog.at_level("WARNING", logger="onewindow.notify"):
        assert message_send(notification_id=notification.pk, now=T0) == S.FAILED
    notification.refresh_from_db()
    assert notification.last_error == "RuntimeError: invalid destination *** for sender ***"
    assert PHONE not in caplog.text
    assert "invalid destination *** for sender ***" in caplog.text
    assert PHONE not in str(list(AuditLog.objects.values_list("detail", flat=True)))
