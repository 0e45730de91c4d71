"""The rectification of a bad rating (差评整改): states and moves, declared once on the workflow
kernel (ADR 0009). ``workflow.mover.move`` is the only code that changes its state.

    (new) ──open──► callback ──verify──► verified ──fix_now──────────────► fixed ──recheck──► closed
                                          │  ▲   ──ledger──► ledger ──submit_fix──┘
                                          │  │   ──explain─────────────────────────────────► closed
                                          │  └──reject_appeal──┐
                                          └──appeal──► appealed ──uphold_appeal──► upheld

``open`` is the platform's (every 差评 opens one; no staff permission). The responsible
department (or the centre) calls back, verifies and resolves; the rated staff appeal; the
centre manager reviews the appeal. The ledger's clock runs in ``ledger``; the call-back's
deadline is kept beside it (``Rectification.callback_due_at``).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.org.permissions import Action
from onewindow.ratings.errors import RectificationNotAllowed, StaleRectification
from onewindow.ratings.events import RECTIFICATION_EVENTS
from onewindow.workflow.machine import NEW, Move, StateMachine

__all__ = ["NEW", "RECTIFICATION_MACHINE", "RECTIFICATION_TRANSITIONS", "RectificationState"]


class RectificationState(models.TextChoices):
    CALLBACK = "callback", _("To be called back (待回访核实)")
    VERIFIED = "verified", _("Verified, to be resolved")
    LEDGER = "ledger", _("On the ledger, being fixed (限期整改)")
    APPEALED = "appealed", _("Appealed, under review (申诉复核)")
    FIXED = "fixed", _("Fixed, to be called back")
    CLOSED = "closed", _("Closed")
    UPHELD = "upheld", _("Appeal upheld (does not count)")


S = RectificationState
WORK = Action.RECTIFY_WORK

RECTIFICATION_MACHINE = StateMachine(
    name="ratings.rectification",
    model="ratings.Rectification",
    states=RectificationState,
    events=RECTIFICATION_EVENTS,
    moves=[
        Move("open", {NEW}, S.CALLBACK, public=False),
        Move("verify", {S.CALLBACK}, S.VERIFIED, permission=WORK),
        Move("fix_now", {S.VERIFIED}, S.FIXED, permission=WORK, notifies=True),
        Move("ledger", {S.VERIFIED}, S.LEDGER, permission=WORK, notifies=True),
        Move("submit_fix", {S.LEDGER}, S.FIXED, permission=WORK, notifies=True),
        Move("explain", {S.VERIFIED}, S.CLOSED, permission=WORK, notifies=True),
        Move("appeal", {S.VERIFIED}, S.APPEALED, permission=Action.RATING_APPEAL, public=False),
        Move(
            "uphold_appeal",
            {S.APPEALED},
            S.UPHELD,
            permission=Action.RATING_APPEAL_REVIEW,
            public=False,
        ),
        Move(
            "reject_appeal",
            {S.APPEALED},
            S.VERIFIED,
            permission=Action.RATING_APPEAL_REVIEW,
            public=False,
        ),
        Move("recheck", {S.FIXED}, S.CLOSED, permission=WORK),
    ],
    running={S.LEDGER},
    terminal={S.CLOSED, S.UPHELD},
    event_model="ratings.RectificationEvent",
    event_fields=lambda rectification: {"rectification": rectification},
    audit_prefix="ratings.rectification_",
    notifier="onewindow.ratings.notifications.rectification_event_notify",
    not_allowed=RectificationNotAllowed,
    stale=StaleRectification,
)

RECTIFICATION_TRANSITIONS = RECTIFICATION_MACHINE.table()
# The states in which the rectification is still open (counted as pending, shown in queues).
OPEN_STATES = frozenset({S.CALLBACK, S.VERIFIED, S.LEDGER, S.APPEALED, S.FIXED})
