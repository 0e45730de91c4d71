"""Back-office tasks: created at acceptance, claimed, assigned, completed; the next step opens
when a step is done, and the case is decided after the last one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.cases import clock
from onewindow.cases.errors import MaterialsOutstanding, StaleCase, TransitionNotAllowed
from onewindow.cases.models import (
    Case,
    CaseTask,
    MaterialStatus,
    Outcome,
    PauseKind,
    TaskOutcome,
)
from onewindow.cases.services.clock_pauses import _suspend
from onewindow.cases.services.core import _event, _lock, case_transition
from onewindow.cases.transitions import CaseState, TaskState, task_target_state
from onewindow.catalog.codes import StepKind
from onewindow.catalog.models import ServiceItemVersion
from onewindow.core.audit import audit_record
from onewindow.core.errors import ApplicationError, ValidationFailed
from onewindow.core.permissions import Action, require
from onewindow.org.models import Role

BACK_OFFICE_KINDS = (StepKind.REVIEW, StepKind.DECIDE, StepKind.COMPLETE)
DEPARTMENT_ROLES = {Role.DEPT_APPROVER, Role.DEPT_LEAD}
# Who works a step in the department when the item's step names a window role (an instant item
# taken by a window that does not hold the department's seal).
DEFAULT_ROLE = {
    StepKind.REVIEW: Role.DEPT_APPROVER,
    StepKind.DECIDE: Role.DEPT_LEAD,
    StepKind.COMPLETE: Role.DEPT_APPROVER,
}


# --- back-office tasks ----------------------------------------------------------------------


def _tasks_create(case: Case, version: ServiceItemVersion, *, now: dt.datetime) -> None:
    """One task per back-office step; at the review step of a joint item, one per department."""
    steps = [s for s in version.snapshot["steps"] if s["kind"] in BACK_OFFICE_KINDS]
    joint_ids = [d["id"] for d in version.snapshot.get("joint_departments", [])]
    tasks = []
    first_order = min((s["order"] for s in steps), default=None)
    for step in steps:
        opened = step["order"] == first_order
        base = {
            "case": case,
            "step_order": step["order"],
            "kind": step["kind"],
            "name": step["name"],
            "role": step["role"]
            if step["role"] in DEPARTMENT_ROLES
            else DEFAULT_ROLE[step["kind"]],
            "state": TaskState.OPEN if opened else TaskState.WAITING,
            "opened_at": now if opened else None,
        }
        if step["kind"] == StepKind.REVIEW and joint_ids:
            tasks.append(
                CaseTask(
                    **base,
                    department=case.department,
                    is_joint=True,
                    is_lead=True,
                    due_at=_step_due(step, now, case) if opened else None,
                )
            )
            tasks.extend(
                CaseTask(
                    **base,
                    department_id=department_id,
                    is_joint=True,
                    due_at=_step_due(step, now, case) if opened else None,
                )
                for department_id in joint_ids
            )
        else:
            tasks.append(
                CaseTask(
                    **base,
                    department=case.department,
                    due_at=_step_due(step, now, case) if opened else None,
                )
            )
    CaseTask.objects.bulk_create(tasks)


def _step_due(step: dict[str, Any], start: dt.datetime, case: Case) -> dt.datetime | None:
    """A step's own time limit from when it opens, never past the case's promised date."""
    if step.get("time_limit"):
        due = clock.due_after(start, step["time_limit"], step.get("time_limit_unit") or "1")
        return min(due, case.due_at) if case.due_at else due
    return case.due_at


def _step_of(case: Case, task: CaseTask) -> dict[str, Any]:
    for step in case.item_version.snapshot["steps"]:
        if step["order"] == task.step_order:
            return dict(step)
    return {}


def _advance_if_no_tasks(case: Case, *, actor: Any, now: dt.datetime) -> None:
    """An item without back-office steps (e.g. received and forwarded) is decided at once."""
    if not case.tasks.exists():
        _advance(case, actor=actor, now=now)


def _lock_task(task: CaseTask) -> tuple[CaseTask, Case]:
    case = _lock(task.case)
    return CaseTask.objects.select_for_update(of=("self",)).select_related("department").get(
        pk=task.pk
    ), case


def _task_move(task: CaseTask, action: str, *, expected_revision: int | None) -> None:
    target = task_target_state(action, task.state)
    if target is None:
        raise TransitionNotAllowed(action=action, state=task.get_state_display())
    if expected_revision is not None and expected_revision != task.revision:
        raise StaleCase()
    task.state = target
    task.revision += 1


def _require_worker(actor: Any, task: CaseTask) -> None:
    from onewindow.org.models import RoleAssignment

    if task.department is None:
        raise ApplicationError(_("This step has no department."), code="no_department")
    require(actor, Action.CASE_WORK, task.department, hide=True)
    if not RoleAssignment.objects.filter(
        user=actor, role=task.role, department=task.department
    ).exists():
        raise ApplicationError(
            _("This step is for the role %(role)s."),
            code="wrong_role",
            status=403,
            params={"role": task.get_role_display()},
        )


def task_claim(*, task: CaseTask, actor: Any, expected_revision: int | None = None) -> CaseTask:
    _require_worker(actor, task)  # before the transaction: a refusal stays audited
    with transaction.atomic():
        task, case = _lock_task(task)
        _task_move(task, "claim", expected_revision=expected_revision)
        task.assignee = actor
        task.save()
        _event(case, action="task_claim", actor=actor, task=task, public=False)
    return task


def task_assign(
    *, task: CaseTask, actor: Any, assignee: Any, expected_revision: int | None = None
) -> CaseTask:
    """A lead hands a task to a colleague of the role (assign or hand over)."""
    _require_worker(actor, task)
    _require_worker(assignee, task)
    return _task_assign(
        task=task, actor=actor, assignee=assignee, expected_revision=expected_revision
    )


@transaction.atomic
def _task_assign(
    *, task: CaseTask, actor: Any, assignee: Any, expected_revision: int | None
) -> CaseTask:
    task, case = _lock_task(task)
    _task_move(task, "assign", expected_revision=expected_revision)
    previous = task.assignee
    task.assignee = assignee
    task.save()
    _event(
        case,
        action="task_assign",
        actor=actor,
        task=task,
        public=False,
        data={"from": getattr(previous, "pk", None), "to": assignee.pk},
    )
    return task


def task_complete(
    *,
    task: CaseTask,
    actor: Any,
    outcome: str,
    opinion: str,
    expected_revision: int | None = None,
    pause_kind: str = PauseKind.SUPPLEMENT,
) -> CaseTask:
    """Finish one step with an opinion. ``approve`` / ``reject`` close the task (a joint
    department's rejection is an opinion for the lead department, which decides); ``supplement``
    keeps the task and pauses the case until the papers arrive. When the last task of a step is
    done the next step opens; when the last step is done the case is decided."""
    _require_worker(actor, task)
    return _task_complete(
        task=task,
        actor=actor,
        outcome=outcome,
        opinion=opinion,
        expected_revision=expected_revision,
        pause_kind=pause_kind,
    )


@transaction.atomic
def _task_complete(
    *,
    task: CaseTask,
    actor: Any,
    outcome: str,
    opinion: str,
    expected_revision: int | None,
    pause_kind: str,
) -> CaseTask:
    task, case = _lock_task(task)
    if task.assignee_id != actor.pk:
        raise ApplicationError(
            _("Claim the task before you work it."), code="not_claimed", status=409
        )
    if not opinion.strip():
        raise ValidationFailed(_("Write your opinion."), [], code="opinion_required")
    if case.state != CaseState.ACCEPTED:
        raise TransitionNotAllowed(action=str(outcome), state=case.get_state_display())
    if expected_revision is not None and expected_revision != task.revision:
        raise StaleCase()
    now = timezone.now()
    if outcome == TaskOutcome.RETURN_FOR_SUPPLEMENT:
        task.opinion = opinion
        task.revision += 1
        task.save()
        _suspend(case, actor=actor, kind=pause_kind, reason=opinion, now=now, task=task)
        return task
    if outcome not in (TaskOutcome.APPROVE, TaskOutcome.REJECT):
        raise ValidationFailed(_("Unknown outcome."), [], code="outcome")
    last_step = not case.tasks.filter(step_order__gt=task.step_order).exists()
    if task.kind == StepKind.DECIDE or last_step:
        outstanding = case.materials.filter(
            status=MaterialStatus.DEFERRED, due_date__gte=timezone.localtime(now).date()
        )
        if outstanding.exists():
            raise MaterialsOutstanding("、".join(m.name for m in outstanding))
    _task_move(task, "complete", expected_revision=None)
    task.outcome = outcome
    task.opinion = opinion
    task.finished_at = now
    task.save()
    _event(case, action=f"task_{outcome}", actor=actor, task=task, reason=opinion, now=now)
    _advance(case, actor=actor, now=now)
    return task


def _advance(case: Case, *, actor: Any, now: dt.datetime) -> None:
    open_now = case.tasks.exclude(state__in=[TaskState.DONE, TaskState.CANCELLED])
    current_order = (
        case.tasks.filter(state__in=[TaskState.OPEN, TaskState.CLAIMED])
        .order_by("step_order")
        .values_list("step_order", flat=True)
        .first()
    )
    if current_order is not None:
        return  # a step still has work open (e.g. a joint department has not answered)
    waiting = open_now.filter(state=TaskState.WAITING).order_by("step_order")
    next_task = waiting.first()
    if next_task is not None:
        step_tasks = list(waiting.filter(step_order=next_task.step_order))
        for task in step_tasks:
            _task_move(task, "open", expected_revision=None)
            task.opened_at = now
            task.due_at = _step_due(_step_of(case, task), now, case)
            task.save()
        return
    decision = case.tasks.filter(kind=StepKind.DECIDE, state=TaskState.DONE).first()
    if decision is None:
        # No decision step: the last step decides, and at a joint step the lead department.
        decision = (
            case.tasks.filter(state=TaskState.DONE)
            .order_by("-step_order", "-is_lead", "id")
            .first()
        )
    case.outcome = (
        Outcome.REJECTED
        if decision and decision.outcome == TaskOutcome.REJECT
        else Outcome.APPROVED
    )
    case.decided_at = now
    case_transition(
        case=case,
        action="decide",
        actor=actor,
        now=now,
        department=case.department,
        reason=decision.opinion if decision else "",
        data={"outcome": case.outcome},
    )
    audit_record(actor=actor, action="cases.decide", obj=case, detail={"outcome": case.outcome})
