"""The bad-rating loop (差评整改) on the workflow kernel: one function per move.

``rectification_open`` is called by ``rate`` in the transaction that stores a bad rating: every
差评 opens one, owned by the rating's department (and centre), with the call-back due within
``RATING_CALLBACK_WORKING_DAYS`` working days.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction

from onewindow.ratings.models import RatedStaff, Rating, Rectification
from onewindow.ratings.transitions import RECTIFICATION_MACHINE, RectificationState
from onewindow.workflow import mover
from onewindow.workflow.clock import TimeUnit, due_after

MACHINE = RECTIFICATION_MACHINE


def rectification_number(rating: Rating) -> str:
    """ZG + the rating's day + its id: unique with the rating, readable on the phone."""
    return f"ZG{rating.rated_at:%Y%m%d}{rating.pk:07d}"


def rectification_open(*, rating: Rating, now: dt.datetime) -> Rectification:
    """Open the rectification of the bad ``rating`` (the platform's move: no actor). The owner
    is the window clerk rated for a visit, else the first back-office staff rated, else nobody
    (the department's lead picks it up). Must run inside the rating's transaction."""
    assert rating.is_bad, "only a bad rating opens a rectification"
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("rectification_open runs inside the rating's transaction")
    rated = list(RatedStaff.objects.filter(rating=rating).order_by("role", "id"))
    window = [r.user_id for r in rated if r.role == "window"]
    back = [r.user_id for r in rated if r.role == "back_office"]
    owners = window or back
    owner_id = owners[0] if owners else None
    rectification = Rectification(
        number=rectification_number(rating),
        rating=rating,
        department_id=rating.department_id,
        centre_id=rating.centre_id,
        owner_id=owner_id,
        state="",
        opened_at=now,
        callback_due_at=due_after(now, settings.RATING_CALLBACK_WORKING_DAYS, TimeUnit.WORKING_DAY),
    )
    mover.move(
        MACHINE,
        rectification,
        "open",
        actor=None,
        now=now,
        data={"rating": rating.pk, "level": rating.level},
    )
    return rectification


__all__ = ["MACHINE", "RectificationState", "rectification_number", "rectification_open"]
