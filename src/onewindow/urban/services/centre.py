"""The supervision centre's moves (值班长: 立案, 不予立案, approving requests, 结案, 挂账 review,
作废) and the command centre's (派遣员: the proposal from the category's units, 派遣, 二次派遣)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.core.audit import audit_record
from onewindow.core.errors import ErrorList, NotFoundOrForbidden
from onewindow.core.validation import record_id
from onewindow.enforcement.services import task_open
from onewindow.enforcement.transitions import TaskState
from onewindow.hotline.codes import UnitKind
from onewindow.hotline.models import HandlingUnit, WorkOrder
from onewindow.org.models import Department
from onewindow.org.permissions import Action, can, require
from onewindow.urban.codes import RequestDecision, RequestKind
from onewindow.urban.errors import GridCaseRefused
from onewindow.urban.limits import office_hours_of, stages_plan
from onewindow.urban.models import CaseRequest, CaseStage, CategoryStage, CategoryUnit, GridCase
from onewindow.urban.services.common import (
    MACHINE,
    begin,
    clock_follow,
    clock_stop,
    enforcement_release,
    enforcement_release_check,
    now_or,
    requests_withdraw,
    stage_current,
    stage_due_for,
    stages_of,
    stages_restart,
    text,
)
from onewindow.urban.services.from_hotline import hotline_reply_for
from onewindow.urban.transitions import CaseState
from onewindow.workflow import mover
from onewindow.workflow.clock import clock_pause, clock_resume

TASK_ENDED = frozenset({TaskState.CONCLUDED, TaskState.DROPPED})

CONDITION_NOT_CONFIRMED = _(
    "Confirm that the category's condition is met (%(condition)s) before you go on."
)


def _condition_confirmed(errors: ErrorList, condition_met: Any, condition: str) -> None:
    if condition_met is not True:
        errors.add(
            "condition_met",
            "required",
            CONDITION_NOT_CONFIRMED,
            condition=condition or "—",
        )


def case_file(
    *,
    actor: Any,
    case: GridCase,
    revision: int | None,
    note: str = "",
    condition_met: Any = False,
    now: dt.datetime | None = None,
) -> GridCase:
    """立案: the report meets its category's filing condition (confirmed by the 值班长); the
    case waits for the command centre."""
    require(actor, MACHINE.permission_for("file"), case, hide=True)
    now = now_or(now)
    with transaction.atomic():
        row = begin(case, "file", revision)
        if row.verified_true is False:
            raise GridCaseRefused(
                _("The grid worker found it not as reported: refuse to file it instead."),
                code="found_false",
            )
        errors = ErrorList()
        _condition_confirmed(errors, condition_met, row.category.filing_condition)
        note = text(errors, "note", note, required=False, max_length=1000)
        errors.raise_if_any(_("The case is not filed; correct the marked fields."))
        row.filed_at, row.filed_by = now, actor
        mover.move(
            MACHINE,
            row,
            "file",
            actor=actor,
            now=now,
            reason=note,
            data={"on_time": row.file_due_at is None or now <= row.file_due_at},
        )
    return row


def case_refuse(
    *, actor: Any, case: GridCase, revision: int | None, reason: str, now: dt.datetime | None = None
) -> GridCase:
    """不予立案: with the reason (the public reporter is told)."""
    require(actor, MACHINE.permission_for("refuse"), case, hide=True)
    now = now_or(now)
    with transaction.atomic():
        row = begin(case, "refuse", revision)
        errors = ErrorList()
        reason = text(
            errors, "reason", reason, max_length=1000, missing=_("Say why the report is not filed.")
        )
        errors.raise_if_any(_("The report is not refused; correct the marked fields."))
        row.refusal = reason
        mover.move(MACHINE, row, "refuse", actor=actor, now=now, reason=reason)
        _hotline_answer(actor, row, now)
    return row


# --- dispatch -----------------------------------------------------------------------------------


def dispatch_proposal(case: GridCase) -> list[Department]:
    """The category's responsible units for the case: its street's own (``CategoryUnit`` with
    the street whose code begins the case's region code) before those of anywhere, each by
    ``order``; active handling units only. One query."""
    street = (case.region_code or "")[:9]
    rows = (
        CategoryUnit.objects.filter(
            category_id=case.category_id,
            department__is_active=True,
            department__hotline_unit__isnull=False,
        )
        .select_related("department", "region")
        .order_by("order", "id")
    )
    own = [r for r in rows if r.region is not None and street and r.region.code[:9] == street]
    anywhere = [r for r in rows if r.region_id is None]
    found: list[Department] = []
    for row in [*own, *anywhere]:
        if row.department not in found:
            found.append(row.department)
    return found


def _unit_checked(errors: ErrorList, department: Any) -> Department | None:
    pk = department.pk if isinstance(department, Department) else record_id(department)
    unit = (
        Department.objects.filter(pk=pk, is_active=True, hotline_unit__isnull=False).first()
        if pk
        else None
    )
    if unit is None:
        errors.add("department", "required", _("Choose a handling unit (处置单位)."))
    return unit


def _stages_copy(case: GridCase) -> None:
    CaseStage.objects.filter(case=case).delete()
    CaseStage.objects.bulk_create(
        CaseStage(case=case, order=s.order, name=s.name, limit=s.limit, unit=s.unit)
        for s in CategoryStage.objects.filter(category_id=case.category_id).order_by("order")
    )


def case_dispatch(
    *,
    actor: Any,
    case: GridCase,
    revision: int | None,
    department: Any,
    note: str = "",
    now: dt.datetime | None = None,
) -> GridCase:
    """派遣: the unit gets the case; the category's stages are copied to it and the first
    starts now (the handling clock)."""
    require(actor, MACHINE.permission_for("dispatch"), case, hide=True)
    now = now_or(now)
    with transaction.atomic():
        row = begin(case, "dispatch", revision)
        errors = ErrorList()
        unit = _unit_checked(errors, department)
        note = text(errors, "note", note, required=False, max_length=1000)
        errors.raise_if_any(_("The case is not dispatched; correct the marked fields."))
        assert unit is not None
        if not CategoryStage.objects.filter(category_id=row.category_id).exists():
            raise GridCaseRefused(
                _("The category %(category)s has no time limit: its stages are kept first."),
                code="no_stages",
                category=str(row.category),
            )
        _stages_copy(row)
        # The unit first: its office hours count its working-hour limits.
        row.unit, row.dispatched_at = unit, now
        first = stages_restart(row, now)
        row.dispatch_accurate = row.return_count == 0 and row.redispatch_count == 0
        _enforcement_task_open(actor, row, unit, now)
        mover.move(
            MACHINE,
            row,
            "dispatch",
            actor=actor,
            now=now,
            reason=note,
            data={
                "unit": unit.pk,
                "stage": first.order,
                "due_at": first.due_at.isoformat() if first.due_at else None,
            },
        )
    return row


def case_redispatch(
    *,
    actor: Any,
    case: GridCase,
    revision: int | None,
    department: Any,
    note: str = "",
    now: dt.datetime | None = None,
) -> GridCase:
    """二次派遣: the case goes to another unit while being handled; its stages start again."""
    require(actor, MACHINE.permission_for("redispatch"), case, hide=True)
    enforcement_release_check(actor, case, "redispatch")
    now = now_or(now)
    with transaction.atomic():
        row = begin(case, "redispatch", revision)
        errors = ErrorList()
        unit = _unit_checked(errors, department)
        if unit is not None and unit.pk == row.unit_id:
            errors.add("department", "same_unit", _("The case is already with this unit."))
        note = text(errors, "note", note, required=False, max_length=1000)
        errors.raise_if_any(_("The case is not dispatched again; correct the marked fields."))
        assert unit is not None
        requests_withdraw(row, now)
        before = row.unit_id
        row.unit, row.dispatched_at = unit, now
        first = stages_restart(row, now)
        row.dispatch_accurate = False
        row.redispatch_count += 1
        _enforcement_task_open(actor, row, unit, now)
        mover.move(
            MACHINE,
            row,
            "redispatch",
            actor=actor,
            now=now,
            reason=note,
            data={
                "from": before,
                "unit": unit.pk,
                "due_at": first.due_at.isoformat() if first.due_at else None,
            },
        )
    return row


def _enforcement_task_open(actor: Any, row: GridCase, unit: Department, now: dt.datetime) -> None:
    """A case dispatched to the comprehensive enforcement team becomes the team's enforcement
    task (综合执法), due when the case's last stage would be, in the same transaction; the case
    is fed back once the task is concluded (``unit.case_feedback``)."""
    task = row.enforcement_task
    if task is not None and task.team_id == unit.pk and task.state not in TASK_ENDED:
        return  # still with the team that holds its open task
    # Sent away from the team (or to another team): its task for the case is dropped.
    enforcement_release(
        actor,
        row,
        "redispatch",
        _("Grid case %(number)s was dispatched to %(unit)s instead."),
        now,
        unit=unit.name,
    )
    if not HandlingUnit.objects.filter(department=unit, kind=UnitKind.ENFORCEMENT).exists():
        return
    plan = stages_plan(start=now, stages=stages_of(row), office_hours=office_hours_of(unit))
    matter = " ".join(f"{row.category.name}：{row.description}".split())
    row.enforcement_task = task_open(
        actor=actor,
        team=unit,
        matter=matter[:120],
        place=row.place[:255],
        region_code=row.region_code,
        longitude=row.longitude,
        latitude=row.latitude,
        origin=row.number,
        due_at=plan[-1].due_at if plan else None,
        now=now,
    )


def _hotline_answer(actor: Any, row: GridCase, now: dt.datetime) -> None:
    """A case that came from a 12345 work order answers it (办理回复) once it has ended, when
    the chief also handles the command centre's orders (``hotline.handle`` there); otherwise
    the order waits in the command centre's 12345 queue for whoever does."""
    if row.hotline_order_id is None:
        return
    order = WorkOrder.objects.get(pk=row.hotline_order_id)
    if can(actor, Action.HOTLINE_HANDLE, order):
        hotline_reply_for(case=row, actor=actor, now=now)


# --- closing ------------------------------------------------------------------------------------


def case_close(
    *,
    actor: Any,
    case: GridCase,
    revision: int | None,
    note: str = "",
    condition_met: Any = False,
    now: dt.datetime | None = None,
) -> GridCase:
    """结案: the closing condition confirmed; closed on time when the unit handled it on time
    and no stage ran over its deadline."""
    require(actor, MACHINE.permission_for("close"), case, hide=True)
    now = now_or(now)
    with transaction.atomic():
        row = begin(case, "close", revision)
        errors = ErrorList()
        _condition_confirmed(errors, condition_met, row.category.closing_condition)
        note = text(errors, "note", note, required=False, max_length=1000)
        errors.raise_if_any(_("The case is not closed; correct the marked fields."))
        stages = stages_of(row)
        overdue = any(
            s.due_at is not None and s.done_at is not None and s.done_at > s.due_at for s in stages
        )
        row.closed_at = now
        row.closed_on_time = bool(row.handled_on_time) and not overdue
        mover.move(
            MACHINE,
            row,
            "close",
            actor=actor,
            now=now,
            reason=note,
            data={"on_time": row.closed_on_time},
        )
        _hotline_answer(actor, row, now)
    return row


def case_void(
    *, actor: Any, case: GridCase, revision: int | None, reason: str, now: dt.datetime | None = None
) -> GridCase:
    """作废: a report made in error or twice; with the reason."""
    require(actor, MACHINE.permission_for("void"), case, hide=True)
    enforcement_release_check(actor, case, "void")
    now = now_or(now)
    with transaction.atomic():
        row = begin(case, "void", revision)
        errors = ErrorList()
        reason = text(
            errors, "reason", reason, max_length=1000, missing=_("Say why the case is void.")
        )
        errors.raise_if_any(_("The case is not voided; correct the marked fields."))
        requests_withdraw(row, now)
        clock_stop(row)
        enforcement_release(
            actor, row, "void", _("Grid case %(number)s was voided: %(reason)s"), now, reason=reason
        )
        mover.move(MACHINE, row, "void", actor=actor, now=now, reason=reason)
        _hotline_answer(actor, row, now)
    return row


# --- requests: extension (延期) and parking (挂账) ---------------------------------------------


def first_of_next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def request_decide(
    *, actor: Any, request: Any, approve: bool, note: str = "", now: dt.datetime | None = None
) -> CaseRequest:
    """The 值班长 decides a unit's request: an extension moves the current stage's deadline by
    the extra time asked (in the stage's unit); parking pauses the clock until it is taken off
    the list (reviewed monthly); a refusal is an event (a reason is needed)."""
    require(actor, Action.URBAN_FILE, hide=True)
    now = now_or(now)
    pk = request.pk if isinstance(request, CaseRequest) else record_id(request)
    if not isinstance(approve, bool):
        raise NotFoundOrForbidden()
    with transaction.atomic():
        found = (
            CaseRequest.objects.select_for_update()
            .filter(pk=pk, decision=RequestDecision.PENDING)
            .first()
            if pk
            else None
        )
        if found is None:
            raise NotFoundOrForbidden()
        require(actor, Action.URBAN_FILE, found.case, hide=True)
        action = ("extend" if found.kind == RequestKind.EXTENSION else "park") if approve else ""
        row = mover.lock(MACHINE, found.case)
        if row.state != CaseState.HANDLING or row.unit_id != found.department_id:
            raise MACHINE.not_allowed(
                action=MACHINE.events.verb(action or "decline"),
                state=MACHINE.state_label(row.state),
            )
        errors = ErrorList()
        note = text(
            errors,
            "note",
            note,
            required=not approve,
            max_length=1000,
            missing=_("Say why the request is refused."),
        )
        errors.raise_if_any(_("The decision is not recorded; correct the marked fields."))
        found.decision = RequestDecision.APPROVED if approve else RequestDecision.REFUSED
        found.decided_by, found.decided_at, found.decision_note = actor, now, note
        found.save(update_fields=["decision", "decided_by", "decided_at", "decision_note"])
        data: dict[str, Any] = {"request": found.pk, "kind": found.kind}
        if not approve:
            mover.record(
                MACHINE, row, "decline", actor=actor, now=now, reason=note, public=False, data=data
            )
            mover.bump(MACHINE, row)
        elif action == "extend":
            stage = stage_current(stages_of(row))
            assert stage is not None and stage.due_at is not None and found.extra
            stage.due_at = stage_due_for(row, stage, stage.due_at, limit=found.extra)
            stage.save(update_fields=["due_at"])
            clock_follow(row, stage)
            row.extension_count += 1
            data.update(extra=found.extra, due_at=stage.due_at.isoformat())
            mover.move(MACHINE, row, "extend", actor=actor, now=now, reason=note, data=data)
        else:
            row.parked_at = now
            row.park_review_due = first_of_next_month(timezone.localdate(now))
            clock_pause(row, now=now)
            data.update(review=row.park_review_due.isoformat())
            mover.move(MACHINE, row, "park", actor=actor, now=now, reason=note, data=data)
        audit_record(
            actor=actor,
            action="urban.request_decide",
            obj=row,
            detail={"request": found.pk, "approved": approve},
        )
    return found


def case_unpark(
    *,
    actor: Any,
    case: GridCase,
    revision: int | None,
    note: str = "",
    now: dt.datetime | None = None,
) -> GridCase:
    """Off the parked list (reviewed: it can be handled now): the clock runs again, the
    deadline moved by the time parked."""
    require(actor, MACHINE.permission_for("unpark"), case, hide=True)
    now = now_or(now)
    with transaction.atomic():
        row = begin(case, "unpark", revision)
        errors = ErrorList()
        note = text(errors, "note", note, required=False, max_length=1000)
        errors.raise_if_any(_("The case is not taken off the list; correct the marked fields."))
        clock_resume(row, now=now, office_hours=office_hours_of(row.unit_id))
        stage = stage_current(stages_of(row))
        if stage is not None:
            stage.due_at = row.due_at
            stage.save(update_fields=["due_at"])
        row.park_review_due = None
        mover.move(
            MACHINE,
            row,
            "unpark",
            actor=actor,
            now=now,
            reason=note,
            data={"due_at": row.due_at.isoformat() if row.due_at else None},
        )
    return row


__all__ = [
    "case_close",
    "case_dispatch",
    "case_file",
    "case_redispatch",
    "case_refuse",
    "case_unpark",
    "case_void",
    "dispatch_proposal",
    "first_of_next_month",
    "request_decide",
]
