"""Open311 clients: a key issued once (only its SHA-256 is kept), revoked by an administrator
(``Action.HOTLINE_MANAGE``), and the per-minute limit of each client counted on its row with
one ``UPDATE``, which every worker process shares."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, Value, When
from django.utils.translation import gettext_lazy as _

from onewindow.core.audit import audit_record
from onewindow.core.errors import ErrorList, NotFoundOrForbidden
from onewindow.hotline.models import Open311Client
from onewindow.hotline.services.common import now_or, text
from onewindow.org.permissions import Action, require

PER_MINUTE_MAX = 10000
KEY_MAX_LENGTH = 128


def default_per_minute() -> int:
    return int(getattr(settings, "HOTLINE_OPEN311_PER_MINUTE", 30))


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def client_issue(
    *,
    actor: Any,
    name: str,
    contact: str,
    per_minute: Any = None,
    now: dt.datetime | None = None,
) -> tuple[Open311Client, str]:
    """A new client and its key — returned once, never stored in clear."""
    require(actor, Action.HOTLINE_MANAGE)
    now = now_or(now)
    errors = ErrorList()
    name = text(errors, "name", name, max_length=80, multiline=False)
    contact = text(errors, "contact", contact, max_length=120, multiline=False)
    limit = default_per_minute()
    if per_minute not in (None, ""):
        raw = str(per_minute).strip()
        if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= PER_MINUTE_MAX):
            errors.add(
                "per_minute",
                "invalid",
                _("Give a whole number of requests a minute from 1 to %(max)s."),
                max=PER_MINUTE_MAX,
            )
        else:
            limit = int(raw)
    errors.raise_if_any(_("The client is not saved; correct the marked fields."))
    key = secrets.token_urlsafe(32)
    with transaction.atomic():
        client = Open311Client.objects.create(
            name=name,
            contact=contact,
            key_digest=key_digest(key),
            key_prefix=key[:6],
            per_minute=limit,
            issued_by=actor,
            issued_at=now,
        )
        audit_record(
            actor=actor,
            action="hotline.open311_client_issue",
            obj=client,
            detail={"per_minute": limit, "key_prefix": client.key_prefix},
        )
    return client, key


def client_revoke(*, actor: Any, client_id: int, now: dt.datetime | None = None) -> Open311Client:
    """The key stops working at once; revoking a revoked client changes nothing."""
    require(actor, Action.HOTLINE_MANAGE)
    now = now_or(now)
    with transaction.atomic():
        client = Open311Client.objects.select_for_update().filter(pk=client_id).first()
        if client is None:
            raise NotFoundOrForbidden()
        if client.revoked_at is None:
            client.revoked_at, client.revoked_by = now, actor
            client.save(update_fields=["revoked_at", "revoked_by"])
            audit_record(actor=actor, action="hotline.open311_client_revoke", obj=client)
    return client


def client_for_key(key: str) -> tuple[Open311Client | None, str]:
    """The client of a key and ``""``; or ``None`` and why not (``no_key``, ``unknown_key``,
    ``revoked``)."""
    key = (key or "").strip()
    if not key:
        return None, "no_key"
    if len(key) > KEY_MAX_LENGTH or not key.isascii():
        return None, "unknown_key"
    client = Open311Client.objects.filter(key_digest=key_digest(key)).first()
    if client is None:
        return None, "unknown_key"
    if client.revoked_at is not None:
        return None, "revoked"
    return client, ""


def request_count(client: Open311Client, *, now: dt.datetime) -> tuple[bool, int]:
    """Count one request of ``client`` in the current minute (one ``UPDATE``); ``(within the
    limit, the count)``."""
    minute = int(now.timestamp() // 60)
    with transaction.atomic():
        Open311Client.objects.filter(pk=client.pk).update(
            window_count=Case(
                When(window_minute=minute, then=F("window_count") + 1), default=Value(1)
            ),
            window_minute=minute,
        )
        count = Open311Client.objects.filter(pk=client.pk).values_list("window_count", flat=True)
        counted = int(count.first() or 0)
    return counted <= client.per_minute, counted
