"""Every write of the case flow. ``case_transition`` is the only code that changes a case's state.

Each public service runs in one transaction, locks the case row (``select_for_update``) before it
reads the state, refuses a move the table in ``transitions.py`` does not allow, checks the
caller's revision when given (a stale page gets ``StaleCase``, never a silent overwrite), writes a
``CaseEvent`` and an audit row. Work that leaves the process (notifications) is sent after
commit.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.cases import clock
from onewindow.cases.errors import (
    MaterialsIncomplete,
    MaterialsOutstanding,
    StaleCase,
    TransitionNotAllowed,
)
from onewindow.cases.models import (
    ApplicantType,
    Case,
    CaseEvent,
    CaseMaterial,
    CaseNumberSequence,
    CaseTask,
    ClockPause,
    MaterialStatus,
    Outcome,
    OutputMethod,
    PauseKind,
    TaskOutcome,
)
from onewindow.cases.transitions import (
    NEW,
    CaseState,
    TaskState,
    case_target_state,
    task_target_state,
)
from onewindow.catalog.codes import CaseType, ItemStatus, MaterialNecessity, StepKind
from onewindow.catalog.models import ServiceItem, ServiceItemVersion
from onewindow.catalog.selectors import item_accepted_at
from onewindow.core.audit import audit_record
from onewindow.core.errors import ApplicationError, ErrorList, ValidationFailed
from onewindow.core.permissions import Action, require
from onewindow.org.models import Department, Role, ServiceCentre, Window, WindowKind
from onewindow.workcal.calendar import WorkingCalendar

QUERY_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read over a phone
BACK_OFFICE_KINDS = (StepKind.REVIEW, StepKind.DECIDE, StepKind.COMPLETE)
DEPARTMENT_ROLES = {Role.DEPT_APPROVER, Role.DEPT_LEAD}
# Who works a step in the department when the item's step names a window role (an instant item
# taken by a window that does not hold the department's seal).
DEFAULT_ROLE = {
    StepKind.REVIEW: Role.DEPT_APPROVER,
    StepKind.DECIDE: Role.DEPT_LEAD,
    StepKind.COMPLETE: Role.DEPT_APPROVER,
}


@dataclass
class MaterialReceipt:
    """What the clerk marked for one material of the item's checklist."""

    name: str
    status: str = MaterialStatus.RECEIVED
    receive_form: str = "paper"
    copies: int = 1
    problem: str = ""
    due_date: dt.date | None = None


@dataclass
class Intake:
    """Everything the intake window sends, whatever the outcome (accept, 补正, refuse)."""

    item: ServiceItem
    centre: ServiceCentre
    clerk: Any
    materials: Sequence[MaterialReceipt]
    applicant_type: str = ApplicantType.NATURAL_PERSON
    person: Any = None
    organisation: Any = None
    window: Window | None = None
    output_method: str = OutputMethod.WINDOW
    output_centre: ServiceCentre | None = None
    promise_signed: bool = False
    idempotency_key: str | None = None


# --- the one state mover --------------------------------------------------------------------


def case_transition(
    *,
    case: Case,
    action: str,
    actor: Any,
    reason: str = "",
    expected_revision: int | None = None,
    department: Department | None = None,
    public: bool = True,
    data: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> CaseEvent:
    """Move ``case`` by ``action``. Must run inside a transaction holding the case's row lock
    (all callers lock with ``_lock``)."""
    target = case_target_state(action, case.state)
    if target is None:
        raise TransitionNotAllowed(action=action, state=case.get_state_display())
    if expected_revision is not None and expected_revision != case.revision:
        raise StaleCase()
    now = now or timezone.now()
    from_state = case.state
    case.state = target
    case.revision += 1
    case.save()
    event = CaseEvent.objects.create(
        case=case,
        at=now,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        from_state=from_state,
        to_state=target,
        reason=reason,
        department=department,
        public=public,
        data=data or {},
    )
    if public:
        # The applicant hears of a move only once it is committed; a failing notification
        # never undoes or breaks the move (robust: logged, not raised).
        from onewindow.notify.services import notify_case_event

        transaction.on_commit(lambda: notify_case_event(event_id=event.pk), robust=True)
    return event


def _lock(case: Case) -> Case:
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("centre__region")
        .get(pk=case.pk)
    )


