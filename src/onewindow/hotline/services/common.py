"""What every hotline move shares: the row locked and its revision checked, texts checked at
the edge, the numbering."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.cases.services import sequence_next
from onewindow.core.errors import ErrorList
from onewindow.core.validation import (
    CONTROL_MESSAGE,
    MULTILINE_CONTROL_MESSAGE,
    has_control_characters,
)
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
    """Stripped text; a control character, a missing or an overlong value adds a problem."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.add(name, "invalid", _("This must be text."))
        return ""
    value = value.strip()
    if has_control_characters(value, multiline=multiline):
        errors.add(
            name,
            "control_characters",
            MULTILINE_CONTROL_MESSAGE if multiline else CONTROL_MESSAGE,
        )
        return ""
    if required and not value:
        errors.add(name, "required", missing or _("Fill this in."))
    if len(value) > max_length:
        errors.add(
            name,
            "too_long",
            _("At most %(max_length)s characters are allowed."),
            max_length=max_length,
        )
    return value


def now_or(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()
