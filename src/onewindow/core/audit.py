"""Writing the audit trail. Call inside the transaction of the change being audited.

Rows are written unchained; ``core.audit_chain`` seals them into a keyed hash chain shortly
after they commit (ADR 0011), and database triggers keep them from being changed or deleted
(``core.audit_guard``).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import models

from onewindow.core.client import counted_address
from onewindow.core.models import AuditLog

logger = logging.getLogger(__name__)


@dataclass
class RefusalCount:
    """How many refusals (``allowed=False`` rows) were written while it was being watched."""

    count: int = 0


# Set by ``refusals_counted`` around one page (and around the whole request by
# ``RefusalAuditMiddleware``); ``audit_record`` counts the refusals it writes in every counter
# that is watching, so a decorator or the middleware can tell whether a refusal it is about to
# answer was already audited (by ``permissions.require`` or any other check) and write a row
# only for the ones that were not.
_refusals: ContextVar[tuple[RefusalCount, ...]] = ContextVar("onewindow_audit_refusals", default=())


@contextmanager
def refusals_counted() -> Iterator[RefusalCount]:
    """Count the refusals audited inside the block (in this thread or task only)."""
    counter = RefusalCount()
    token = _refusals.set((*_refusals.get(), counter))
    try:
        yield counter
    finally:
        _refusals.reset(token)


def _count_refusal() -> None:
    for counter in _refusals.get():
        counter.count += 1


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    allowed: bool = True,
    detail: dict[str, Any] | None = None,
) -> AuditLog:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        # A model may name itself for the trail (``audit_repr``): e.g. a case's step carries
        # its case's number, so that a search of the trail by that number finds its rows.
        describe = getattr(obj, "audit_repr", None)
        object_repr = object_repr or (describe() if callable(describe) else str(obj))[:255]
    row = AuditLog.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:255],
        allowed=allowed,
        detail=detail or {},
    )
    if not allowed:
        _count_refusal()
    return row


# Anonymous refusals: one row per address and action per minute; the others are counted.
ANONYMOUS_WINDOW_SECONDS = 60
_ANONYMOUS_KEEP_SECONDS = 60 * 60


def _window_start(window: int) -> str:
    moment = dt.datetime.fromtimestamp(window * ANONYMOUS_WINDOW_SECONDS, tz=dt.UTC)
    return moment.isoformat()


def _count_in(key: str) -> int:
    # The count starts at the first refusal of the window; ``add`` does nothing when it exists.
    cache.add(key, 0, timeout=_ANONYMOUS_KEEP_SECONDS)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=_ANONYMOUS_KEEP_SECONDS)
        return 1


def audit_anonymous_refusal(
    *,
    action: str,
    address: str,
    object_type: str = "page",
    object_id: str = "",
    object_repr: str = "",
    detail: dict[str, Any] | None = None,
    now: float | None = None,
) -> AuditLog | None:
    """Audit a refusal to someone not signed in, at most once per address and action a minute.

    Addresses count by ``core.client.counted_address`` (an IPv6 address by its /64). The first
    refusal of a minute writes a row at once (``detail.minute`` names the minute);
    later ones in that minute are only counted, in the cache (shared by every worker when
    ``CACHE_REDIS_URL`` is set, per process otherwise). The next row written for the same
    address and action carries the count of the last minute that had more than one
    (``detail.earlier_minute`` and ``detail.earlier_refusals``), so a flood of refusals costs a
    row a minute and is still counted. Returns the row, or ``None`` when only counted.

    The cache only saves rows: when it fails (Redis down), the refusal is audited all the same
    — a row each, marked ``rate_limit: cache_unavailable`` — with a warning in the log, and is
    answered as it was (never a 500).
    """
    window = int((time.time() if now is None else now) // ANONYMOUS_WINDOW_SECONDS)
    # An IPv6 client holds a whole /64: counted by it, or it would write a row per address.
    base = f"core.audit.anonymous:{action}:{counted_address(address)}"
    try:
        if _count_in(f"{base}:{window}") > 1:
            _count_refusal()  # counted is audited, for whoever watches this request's refusals
            return None
        extra: dict[str, Any] = {}
        last_window = cache.get(f"{base}:last")
        if last_window is not None and last_window != window:
            earlier = cache.get(f"{base}:{last_window}")
            if earlier is not None and int(earlier) > 1:
                extra = {
                    "earlier_minute": _window_start(last_window),
                    "earlier_refusals": int(earlier),
                }
        cache.set(f"{base}:last", window, timeout=_ANONYMOUS_KEEP_SECONDS)
    except Exception as error:  # any cache backend's own errors (Redis down, a timeout)
        # The limit only saves rows; the refusal itself must be answered as it was (a 401 or
        # 403, never a 500) and audited: without the cache, every refusal writes its row.
        logger.warning(
            "anonymous refusal audited without its rate limit: the cache failed (%s: %s)",
            type(error).__name__,
            error,
        )
        extra = {"rate_limit": "cache_unavailable"}
    return audit_record(
        actor=None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        allowed=False,
        detail={**(detail or {}), "address": address, "minute": _window_start(window), **extra},
    )
