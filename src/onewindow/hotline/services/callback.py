"""The call-back (回访) after a reply: each caller is asked whether the matter is solved and how
satisfied they are (the five levels of 好差评). Unhappy through the unit's fault: the order goes
back to the unit (重办) on a fresh clock. It closes once every caller has been reached, or a
caller could not be reached ``HOTLINE_CALLBACK_ATTEMPTS`` times (recorded, never assumed)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import ErrorList, NotFoundOrForbidden
from onewindow.core.validation import record_id
from onewindow.hotline import limits
from onewindow.hotline.codes import CallbackOutcome
from onewindow.hotline.errors import CallbackIncomplete, CallerCalledBack
from onewindow.hotline.models import Callback, Closure, OrderCaller, WorkOrder
from onewindow.hotline.services.common import MACHINE, begin, now_or, text
from onewindow.hotline.services.dispatch import split_parent_close_if_done
from onewindow.org.permissions import require
from onewindow.ratings.codes import BAD_LEVELS, Level
from onewindow.workflow import mover
from onewindow.workflow.clock import clock_start


@dataclass(frozen=True)
class CallbackInput:
    caller_id: Any
    reached: bool
    solved: bool | None = None
    level: Any = None
    unit_fault: bool | None = None
    note: str = ""


@dataclass(frozen=True)
class CallbackResult:
    order: WorkOrder
    callback: Callback
    # "redo", "closed" or "" (more callers to call back).
    outcome: str


def callable_callers(order: WorkOrder) -> Any:
    """The callers who can be called back: a phone given, and a reply wanted."""
    if not order.wants_reply:
        return OrderCaller.objects.none()
    return OrderCaller.objects.filter(order=order, anonymous=False).exclude(phone_index="")


def _round_done(order: WorkOrder, round_number: int) -> tuple[bool, str]:
    """Whether every caller of the round is reached or given up on (``HOTLINE_CALLBACK_ATTEMPTS``
    failed attempts), and how the order then closes: after the call-back when anyone was
    reached, else as "could not reach"."""
    callers = list(callable_callers(order).values_list("pk", flat=True))
    rows = list(Callback.objects.filter(order=order, round=round_number))
    attempts = limits.callback_attempts()
    for pk in callers:
        own = [c for c in rows if c.caller_id == pk]
        if not any(c.outcome == CallbackOutcome.REACHED for c in own) and len(own) < attempts:
            return False, ""
    anyone = any(c.outcome == CallbackOutcome.REACHED for c in rows)
    return True, Closure.CALLBACK if anyone else Closure.NOT_REACHED


def callback_record(
    *,
    actor: Any,
    order: WorkOrder,
    expected_revision: int | None,
    data: CallbackInput,
    now: dt.datetime | None = None,
) -> CallbackResult:
    """One call-back of one caller. A reached caller unhappy (不满意, 非常不满意) through the unit's
    fault sends the order back for redo at once; when the round is complete it closes."""
    require(actor, MACHINE.permission_for("close"), order, hide=True)
    now = now_or(now)
    with transaction.atomic():
        row = begin(order, "close", expected_revision)
        caller_pk = record_id(data.caller_id)
        caller = callable_callers(row).filter(pk=caller_pk).first() if caller_pk else None
        if caller is None:
            raise NotFoundOrForbidden()
        if Callback.objects.filter(
            order=row, caller=caller, round=row.redo_count + 1, outcome=CallbackOutcome.REACHED
        ).exists():
            raise CallerCalledBack()
        errors = ErrorList()
        level = None
        if data.reached:
            level = record_id(data.level)
            if level not in Level.values:
                errors.add(
                    "level",
                    "invalid_choice",
                    _("Choose how satisfied the caller is (one of the five levels)."),
                )
            if data.solved is None:
                errors.add("solved", "required", _("Say whether the caller says it is solved."))
            if level in BAD_LEVELS and data.unit_fault is None:
                errors.add(
                    "unit_fault",
                    "required",
                    _(
                        "The caller is unhappy: say whether it is the unit's fault (then "
                        "the order is handled again)."
                    ),
                )
        note = text(errors, "note", data.note, required=False, max_length=1000)
        errors.raise_if_any(_("The call-back is not recorded; correct the marked fields."))
        round_number = row.redo_count + 1
        callback = Callback.objects.create(
            order=row,
            caller=caller,
            round=round_number,
            outcome=CallbackOutcome.REACHED if data.reached else CallbackOutcome.NOT_REACHED,
            solved=data.solved if data.reached else None,
            level=level,
            unit_fault=data.unit_fault if data.reached and level in BAD_LEVELS else None,
            note=note,
            by=actor,
            at=now,
        )
        mover.record(
            MACHINE,
            row,
            "callback",
            actor=actor,
            now=now,
            reason=note,
            public=False,
            data={
                "caller": caller.pk,
                "reached": bool(data.reached),
                "level": level,
                "round": round_number,
            },
        )
        if data.reached and level in BAD_LEVELS and data.unit_fault:
            row.redo_count += 1
            row.replied_at, row.callback_due_at, row.supervised_at = None, None, None
            clock_start(row, limit=row.time_limit, unit=row.time_limit_unit, now=now)
            mover.move(
                MACHINE,
                row,
                "redo",
                actor=actor,
                now=now,
                reason=note,
                data={"caller": caller.pk, "level": level, "round": round_number + 1},
            )
            return CallbackResult(row, callback, "redo")
        done, closure = _round_done(row, round_number)
        if not done:
            mover.bump(MACHINE, row)
            return CallbackResult(row, callback, "")
        reached = list(
            Callback.objects.filter(order=row, round=round_number, outcome=CallbackOutcome.REACHED)
        )
        row.satisfaction = min((c.level for c in reached if c.level), default=None)
        row.solved = all(c.solved for c in reached) if reached else None
        row.closed_at, row.closure = now, closure
        mover.move(
            MACHINE,
            row,
            "close",
            actor=actor,
            now=now,
            data={"closure": closure, "satisfaction": row.satisfaction},
        )
        split_parent_close_if_done(child=row, now=now)
    return CallbackResult(row, callback, "closed")


def order_close_uncallable(
    *, actor: Any, order: WorkOrder, expected_revision: int | None, now: dt.datetime | None = None
) -> WorkOrder:
    """Close a replied order no one can be called back about (anonymous callers, or no reply
    wanted): recorded as such, never as a call-back."""
    require(actor, MACHINE.permission_for("close"), order, hide=True)
    now = now_or(now)
    with transaction.atomic():
        row = begin(order, "close", expected_revision)
        if callable_callers(row).exists():
            raise CallbackIncomplete()
        row.closed_at, row.closure = now, Closure.NO_CALLBACK
        mover.move(
            MACHINE, row, "close", actor=actor, now=now, data={"closure": Closure.NO_CALLBACK}
        )
        split_parent_close_if_done(child=row, now=now)
    return row


__all__ = [
    "CallbackInput",
    "CallbackResult",
    "callable_callers",
    "callback_record",
    "order_close_uncallable",
]
