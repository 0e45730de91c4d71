"""Writes of the notification outbox: messages of any app, about any aggregate.

- ``message_enqueue`` stores one message under its idempotency key and queues its sending
  after commit; the calling app has rendered the text and resolved the recipient.
- ``message_send`` makes one attempt through the channel's gateway now (the task
  ``tasks.notification_send`` does the same); a failure is retried with backoff
  (``NOTIFY_RETRY_DELAYS``) and given up after ``NOTIFY_MAX_ATTEMPTS`` attempts: the message
  becomes a dead letter.
- ``messages_dispatch_due`` sends every message whose next attempt is due (the periodic task
  ``tasks.notification_dispatch_due``, the command ``notify_dispatch``).
- ``message_retry`` sends a dead letter again, for an administrator (audited).

A message's status changes only in ``delivery.notification_move``, through the workflow
kernel's mover (``transitions.NOTIFICATION_MACHINE``): each move writes a ``NotificationEvent``
and an audit row. notify imports no app above it: it never reads what a message is about.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from onewindow.core import crypto
from onewindow.notify import delivery
from onewindow.notify.backends import CHANNELS
from onewindow.notify.delivery import DISPATCH_BATCH, notification_move
from onewindow.notify.models import RECIPIENT_CONTEXT, TEXT_CONTEXT, Notification
from onewindow.notify.tasks import notification_send, send_now
from onewindow.notify.transitions import NOTIFICATION_MACHINE
from onewindow.org.permissions import require
from onewindow.workflow import mover


def message_retry_delay(attempts: int) -> dt.timedelta:
    """How long a message waits after its ``attempts``-th failed attempt
    (``NOTIFY_RETRY_DELAYS``, seconds; default 1 min, 5 min, 30 min, 2 h, the last repeating)."""
    return delivery.retry_delay(attempts)


def text_masked(text: str, secrets: Sequence[str]) -> str:
    """``text`` with every occurrence of each secret replaced by asterisks."""
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, "*" * len(secret))
    return text


def message_enqueue(
    *,
    subject_type: str,
    subject_id: str | int,
    channel: str,
    recipient: str,
    template_code: str,
    text: str,
    idempotency_key: str,
    secrets: Sequence[str] = (),
    now: dt.datetime | None = None,
) -> Notification:
    """Store one message and queue its sending after commit.

    ``subject_type`` / ``subject_id`` say what the message is about (``"cases.case"``, 42);
    ``recipient`` is in clear (a mobile number for SMS) and is stored only encrypted, with a
    masked copy. ``idempotency_key`` is unique: a replay — even a concurrent one, settled by the
    unique constraint — returns the message stored first and queues nothing. Side effect:
    ``tasks.notification_send`` after commit. Raises ``ValueError`` for a call that cannot
    make a message (unknown channel, blank recipient, key or subject).

    ``secrets`` are parts of ``text`` only the recipient may read (a query code): the text is
    stored encrypted, and the copy that screens and logs show has each of them masked."""
    subject_id = str(subject_id)
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    key_length = Notification._meta.get_field("idempotency_key").max_length or 0
    if not idempotency_key or len(idempotency_key) > key_length:
        raise ValueError(f"the idempotency key must have 1 to {key_length} characters")
    if not (subject_type and subject_id and recipient and template_code and text):
        raise ValueError("a message needs a subject, a recipient, a template code and a text")

    existing = Notification.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    now = now or timezone.now()
    notification = Notification(
        subject_type=subject_type,
        subject_id=subject_id,
        channel=channel,
        recipient_encrypted=crypto.encrypt(recipient, context=RECIPIENT_CONTEXT),
        recipient_masked=CHANNELS[channel].mask(recipient),
        template_code=template_code,
        text_encrypted=crypto.encrypt(text, context=TEXT_CONTEXT),
        text_shown=text_masked(text, secrets),
        idempotency_key=idempotency_key,
        created_at=now,
        status="",  # not stored yet: the "queue" move creates it
    )
    try:
        with transaction.atomic():
            notification_move(
                notification,
                "queue",
                now=now,
                data={"channel": channel, "template_code": template_code},
                audit_detail=_subject(notification),
                # Due at once: if the queued send is lost (a restart), the sweep sends it.
                next_attempt_at=now,
            )
            notification_send.enqueue(
                notification_id=notification.pk, revision=notification.revision
            )
    except IntegrityError:  # a concurrent replay stored it first
        return Notification.objects.get(idempotency_key=idempotency_key)
    return notification


def _subject(notification: Notification) -> dict[str, str]:
    return {
        "subject_type": notification.subject_type,
        "subject_id": notification.subject_id,
        "template_code": notification.template_code,
        "recipient": notification.recipient_masked,
    }


def message_send(
    *, notification_id: int, revision: int | None = None, now: dt.datetime | None = None
) -> str:
    """Make one attempt to send a message now; returns its status afterwards. Delivery is at
    least once (``delivery.attempt``): a crash after the gateway accepted it sends it again.

    A sent message and a dead letter are never sent again; with ``revision`` (what a queued
    send was queued for) a message that has moved on since is left alone. A gateway error
    counts the attempt, keeps the error, sets the next attempt after the backoff delay and
    queues it with that delay (the sweep finds it too); the ``NOTIFY_MAX_ATTEMPTS``-th failed
    attempt makes a dead letter. Every move writes its event and audit row."""
    return send_now(notification_id=notification_id, revision=revision, now=now)


def messages_dispatch_due(
    *, now: dt.datetime | None = None, limit: int = DISPATCH_BATCH
) -> dict[str, int]:
    """Attempt every pending or failed message whose next attempt is due at ``now``, oldest
    due first, at most ``limit``. Returns how many ended sent / failed / dead, and how many
    were skipped (another worker had moved them first)."""
    return delivery.dispatch_due(now=now, limit=limit)


def message_retry(
    *, notification: Notification, actor: Any, now: dt.datetime | None = None
) -> Notification:
    """Send a dead letter again (an administrator: ``Action.NOTIFY_MANAGE``).

    The message becomes pending with its attempts counted from zero again (the full backoff
    schedule) and is queued after commit. Its event and the audit row ``notify.retry`` keep
    the attempts and the error it had (the recipient masked only). A refusal is audited and
    changes nothing; a message that is not a dead letter raises
    ``NotificationMoveNotAllowed``."""
    # Before the transaction, so that the refusal's audit row stays.
    require(actor, NOTIFICATION_MACHINE.permission_for("retry"), notification)
    now = now or timezone.now()
    with transaction.atomic():
        locked = mover.lock(NOTIFICATION_MACHINE, notification)
        before = {"attempts": locked.attempts, "last_error": locked.last_error}
        notification_move(
            locked,
            "retry",
            actor=actor,
            now=now,
            data=before,
            audit_detail={**_subject(locked), **before},
            attempts=0,
            next_attempt_at=now,
        )
        notification_send.enqueue(notification_id=locked.pk, revision=locked.revision)
    return locked
