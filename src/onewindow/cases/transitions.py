"""The case's and the task's states and the moves between them — declared once, as data, on the
workflow kernel (ADR 0007, ADR 0009).

``workflow.mover.move`` is the only code that changes ``Case.state`` or ``CaseTask.state``; it
looks the action up here, refuses any other move with ``TransitionNotAllowed``, and writes a
``CaseEvent`` and an audit row. ``NEW`` stands for "no case yet": the moves out of it create
the case.

    (new) ──accept──────────────► accepted ──decide──► decided ──deliver──► delivered
      │  └─request_supplement──► supplement_requested ─accept─┘     ▲
      │                           │        └─refuse/withdraw        │
      └─refuse──► refused         │                                 │
                    accepted ⇄ suspended (special procedure: clock paused)
      (new) ──complete_instant──► decided  (instant item finished at the window)
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.cases.errors import StaleCase, TransitionNotAllowed
from onewindow.cases.events import CASE_EVENTS
from onewindow.org.permissions import Action
from onewindow.workflow.machine import NEW, Move, StateMachine

__all__ = [
    "CASE_MACHINE",
    "CASE_TRANSITIONS",
    "CLOCK_RUNNING_STATES",
    "NEW",
    "TASK_MACHINE",
    "TASK_TRANSITIONS",
    "TERMINAL_STATES",
    "CaseState",
    "TaskState",
    "case_target_state",
    "task_target_state",
]


class CaseState(models.TextChoices):
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Papers to be completed (not accepted)")
    REFUSED = "refused", _("Not accepted")
    ACCEPTED = "accepted", _("Accepted, being handled")
    SUSPENDED = "suspended", _("Paused for a special procedure")
    DECIDED = "decided", _("Decided, waiting at the output window")
    DELIVERED = "delivered", _("Completed and handed over")
    WITHDRAWN = "withdrawn", _("Withdrawn by the applicant")


S = CaseState
INTAKE = Action.CASE_ACCEPT

CASE_MACHINE = StateMachine(
    name="cases.case",
    model="cases.Case",
    states=CaseState,
    events=CASE_EVENTS,
    moves=[
        Move("request_supplement", {NEW}, S.SUPPLEMENT_REQUESTED, permission=INTAKE, notifies=True),
        Move("accept", {NEW, S.SUPPLEMENT_REQUESTED}, S.ACCEPTED, permission=INTAKE, notifies=True),
        Move("refuse", {NEW, S.SUPPLEMENT_REQUESTED}, S.REFUSED, permission=INTAKE, notifies=True),
        Move("complete_instant", {NEW}, S.DECIDED, permission=INTAKE, notifies=True),
        Move("suspend", {S.ACCEPTED}, S.SUSPENDED, permission=Action.CASE_WORK, notifies=True),
        Move("resume", {S.SUSPENDED}, S.ACCEPTED, permission=Action.CASE_WORK, notifies=True),
        Move("decide", {S.ACCEPTED}, S.DECIDED, permission=Action.CASE_WORK, notifies=True),
        Move("deliver", {S.DECIDED}, S.DELIVERED, permission=Action.CASE_DELIVER, notifies=True),
        Move(
            "withdraw",
            {S.SUPPLEMENT_REQUESTED, S.ACCEPTED, S.SUSPENDED},
            S.WITHDRAWN,
            permission=INTAKE,
        ),
    ],
    # The promised clock runs only while a department works on the case.
    running={S.ACCEPTED},
    terminal={S.REFUSED, S.DELIVERED, S.WITHDRAWN},
    event_model="cases.CaseEvent",
    event_fields=lambda case: {"case": case},
    audit_prefix="cases.",
    notifier="onewindow.cases.notifications.case_event_notify",
    not_allowed=TransitionNotAllowed,
    stale=StaleCase,
)


class TaskState(models.TextChoices):
    WAITING = "waiting", _("Waiting for the previous step")
    OPEN = "open", _("In the queue")
    CLAIMED = "claimed", _("Being worked")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


T = TaskState
WORK = Action.CASE_WORK


def _task_event_fields(task: Any) -> dict[str, Any]:
    return {"case": task.case, "task": task, "department": task.department}


TASK_MACHINE = StateMachine(
    name="cases.task",
    model="cases.CaseTask",
    states=TaskState,
    events=CASE_EVENTS,
    moves=[
        Move("open", {T.WAITING}, T.OPEN, permission=WORK, public=False, event="task_open"),
        Move("claim", {T.OPEN}, T.CLAIMED, permission=WORK, public=False, event="task_claim"),
        Move(
            "assign",
            {T.OPEN, T.CLAIMED},
            T.CLAIMED,
            permission=WORK,
            public=False,
            event="task_assign",
        ),
        Move("release", {T.CLAIMED}, T.OPEN, permission=WORK, public=False, event="task_release"),
        # The event names the outcome (``task_approve`` / ``task_reject``), public: the
        # applicant sees that a department finished its step.
        Move("complete", {T.CLAIMED}, T.DONE, permission=WORK, event="task_complete"),
        Move(
            "cancel",
            {T.WAITING, T.OPEN, T.CLAIMED},
            T.CANCELLED,
            permission=INTAKE,
            public=False,
            event="task_cancel",
        ),
    ],
    terminal={T.DONE, T.CANCELLED},
    # A task's events go to its case's log; the case's state does not change by them.
    event_model="cases.CaseEvent",
    event_fields=_task_event_fields,
    event_states=lambda task, _from, _to: (task.case.state, task.case.state),
    audit_prefix="cases.task_",
    not_allowed=TransitionNotAllowed,
    stale=StaleCase,
)

# The tables as plain data, for readers and tests.
CASE_TRANSITIONS = CASE_MACHINE.table()
TASK_TRANSITIONS = TASK_MACHINE.table()
TERMINAL_STATES = CASE_MACHINE.terminal
CLOCK_RUNNING_STATES = CASE_MACHINE.running


def case_target_state(action: str, current: str) -> str | None:
    """The state ``action`` leads to from ``current``, or None if the move is not allowed."""
    return CASE_MACHINE.target(action, current)


def task_target_state(action: str, current: str) -> str | None:
    return TASK_MACHINE.target(action, current)
