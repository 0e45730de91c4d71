"""Special procedures (听证, 检验检测, 专家评审, 补正): the clock stops, and on resuming the
deadline moves by the working days the procedure took.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.cases.errors import TransitionNotAllowed
from onewindow.cases.models import Case, CaseTask, ClockPause, PauseKind
from onewindow.cases.services.core import case_transition, check_case_revision, lock_case
from onewindow.cases.transitions import CASE_MACHINE, TaskState
from onewindow.core.errors import ValidationFailed
from onewindow.org.permissions import Action, can, require
from onewindow.workcal.calendar import calendar_current
from onewindow.workflow import clock
from onewindow.workflow.clock import TimeUnit

# --- special procedures (clock pauses) ------------------------------------------------------


def suspend_locked(
    case: Case,
    *,
    actor: Any,
    kind: str,
    reason: str,
    now: dt.datetime,
    task: CaseTask | None = None,
) -> ClockPause:
    if not reason.strip():
        raise ValidationFailed(
            _("Give the reason for the special procedure."), [], code="reason_required"
        )
    pause = ClockPause.objects.create(case=case, kind=kind, reason=reason, started_at=now)
    case.paused_since = now
    case_transition(
        case=case,
        action="suspend",
        actor=actor,
        now=now,
        reason=reason,
        department=task.department if task else case.department,
        data={"kind": kind},
    )
    return pause


def resume_locked(case: Case, *, actor: Any, result: str, now: dt.datetime) -> ClockPause:
    pause = case.pauses.filter(ended_at=None).order_by("-started_at").first()
    if pause is None:
        raise TransitionNotAllowed(action="resume", state=case.get_state_display())
    pause.ended_at = now
    pause.result = result
    calendar = calendar_current()
    pause.paused_working_days = clock.pause_length_working_days(pause.started_at, now, calendar)
    pause.save()
    if case.due_at is not None:
        case.due_at = clock.extend_due(
            case.due_at,
            case.time_limit_unit,
            working_days=pause.paused_working_days,
            paused=now - pause.started_at,
            calendar=calendar,
        )
    # The open steps' own deadlines move with the case's (counted in working days).
    for task in case.tasks.filter(
        state__in=[TaskState.OPEN, TaskState.CLAIMED], due_at__isnull=False
    ):
        assert task.due_at is not None
        task.due_at = clock.extend_due(
            task.due_at,
            TimeUnit.WORKING_DAY,
            working_days=pause.paused_working_days,
            paused=now - pause.started_at,
            calendar=calendar,
        )
        task.save(update_fields=["due_at"])
    case.paused_since = None
    case_transition(
        case=case,
        action="resume",
        actor=actor,
        now=now,
        reason=result,
        data={
            "paused_working_days": pause.paused_working_days,
            "due_at": case.due_at.isoformat() if case.due_at else None,
        },
    )
    return pause


def _require_lead_department(actor: Any, case: Case) -> None:
    """Only the department that owns the case stops or restarts its clock. A joint department
    asks for papers through its own task instead. Outsiders get "not found"; a joint department,
    which can see the case, gets "not allowed". Both refusals are audited."""
    work = CASE_MACHINE.permission_for("suspend")
    if can(actor, work, case.department):
        return
    require(actor, Action.CASE_VIEW, case, hide=True)
    require(actor, work, case.department)


def case_suspend(
    *, case: Case, actor: Any, kind: str, reason: str, expected_revision: int | None = None
) -> ClockPause:
    """Start a special procedure (听证, 检验检测, 专家评审, 补正): the clock stops."""
    _require_lead_department(actor, case)
    with transaction.atomic():
        case = lock_case(case)
        return _case_suspend_locked(
            case, actor=actor, kind=kind, reason=reason, expected_revision=expected_revision
        )


def _case_suspend_locked(
    case: Case, *, actor: Any, kind: str, reason: str, expected_revision: int | None
) -> ClockPause:
    if kind not in PauseKind.values:
        raise ValidationFailed(_("Unknown special procedure."), [], code="kind")
    check_case_revision(case, expected_revision)
    return suspend_locked(case, actor=actor, kind=kind, reason=reason, now=timezone.now())


def case_resume(
    *, case: Case, actor: Any, result: str, expected_revision: int | None = None
) -> ClockPause:
    """End the special procedure: the deadline moves by the working days it took."""
    _require_lead_department(actor, case)
    with transaction.atomic():
        case = lock_case(case)
        check_case_revision(case, expected_revision)
        return resume_locked(case, actor=actor, result=result, now=timezone.now())