def _event(
    case: Case,
    *,
    action: str,
    actor: Any,
    task: CaseTask | None = None,
    reason: str = "",
    public: bool = True,
    data: dict[str, Any] | None = None,
    department: Department | None = None,
    now: dt.datetime | None = None,
) -> CaseEvent:
    """An event that does not change the case's state (task steps, papers arriving)."""
    return CaseEvent.objects.create(
        case=case,
        at=now or timezone.now(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        from_state=case.state,
        to_state=case.state,
        reason=reason,
        task=task,
        public=public,
        data=data or {},
        department=department or (task.department if task else None),
    )


# --- numbering ------------------------------------------------------------------------------


def case_number_next(*, centre: ServiceCentre, today: dt.date) -> str:
    """A city-unique number: ``CASE_NUMBER_FORMAT`` with district, date and a daily sequence."""
    template = getattr(settings, "CASE_NUMBER_FORMAT", "{district}{date:%Y%m%d}{seq:05d}")
    district = centre.region.code[:6]
    prefix = template.split("{seq")[0].format(district=district, date=today)
    sequence, _created = CaseNumberSequence.objects.select_for_update().get_or_create(prefix=prefix)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return template.format(district=district, date=today, seq=sequence.last)


def _query_code() -> str:
    return "".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(6))


# --- intake ---------------------------------------------------------------------------------


def _intake_check(intake: Intake) -> tuple[ServiceItemVersion, list[dict[str, Any]]]:
    errors = ErrorList()
    item = intake.item
    if item.status != ItemStatus.PUBLISHED:
        errors.add("item", "item_not_published", _("This item is not published."))
    elif not item_accepted_at(item=item, centre=intake.centre):
        errors.add(
            "item",
            "not_handled_here",
            _("This item cannot be handled at %(centre)s (通办范围)."),
            centre=intake.centre.name,
        )
    if intake.window is not None and (
        intake.window.centre_id != intake.centre.pk or intake.window.kind != WindowKind.INTAKE
    ):
        errors.add(
            "window",
            "not_an_intake_window",
            _("The window is not an intake window of this centre."),
        )
    if intake.applicant_type == ApplicantType.NATURAL_PERSON and intake.person is None:
        errors.add("person", "required", _("Identify the applicant (ID card) first."))
    if intake.applicant_type == ApplicantType.LEGAL_PERSON and intake.organisation is None:
        errors.add(
            "organisation", "required", _("Identify the applying organisation (credit code) first.")
        )
    errors.raise_if_any(_("The application cannot be taken as it is."), code="intake_invalid")
    version = item.versions.order_by("-number").first()
    if version is None:
        raise ApplicationError(_("The item has no published version."), code="no_version")
    checklist = version.snapshot.get("materials", [])
    known = {m["name"] for m in checklist}
    given = {m.name for m in intake.materials}
    unknown = given - known
    if unknown:
        errors.add(
            "materials",
            "unknown_material",
            _("Not on this item's checklist: %(names)s."),
            names="、".join(sorted(unknown)),
        )
    missing_from_form = known - given
    if missing_from_form:
        errors.add(
            "materials",
            "checklist_incomplete",
            _("Mark every paper of the checklist; not marked: %(names)s."),
            names="、".join(sorted(missing_from_form)),
        )
    errors.raise_if_any(
        _("The material checklist does not match the item."), code="checklist_mismatch"
    )
    return version, checklist


