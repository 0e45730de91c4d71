"""The handling unit's moves: sign for the order (签收), return a wrongly dispatched one with a
reason (退单, within ``HOTLINE_RETURN_WORKING_DAYS`` of the dispatch), ask for an extension,
give an assisting opinion, and reply with the handling form (办理回复)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import ErrorList, NotFoundOrForbidden
from onewindow.core.validation import record_id
from onewindow.hotline import limits
from onewindow.hotline.codes import Truth, UnitRole
from onewindow.hotline.errors import DispatchRefused
from onewindow.hotline.models import Extension, HandlingReply, OrderUnit, WorkOrder
from onewindow.hotline.services.common import MACHINE, begin, now_or, text
from onewindow.hotline.services.dispatch import extensions_withdraw
from onewindow.hotline.transitions import AT_UNIT_STATES
from onewindow.org.permissions import Action, grants_for, require
from onewindow.workflow import mover
from onewindow.workflow.clock import TimeUnit, due_after


def _actor_departments(actor: Any) -> set[int]:
    return {g.department_id for g in grants_for(actor, Action.HOTLINE_HANDLE) if g.department_id}


def unit_row_for(actor: Any, order: WorkOrder, *, role: str | None = UnitRole.LEAD) -> OrderUnit:
    """The actor's department's active assignment on the order (the lead's, by default);
    none: the one "not found" answer."""
    rows = OrderUnit.objects.filter(
        order=order, returned_at__isnull=True, department_id__in=_actor_departments(actor)
    )
    if role:
        rows = rows.filter(role=role)
    row = rows.order_by("id").first()
    if row is None:
        raise NotFoundOrForbidden()
    return row


def order_sign(
    *, actor: Any, order: WorkOrder, expected_revision: int | None, now: dt.datetime | None = None
) -> WorkOrder:
    """签收: the lead unit takes the order on (an assisting unit: ``assist_sign``)."""
    require(actor, MACHINE.permission_for("sign"), order, hide=True)
    now = now_or(now)
    with transaction.atomic():
        row = begin(order, "sign", expected_revision)
        unit = unit_row_for(actor, row)
        unit.signed_at, unit.signed_by = now, actor
        unit.save(update_fields=["signed_at", "signed_by"])
        row.signed_at = now
        mover.move(
            MACHINE,
            row,
            "sign",
            actor=actor,
            now=now,
            data={"unit": unit.department_id, "on_time": now <= unit.sign_due_at},
        )
    return row


def order_return(
    *,
    actor: Any,
    order: WorkOrder,
    expected_revision: int | None,
    reason: str,
    now: dt.datetime | None = None,
) -> WorkOrder:
    """退单: not this unit's matter; back to the dispatch queue with the reason (counted)."""
    require(actor, MACHINE.permission_for("return"), order, hide=True)
    now = now_or(now)
    with transaction.atomic():
        row = begin(order, "return", expected_revision)
        unit = unit_row_for(actor, row)
        errors = ErrorList()
        reason = text(
            errors,
            "reason",
            reason,
            max_length=1000,
            missing=_("Say why this is not your unit's matter and whose it is."),
        )
        errors.raise_if_any(_("The order is not returned; correct the marked fields."))
        deadline = due_after(unit.dispatched_at, limits.return_working_days(), TimeUnit.WORKING_DAY)
        if now > deadline:
            raise DispatchRefused(
                _(
                    "An order can be returned within %(days)s working days of its dispatch; this "
                    "one was dispatched on %(date)s. Handle it, or ask the hotline centre to "
                    "re-dispatch it."
                ),
                days=limits.return_working_days(),
                date=timezone.localdate(unit.dispatched_at).isoformat(),
            )
        OrderUnit.objects.filter(order=row, returned_at__isnull=True).update(
            returned_at=now, return_reason=reason
        )
        extensions_withdraw(order=row, now=now)
        row.returns_count += 1
        row.lead_unit, row.signed_at, row.sign_due_at = None, None, None
        row.due_at = None
        mover.move(
            MACHINE,
            row,
            "return",
            actor=actor,
            now=now,
            reason=reason,
            data={"unit": unit.department_id},
        )
    return row


def assist_sign(*, actor: Any, order: WorkOrder, now: dt.datetime | None = None) -> OrderUnit:
    require(actor, MACHINE.permission_for("sign"), order, hide=True)
    now = now_or(now)
    with transaction.atomic():
        row = mover.lock(MACHINE, order)
        unit = unit_row_for(actor, row, role=UnitRole.ASSIST)
        if row.state not in AT_UNIT_STATES or unit.signed_at:
            raise MACHINE.not_allowed(action="assist_sign", state=MACHINE.state_label(row.state))
        unit.signed_at, unit.signed_by = now, actor
        unit.save(update_fields=["signed_at", "signed_by"])
        mover.record(
            MACHINE,
            row,
            "assist_sign",
            actor=actor,
            now=now,
            public=False,
            data={"unit": unit.department_id},
        )
        mover.bump(MACHINE, row)
    return unit


def assist_opinion(
    *, actor: Any, order: WorkOrder, opinion: str, now: dt.datetime | None = None
) -> OrderUnit:
    """协办意见: an assisting unit's part, read by the lead unit before it replies."""
    require(actor, MACHINE.permission_for("sign"), order, hide=True)
    now = now_or(now)
    with transaction.atomic():
        row = mover.lock(MACHINE, order)
        unit = unit_row_for(actor, row, role=UnitRole.ASSIST)
        if row.state not in AT_UNIT_STATES:
            raise MACHINE.not_allowed(action="assist_opinion", state=MACHINE.state_label(row.state))
        errors = ErrorList()
        opinion = text(errors, "opinion", opinion, missing=_("Write your unit's opinion."))
        errors.raise_if_any(_("The opinion is not saved; correct the marked fields."))
        unit.opinion, unit.opinion_at = opinion, now
        if unit.signed_at is None:
            unit.signed_at, unit.signed_by = now, actor
        unit.save(update_fields=["opinion", "opinion_at", "signed_at", "signed_by"])
        mover.record(
            MACHINE,
            row,
            "assist_opinion",
            actor=actor,
            now=now,
            public=False,
            reason=opinion,
            data={"unit": unit.department_id},
        )
        mover.bump(MACHINE, row)
    return unit


def extension_request(
    *,
    actor: Any,
    order: WorkOrder,
    working_days: Any,
    reason: str,
    now: dt.datetime | None = None,
) -> Extension:
    """The lead unit asks the hotline centre for more time (one request pending at a time)."""
    require(actor, MACHINE.permission_for("reply"), order, hide=True)
    now = now_or(now)
    with transaction.atomic():
        row = mover.lock(MACHINE, order)
        unit = unit_row_for(actor, row)
        if row.state not in AT_UNIT_STATES:
            raise MACHINE.not_allowed(action="extend_request", state=MACHINE.state_label(row.state))
        errors = ErrorList()
        days = record_id(working_days)
        most = limits.extension_max_working_days()
        if days is None or not 1 <= days <= most:
            errors.add(
                "working_days",
                "out_of_range",
                _("Ask for between 1 and %(most)s working days."),
                most=most,
            )
        reason = text(
            errors,
            "reason",
            reason,
            max_length=1000,
            missing=_("Say why the unit needs more time."),
        )
        errors.raise_if_any(_("The extension is not asked for; correct the marked fields."))
        assert days is not None
        if Extension.objects.filter(order=row, decision="pending").exists():
            raise DispatchRefused(
                _("An extension of this order is already waiting for the hotline centre.")
            )
        extension = Extension.objects.create(
            order=row,
            department_id=unit.department_id,
            working_days=days,
            reason=reason,
            requested_by=actor,
            requested_at=now,
        )
        mover.record(
            MACHINE,
            row,
            "extend_request",
            actor=actor,
            now=now,
            reason=reason,
            public=False,
            data={"working_days": days, "extension": extension.pk},
        )
        mover.bump(MACHINE, row)
    return extension


@dataclass(frozen=True)
class ReplyInput:
    truth: str
    solved: bool
    handling: str
    public_reply: str
    beyond_duty: bool = False
    unsolved_reason: str = ""


def order_reply(
    *,
    actor: Any,
    order: WorkOrder,
    expected_revision: int | None,
    reply: ReplyInput,
    now: dt.datetime | None = None,
) -> WorkOrder:
    """办理回复: the handling form; the call-back is due within
    ``HOTLINE_CALLBACK_WORKING_DAYS``; the callers are told the public reply."""
    require(actor, MACHINE.permission_for("reply"), order, hide=True)
    now = now_or(now)
    with transaction.atomic():
        row = begin(order, "reply", expected_revision)
        unit = unit_row_for(actor, row)
        errors = ErrorList()
        if reply.truth not in Truth.values:
            errors.add("truth", "invalid_choice", _("Say whether the matter is true."))
        if not isinstance(reply.solved, bool):
            errors.add("solved", "invalid_choice", _("Say whether it is solved."))
        handling = text(
            errors, "handling", reply.handling, missing=_("Write what the unit did (办理情况).")
        )
        public_reply = text(
            errors,
            "public_reply",
            reply.public_reply,
            missing=_("Write the reply the caller will be given (公开答复)."),
        )
        unsolved = text(
            errors,
            "unsolved_reason",
            reply.unsolved_reason,
            required=not reply.solved,
            max_length=1000,
            missing=_("Say why it is not solved (未解决原因)."),
        )
        errors.raise_if_any(_("The reply is not saved; correct the marked fields."))
        on_time = row.due_at is None or now <= row.due_at
        HandlingReply.objects.create(
            order=row,
            department_id=unit.department_id,
            round=row.redo_count + 1,
            truth=reply.truth,
            beyond_duty=bool(reply.beyond_duty),
            solved=reply.solved,
            unsolved_reason=unsolved if not reply.solved else "",
            handling=handling,
            public_reply=public_reply,
            replied_by=actor,
            replied_at=now,
            on_time=on_time,
        )
        extensions_withdraw(order=row, now=now)
        row.replied_at, row.replied_on_time = now, on_time
        row.callback_due_at = due_after(now, limits.callback_working_days(), TimeUnit.WORKING_DAY)
        mover.move(
            MACHINE,
            row,
            "reply",
            actor=actor,
            now=now,
            reason=public_reply,
            data={
                "unit": unit.department_id,
                "solved": reply.solved,
                "on_time": on_time,
                "round": row.redo_count + 1,
            },
        )
    return row


__all__ = [
    "ReplyInput",
    "assist_opinion",
    "assist_sign",
    "extension_request",
    "order_reply",
    "order_return",
    "order_sign",
    "unit_row_for",
]
