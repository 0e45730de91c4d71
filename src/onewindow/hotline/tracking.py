"""What a citizen sees of a work order: following it by number and query code (the same answer
for a wrong number and a wrong code, and the case progress page's guessing limit), "my orders"
of a citizen account, and the limit on the public web form's posts.

The guessing limit is the case progress look-up's (``cases.progress``: the same counters, the
same three rules, per client address and number); the hotline's numbers are counted under
their own prefix, so a work order number and a case number never share a count."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.cases import progress
from onewindow.core.audit import audit_anonymous_refusal
from onewindow.core.client import counted_address
from onewindow.core.errors import ApplicationError, NotFoundOrForbidden
from onewindow.core.validation import reject_control_characters
from onewindow.hotline.events import WORK_ORDER_EVENTS
from onewindow.hotline.models import (
    HandlingReply,
    OrderCaller,
    WorkOrder,
    WorkOrderEvent,
    query_code_index,
)
from onewindow.hotline.transitions import OrderState

logger = logging.getLogger(__name__)

NUMBER_MAX_LENGTH = 24
CODE_MAX_LENGTH = 8
NOT_FOUND_MESSAGE = _(
    "No request matches this work order number and query code. Check both in the message you "
    "received."
)
TOO_MANY_MESSAGE = _(
    "Too many wrong query codes were tried for work order %(number)s from your network, so it "
    "cannot be followed from here until %(time)s. Other numbers and other networks are not "
    "affected. If you cannot wait, call the 12345 hotline."
)
REPLY_STATES = frozenset({OrderState.REPLIED, OrderState.CLOSED})


class TooManyTrackings(ApplicationError):
    def __init__(self, *, number: str, retry_at: dt.datetime) -> None:
        self.retry_at = retry_at
        super().__init__(
            message=TOO_MANY_MESSAGE,
            code="too_many_lookups",
            status=429,
            params={"number": number, "time": timezone.localtime(retry_at).strftime("%H:%M")},
        )


class TooManySubmissions(ApplicationError):
    def __init__(self) -> None:
        super().__init__(
            message=_(
                "Too many requests were sent from your network in the last hour. Wait a while, "
                "or call the 12345 hotline."
            ),
            code="too_many_submissions",
            status=429,
        )


@dataclass(frozen=True)
class PublicStep:
    at: dt.datetime
    label: str


@dataclass(frozen=True)
class PublicOrder:
    """A work order as its caller may see it: nothing of the units' internal work."""

    number: str
    title: str
    state: str
    state_label: str
    received_at: dt.datetime
    expected_at: dt.datetime | None
    steps: list[PublicStep]
    reply: str
    replied_at: dt.datetime | None
    merged_into: str


def _final(order: WorkOrder) -> WorkOrder:
    """A merged duplicate is followed by the order it was merged into."""
    seen = {order.pk}
    while order.merged_into_id and order.merged_into_id not in seen:
        seen.add(order.merged_into_id)
        order = WorkOrder.objects.get(pk=order.merged_into_id)
    return order


def public_order(
    order: WorkOrder, *, events: list[Any] | None = None, replies: list[Any] | None = None
) -> PublicOrder:
    """What the caller is told: the public steps (public labels only), the state, the expected
    date while a unit holds it, and the unit's public reply once replied. ``events`` (public,
    oldest first) and ``replies`` (newest first) when already fetched for a list."""
    final = _final(order)
    if events is None:
        events = list(final.events.filter(public=True).order_by("at", "id"))
    steps = [
        PublicStep(at=e.at, label=WORK_ORDER_EVENTS.public_label(e.action))
        for e in events
        if e.action in WORK_ORDER_EVENTS and WORK_ORDER_EVENTS[e.action].public_label is not None
    ]
    reply = None
    if final.state in REPLY_STATES:
        if replies is None:
            replies = list(final.replies.order_by("-round", "-id")[:1])
        reply = replies[0] if replies else None
    open_ = final.state not in {OrderState.CLOSED, OrderState.NOT_ACCEPTED, OrderState.MERGED}
    return PublicOrder(
        number=order.number,
        title=final.title,
        state=final.state,
        state_label=str(OrderState(final.state).label),
        received_at=order.received_at,
        expected_at=final.due_at if open_ else None,
        steps=steps,
        reply=reply.public_reply if reply else "",
        replied_at=reply.replied_at if reply else None,
        merged_into=final.number if final.pk != order.pk else "",
    )


def order_track(
    *, number: str, code: str, address: str, now: dt.datetime | None = None
) -> PublicOrder:
    """The order by number and query code, or ``NotFoundOrForbidden`` (the same for a wrong
    number and a wrong code), or ``TooManyTrackings`` under the guessing limit."""
    now = now or timezone.now()
    reject_control_characters(number=number, code=code)
    number = number.strip().upper()[:NUMBER_MAX_LENGTH]
    code = code.strip()[:CODE_MAX_LENGTH]
    keys = progress._Keys.of(address or "unknown", f"hotline:{number}")
    counters = progress.lookup_counters()
    counts = counters.counts(keys.all(), now)
    if progress.lookup_refused(counts, keys):
        ends = counters.window_ends(keys.all(), now)
        raise TooManyTrackings(
            number=number, retry_at=progress.lookup_retry_at(counts, ends, keys, now)
        )
    order = None
    if number and code:
        order = WorkOrder.objects.filter(
            number=number, query_code_index=query_code_index(code)
        ).first()
    if order is None:
        counters.add_failure(keys.all(), now)
        raise NotFoundOrForbidden(NOT_FOUND_MESSAGE)
    return public_order(order)


def orders_of_account(account: Any) -> list[PublicOrder]:
    """The orders a citizen account filed, newest first: a duplicate merged into another order
    brought its callers along, so it is shown under that order (once). Three queries."""
    callers = (
        OrderCaller.objects.filter(account=account)
        .select_related("order")
        .order_by("-order__received_at", "-order_id")
    )
    orders: dict[int, WorkOrder] = {}
    for caller in callers:
        orders.setdefault(caller.order_id, caller.order)
    rows = list(orders.values())
    prefetch_related_objects(
        rows,
        Prefetch(
            "events",
            queryset=WorkOrderEvent.objects.filter(public=True).order_by("at", "id"),
            to_attr="public_events",
        ),
        Prefetch(
            "replies",
            queryset=HandlingReply.objects.order_by("-round", "-id"),
            to_attr="replies_newest",
        ),
    )
    return [
        public_order(o, events=o.public_events, replies=o.replies_newest)  # type: ignore[attr-defined]
        for o in rows
    ]


def web_post_count(*, address: str, now: dt.datetime) -> None:
    """Count one post of the public web form from ``address`` (an IPv6 address by its /64):
    at most ``HOTLINE_WEB_POSTS_PER_HOUR``; beyond it ``TooManySubmissions`` (audited). When
    the cache fails the post goes on (the limit only slows abuse)."""
    limit = int(getattr(settings, "HOTLINE_WEB_POSTS_PER_HOUR", 10))
    if limit <= 0:
        return
    hour = int(now.timestamp() // 3600)
    key = f"hotline.web_posts:{counted_address(address or 'unknown')}:{hour}"
    try:
        cache.add(key, 0, timeout=3700)
        posts = int(cache.incr(key))
    except Exception as error:  # any cache backend's own errors
        logger.warning("hotline web posts not counted: the cache failed (%s)", type(error).__name__)
        return
    if posts > limit:
        audit_anonymous_refusal(
            action="denied:hotline.too_many_web_posts",
            address=address or "unknown",
            detail={"reason": "too_many_posts", "limit": limit},
        )
        raise TooManySubmissions()
