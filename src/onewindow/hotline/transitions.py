"""A 12345 work order (工单): states and moves, declared once on the workflow kernel (ADR 0009).
``workflow.mover.move`` is the only code that changes its state.

    (new) ─submit─► submitted ─┐            web, account, Open311, a bad rating: an agent accepts
    (new) ─────────────────────┼─take──► to_dispatch ─dispatch─► dispatched ─sign─► handling
                               ├─answer─► closed (直接答复)    ▲   │  return (退单)     │ │
                               └─refuse─► not_accepted         └───┴───────────────────┘ │
    handling ─reply─► replied ─close─► closed                                            │
                        └─redo (unhappy through the unit's fault)─► handling ◄───────────┘
    to_dispatch ─split─► split ─close_split─► closed       any open order ─merge─► merged

The handling clock runs while a unit holds the order (dispatched, handling); the sign-for and
call-back deadlines are kept beside it (``WorkOrder.sign_due_at``, ``callback_due_at``).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.hotline.errors import StaleWorkOrder, WorkOrderNotAllowed
from onewindow.hotline.events import WORK_ORDER_EVENTS
from onewindow.org.permissions import Action
from onewindow.workflow.machine import NEW, Move, StateMachine

__all__ = ["NEW", "OPEN_STATES", "WORK_ORDER_MACHINE", "WORK_ORDER_TRANSITIONS", "OrderState"]


class OrderState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted, to be accepted (待受理)")
    TO_DISPATCH = "to_dispatch", _("To be dispatched (待派单)")
    DISPATCHED = "dispatched", _("Dispatched, to be signed for (待签收)")
    HANDLING = "handling", _("Being handled (办理中)")
    REPLIED = "replied", _("Replied, to be called back (待回访)")
    SPLIT = "split", _("Split into orders for several units (已拆分)")
    CLOSED = "closed", _("Closed (已办结)")
    NOT_ACCEPTED = "not_accepted", _("Not accepted (不予受理)")
    MERGED = "merged", _("Merged into another order (已合并)")


S = OrderState
TAKE, DISPATCH, HANDLE = Action.HOTLINE_TAKE, Action.HOTLINE_DISPATCH, Action.HOTLINE_HANDLE
INTAKE_SOURCES = {NEW, S.SUBMITTED}

WORK_ORDER_MACHINE = StateMachine(
    name="hotline.work_order",
    model="hotline.WorkOrder",
    states=OrderState,
    events=WORK_ORDER_EVENTS,
    moves=[
        Move("submit", {NEW}, S.SUBMITTED, notifies=True),
        Move("take", INTAKE_SOURCES, S.TO_DISPATCH, permission=TAKE, notifies=True),
        Move("answer", INTAKE_SOURCES, S.CLOSED, permission=TAKE, notifies=True),
        Move("refuse", INTAKE_SOURCES, S.NOT_ACCEPTED, permission=TAKE, notifies=True),
        Move("dispatch", {S.TO_DISPATCH}, S.DISPATCHED, permission=DISPATCH),
        Move("sign", {S.DISPATCHED}, S.HANDLING, permission=HANDLE),
        Move("return", {S.DISPATCHED, S.HANDLING}, S.TO_DISPATCH, permission=HANDLE, public=False),
        Move("reply", {S.HANDLING}, S.REPLIED, permission=HANDLE, notifies=True),
        Move("redo", {S.REPLIED}, S.HANDLING, permission=TAKE, notifies=True),
        Move("close", {S.REPLIED}, S.CLOSED, permission=TAKE, notifies=True),
        Move(
            "merge",
            {S.SUBMITTED, S.TO_DISPATCH, S.DISPATCHED, S.HANDLING},
            S.MERGED,
            permission=DISPATCH,
            public=False,
        ),
        Move("split", {S.TO_DISPATCH}, S.SPLIT, permission=DISPATCH, public=False),
        Move("close_split", {S.SPLIT}, S.CLOSED, notifies=True),
    ],
    running={S.DISPATCHED, S.HANDLING},
    terminal={S.CLOSED, S.NOT_ACCEPTED, S.MERGED},
    event_model="hotline.WorkOrderEvent",
    event_fields=lambda order: {"order": order},
    audit_prefix="hotline.order_",
    notifier="onewindow.hotline.notifications.work_order_event_notify",
    not_allowed=WorkOrderNotAllowed,
    stale=StaleWorkOrder,
)

WORK_ORDER_TRANSITIONS = WORK_ORDER_MACHINE.table()
# Still open: in the queues, counted as pending.
OPEN_STATES = frozenset({S.SUBMITTED, S.TO_DISPATCH, S.DISPATCHED, S.HANDLING, S.REPLIED, S.SPLIT})
# A unit holds the order (its queue, the handling clock).
AT_UNIT_STATES = frozenset({S.DISPATCHED, S.HANDLING})
