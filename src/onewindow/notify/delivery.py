"""The outbox's engine, below ``services`` and ``tasks``: the one function that changes a
message's status, one attempt through the gateway, the sweep of due messages, and the retry
policy. Use it through ``services`` (other apps) or ``tasks`` (the task backends).

It queues nothing itself: an attempt that failed says when to try again (``Attempt.retry_after``)
and ``tasks.notification_send`` queues that retry — so this module needs no task and the app has
no import cycle.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from onewindow.core import crypto
from onewindow.notify.backends import get_backend
from onewindow.notify.models import RECIPIENT_CONTEXT, TEXT_CONTEXT, Notification, NotificationEvent
from onewindow.notify.transitions import NOTIFICATION_MACHINE, SENDABLE
from onewindow.workflow import mover
from onewindow.workflow.errors import StaleRevision

logger = logging.getLogger("onewindow.notify")

DEFAULT_MAX_ATTEMPTS = 5
# Seconds to wait after the 1st, 2nd, 3rd … failed attempt; the last one repeats.
DEFAULT_RETRY_DELAYS: tuple[int, ...] = (60, 5 * 60, 30 * 60, 2 * 60 * 60)
DISPATCH_BATCH = 500


def notification_move(
    notification: Notification,
    action: str,
    *,
    actor: Any = None,
    now: dt.datetime | None = None,
    reason: str = "",
    data: dict[str, Any] | None = None,
    audit_detail: dict[str, Any] | None = None,
    **changes: Any,
) -> NotificationEvent:
    """Move ``notification`` by ``action`` with ``changes`` set on it — the only code that
    changes a message's status. Through the workflow mover: the table checked
    (``NotificationMoveNotAllowed``, nothing changed), the revision bumped, the row saved, its
    event row and the audit row ``notify.<action>`` written. Runs inside the caller's
    transaction, on a row read with ``mover.lock`` (or a new one, for ``queue``)."""
    # Set before the move so that its save stores them; a refused move puts them back, so the
    # caller's copy is left as it was (the table itself is checked by the mover only).
    before = {name: getattr(notification, name) for name in changes}
    for name, value in changes.items():
        setattr(notification, name, value)
    try:
        event: NotificationEvent = mover.move(
            NOTIFICATION_MACHINE,
            notification,
            action,
            actor=actor,
            reason=reason,
            data=data,
            now=now,
            audit_detail=audit_detail,
        )
    except Exception:
        for name, value in before.items():
            setattr(notification, name, value)
        raise
    return event


def max_attempts() -> int:
    value = getattr(settings, "NOTIFY_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS)
    if not isinstance(value, int) or value < 1:
        raise ImproperlyConfigured("NOTIFY_MAX_ATTEMPTS must be a whole number of at least 1")
    return value


def retry_delay(attempts: int) -> dt.timedelta:
    """How long to wait after the ``attempts``-th failed attempt (``NOTIFY_RETRY_DELAYS``, in
    seconds; default 1 min, 5 min, 30 min, 2 h, the last repeating)."""
    delays: Sequence[float] = getattr(settings, "NOTIFY_RETRY_DELAYS", DEFAULT_RETRY_DELAYS)
    if not delays or any(not isinstance(d, int | float) or d <= 0 for d in delays):
        raise ImproperlyConfigured("NOTIFY_RETRY_DELAYS must be a list of positive seconds")
    return dt.timedelta(seconds=delays[min(max(attempts, 1), len(delays)) - 1])


# A gateway's error may echo the number it was given: digit runs long enough to be a phone or
# an ID number never reach the log or ``last_error``.
_LONG_DIGITS = re.compile(r"\d{7,}")


def gateway_error_text(exc: BaseException) -> str:
    """What is kept of a gateway error: its type and message, long digit runs masked."""
    return _LONG_DIGITS.sub("***", f"{type(exc).__name__}: {exc}")[:255]


@dataclass(frozen=True)
class Attempt:
    status: str  # the message's status afterwards
    moved: bool  # False: nothing to do (sent, a dead letter, or moved on since it was queued)
    revision: int
    retry_after: dt.timedelta | None = None  # failed: when the next attempt is due


def attempt(
    notification_id: int, *, revision: int | None = None, now: dt.datetime | None = None
) -> Attempt:
    """One attempt to send a message now.

    The row is locked while the gateway is called, so two workers cannot both send it, and a
    sent message and a dead letter are never sent again. Delivery is *at least* once: if the
    process dies after the gateway accepted the text and before the commit, the message is
    still pending and is sent again. with ``revision`` (what a queued
    send was queued for) a message that has moved on since is left alone. A gateway error —
    or a recipient that cannot be decrypted — counts the attempt, keeps the error and sets
    the next attempt after the backoff delay; the ``NOTIFY_MAX_ATTEMPTS``-th failure makes a
    dead letter. Every move writes its event and audit row."""
    limit = max_attempts()
    with transaction.atomic():
        # Locked while the gateway is called: two workers given the same message cannot both
        # send it.
        notification = mover.lock(NOTIFICATION_MACHINE, Notification(pk=notification_id))
        try:
            mover.check_revision(NOTIFICATION_MACHINE, notification, revision)
        except StaleRevision:
            return Attempt(notification.status, False, notification.revision)
        if notification.status not in SENDABLE:
            return Attempt(notification.status, False, notification.revision)
        now = now or timezone.now()
        if notification.attempts >= limit:  # the limit was lowered since the last attempt
            notification_move(
                notification,
                "give_up",
                now=now,
                reason=f"attempt limit {limit} reached",
                data={"attempt": notification.attempts},
                next_attempt_at=None,
            )
            return Attempt(notification.status, True, notification.revision)
        attempts = notification.attempts + 1
        try:
            recipient = crypto.decrypt(notification.recipient_encrypted, context=RECIPIENT_CONTEXT)
            text = crypto.decrypt(notification.text_encrypted, context=TEXT_CONTEXT)
            backend = get_backend(notification.channel)
            message_id = str(backend.send(recipient, text, shown=notification.text_shown))
        except Exception as exc:  # any gateway failure: record it, never crash the worker
            error = gateway_error_text(exc)
            logger.warning(
                "notification %s to %s failed (attempt %s of %s): %s",
                notification.pk,
                notification.recipient_masked,
                attempts,
                limit,
                error,
            )
            failed = {"attempts": attempts, "last_attempt_at": now, "last_error": error}
            if attempts >= limit:
                notification_move(
                    notification,
                    "give_up",
                    now=now,
                    reason=error,
                    data={"attempt": attempts},
                    audit_detail={"attempt": attempts, "error": error},
                    next_attempt_at=None,
                    **failed,
                )
                return Attempt(notification.status, True, notification.revision)
            delay = retry_delay(attempts)
            notification_move(
                notification,
                "fail",
                now=now,
                reason=error,
                data={"attempt": attempts, "next_attempt_at": (now + delay).isoformat()},
                audit_detail={"attempt": attempts, "error": error},
                next_attempt_at=now + delay,
                **failed,
            )
            return Attempt(notification.status, True, notification.revision, retry_after=delay)
        notification_move(
            notification,
            "deliver",
            now=now,
            data={"attempt": attempts, "gateway_message_id": message_id[:128]},
            attempts=attempts,
            last_attempt_at=now,
            last_error="",
            next_attempt_at=None,
            provider_message_id=message_id[:128],
            sent_at=now,
        )
        return Attempt(notification.status, True, notification.revision)


def dispatch_due(*, now: dt.datetime | None = None, limit: int = DISPATCH_BATCH) -> dict[str, int]:
    """Attempt every pending or failed message whose next attempt is due at ``now``, oldest
    due first, at most ``limit``. Returns how many ended sent / failed / dead, and how many
    were skipped (another worker had moved them first). Queues no retries: the sweep itself
    comes round again."""
    now = now or timezone.now()
    due = list(
        Notification.objects.filter(status__in=SENDABLE, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", "revision")[:limit]
    )
    outcome: Counter[str] = Counter()
    for pk, revision in due:
        result = attempt(pk, revision=revision, now=now)
        outcome[result.status if result.moved else "skipped"] += 1
    return dict(outcome)
