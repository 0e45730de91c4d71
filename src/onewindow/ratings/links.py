"""Rating links without secrets in the clear: a signed, expiring token for one occasion of one
case (keyed HMAC with its own salt, ``django.utils.crypto.salted_hmac``; numbers in
``django.core.signing``'s base 62), carried by the SMS (``/r/<token>``), the receipt's QR code
and the progress page. About 35 characters, so the SMS of a completed case stays short.

The token holds the case id, the case event a visit is about (0 for the case rated online), the
channel and when it was made — no personal data, never the query code. It is signed with
``SECRET_KEY`` (or one of ``SECRET_KEY_FALLBACKS``) and this module's salt, so it cannot be
made or changed without them; it expires
``RATING_PERIOD_DAYS`` + 1 days after it was made (the rating service checks the period
itself, exactly). A token that does not verify and one naming a case that does not exist get
the same answer (``LinkInvalid``).

``rating_link_provider`` is what ``ratings`` registers with ``cases.rating_links`` (the lower
apps show the link without importing ratings).
"""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from onewindow.ratings.codes import ON_SITE_CHANNELS, Channel, Occasion

SALT = "onewindow.ratings.link"
TOKEN_MAX_LENGTH = 200
# Channels a link may name (the pad and the defaults have none; 12345 arrives by the hotline).
LINK_CHANNELS = frozenset({Channel.SMS, Channel.QR, Channel.PROGRESS, Channel.ACCOUNT})


class LinkInvalid(Exception):
    """Not a token of ours (or its case is gone): one answer for both."""


class LinkExpired(Exception):
    """A genuine token past its age."""


@dataclass(frozen=True)
class RatingLink:
    case_id: int
    event_id: int | None
    channel: str

    @property
    def occasion(self) -> str:
        return Occasion.VISIT if self.event_id else Occasion.CASE


def token_max_age() -> dt.timedelta:
    return dt.timedelta(days=int(settings.RATING_PERIOD_DAYS) + 1)


# One letter per channel keeps the token short (an SMS of two segments).
_CHANNEL_LETTERS = {Channel.SMS: "s", Channel.QR: "q", Channel.PROGRESS: "p", Channel.ACCOUNT: "a"}
_LETTER_CHANNELS = {letter: channel for channel, letter in _CHANNEL_LETTERS.items()}
# 128 bits of HMAC-SHA256: as strong as the link needs, half the length of Django's full one.
_MAC_BYTES = 16


def _mac(value: str, secret: str | bytes | None = None) -> str:
    digest = salted_hmac(SALT, value, secret=secret, algorithm="sha256").digest()[:_MAC_BYTES]
    return signing.b64_encode(digest).decode()


def rating_token(
    *, case_id: int, channel: str, event_id: int | None = None, now: dt.datetime | None = None
) -> str:
    """The token of one occasion: a visit (``event_id``) or the case online:
    ``<case>.<event>.<channel letter>.<made at>.<MAC>``, numbers in base 62 (``signing``),
    the MAC a keyed HMAC-SHA256 (``SECRET_KEY``, this module's salt) cut to 128 bits."""
    if channel not in LINK_CHANNELS:
        raise ValueError(f"no rating link for channel {channel!r}")
    if (channel in ON_SITE_CHANNELS) != bool(event_id):
        raise ValueError("an on-site link names the visit's event; an online link names none")
    made = int((now or timezone.now()).timestamp())
    body = ".".join(
        [
            signing.b62_encode(int(case_id)),
            signing.b62_encode(int(event_id or 0)),
            _CHANNEL_LETTERS[Channel(channel)],
            signing.b62_encode(made),
        ]
    )
    return f"{body}.{_mac(body)}"


def _mac_ok(body: str, mac: str) -> bool:
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return any(hmac.compare_digest(_mac(body, secret), mac) for secret in secrets)


def rating_token_read(token: str, *, now: dt.datetime | None = None) -> RatingLink:
    """The occasion a token names; ``LinkExpired`` past its age, ``LinkInvalid`` otherwise."""
    if not isinstance(token, str) or not token or len(token) > TOKEN_MAX_LENGTH:
        raise LinkInvalid
    if not token.isascii() or not token.isprintable():
        raise LinkInvalid
    parts = token.split(".")
    if len(parts) != 5 or not all(parts):
        raise LinkInvalid
    body, mac = ".".join(parts[:4]), parts[4]
    if not _mac_ok(body, mac):
        raise LinkInvalid
    try:
        case_id, event_id, made = (signing.b62_decode(parts[i]) for i in (0, 1, 3))
    except (ValueError, KeyError):
        raise LinkInvalid from None
    channel = _LETTER_CHANNELS.get(parts[2])
    if channel is None or case_id < 1 or event_id < 0:
        raise LinkInvalid
    if (channel in ON_SITE_CHANNELS) != bool(event_id):
        raise LinkInvalid
    now = now or timezone.now()
    if now.timestamp() - made > token_max_age().total_seconds():
        raise LinkExpired
    return RatingLink(case_id=case_id, event_id=event_id or None, channel=channel)


def rating_path(token: str) -> str:
    """The short path of a rating link: ``/r/<token>``, with the active language's prefix (an
    English SMS or page links to ``/en/r/<token>``)."""
    return reverse("ratings_public:rate", kwargs={"token": token})


def rating_url(token: str) -> str:
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}{rating_path(token)}"


def rating_link_provider(*, case: Any, channel: str, **context: Any) -> str:
    """``cases.rating_links`` provider: the address where ``case`` can be rated on ``channel``,
    or ``""`` when it cannot (not completed, rated already, period over)."""
    from onewindow.ratings import selectors

    event = context.get("event")
    if channel == Channel.ACCOUNT:
        # A list of the account's cases: no query per case (the page says "rated already").
        if not selectors.case_period_open(case):
            return ""
        path = reverse("ratings_public:account_rate", kwargs={"number": case.number})
        company_id = context.get("company_id")
        return f"{path}?company={int(company_id)}" if company_id else path
    if channel == Channel.QR:
        # The receipt's second QR code: the visit its window move was. Made "at" the visit, so
        # an unchanged receipt prints the same token (the receipt cache keys on its HTML).
        if event is None or event.action not in selectors.VISIT_ACTIONS:
            return ""
        if timezone.now() > event.at + selectors.rating_period():
            return ""
        token = rating_token(case_id=case.pk, channel=channel, event_id=event.pk, now=event.at)
        return rating_url(token)
    if channel not in LINK_CHANNELS or not selectors.case_rateable_online(case):
        return ""
    token = rating_token(case_id=case.pk, channel=channel)
    return rating_url(token) if channel == Channel.SMS else rating_path(token)
