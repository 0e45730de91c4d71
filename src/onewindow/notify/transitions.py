"""A message's status on the workflow kernel (ADR 0009): ``workflow.mover.move`` is the only
code that changes it (called through ``delivery.notification_move``); each move writes a
``NotificationEvent`` and an audit row ``notify.<action>``.

    (new) ──queue──► pending ──deliver──► sent
                        │  └──fail──► failed ──deliver──► sent
                        │              │  └──fail──► failed   (next attempt after the backoff)
                        └──give_up──►  dead ◄──give_up──┘     (NOTIFY_MAX_ATTEMPTS reached)
                                        └──retry──► pending   (an administrator)
"""

from __future__ import annotations

from onewindow.notify.errors import NotificationMoveNotAllowed
from onewindow.notify.events import NOTIFICATION_EVENTS
from onewindow.notify.models import NotificationStatus
from onewindow.org.permissions import Action
from onewindow.workflow.machine import NEW, Move, StateMachine

S = NotificationStatus
SENDABLE = frozenset({S.PENDING, S.FAILED})

NOTIFICATION_MACHINE = StateMachine(
    name="notify.notification",
    model="notify.Notification",
    states=NotificationStatus,
    state_field="status",
    revision_field="revision",
    events=NOTIFICATION_EVENTS,
    moves=[
        Move("queue", {NEW}, S.PENDING, public=False),
        Move("deliver", SENDABLE, S.SENT, public=False),
        Move("fail", SENDABLE, S.FAILED, public=False),
        Move("give_up", SENDABLE, S.DEAD, public=False),
        Move("retry", {S.DEAD}, S.PENDING, permission=Action.NOTIFY_MANAGE, public=False),
    ],
    terminal=frozenset({S.SENT}),
    event_model="notify.NotificationEvent",
    event_fields=lambda notification: {"notification": notification},
    audit_prefix="notify.",
    not_allowed=NotificationMoveNotAllowed,
)
