"""The counts the hotline centre's wallboard shows (大屏): what is waiting where now, what is
late, and today's intake and closures. Two queries whatever the number of orders (one
aggregate of work orders with ``Count(filter=...)``, one of pending extensions); the page
polls it.

- ``submitted`` · ``to_dispatch`` · ``dispatched`` · ``handling`` · ``replied``: open orders by
  state (the queues);
- ``sign_late``: dispatched, not signed for, past the sign-for deadline;
- ``handling_late``: held by a unit (dispatched or handling) past the handling deadline;
- ``due_soon``: held by a unit, not late, due within ``DUE_SOON`` (24 hours);
- ``callback_late``: replied, not called back by the call-back deadline;
- ``received_today`` · ``closed_today``: received / closed since midnight (project time zone);
- ``extensions_pending``: extension requests waiting for the centre.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone

from onewindow.hotline.codes import ExtensionDecision
from onewindow.hotline.models import Extension, WorkOrder
from onewindow.hotline.transitions import AT_UNIT_STATES, OPEN_STATES, OrderState

DUE_SOON = dt.timedelta(hours=24)
STATE_COUNTS = (
    OrderState.SUBMITTED,
    OrderState.TO_DISPATCH,
    OrderState.DISPATCHED,
    OrderState.HANDLING,
    OrderState.REPLIED,
)


def wallboard_counts(now: dt.datetime | None = None) -> dict[str, int]:
    """The wallboard's counts at ``now`` (default: now). Two queries."""
    now = now or timezone.now()
    midnight = timezone.make_aware(
        dt.datetime.combine(timezone.localtime(now).date(), dt.time(0, 0))
    )
    at_unit = Q(state__in=sorted(AT_UNIT_STATES))
    aggregates = {str(state): Count("id", filter=Q(state=state)) for state in STATE_COUNTS}
    aggregates.update(
        sign_late=Count(
            "id", filter=Q(state=OrderState.DISPATCHED, signed_at__isnull=True, sign_due_at__lt=now)
        ),
        handling_late=Count("id", filter=at_unit & Q(due_at__lt=now)),
        due_soon=Count("id", filter=at_unit & Q(due_at__gte=now, due_at__lt=now + DUE_SOON)),
        callback_late=Count("id", filter=Q(state=OrderState.REPLIED, callback_due_at__lt=now)),
        received_today=Count("id", filter=Q(received_at__gte=midnight, received_at__lte=now)),
        closed_today=Count(
            "id",
            filter=Q(state=OrderState.CLOSED, closed_at__gte=midnight, closed_at__lte=now),
        ),
    )
    # Only the open orders and today's: the index on state keeps the scan to what is live.
    live = (
        Q(state__in=sorted(OPEN_STATES)) | Q(received_at__gte=midnight) | Q(closed_at__gte=midnight)
    )
    counts = {
        k: int(v or 0) for k, v in WorkOrder.objects.filter(live).aggregate(**aggregates).items()
    }
    counts["extensions_pending"] = Extension.objects.filter(
        decision=ExtensionDecision.PENDING
    ).count()
    return counts


__all__ = ["DUE_SOON", "wallboard_counts"]
