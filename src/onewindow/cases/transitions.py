"""The case's states and the moves between them — declared once, as data.

``CASE_TRANSITIONS[action] = (from-states, to-state)``. ``services.case_transition`` is the only
code that changes ``Case.state``; it looks the action up here, refuses any other move with
``TransitionNotAllowed``, and writes a ``CaseEvent``. ``NEW`` stands for "no case yet": the moves
out of it create the case.

    (new) ──accept──────────────► accepted ──decide──► decided ──deliver──► delivered
      │  └─request_supplement──► supplement_requested ─accept─┘     ▲
      │                           │        └─refuse/withdraw        │
      └─refuse──► refused         │                                 │
                    accepted ⇄ suspended (special procedure: clock paused)
      (new) ──complete_instant──► decided  (instant item finished at the window)
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseState(models.TextChoices):
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Papers to be completed (not accepted)")
    REFUSED = "refused", _("Not accepted")
    ACCEPTED = "accepted", _("Accepted, being handled")
    SUSPENDED = "suspended", _("Paused for a special procedure")
    DECIDED = "decided", _("Decided, waiting at the output window")
    DELIVERED = "delivered", _("Completed and handed over")
    WITHDRAWN = "withdrawn", _("Withdrawn by the applicant")


NEW = "new"
S = CaseState

CASE_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "request_supplement": (frozenset({NEW}), S.SUPPLEMENT_REQUESTED),
    "accept": (frozenset({NEW, S.SUPPLEMENT_REQUESTED}), S.ACCEPTED),
    "refuse": (frozenset({NEW, S.SUPPLEMENT_REQUESTED}), S.REFUSED),
    "complete_instant": (frozenset({NEW}), S.DECIDED),
    "suspend": (frozenset({S.ACCEPTED}), S.SUSPENDED),
    "resume": (frozenset({S.SUSPENDED}), S.ACCEPTED),
    "decide": (frozenset({S.ACCEPTED}), S.DECIDED),
    "deliver": (frozenset({S.DECIDED}), S.DELIVERED),
    "withdraw": (frozenset({S.SUPPLEMENT_REQUESTED, S.ACCEPTED, S.SUSPENDED}), S.WITHDRAWN),
}

TERMINAL_STATES = frozenset({S.REFUSED, S.DELIVERED, S.WITHDRAWN})
# The promised clock runs only while a department works on the case.
CLOCK_RUNNING_STATES = frozenset({S.ACCEPTED})


class TaskState(models.TextChoices):
    WAITING = "waiting", _("Waiting for the previous step")
    OPEN = "open", _("In the queue")
    CLAIMED = "claimed", _("Being worked")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


T = TaskState
TASK_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "open": (frozenset({T.WAITING}), T.OPEN),
    "claim": (frozenset({T.OPEN}), T.CLAIMED),
    "assign": (frozenset({T.OPEN, T.CLAIMED}), T.CLAIMED),
    "release": (frozenset({T.CLAIMED}), T.OPEN),
    "complete": (frozenset({T.CLAIMED}), T.DONE),
    "cancel": (frozenset({T.WAITING, T.OPEN, T.CLAIMED}), T.CANCELLED),
}


# How an action is named in messages ("the case is …; it cannot <action> now").
ACTION_LABELS = {
    "request_supplement": _("ask for papers"),
    "accept": _("accept"),
    "refuse": _("refuse"),
    "complete_instant": _("finish at the window"),
    "suspend": _("pause the clock"),
    "resume": _("resume the clock"),
    "decide": _("decide"),
    "deliver": _("hand over"),
    "withdraw": _("withdraw"),
    "open": _("open the step"),
    "claim": _("claim"),
    "assign": _("assign"),
    "release": _("release"),
    "complete": _("complete the step"),
    "cancel": _("cancel"),
    "approve": _("approve"),
    "reject": _("reject"),
    "supplement": _("send back for papers"),
}


def case_target_state(action: str, current: str) -> str | None:
    """The state ``action`` leads to from ``current``, or None if the move is not allowed."""
    allowed = CASE_TRANSITIONS.get(action)
    if allowed is None or current not in allowed[0]:
        return None
    return allowed[1]


def task_target_state(action: str, current: str) -> str | None:
    allowed = TASK_TRANSITIONS.get(action)
    if allowed is None or current not in allowed[0]:
        return None
    return allowed[1]