def _new_case(
    intake: Intake, version: ServiceItemVersion, *, state_action: str, now: dt.datetime
) -> Case:
    target = case_target_state(state_action, NEW)
    assert target is not None
    snapshot = version.snapshot
    case = Case(
        number=case_number_next(centre=intake.centre, today=timezone.localtime(now).date()),
        query_code=_query_code(),
        item=intake.item,
        item_version=version,
        department=intake.item.department,
        centre=intake.centre,
        window=intake.window,
        clerk=intake.clerk,
        applicant_type=intake.applicant_type,
        person=intake.person,
        organisation=intake.organisation,
        state=NEW,
        submitted_at=now,
        time_limit=snapshot["promised_limit"],
        time_limit_unit=snapshot["promised_limit_unit"],
        output_method=intake.output_method,
        output_centre=intake.output_centre or intake.centre,
        idempotency_key=intake.idempotency_key or None,
    )
    case.save()
    return case


def _store_materials(
    case: Case, intake: Intake, checklist: list[dict[str, Any]], now: dt.datetime
) -> None:
    order = {m["name"]: (index, m["necessity"]) for index, m in enumerate(checklist)}
    CaseMaterial.objects.bulk_create(
        CaseMaterial(
            case=case,
            order=order[receipt.name][0],
            name=receipt.name,
            necessity=order[receipt.name][1],
            status=receipt.status,
            receive_form=receipt.receive_form if receipt.status == MaterialStatus.RECEIVED else "",
            copies=receipt.copies if receipt.status == MaterialStatus.RECEIVED else 0,
            problem=receipt.problem,
            due_date=receipt.due_date,
            received_at=now if receipt.status == MaterialStatus.RECEIVED else None,
        )
        for receipt in intake.materials
    )


def _replayed(intake: Intake) -> Case | None:
    if not intake.idempotency_key:
        return None
    return Case.objects.filter(idempotency_key=intake.idempotency_key).first()


def _create_once(intake: Intake, build: Any) -> Case:
    """Run ``build`` once per idempotency key: a replay returns the case the first call made."""
    # Checked before the transaction, so that a refusal's audit row is kept.
    require(intake.clerk, Action.CASE_ACCEPT, intake.centre)
    existing = _replayed(intake)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return build()
    except IntegrityError:
        existing = _replayed(intake)
        if existing is None:
            raise
        return existing


def case_accept(*, intake: Intake, now: dt.datetime | None = None) -> Case:
    """受理: every required paper received; 容缺 papers only where the item allows it, on a signed
    promise, with a due date. Pins the item version, computes the promised completion, opens
    the department's queue."""

    def build() -> Case:
        when = now or timezone.now()
        version, checklist = _intake_check(intake)
        necessity = {m["name"]: m["necessity"] for m in checklist}
        problems = ErrorList()
        deferred = []
        for index, receipt in enumerate(intake.materials):
            field_name = f"materials[{index}]"
            if receipt.status == MaterialStatus.RECEIVED:
                continue
            if receipt.status == MaterialStatus.DEFERRED:
                if necessity[receipt.name] != MaterialNecessity.DEFERRABLE:
                    problems.add(
                        field_name,
                        "not_deferrable",
                        _("%(name)s is a key paper: it cannot be supplied later."),
                        name=receipt.name,
                    )
                elif receipt.due_date is None:
                    problems.add(
                        field_name,
                        "due_date_required",
                        _("Say by when %(name)s will be brought."),
                        name=receipt.name,
                    )
                deferred.append(receipt)
            elif necessity[receipt.name] != MaterialNecessity.OPTIONAL:
                problems.add(
                    field_name, "missing", _("%(name)s is missing or faulty."), name=receipt.name
                )
        if deferred and not intake.promise_signed:
            problems.add(
                "promise_signed",
                "promise_required",
                _("容缺 needs the applicant's signed promise (承诺书)."),
            )
        # An instant item at a window without the department's seal goes to the department
        # like any other case, due by the end of today.
        due_at = clock.due_after(
            when, version.snapshot["promised_limit"], version.snapshot["promised_limit_unit"]
        )
        for index, receipt in enumerate(intake.materials):
            if receipt in deferred and receipt.due_date and receipt.due_date > due_at.date():
                problems.add(
                    f"materials[{index}].due_date",
                    "deferred_after_due",
                    _("A 容缺 paper must arrive within the promised time limit (by %(date)s)."),
                    date=timezone.localtime(due_at).date().isoformat(),
                )
        if problems:
            raise MaterialsIncomplete(list(problems))
        case = _new_case(intake, version, state_action="accept", now=when)
        _store_materials(case, intake, checklist, when)
        case.accepted_at = when
        case.due_at = due_at
        case_transition(
            case=case,
            action="accept",
            actor=intake.clerk,
            now=when,
            department=case.department,
            data={"due_at": case.due_at.isoformat(), "deferred": [r.name for r in deferred]},
        )
        _tasks_create(case, version, now=when)
        audit_record(actor=intake.clerk, action="cases.accept", obj=case)
        return case

    return _create_once(intake, build)


