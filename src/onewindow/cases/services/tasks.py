"""Back-office tasks: created at acceptance, claimed, assigned, completed; the next step opens
when a step is done, and the case is decided after the last one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.cases.errors import (
    DecisionStands,
    MaterialsOutstanding,
    TransitionNotAllowed,
)
from onewindow.cases.models import (
    Case,
    CaseTask,
    MaterialStatus,
    Outcome,
    PauseKind,
    TaskOutcome,
)
from onewindow.cases.services.clock_pauses import suspend_locked
from onewindow.cases.services.core import case_transition, lock_case
from onewindow.cases.transitions import TASK_MACHINE, CaseState, TaskState
from onewindow.catalog.codes import StepKind
from onewindow.catalog.models import ServiceItemVersion
from onewindow.core.errors import ApplicationError, ValidationFailed
from onewindow.org.models import Role
from onewindow.org.permissions import require
from onewindow.workflow import clock, mover

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


def tasks_create(case: Case, version: ServiceItemVersion, *, now: dt.datetime) -> None:
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


def advance_if_no_tasks(case: Case, *, actor: Any, now: dt.datetime) -> None:
    """An item without back-office steps (e.g. received and forwarded) is decided at once."""
    if not case.tasks.exists():
        _advance(case, actor=actor, now=now)


def _lock_task(task: CaseTask) -> tuple[CaseTask, Case]:
    """The task and its case under their row locks (the case first, as every case write)."""
    case = lock_case(task.case)
    task = mover.lock(TASK_MACHINE, task, related=("department",))
    task.case = case
    return task, case


def task_move(
    task: CaseTask,
    action: str,
    *,
    actor: Any,
    now: dt.datetime | None = None,
    reason: str = "",
    event: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """Move a task (read under its lock, ``task.case`` the locked case) by the one mover. The
    page's revision is checked by the caller (``mover.check_revision``) first, before any other
    refusal, so that a stale page gets "changed, reload" and not what follows; not again here."""
    mover.move(
        TASK_MACHINE,
        task,
        action,
        actor=actor,
        now=now,
        reason=reason,
        event=event,
        data=data,
    )


def _require_worker(actor: Any, task: CaseTask) -> None:
    from onewindow.org.models import RoleAssignment

    if task.department is None:
        raise ApplicationError(_("This step has no department."), code="no_department")
    require(actor, TASK_MACHINE.permission_for("complete"), task.department, hide=True)
    if not RoleAssignment.objects.filter(
        user=actor, role=task.role, department=task.department
    ).exists():
        raise ApplicationError(
            _("This step is for the role %(role)s."),
            code="wrong_role",
            status=403,
            params={"role": task.get_role_display()},
        )


def task_worker_required(*, actor: Any, task: CaseTask) -> None:
    """Refuse unless ``actor`` works ``task``'s step (an outsider gets "not found", audited) —
    for a face that must refuse before it looks up what else a request names (the assignee)."""
    _require_worker(actor, task)


def task_claim(*, task: CaseTask, actor: Any, expected_revision: int | None = None) -> CaseTask:
    _require_worker(actor, task)  # before the transaction: a refusal stays audited
    with transaction.atomic():
        task, _case = _lock_task(task)
        mover.check_revision(TASK_MACHINE, task, expected_revision)  # before "already claimed"
        task.assignee = actor
        task_move(task, "claim", actor=actor)
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
    task, _case = _lock_task(task)
    mover.check_revision(TASK_MACHINE, task, expected_revision)
    previous = task.assignee
    task.assignee = assignee
    task_move(
        task,
        "assign",
        actor=actor,
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
    # A page drawn before a colleague's move gets "changed, reload" first, not what follows.
    mover.check_revision(TASK_MACHINE, task, expected_revision)
    if task.assignee_id != actor.pk:
        raise ApplicationError(
            _("Claim the task before you work it."), code="not_claimed", status=409
        )
    if not opinion.strip():
        raise ValidationFailed(_("Write your opinion."), [], code="opinion_required")
    if case.state != CaseState.ACCEPTED:
        raise TransitionNotAllowed(action=f"task_{outcome}", state=case.get_state_display())
    now = timezone.now()
    if outcome == TaskOutcome.RETURN_FOR_SUPPLEMENT:
        task.opinion = opinion
        mover.bump(TASK_MACHINE, task)
        suspend_locked(case, actor=actor, kind=pause_kind, reason=opinion, now=now, task=task)
        return task
    if outcome not in (TaskOutcome.APPROVE, TaskOutcome.REJECT):
        raise ValidationFailed(_("Unknown outcome."), [], code="outcome")
    deciding = deciding_task(case)
    if (
        deciding is not None
        and task.step_order > deciding.step_order
        and deciding.state == TaskState.DONE
        and deciding.outcome != outcome
    ):
        raise DecisionStands(
            step=deciding.name,
            department=deciding.department.name if deciding.department else "",
            outcome=TaskOutcome(deciding.outcome).label,
        )
    last_step = not case.tasks.filter(step_order__gt=task.step_order).exists()
    if task.kind == StepKind.DECIDE or last_step:
        outstanding = case.materials.filter(
            status=MaterialStatus.DEFERRED, due_date__gte=timezone.localtime(now).date()
        )
        if outstanding.exists():
            raise MaterialsOutstanding("、".join(m.name for m in outstanding))
    task.outcome = outcome
    task.opinion = opinion
    task.finished_at = now
    task_move(task, "complete", actor=actor, now=now, reason=opinion, event=f"task_{outcome}")
    _advance(case, actor=actor, now=now)
    return task


def deciding_task(case: Case) -> CaseTask | None:
    """The task whose outcome is the case's decision (ADR 0007): the decision step (审批, the
    lead department's); without one, the review step (审查) — at a joint review the lead
    department's task, the joint departments' outcomes being opinions for it; with neither, the
    final step (办结). A step after the deciding one carries the decision out and may not
    change it (``DecisionStands``)."""
    tasks = case.tasks.exclude(state=TaskState.CANCELLED)
    for kind in (StepKind.DECIDE, StepKind.REVIEW, StepKind.COMPLETE):
        task = tasks.filter(kind=kind).order_by("-step_order", "-is_lead", "id").first()
        if task is not None:
            return task
    return None


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
        for task in mover.lock_all(TASK_MACHINE, waiting.filter(step_order=next_task.step_order)):
            task.case = case
            task.opened_at = now
            task.due_at = _step_due(_step_of(case, task), now, case)
            task_move(task, "open", actor=actor, now=now)
        return
    decision = deciding_task(case)
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
        audit_detail={"outcome": case.outcome},
    )
