"""The small integration interface with the telephony system (CTI): a call rung through to an
agent is recorded (``incoming_call_record``, called by the API with the CTI's token); the
agent's call screen asks for the latest one (``incoming_call_latest``) and takes it
(``incoming_call_take``: the number in clear, once, audited) to fill the caller's phone and show
their history. Nothing is dialled or recorded from here."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from onewindow.core import crypto
from onewindow.core.audit import audit_record
from onewindow.core.errors import ErrorList, NotFoundOrForbidden
from onewindow.core.identifiers import check_phone
from onewindow.hotline.models import CALLER_PHONE_CONTEXT, PHONE_INDEX_CONTEXT, IncomingCall
from onewindow.hotline.services.common import now_or, text
from onewindow.org.permissions import Action, can, require

RING_MINUTES = 10


def incoming_call_record(
    *, call_id: str, agent_username: str, phone: str, now: dt.datetime | None = None
) -> tuple[IncomingCall, bool]:
    """Record a ring (the CTI is authenticated by the caller of this function). Returns the
    row and whether it is new; the same ``call_id`` again returns the first row."""
    now = now_or(now)
    errors = ErrorList()
    call_id = text(errors, "call_id", call_id, max_length=64, multiline=False)
    username = text(errors, "agent", agent_username, max_length=150, multiline=False)
    canonical = check_phone(errors, phone=phone or "", field="phone")
    if not canonical and not errors:
        errors.add("phone", "required", _("Give the caller's number."))
    agent = None
    if username and not errors:
        agent = get_user_model().objects.filter(username=username, is_active=True).first()
        if agent is None or not can(agent, Action.HOTLINE_TAKE):
            errors.add("agent", "unknown", _("No hotline agent has this username."))
    errors.raise_if_any(_("The call is not recorded; correct the marked fields."))
    assert agent is not None
    existing = IncomingCall.objects.filter(call_id=call_id).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            row = IncomingCall.objects.create(
                call_id=call_id,
                agent=agent,
                phone_encrypted=crypto.encrypt(canonical, context=CALLER_PHONE_CONTEXT),
                phone_index=crypto.blind_index(canonical, context=PHONE_INDEX_CONTEXT),
                phone_masked=crypto.mask_phone(canonical),
                rang_at=now,
            )
    except IntegrityError:  # the same ring twice at once
        return IncomingCall.objects.get(call_id=call_id), False
    return row, True


def incoming_call_latest(*, actor: Any, now: dt.datetime | None = None) -> IncomingCall | None:
    """The agent's latest ring of the last ``RING_MINUTES`` minutes not yet taken."""
    require(actor, Action.HOTLINE_TAKE)
    since = now_or(now) - dt.timedelta(minutes=RING_MINUTES)
    return (
        IncomingCall.objects.filter(agent=actor, taken_at__isnull=True, rang_at__gte=since)
        .order_by("-rang_at", "-id")
        .first()
    )


def incoming_call_take(*, actor: Any, call_pk: Any, now: dt.datetime | None = None) -> str:
    """The agent takes their ring: the number in clear to fill the form (audited, masked)."""
    require(actor, Action.HOTLINE_TAKE)
    now = now_or(now)
    with transaction.atomic():
        row = (
            IncomingCall.objects.select_for_update()
            .filter(pk=call_pk if isinstance(call_pk, int) else -1, agent=actor)
            .first()
        )
        if row is None:
            raise NotFoundOrForbidden()
        if row.taken_at is None:
            row.taken_at = now
            row.save(update_fields=["taken_at"])
        audit_record(
            actor=actor,
            action="hotline.incoming_call_take",
            obj=row,
            detail={"phone": row.phone_masked, "call_id": row.call_id},
        )
    return crypto.decrypt(row.phone_encrypted, context=CALLER_PHONE_CONTEXT)


__all__ = ["incoming_call_latest", "incoming_call_record", "incoming_call_take"]
