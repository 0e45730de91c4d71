"""Case endpoints: the department queue and the supervision board, one case, and the moves
made on a case (suspend, resume, papers received, deliver).

``/queue`` and ``/supervision`` are declared before ``/{number}``, which would match them too:
django-ninja tries the paths of a router in the order they are declared.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router

from onewindow.cases.api.staff.common import case_out, task_out
from onewindow.cases.api.staff.schemas import (
    ERRORS,
    WRITE_ERRORS,
    BoardRowOut,
    CaseNumber,
    CaseOut,
    DeliverIn,
    PapersReceivedIn,
    QueueRowOut,
    ResumeIn,
    SuspendIn,
    WithdrawIn,
)
from onewindow.cases.models import Case
from onewindow.cases.selectors import (
    QUEUE_ROW_FIELDS,
    case_get_for_user,
    supervision_board,
    task_light,
    task_queue_for_user,
    tasks_with_light,
)
from onewindow.cases.services import (
    MaterialReceipt,
    case_deliver,
    case_resume,
    case_supplement_received,
    case_suspend,
    case_withdraw,
)
from onewindow.cases.staff_selectors import supervision_calendar
from onewindow.core.validation import Limit, Offset
from onewindow.org.permissions import Action, require
from onewindow.workflow.clock import light_boundaries

router = Router()


def _case_move(number: str, user: Any, move: Callable[[Case], object]) -> dict[str, Any]:
    """Look up the case a POST names — "not found" (audited) unless ``user`` may see it, before
    anything else — make the one service call ``move`` and render the case. The service
    decides whether the user may make the move (an output centre other than the accepting one
    may hand over, for instance)."""
    case = case_get_for_user(number=number, user=user)
    move(case)
    return case_out(case)


# The columns of a queue row (``QueueRowOut``): the page's row, and the task's own few more.
QUEUE_API_FIELDS = (
    *QUEUE_ROW_FIELDS,
    "step_order",
    "kind",
    "role",
    "outcome",
    "opinion",
    "opened_at",
    "finished_at",
)


# Fixed paths before ``/{number}``, which would match them too.
@router.get(
    "/queue",
    response={200: list[QueueRowOut], **ERRORS},
    summary="The open and claimed tasks of the user's departments, most urgent first",
)
def queue(request: HttpRequest, offset: Offset = 0, limit: Limit = 50) -> list[dict[str, Any]]:
    require(request.user, Action.CASE_WORK)
    now = timezone.now()
    calendar = supervision_calendar(now)
    tasks = tasks_with_light(
        task_queue_for_user(request.user), bounds=light_boundaries(now, calendar)
    ).only(*QUEUE_API_FIELDS)
    rows = []
    for task in tasks[offset : offset + limit]:
        row = task_out(task, task.case, now, calendar, light=str(task_light(task)))
        row["item_name"] = task.case.item.name
        row["case_state"] = task.case.state
        rows.append(row)
    return rows


@router.get(
    "/supervision",
    response={200: list[BoardRowOut], **ERRORS},
    summary="E-supervision board: open cases with their light, the ones at risk first",
    description=(
        "One page of the open cases the user supervises: red, yellow, paused, green, then "
        "those without a deadline, each by deadline and case number. `offset` and `limit` "
        "(1–200, default 50) choose the page."
    ),
)
def supervision(
    request: HttpRequest, offset: Offset = 0, limit: Limit = 50
) -> list[dict[str, Any]]:
    require(request.user, Action.CASE_SUPERVISE)
    now = timezone.now()
    rows = supervision_board(
        user=request.user,
        bounds=light_boundaries(now, supervision_calendar(now)),
        offset=offset,
        limit=limit,
    )
    return [
        {
            "number": row.number,
            "item_name": row.item_name,
            "department": {"id": row.department_id, "name": row.department_name},
            "centre": {"id": row.centre_id, "name": row.centre_name},
            "state": row.state,
            "state_label": row.state_label,
            "due_at": row.due_at,
            "paused_since": row.paused_since,
            "light": str(row.light),
        }
        for row in rows
    ]


@router.get(
    "/{number}",
    response={200: CaseOut, **ERRORS},
    summary="One case: papers, tasks with opinions, timeline, promised date and light",
)
def case_get(request: HttpRequest, number: CaseNumber) -> dict[str, Any]:
    return case_out(case_get_for_user(number=number, user=request.user))


@router.post(
    "/{number}/suspend",
    response={200: CaseOut, **WRITE_ERRORS},
    summary="Start a special procedure (听证, 检验检测, 专家评审, 补正): the clock stops",
)
def case_suspend_endpoint(
    request: HttpRequest, number: CaseNumber, payload: SuspendIn
) -> dict[str, Any]:
    return _case_move(
        number,
        request.user,
        lambda case: case_suspend(
            case=case,
            actor=request.user,
            kind=payload.kind,
            reason=payload.reason,
            expected_revision=payload.expected_revision,
        ),
    )


@router.post(
    "/{number}/resume",
    response={200: CaseOut, **WRITE_ERRORS},
    summary="End the special procedure: the deadline moves by the working days it took",
)
def case_resume_endpoint(
    request: HttpRequest, number: CaseNumber, payload: ResumeIn
) -> dict[str, Any]:
    return _case_move(
        number,
        request.user,
        lambda case: case_resume(
            case=case,
            actor=request.user,
            result=payload.result,
            expected_revision=payload.expected_revision,
        ),
    )


@router.post(
    "/{number}/papers-received",
    response={200: CaseOut, **WRITE_ERRORS},
    summary="Papers arrive (after 补正, or a 容缺 paper): accept, resume, or mark received",
)
def case_papers_received(
    request: HttpRequest, number: CaseNumber, payload: PapersReceivedIn
) -> dict[str, Any]:
    return _case_move(
        number,
        request.user,
        lambda case: case_supplement_received(
            case=case,
            actor=request.user,
            receipts=[
                MaterialReceipt(name=m.name, receive_form=m.receive_form, copies=m.copies)
                for m in payload.materials
            ],
            expected_revision=payload.expected_revision,
        ),
    )


@router.post(
    "/{number}/deliver",
    response={200: CaseOut, **WRITE_ERRORS},
    summary="统一出件: hand over at an output window, send by post, or deliver electronically",
)
def case_deliver_endpoint(
    request: HttpRequest, number: CaseNumber, payload: DeliverIn
) -> dict[str, Any]:
    return _case_move(
        number,
        request.user,
        lambda case: case_deliver(
            case=case,
            actor=request.user,
            method=payload.method,
            collector_id_checked=payload.collector_id_checked,
            proxy_authorisation=payload.proxy_authorisation,
            tracking_number=payload.tracking_number,
            note=payload.note,
            expected_revision=payload.expected_revision,
        ),
    )


@router.post(
    "/{number}/withdraw",
    response={200: CaseOut, **WRITE_ERRORS},
    summary="The applicant withdraws a case not yet decided: open steps are cancelled",
)
def case_withdraw_endpoint(
    request: HttpRequest, number: CaseNumber, payload: WithdrawIn
) -> dict[str, Any]:
    return _case_move(
        number,
        request.user,
        lambda case: case_withdraw(
            case=case,
            actor=request.user,
            reason=payload.reason,
            expected_revision=payload.expected_revision,
        ),
    )
