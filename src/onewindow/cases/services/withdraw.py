"""The applicant withdraws an application (撤回申请) at a window of the accepting centre."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.cases.errors import TransitionNotAllowed
from onewindow.cases.models import Case
from onewindow.cases.services.core import case_transition, check_case_revision, lock_case
from onewindow.cases.services.tasks import task_move
from onewindow.cases.transitions import CASE_MACHINE, TASK_MACHINE, TaskState
from onewindow.core.errors import ValidationFailed
from onewindow.org.permissions import require
from onewindow.workflow import mover


def case_withdraw(
    *, case: Case, actor: Any, reason: str, expected_revision: int | None = None
) -> Case:
    """Withdraw a case not yet decided: its open tasks are cancelled (they leave every queue)
    and a running special procedure ends; the event keeps the applicant's reason."""
    require(actor, CASE_MACHINE.permission_for("withdraw"), case.centre, hide=True)
    if not reason.strip():
        raise ValidationFailed(_("Write why the applicant withdraws."), [], code="reason_required")
    with transaction.atomic():
        case = lock_case(case)
        if CASE_MACHINE.target("withdraw", case.state) is None:
            raise TransitionNotAllowed(action="withdraw", state=case.get_state_display())
        check_case_revision(case, expected_revision)
        now = timezone.now()
        open_tasks = case.tasks.filter(
            state__in=[TaskState.WAITING, TaskState.OPEN, TaskState.CLAIMED]
        )
        for task in mover.lock_all(TASK_MACHINE, open_tasks):
            task.case = case
            task.finished_at = now
            task_move(task, "cancel", actor=actor, now=now)
        case.pauses.filter(ended_at=None).update(ended_at=now, result=str(_("Withdrawn")))
        case.paused_since = None
        case_transition(case=case, action="withdraw", actor=actor, now=now, reason=reason)
    return case
