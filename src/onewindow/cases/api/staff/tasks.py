"""Task endpoints: claim, complete with an opinion, assign to a colleague."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router

from onewindow.cases.api.staff.common import UNKNOWN_RECORDS, task_out, unknown
from onewindow.cases.api.staff.schemas import (
    WRITE_ERRORS,
    RevisionIn,
    TaskAssignIn,
    TaskCompleteIn,
    TaskOut,
)
from onewindow.cases.models import CaseTask
from onewindow.cases.services import (
    task_assign,
    task_claim,
    task_complete,
    task_worker_required,
)
from onewindow.cases.staff_selectors import supervision_calendar
from onewindow.core.errors import ErrorList, NotFoundOrForbidden
from onewindow.core.validation import RecordId
from onewindow.org.permissions import Action, require

router = Router()


def _task_by_id(task_id: int, user: Any) -> CaseTask:
    """The task if ``user`` may see its case; "not found" otherwise (audited), before anything
    else the request names is looked up."""
    task = (
        CaseTask.objects.select_related("case__centre__region", "department")
        .filter(pk=task_id)
        .first()
    )
    if task is None:
        raise NotFoundOrForbidden()
    require(user, Action.CASE_VIEW, task.case, hide=True)
    return task


def _task_result(task: CaseTask) -> dict[str, Any]:
    task = CaseTask.objects.select_related("case", "department", "assignee").get(pk=task.pk)
    now = timezone.now()
    return task_out(task, task.case, now, supervision_calendar(now))


@router.post(
    "/tasks/{task_id}/claim",
    response={200: TaskOut, **WRITE_ERRORS},
    summary="Claim a task from the department queue",
)
def tasks_claim(request: HttpRequest, task_id: RecordId, payload: RevisionIn) -> dict[str, Any]:
    task = task_claim(
        task=_task_by_id(task_id, request.user),
        actor=request.user,
        expected_revision=payload.expected_revision,
    )
    return _task_result(task)


@router.post(
    "/tasks/{task_id}/complete",
    response={200: TaskOut, **WRITE_ERRORS},
    summary="Finish a claimed task with an opinion: approve, reject, or send back for papers",
)
def tasks_complete(
    request: HttpRequest, task_id: RecordId, payload: TaskCompleteIn
) -> dict[str, Any]:
    task = task_complete(
        task=_task_by_id(task_id, request.user),
        actor=request.user,
        outcome=payload.outcome,
        opinion=payload.opinion,
        expected_revision=payload.expected_revision,
        pause_kind=payload.pause_kind,
    )
    return _task_result(task)


@router.post(
    "/tasks/{task_id}/assign",
    response={200: TaskOut, **WRITE_ERRORS},
    summary="Assign or hand over a task to a colleague of the step's role",
)
def tasks_assign(request: HttpRequest, task_id: RecordId, payload: TaskAssignIn) -> dict[str, Any]:
    task = _task_by_id(task_id, request.user)
    # Refused before the assignee is looked up: an outsider learns nothing from "unknown".
    task_worker_required(actor=request.user, task=task)
    assignee = get_user_model().objects.filter(pk=payload.assignee_id, is_active=True).first()
    if assignee is None:
        errors = ErrorList()
        unknown(errors, "assignee_id")
        errors.raise_if_any(UNKNOWN_RECORDS)
    task = task_assign(
        task=task,
        actor=request.user,
        assignee=assignee,
        expected_revision=payload.expected_revision,
    )
    return _task_result(task)
