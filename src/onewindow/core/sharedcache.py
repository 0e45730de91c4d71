"""A figure computed by one process at a time and shared by all through the default cache.

For answers that cost something to compute and are asked for often, from every worker (the
``/readyz`` probes of the broker and the Celery workers, ``core.health``; the database counts of
``/metrics``, ``config.metrics``): ``computed_once(key, fresh_seconds, compute)`` returns the
value stored under ``key`` while it is younger than ``fresh_seconds``; when it is older (or
absent) the one caller that takes the key's lock (``cache.add``, atomic on Redis and in memory)
computes and stores it, and every other caller meanwhile gets the previous value (``None`` when
there is none yet) without waiting. Under ``CACHE_REDIS_URL`` (the production profile) that is
one computation for all the gunicorn workers.

If the cache itself cannot be reached, a lock of this process keeps it to one computation per
process at a time (the others get ``None``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.core.cache import cache

logger = logging.getLogger("onewindow.sharedcache")
_process_lock = threading.Lock()


def computed_once(
    key: str, *, fresh_seconds: float, compute: Callable[[], Any], lock_seconds: float = 30
) -> Any | None:
    try:
        entry = cache.get(key)
        if entry is not None and time.time() - float(entry["at"]) < fresh_seconds:
            return entry["value"]
        previous = entry["value"] if entry is not None else None
        if not cache.add(f"{key}:lock", 1, timeout=max(1, int(lock_seconds))):
            return previous  # another process is computing it
    except Exception as exc:  # the cache is down: one computation per process at a time
        logger.warning("shared cache unavailable for %s: %s", key, type(exc).__name__)
        if not _process_lock.acquire(blocking=False):
            return None
        try:
            return compute()
        finally:
            _process_lock.release()
    try:
        value = compute()
        keep = max(60, int(fresh_seconds * 10))
        cache.set(key, {"at": time.time(), "value": value}, timeout=keep)
        return value
    finally:
        try:
            cache.delete(f"{key}:lock")
        except Exception as exc:  # it expires after lock_seconds anyway
            logger.warning("shared cache lock %s not released: %s", key, type(exc).__name__)


def forget(key: str) -> None:
    """Drop the stored value (and a lock left behind): the next caller computes."""
    cache.delete_many([key, f"{key}:lock"])
