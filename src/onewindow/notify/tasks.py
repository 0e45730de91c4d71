"""Sending the outbox, through the task interface (``core.tasks``)."""

from __future__ import annotations

import datetime as dt

from onewindow.core.tasks import periodic, task
from onewindow.notify.delivery import attempt, dispatch_due

DISPATCH_EVERY = dt.timedelta(minutes=1)


def send_now(
    *, notification_id: int, revision: int | None = None, now: dt.datetime | None = None
) -> str:
    """One attempt (``delivery.attempt``); after a failure the next one is queued with the
    backoff delay, for the same message at its new revision. Returns the status."""
    result = attempt(notification_id, revision=revision, now=now)
    if result.retry_after is not None:
        # A shortcut: the sweep finds the message too, and the revision makes whichever comes
        # second do nothing.
        notification_send.enqueue_later(
            result.retry_after, notification_id=notification_id, revision=result.revision
        )
    return result.status


@task
def notification_send(*, notification_id: int, revision: int | None = None) -> str:
    """One attempt to send one message; a failure queues the next one after its delay."""
    return send_now(notification_id=notification_id, revision=revision)


@periodic(every=DISPATCH_EVERY)
@task
def notification_dispatch_due() -> dict[str, int]:
    """Send every message whose next attempt is due (``delivery.dispatch_due``).

    Run every minute by Celery beat on ``TASK_BACKEND=celery``, by the server's periodic thread
    on ``thread`` with ``ONEWINDOW_PERIODIC_THREAD=1`` (``make run``); elsewhere by cron through
    ``manage.py notify_dispatch``."""
    return dispatch_due()
