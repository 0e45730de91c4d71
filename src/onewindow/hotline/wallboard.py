"""The figures of the hotline centre's wallboard (大屏): what is waiting where now, how the
orders at the units stand against their deadlines (the lights of ``workflow.clock``), what is
late, today's intake and closures, and the units with most overdue orders. Three queries
whatever the number of orders (one aggregate of the live orders with ``Count(filter=...)``, the
top overdue units, the pending extensions); the page polls it.

- ``submitted`` · ``to_dispatch`` · ``dispatched`` · ``handling`` · ``replied``: open orders by
  state (the queues); ``at_units``: dispatched + handling;
- ``red`` · ``yellow`` · ``on_time``: the orders at units by light (red: overdue; yellow: due
  within a working day);
- ``sign_late``: dispatched, not signed for, past the sign-for deadline;
- ``callback_late``: replied, not called back by the call-back deadline;
- ``today`` · ``closed_today``: received / closed since midnight (project time zone);
- ``extensions_pending``: extension requests waiting for the centre;
- ``overdue_units``: the ten units with most red orders (name, short name, count).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from onewindow.hotline.codes import ExtensionDecision
from onewindow.hotline.models import Extension, WorkOrder
from onewindow.hotline.transitions import AT_UNIT_STATES, OPEN_STATES, OrderState
from onewindow.workflow.clock import Light, light_boundaries

STATE_COUNTS = (
    OrderState.SUBMITTED,
    OrderState.TO_DISPATCH,
    OrderState.DISPATCHED,
    OrderState.HANDLING,
    OrderState.REPLIED,
)
TOP_UNITS = 10


def wallboard_figures(now: dt.datetime | None = None) -> dict[str, Any]:
    """The wallboard at ``now`` (default: now). Three queries."""
    now = now or timezone.now()
    midnight = timezone.make_aware(
        dt.datetime.combine(timezone.localtime(now).date(), dt.time(0, 0))
    )
    at_unit = Q(state__in=sorted(AT_UNIT_STATES))
    lights = light_boundaries(now).conditions(
        due="due_at", paused=Q(paused_since__isnull=False), running=at_unit
    )
    aggregates: dict[str, Any] = {
        str(state): Count("id", filter=Q(state=state)) for state in STATE_COUNTS
    }
    aggregates.update(
        at_units=Count("id", filter=at_unit),
        red=Count("id", filter=at_unit & lights[Light.RED]),
        yellow=Count("id", filter=at_unit & lights[Light.YELLOW]),
        sign_late=Count(
            "id", filter=Q(state=OrderState.DISPATCHED, signed_at__isnull=True, sign_due_at__lt=now)
        ),
        callback_late=Count("id", filter=Q(state=OrderState.REPLIED, callback_due_at__lt=now)),
        today=Count("id", filter=Q(received_at__gte=midnight, received_at__lte=now)),
        closed_today=Count(
            "id",
            filter=Q(state=OrderState.CLOSED, closed_at__gte=midnight, closed_at__lte=now),
        ),
    )
    # Only the open orders and today's: the index on state keeps the scan to what is live.
    live = (
        Q(state__in=sorted(OPEN_STATES)) | Q(received_at__gte=midnight) | Q(closed_at__gte=midnight)
    )
    figures: dict[str, Any] = {
        k: int(v or 0) for k, v in WorkOrder.objects.filter(live).aggregate(**aggregates).items()
    }
    figures["on_time"] = figures["at_units"] - figures["red"] - figures["yellow"]
    figures["extensions_pending"] = Extension.objects.filter(
        decision=ExtensionDecision.PENDING
    ).count()
    figures["overdue_units"] = list(
        WorkOrder.objects.filter(at_unit & lights[Light.RED])
        .values("lead_unit__name", "lead_unit__short_name")
        .annotate(n=Count("id"))
        .order_by("-n", "lead_unit__name")[:TOP_UNITS]
    )
    figures["at"] = now
    return figures


__all__ = ["wallboard_figures"]
