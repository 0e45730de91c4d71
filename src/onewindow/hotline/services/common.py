"""What every hotline move shares: the row locked and its revision checked, texts checked at
the edge, the numbering."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from onewindow.cases.services import sequence_next
from onewindow.core.errors import ErrorList
from onewindow.core.validation import checked_text
from onewindow.hotline.events import WORK_ORDER_EVENTS
from onewindow.hotline.models import WorkOrder
from onewindow.hotline.transitions import WORK_ORDER_MACHINE
from onewindow.workflow import mover

MACHINE = WORK_ORDER_MACHINE
TEXT_MAX_LENGTH = 4000
NUMBER_PREFIX = "GD"


def order_number_next(*, today: dt.date) -> str:
    """GD + the day + a six-digit daily sequence (one statement, in the caller's transaction:
    call it last)."""
    prefix = f"{NUMBER_PREFIX}{today:%Y%m%d}"
    return f"{prefix}{sequence_next(prefix=prefix):06d}"


def begin(order: WorkOrder, action: str, expected_revision: int | None) -> WorkOrder:
    """In the move's transaction: the row locked, the page's revision checked (a missing one is
    stale), the table asked — before any input is looked at."""
    if expected_revision is None:
        raise MACHINE.stale()
    fresh = mover.lock(MACHINE, order)
    mover.check_revision(MACHINE, fresh, expected_revision)
    refuse_unless_allowed(fresh, action)
    return fresh


def refuse_unless_allowed(order: WorkOrder, action: str) -> None:
    if MACHINE.target(action, order.state) is None:
        raise MACHINE.not_allowed(
            action=WORK_ORDER_EVENTS.verb(action), state=MACHINE.state_label(order.state)
        )


def text(
    errors: ErrorList,
    name: str,
    value: Any,
    *,
    required: bool = True,
    max_length: int = TEXT_MAX_LENGTH,
    multiline: bool = True,
    missing: Any = None,
) -> str:
    """``core.validation.checked_text`` with the hotline's default length."""
    return checked_text(
        errors,
        name,
        value,
        max_length=max_length,
        required=required,
        multiline=multiline,
        missing=missing,
    )


def now_or(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()
