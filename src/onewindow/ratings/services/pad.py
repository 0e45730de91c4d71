"""Rating pads (评价器): pairing a tablet with one window, revoking it, finding it by its secret.

Who may pair or revoke a window's pad: the centre's manager (``hall.manage`` at that centre)
only — never a clerk, who could otherwise rate their own or a colleague's window. The secret
(256 random bits, URL-safe) is shown once, in the pad's address; only its SHA-256 is stored.
Every pairing and revocation is audited; a pad link that is unknown or revoked answers
``PadNotFound``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from onewindow.core.audit import audit_record
from onewindow.core.errors import NotFoundOrForbidden
from onewindow.org.models import Window
from onewindow.org.permissions import Action, can, scope_queryset
from onewindow.ratings.errors import PadNotFound
from onewindow.ratings.models import RatingPad

SECRET_MAX_LENGTH = 64


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def may_pair(user: Any, window: Window) -> bool:
    return can(user, Action.HALL_MANAGE, window.centre)


def pad_windows_for(user: Any) -> QuerySet[Window]:
    """The active windows ``user`` may pair a pad with."""
    base = Window.objects.filter(is_active=True).select_related("centre")
    return scope_queryset(
        user,
        Action.HALL_MANAGE,
        base,
        centre_path="centre_id",
        region_code_path="centre__region__code",
    ).order_by("centre__code", "number")


def _window_for(user: Any, window_id: Any) -> Window:
    window = None
    if isinstance(window_id, int) and not isinstance(window_id, bool) and 0 < window_id < 10**9:
        window = Window.objects.select_related("centre__region").filter(pk=window_id).first()
    if window is None or not may_pair(user, window):
        audit_record(
            actor=user,
            action="denied:ratings.pad_pair",
            object_type="org.window",
            object_id=str(window_id)[:20],
            allowed=False,
        )
        raise NotFoundOrForbidden()
    return window


def pad_issue(
    *, actor: Any, window_id: Any, now: dt.datetime | None = None
) -> tuple[RatingPad, str]:
    """Pair a new pad with the window: (pad, secret). The secret is in no row and no log."""
    window = _window_for(actor, window_id)
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        pad = RatingPad.objects.create(
            window=window,
            token_hash=token_hash(secret),
            issued_by=actor,
            issued_at=now or timezone.now(),
        )
        audit_record(
            actor=actor,
            action="ratings.pad_pair",
            obj=pad,
            detail={"window": window.number, "centre": window.centre.code},
        )
    return pad, secret


def pad_revoke(*, actor: Any, pad_id: Any, now: dt.datetime | None = None) -> RatingPad:
    pad = None
    if isinstance(pad_id, int) and not isinstance(pad_id, bool) and 0 < pad_id < 10**9:
        pad = RatingPad.objects.select_related("window__centre__region").filter(pk=pad_id).first()
    if pad is None or not may_pair(actor, pad.window):
        audit_record(
            actor=actor,
            action="denied:ratings.pad_revoke",
            object_type="ratings.ratingpad",
            object_id=str(pad_id)[:20],
            allowed=False,
        )
        raise NotFoundOrForbidden()
    with transaction.atomic():
        pad = RatingPad.objects.select_for_update().get(pk=pad.pk)
        if pad.revoked_at is None:
            pad.revoked_at = now or timezone.now()
            pad.revoked_by = actor
            pad.save(update_fields=["revoked_at", "revoked_by"])
            audit_record(actor=actor, action="ratings.pad_revoke", obj=pad)
    return pad


def pad_for_secret(secret: Any) -> RatingPad:
    """The live pad of this secret, or ``PadNotFound`` (unknown and revoked alike)."""
    if (
        not isinstance(secret, str)
        or not secret
        or len(secret) > SECRET_MAX_LENGTH
        or not secret.isascii()
        or not secret.isprintable()
    ):
        raise PadNotFound()
    pad = (
        RatingPad.objects.select_related("window__centre")
        .filter(token_hash=token_hash(secret), revoked_at__isnull=True)
        .first()
    )
    if pad is None:
        raise PadNotFound()
    return pad
