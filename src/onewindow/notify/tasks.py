"""Sending the outbox."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from onewindow.core import crypto
from onewindow.core.tasks import task
from onewindow.notify.backends import get_backend
from onewindow.notify.models import RECIPIENT_CONTEXT, Notification, NotificationStatus

logger = logging.getLogger("onewindow.notify")
DEFAULT_MAX_ATTEMPTS = 5


@task
def notification_send(*, notification_id: int) -> str:
    """Send one notification through the configured backend, at most once.

    The row is locked while the gateway is called, so two workers given the same id cannot
    both send; a sent notification is never sent again. A gateway error marks it ``failed``
    with the attempt counted (running the task again retries, up to ``NOTIFY_MAX_ATTEMPTS``).
    Returns the status."""
    max_attempts = getattr(settings, "NOTIFY_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS)
    with transaction.atomic():
        notification = Notification.objects.select_for_update().get(pk=notification_id)
        if notification.status == NotificationStatus.SENT:
            return notification.status
        if notification.attempts >= max_attempts:
            return notification.status
        notification.attempts += 1
        phone = crypto.decrypt(notification.recipient_encrypted, context=RECIPIENT_CONTEXT)
        try:
            message_id = get_backend().send(phone, notification.text)
        except Exception as exc:  # any gateway failure: record it, never crash the worker
            logger.warning(
                "notification %s to %s failed (attempt %s): %s",
                notification.pk,
                notification.recipient_masked,
                notification.attempts,
                exc,
            )
            notification.status = NotificationStatus.FAILED
            notification.last_error = f"{type(exc).__name__}: {exc}"[:255]
        else:
            notification.status = NotificationStatus.SENT
            notification.provider_message_id = str(message_id)[:128]
            notification.sent_at = timezone.now()
            notification.last_error = ""
        notification.save()
        return notification.status
