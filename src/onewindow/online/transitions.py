"""The online application's states and the moves between them, declared once on the workflow
kernel (ADR 0009). ``workflow.mover.move`` is the only code that changes its state.

    (new) ──start──► draft ──submit──► submitted ──accept──► accepted   (a case exists)
                       │                 │  ▲  └──refuse──► refused
                       │                 │  └─submit─┐
                       │                 └─request_correction─► correction_requested
                       └──────────── withdraw (draft, submitted, correction_requested) ──► withdrawn

The applicant's moves (start, submit, withdraw) declare no staff permission: the services
check that the signed-in account owns the application (or acts for its company). The
centre's moves need ``case.accept`` at the pre-reviewing centre.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.online.errors import OnlineTransitionNotAllowed, StaleApplication
from onewindow.online.events import ONLINE_EVENTS
from onewindow.org.permissions import Action
from onewindow.workflow.machine import NEW, Move, StateMachine

__all__ = ["NEW", "ONLINE_MACHINE", "ONLINE_TRANSITIONS", "OnlineState"]


class OnlineState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Waiting for pre-review")
    CORRECTION_REQUESTED = "correction_requested", _("To be corrected (补正)")
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Not accepted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


S = OnlineState
REVIEW = Action.CASE_ACCEPT

ONLINE_MACHINE = StateMachine(
    name="online.application",
    model="online.OnlineApplication",
    states=OnlineState,
    events=ONLINE_EVENTS,
    moves=[
        Move("start", {NEW}, S.DRAFT),
        Move("submit", {S.DRAFT, S.CORRECTION_REQUESTED}, S.SUBMITTED, notifies=True),
        Move(
            "request_correction",
            {S.SUBMITTED},
            S.CORRECTION_REQUESTED,
            permission=REVIEW,
            notifies=True,
        ),
        Move("accept", {S.SUBMITTED}, S.ACCEPTED, permission=REVIEW, notifies=True),
        Move("refuse", {S.SUBMITTED}, S.REFUSED, permission=REVIEW, notifies=True),
        Move("withdraw", {S.DRAFT, S.SUBMITTED, S.CORRECTION_REQUESTED}, S.WITHDRAWN),
    ],
    terminal={S.ACCEPTED, S.REFUSED, S.WITHDRAWN},
    event_model="online.OnlineEvent",
    event_fields=lambda application: {"application": application},
    audit_prefix="online.",
    notifier="onewindow.online.notifications.online_event_notify",
    not_allowed=OnlineTransitionNotAllowed,
    stale=StaleApplication,
)

ONLINE_TRANSITIONS = ONLINE_MACHINE.table()
# The states in which the applicant may change answers and papers.
EDITABLE_STATES = frozenset({S.DRAFT, S.CORRECTION_REQUESTED})
