"""The outbox on the production path: ``TASK_BACKEND=celery``, a real Celery worker, the local
Redis as the broker. A message is sent by the worker; after the SMS gateway was down for two
attempts, the retries queued with their countdown through the broker send it on the third."""

from __future__ import annotations

import threading

import pytest

from onewindow.notify.models import Notification, NotificationStatus
from onewindow.notify.tests.factories import PHONE, enqueue
from onewindow.testing.celery import celery_worker, wait_until

__all__ = ["celery_worker"]  # the fixture, imported to be used here

pytestmark = pytest.mark.django_db(transaction=True)


class DownThenUpGateway:
    """A double of the SMS gateway (an outside system), behind the backend interface: refuses
    the first ``DownThenUpGateway.down_for`` sends as an unreachable gateway would, then accepts."""

    down_for = 0
    calls: list[str] = []
    sent: list[tuple[str, str]] = []
    _lock = threading.Lock()

    def send(self, recipient: str, text: str, *, shown: str) -> str:
        with DownThenUpGateway._lock:
            DownThenUpGateway.calls.append(recipient)
            if len(DownThenUpGateway.calls) <= DownThenUpGateway.down_for:
                raise ConnectionError(f"gateway unreachable (call {len(self.calls)})")
            DownThenUpGateway.sent.append((recipient, text))
            return f"gw-{len(DownThenUpGateway.sent)}"


@pytest.fixture
def gateway(settings):
    settings.NOTIFY_BACKEND = f"{__name__}.DownThenUpGateway"
    DownThenUpGateway.calls, DownThenUpGateway.sent = [], []
    yield DownThenUpGateway
    DownThenUpGateway.down_for = 0


def events(notification_id: int) -> list[str]:
    return list(
        Notification.objects.get(pk=notification_id)
        .events.order_by("at", "pk")
        .values_list("action", flat=True)
    )


def test_the_worker_sends_a_queued_message_through_redis(celery_worker, gateway):
    message = enqueue("celery-1:ready:sms")

    def sent():
        """the message is sent"""
        return Notification.objects.filter(pk=message.pk, status=NotificationStatus.SENT).first()

    done = wait_until(sent)
    assert done.attempts == 1
    assert done.provider_message_id == "gw-1"
    assert gateway.sent == [(PHONE, "Your thing is ready (celery-1:ready:sms).")]
    assert events(message.pk) == ["queue", "deliver"]


def test_a_message_is_retried_after_the_gateway_was_down_and_ends_sent(
    celery_worker, gateway, settings
):
    gateway.down_for = 2
    settings.NOTIFY_MAX_ATTEMPTS = 5
    # Short delays, so that the retries queued with a countdown come back within the test.
    settings.NOTIFY_RETRY_DELAYS = [0.2, 0.4]
    message = enqueue("celery-2:ready:sms")

    def sent():
        """the message is sent after its retries"""
        return Notification.objects.filter(pk=message.pk, status=NotificationStatus.SENT).first()

    done = wait_until(sent)
    assert done.attempts == 3
    assert done.last_error == ""
    assert done.provider_message_id == "gw-1"
    assert gateway.calls == [PHONE, PHONE, PHONE]
    assert gateway.sent == [(PHONE, "Your thing is ready (celery-2:ready:sms).")]
    assert events(message.pk) == ["queue", "fail", "fail", "deliver"]