def case_request_supplement(
    *, intake: Intake, deadline: dt.date, note: str = "", now: dt.datetime | None = None
) -> Case:
    """补正 at the window: one notice lists every missing or faulty paper at once (行政许可法
    §32); the application is not accepted and the clock does not start."""

    def build() -> Case:
        when = now or timezone.now()
        version, checklist = _intake_check(intake)
        wanting = [
            r
            for r in intake.materials
            if r.status in (MaterialStatus.MISSING, MaterialStatus.FAULTY)
        ]
        if not wanting:
            raise ApplicationError(
                _("Nothing is missing or faulty: accept the application instead."),
                code="nothing_to_supplement",
            )
        if deadline <= timezone.localtime(when).date():
            raise ValidationFailed(_("The deadline must be after today."), [], code="deadline")
        case = _new_case(intake, version, state_action="request_supplement", now=when)
        _store_materials(case, intake, checklist, when)
        case.supplement_deadline = deadline
        case_transition(
            case=case,
            action="request_supplement",
            actor=intake.clerk,
            now=when,
            reason=note,
            data={
                "deadline": deadline.isoformat(),
                "papers": [
                    {"name": r.name, "status": r.status, "problem": r.problem} for r in wanting
                ],
            },
        )
        audit_record(actor=intake.clerk, action="cases.request_supplement", obj=case)
        return case

    return _create_once(intake, build)


def case_refuse_at_intake(*, intake: Intake, reasons: str, now: dt.datetime | None = None) -> Case:
    """不予受理 with written reasons."""
    if not reasons.strip():
        raise ValidationFailed(
            _("Write the reasons for not accepting."), [], code="reasons_required"
        )

    def build() -> Case:
        when = now or timezone.now()
        version, checklist = _intake_check(intake)
        case = _new_case(intake, version, state_action="refuse", now=when)
        _store_materials(case, intake, checklist, when)
        case_transition(case=case, action="refuse", actor=intake.clerk, now=when, reason=reasons)
        audit_record(actor=intake.clerk, action="cases.refuse", obj=case)
        return case

    return _create_once(intake, build)


def case_complete_instant(*, intake: Intake, now: dt.datetime | None = None) -> Case:
    """An instant item finished on the spot by a window holding the department's seal."""

    def build() -> Case:
        when = now or timezone.now()
        version, checklist = _intake_check(intake)
        if version.snapshot["case_type"] != CaseType.INSTANT:
            raise ApplicationError(
                _("Only an instant item can be finished at the window."), code="not_instant"
            )
        window = intake.window
        if (
            window is None
            or not window.delegated_departments.filter(pk=intake.item.department_id).exists()
        ):
            raise ApplicationError(
                _(
                    "This window does not hold the seal of %(department)s; accept the case "
                    "for the department instead."
                ),
                code="not_delegated",
                params={"department": intake.item.department.name},
            )
        key_papers = {m["name"] for m in checklist if m["necessity"] != MaterialNecessity.OPTIONAL}
        problems = ErrorList()
        for index, receipt in enumerate(intake.materials):
            if receipt.status != MaterialStatus.RECEIVED and receipt.name in key_papers:
                problems.add(
                    f"materials[{index}]",
                    "missing",
                    _("%(name)s is missing or faulty."),
                    name=receipt.name,
                )
        if problems:
            raise MaterialsIncomplete(list(problems))
        case = _new_case(intake, version, state_action="complete_instant", now=when)
        _store_materials(case, intake, checklist, when)
        case.accepted_at = case.decided_at = when
        case.due_at = when
        case.outcome = Outcome.APPROVED
        case_transition(
            case=case,
            action="complete_instant",
            actor=intake.clerk,
            now=when,
            department=case.department,
        )
        audit_record(actor=intake.clerk, action="cases.complete_instant", obj=case)
        return case

    return _create_once(intake, build)


