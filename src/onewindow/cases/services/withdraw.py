"""The applicant withdraws an application (撤回申请) at a window of the accepting centre."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.cases.errors import StaleCase, TransitionNotAllowed
from onewindow.cases.models import Case
from onewindow.cases.services.core import _lock, case_transition
from onewindow.cases.services.tasks import _task_move
from onewindow.cases.transitions import TaskState, case_target_state
from onewindow.core.audit import audit_record
from onewindow.core.errors import ValidationFailed
from onewindow.core.permissions import Action, require


def case_withdraw(
    *, case: Case, actor: Any, reason: str, expected_revision: int | None = None
) -> Case:
    """Withdraw a case not yet decided: its open tasks are cancelled (they leave every queue)
    and a running special procedure ends; the event keeps the applicant's reason."""
    require(actor, Action.CASE_ACCEPT, case.centre, hide=True)
    if not reason.strip():
        raise ValidationFailed(_("Write why the applicant withdraws."), [], code="reason_required")
    with transaction.atomic():
        case = _lock(case)
        if case_target_state("withdraw", case.state) is None:
            raise TransitionNotAllowed(action="withdraw", state=case.get_state_display())
        if expected_revision is not None and expected_revision != case.revision:
            raise StaleCase()
        now = timezone.now()
        for task in case.tasks.filter(
            state__in=[TaskState.WAITING, TaskState.OPEN, TaskState.CLAIMED]
        ).select_for_update(of=("self",)):
            _task_move(task, "cancel", expected_revision=None)
            task.finished_at = now
            task.save()
        case.pauses.filter(ended_at=None).update(ended_at=now, result=str(_("Withdrawn")))
        case.paused_since = None
        case_transition(case=case, action="withdraw", actor=actor, now=now, reason=reason)
        audit_record(actor=actor, action="cases.withdraw", obj=case)
    return case
