"""The limit on public rating posts: ``RATING_POSTS_PER_MINUTE`` per client address (an IPv6
address by its /64) — or, for a rating pad, per pad (every pad of a hall may sit behind one
address) — counted in the cache like the hall's kiosk. Beyond it: 429, audited once a
minute per address. When the cache fails the post goes on (the limit only slows guessing)."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from onewindow.core.audit import audit_anonymous_refusal
from onewindow.core.client import counted_address
from onewindow.core.errors import ApplicationError

logger = logging.getLogger(__name__)


class TooManyRatingPosts(ApplicationError):
    def __init__(self) -> None:
        super().__init__(
            message=_(
                "Too many ratings were sent from your network just now. Wait a minute and "
                "send it again."
            ),
            code="too_many_rating_posts",
            status=429,
        )


def rating_post_count(*, address: str, now: dt.datetime, pad_id: int | None = None) -> None:
    """Count one public rating post of ``address`` (of the pad ``pad_id`` when given);
    ``TooManyRatingPosts`` beyond the limit."""
    limit = int(getattr(settings, "RATING_POSTS_PER_MINUTE", 20))
    if limit <= 0:
        return
    minute = int(now.timestamp() // 60)
    who = f"pad:{pad_id}" if pad_id is not None else counted_address(address or "unknown")
    key = f"ratings.posts:{who}:{minute}"
    try:
        cache.add(key, 0, timeout=120)
        posts = int(cache.incr(key))
    except Exception as error:  # any cache backend's own errors (Redis down, a timeout)
        logger.warning("rating posts not counted: the cache failed (%s)", type(error).__name__)
        return
    if posts > limit:
        audit_anonymous_refusal(
            action="denied:ratings.too_many_posts",
            address=address or "unknown",
            detail={"reason": "too_many_posts", "limit": limit}
            | ({"pad": pad_id} if pad_id is not None else {}),
        )
        raise TooManyRatingPosts()