def case_supplement_received(
    *,
    case: Case,
    actor: Any,
    receipts: Sequence[MaterialReceipt],
    expected_revision: int | None = None,
) -> Case:
    """Papers arrive: after a window 补正 the case is accepted now; after a back-office 补正 the
    clock resumes; a 容缺 paper is marked received."""
    require(actor, Action.CASE_ACCEPT, case.centre, hide=True)
    return _case_supplement_received(
        case=case, actor=actor, receipts=receipts, expected_revision=expected_revision
    )


@transaction.atomic
def _case_supplement_received(
    *, case: Case, actor: Any, receipts: Sequence[MaterialReceipt], expected_revision: int | None
) -> Case:
    case = _lock(case)
    if expected_revision is not None and expected_revision != case.revision:
        raise StaleCase()
    now = timezone.now()
    by_name = {m.name: m for m in case.materials.all()}
    for receipt in receipts:
        material = by_name.get(receipt.name)
        if material is None:
            raise ValidationFailed(
                _("Not on this case's checklist: %(names)s."), [], code="unknown_material"
            )
        material.status = MaterialStatus.RECEIVED
        material.receive_form = receipt.receive_form
        material.copies = receipt.copies
        material.received_at = now
        material.problem = ""
        material.save()
    _event(
        case,
        action="papers_received",
        actor=actor,
        now=now,
        data={"papers": [r.name for r in receipts]},
    )
    if case.state == CaseState.SUPPLEMENT_REQUESTED:
        still = [
            m.name
            for m in by_name.values()
            if m.status in (MaterialStatus.MISSING, MaterialStatus.FAULTY)
            and m.necessity != MaterialNecessity.OPTIONAL
        ]
        if not still:
            case.accepted_at = now
            case.due_at = clock.due_after(now, case.time_limit, case.time_limit_unit)
            case_transition(
                case=case,
                action="accept",
                actor=actor,
                now=now,
                department=case.department,
                data={"due_at": case.due_at.isoformat()},
            )
            _tasks_create(case, case.item_version, now=now)
    elif (
        case.state == CaseState.SUSPENDED
        and case.pauses.filter(kind=PauseKind.SUPPLEMENT, ended_at=None).exists()
    ):
        _resume(case, actor=actor, result=str(_("Papers received")), now=now)
    return case


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
                    due_at=case.due_at,
                )
            )
            tasks.extend(
                CaseTask(
                    **base,
                    department_id=department_id,
                    is_joint=True,
                    due_at=_step_due(step, now, case),
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
    if step.get("time_limit"):
        return clock.due_after(start, step["time_limit"], step.get("time_limit_unit") or "1")
    return case.due_at


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
            task.state = TaskState.OPEN
            task.opened_at = now
            task.due_at = case.due_at
            task.save()
        return
    decision = case.tasks.filter(kind=StepKind.DECIDE, state=TaskState.DONE).first()
    if decision is None:
        decision = case.tasks.filter(state=TaskState.DONE).order_by("-step_order").first()
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


# --- special procedures (clock pauses) ------------------------------------------------------


def _suspend(
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


def _resume(case: Case, *, actor: Any, result: str, now: dt.datetime) -> ClockPause:
    pause = case.pauses.filter(ended_at=None).order_by("-started_at").first()
    if pause is None:
        raise TransitionNotAllowed(action="resume", state=case.get_state_display())
    pause.ended_at = now
    pause.result = result
    calendar = WorkingCalendar.load(
        pause.started_at.date() - dt.timedelta(days=1), now.date() + dt.timedelta(days=400)
    )
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


def case_suspend(
    *, case: Case, actor: Any, kind: str, reason: str, expected_revision: int | None = None
) -> ClockPause:
    """Start a special procedure (听证, 检验检测, 专家评审, 补正): the clock stops."""
    require(actor, Action.CASE_WORK, case, hide=True)
    with transaction.atomic():
        case = _lock(case)
        return _case_suspend_locked(
            case, actor=actor, kind=kind, reason=reason, expected_revision=expected_revision
        )


def _case_suspend_locked(
    case: Case, *, actor: Any, kind: str, reason: str, expected_revision: int | None
) -> ClockPause:
    if kind not in PauseKind.values:
        raise ValidationFailed(_("Unknown special procedure."), [], code="kind")
    if expected_revision is not None and expected_revision != case.revision:
        raise StaleCase()
    return _suspend(case, actor=actor, kind=kind, reason=reason, now=timezone.now())


def case_resume(
    *, case: Case, actor: Any, result: str, expected_revision: int | None = None
) -> ClockPause:
    """End the special procedure: the deadline moves by the working days it took."""
    require(actor, Action.CASE_WORK, case, hide=True)
    with transaction.atomic():
        case = _lock(case)
        if expected_revision is not None and expected_revision != case.revision:
            raise StaleCase()
        return _resume(case, actor=actor, result=result, now=timezone.now())


# --- output ---------------------------------------------------------------------------------


def case_deliver(
    *,
    case: Case,
    actor: Any,
    method: str,
    collector_id_checked: bool = False,
    proxy_authorisation: bool = False,
    tracking_number: str = "",
    note: str = "",
    expected_revision: int | None = None,
) -> Case:
    """统一出件: hand over at an output window after checking the collector's ID (or a proxy's
    authorisation), send by post with a tracking number, or deliver electronically."""
    require(actor, Action.CASE_DELIVER, case.output_centre, hide=True)
    return _case_deliver(
        case=case,
        actor=actor,
        method=method,
        collector_id_checked=collector_id_checked,
        proxy_authorisation=proxy_authorisation,
        tracking_number=tracking_number,
        note=note,
        expected_revision=expected_revision,
    )


@transaction.atomic
def _case_deliver(
    *,
    case: Case,
    actor: Any,
    method: str,
    collector_id_checked: bool,
    proxy_authorisation: bool,
    tracking_number: str,
    note: str,
    expected_revision: int | None,
) -> Case:
    case = _lock(case)
    errors = ErrorList()
    if method == OutputMethod.WINDOW and not (collector_id_checked or proxy_authorisation):
        errors.add(
            "collector_id_checked",
            "identity_required",
            _("Check the collector's ID card, or a proxy's written authorisation."),
        )
    if method == OutputMethod.POST and not tracking_number.strip():
        errors.add("tracking_number", "required", _("Enter the postal tracking number."))
    if method not in OutputMethod.values:
        errors.add("method", "invalid_choice", _("Unknown way of handing over."))
    errors.raise_if_any(_("The result cannot be handed over yet."), code="output_invalid")
    now = timezone.now()
    case.delivered_at = now
    case.output_method = method
    returned = list(
        case.materials.filter(status=MaterialStatus.RECEIVED, receive_form="paper").values_list(
            "name", flat=True
        )
    )
    case_transition(
        case=case,
        action="deliver",
        actor=actor,
        now=now,
        reason=note,
        expected_revision=expected_revision,
        data={
            "method": method,
            "tracking_number": tracking_number,
            "proxy": proxy_authorisation,
            "papers_returned": returned,
        },
    )
    audit_record(actor=actor, action="cases.deliver", obj=case, detail={"method": method})
    return case
