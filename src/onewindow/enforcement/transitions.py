"""An enforcement task (综合行政执法): states and moves, declared once on the workflow kernel
(ADR 0009) — the kernel the grid case and the 12345 work order use; ``workflow.mover.move`` is
the only code that changes its state.

    (new) ─open─► open ─inspect (violation)─► inspected ─notify (deadline)─► notified
                   │                                                          │
                   └─inspect_clear (no violation)─► concluded ◄─rectified────┤ reinspect
                                                        ▲                     │
                                  penalise ─────────────┘  to_penalise ◄──────┘ not rectified
    any open state ─drop (撤销, with the reason)─► dropped

The task's own deadline (``due_at``, given when it is opened — a grid case passes its stage's)
runs in every open state; while ``notified`` the party's rectification deadline
(``rectify_due_at``) runs too, and the queue shows the nearer one's light.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.enforcement.errors import StaleTask, TaskNotAllowed
from onewindow.enforcement.events import TASK_EVENTS
from onewindow.org.permissions import Action
from onewindow.workflow.machine import NEW, Move, StateMachine

__all__ = ["NEW", "OPEN_STATES", "TASK_MACHINE", "TASK_TRANSITIONS", "TaskState"]


class TaskState(models.TextChoices):
    OPEN = "open", _("To be inspected on site (待检查)")
    INSPECTED = "inspected", _("Violation found, notice to issue (待责令整改)")
    NOTIFIED = "notified", _("Rectifying, to be re-inspected (整改中)")
    TO_PENALISE = "to_penalise", _("Not rectified, penalty to decide (待处罚)")
    CONCLUDED = "concluded", _("Concluded (已办结)")
    DROPPED = "dropped", _("Dropped (已撤销)")


S = TaskState
WORK, DECIDE = Action.ENFORCEMENT_WORK, Action.ENFORCEMENT_DECIDE
OPEN_STATES = frozenset({S.OPEN, S.INSPECTED, S.NOTIFIED, S.TO_PENALISE})

TASK_MACHINE = StateMachine(
    name="enforcement.task",
    model="enforcement.EnforcementTask",
    states=TaskState,
    events=TASK_EVENTS,
    moves=[
        # ``task_open`` also lets the grid command centre's dispatcher open one (URBAN_DISPATCH).
        Move("open", {NEW}, S.OPEN, permission=WORK, public=False),
        Move("inspect", {S.OPEN}, S.INSPECTED, permission=WORK, public=False),
        Move("inspect_clear", {S.OPEN}, S.CONCLUDED, permission=WORK, public=False),
        Move("notify", {S.INSPECTED}, S.NOTIFIED, permission=WORK, public=False),
        Move("reinspect_rectified", {S.NOTIFIED}, S.CONCLUDED, permission=WORK, public=False),
        Move("reinspect_unrectified", {S.NOTIFIED}, S.TO_PENALISE, permission=WORK, public=False),
        Move("penalise", {S.TO_PENALISE}, S.CONCLUDED, permission=DECIDE, public=False),
        Move("drop", OPEN_STATES, S.DROPPED, permission=DECIDE, public=False),
    ],
    running=OPEN_STATES,
    terminal={S.CONCLUDED, S.DROPPED},
    event_model="enforcement.TaskEvent",
    event_fields=lambda task: {"task": task},
    audit_prefix="enforcement.task_",
    not_allowed=TaskNotAllowed,
    stale=StaleTask,
)

TASK_TRANSITIONS = TASK_MACHINE.table()
