"""Telling committed moves, durably: the after-commit hand-off and the sweep behind it.

A move that is told (``Move(notifies=True)`` on a machine with a ``notifier``) writes its event
with ``notify_pending`` set, in the move's own transaction. After commit the mover queues
``event_notice_deliver``; it runs the machine's notifier (which writes the outbox row, keyed by
the event) and clears the flag in one transaction. When that hand-off is lost — the broker
unreachable, a worker or a server thread stopped — the event stays pending, and
``event_notices_sweep`` (every minute, ``core.tasks.periodic``) tells every event pending for
longer than ``WORKFLOW_NOTICE_GRACE_SECONDS`` (default 60), in batches, oldest first.

Safe to run twice at once: the pending row is locked with ``SKIP LOCKED`` on PostgreSQL (a
second runner passes over it), and the notifier's idempotency key makes a second run after a
commit store nothing new — it only clears the flag. A notifier that fails leaves the flag set
(its transaction rolls back) and is tried again by the next sweep.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from onewindow.core.tasks import periodic, task
from onewindow.workflow.machine import StateMachine, machine_named, machines

logger = logging.getLogger(__name__)

SWEEP_EVERY = dt.timedelta(minutes=1)
SWEEP_BATCH = 200
DEFAULT_GRACE_SECONDS = 60


def notice_grace() -> dt.timedelta:
    """How long an event may stay pending before the sweep tells it (the queued hand-off's
    head start): ``WORKFLOW_NOTICE_GRACE_SECONDS``, default 60."""
    seconds = getattr(settings, "WORKFLOW_NOTICE_GRACE_SECONDS", DEFAULT_GRACE_SECONDS)
    return dt.timedelta(seconds=max(float(seconds), 0.0))


def told_machines() -> list[StateMachine]:
    """Every declared machine whose moves can be told (a notifier and an event table)."""
    return [m for m in machines() if m.notifier and m.event_model]


def notice_deliver(machine: StateMachine, event_id: int) -> bool:
    """Run ``machine``'s notifier for one pending event and clear its ``notify_pending`` in the
    same transaction (with the outbox row the notifier writes). Returns False when there was
    nothing to do: the event is not pending (told already) or another runner holds it."""
    model: Any = machine.event_model_class()
    notifier = machine.notifier_function()
    if model is None or notifier is None:
        raise LookupError(f"{machine.name}: no event table or no notifier to tell with")
    with transaction.atomic():
        held = (
            model._default_manager.select_for_update(skip_locked=True, of=("self",))
            .filter(pk=event_id, notify_pending=True)
            .values_list("pk", flat=True)
            .first()
        )
        if held is None:
            return False
        notifier(event_id=event_id)
        model._default_manager.filter(pk=event_id).update(notify_pending=False)
    return True


@task
def event_notice_deliver(*, machine: str, event_id: int) -> bool:
    """The after-commit hand-off the mover queues for a told move (``notice_deliver``)."""
    return notice_deliver(machine_named(machine), event_id)


def notices_deliver_due(
    *, now: dt.datetime | None = None, limit: int = SWEEP_BATCH
) -> dict[str, int]:
    """Tell every event pending since before ``now`` minus the grace period, oldest first, at
    most ``limit`` per machine. Returns how many were told, skipped (told meanwhile, or held by
    another runner) and failed (logged; still pending, tried again next time)."""
    cutoff = (now or timezone.now()) - notice_grace()
    counts = {"told": 0, "skipped": 0, "failed": 0}
    for machine in told_machines():
        model: Any = machine.event_model_class()
        due = list(
            model._default_manager.filter(notify_pending=True, at__lte=cutoff)
            .order_by("at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        for event_id in due:
            try:
                told = notice_deliver(machine, event_id)
            except Exception:  # one failing notice must not stop the others
                logger.exception(
                    "%s: telling event %s failed; it stays pending", machine.name, event_id
                )
                counts["failed"] += 1
                continue
            counts["told" if told else "skipped"] += 1
    return counts


@periodic(every=SWEEP_EVERY)
@task
def event_notices_sweep() -> dict[str, int]:
    """Tell the events whose after-commit hand-off was lost (``notices_deliver_due``).

    Run every minute by Celery beat on ``TASK_BACKEND=celery``, by the server's periodic thread
    on ``thread`` with ``ONEWINDOW_PERIODIC_THREAD=1`` (``make run``); elsewhere by cron through
    ``manage.py workflow_notices``."""
    return notices_deliver_due()
