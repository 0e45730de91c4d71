"""Case flow HTTP API for staff: the same operations as the staff pages, over the same services.

Each endpoint parses its input, looks up the objects named by id, calls one service (which
checks permission, state and revision) and renders the result; no rule of the flow lives here.
Errors are ``ApplicationError``s rendered by ``config/api.py`` as ``{code, message, message_en,
errors[]}``: 403/404 permission (outsiders get 404 and the refusal is audited), 409 a move the
case's state does not allow (``transition_not_allowed``) or a stale revision (``stale``), 422
invalid input. Field names follow the case records of the national platform (see
STANDARDS.md). Personal data of applicants appears masked only.

Intake operations need an ``Idempotency-Key`` header: a retried request with the same key
returns the case the first one made (200, ``Idempotent-Replay: true``) instead of a second case.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Header, Router, Schema, Status
from ninja.security import django_auth

from onewindow.applicants.models import Organisation, Person
from onewindow.cases.models import (
    ApplicantType,
    Case,
    CaseTask,
    MaterialStatus,
    OutputMethod,
    PauseKind,
    ReceiveForm,
    TaskOutcome,
)
from onewindow.cases.selectors import case_get_for_user, supervision_board, task_queue_for_user
from onewindow.cases.services import (
    Intake,
    MaterialReceipt,
    case_accept,
    case_complete_instant,
    case_deliver,
    case_refuse_at_intake,
    case_request_supplement,
    case_resume,
    case_supplement_received,
    case_suspend,
    task_assign,
    task_claim,
    task_complete,
)
from onewindow.cases.staff_selectors import case_detail_rows, case_light, supervision_calendar
from onewindow.cases.transitions import TaskState
from onewindow.catalog.models import ServiceItem
from onewindow.core.errors import ApplicationError, ErrorList, NotFoundOrForbidden
from onewindow.core.permissions import Action, require
from onewindow.org.models import ServiceCentre, Window
from onewindow.workcal.calendar import WorkingCalendar

router = Router(tags=["cases"], auth=django_auth)

IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_KEY_MAX_LENGTH = Case._meta.get_field("idempotency_key").max_length or 64
MAX_PAGE = 200


# --- schemas --------------------------------------------------------------------------------


class ErrorOut(Schema):
    code: str
    message: str
    message_en: str
    errors: list[dict[str, Any]]


class MaterialIn(Schema):
    """One paper of the item's checklist as the clerk marked it (收取方式, 收取数量)."""

    name: str = Field(min_length=1, max_length=255)
    status: MaterialStatus = MaterialStatus.RECEIVED
    receive_form: ReceiveForm = ReceiveForm.PAPER
    copies: int = Field(1, ge=0, le=999)
    problem: str = Field("", max_length=255)
    due_date: dt.date | None = None


class ApplicantIn(Schema):
    """A natural person (``person_id``) or a legal person (``organisation_id``, with the person
    acting for it as ``person_id`` if known), as found by the applicants look-ups."""

    person_id: int | None = None
    organisation_id: int | None = None


class IntakeIn(Schema):
    item_id: int
    centre_id: int
    window_id: int | None = None
    applicant: ApplicantIn
    materials: list[MaterialIn]
    promise_signed: bool = False
    output_method: OutputMethod = OutputMethod.WINDOW
    output_centre_id: int | None = None


class SupplementIn(IntakeIn):
    deadline: dt.date
    note: str = Field("", max_length=2000)


class RefuseIn(IntakeIn):
    reasons: str = Field(max_length=2000)


class RevisionIn(Schema):
    expected_revision: int | None = Field(
        None, description="The revision the client saw; a different one answers 409 stale."
    )


class TaskCompleteIn(RevisionIn):
    outcome: TaskOutcome
    opinion: str = Field(max_length=4000)
    pause_kind: PauseKind = PauseKind.SUPPLEMENT


class TaskAssignIn(RevisionIn):
    assignee_id: int


class SuspendIn(RevisionIn):
    kind: PauseKind
    reason: str = Field(max_length=2000)


class ResumeIn(RevisionIn):
    result: str = Field(max_length=2000)


class PaperIn(Schema):
    name: str = Field(min_length=1, max_length=255)
    receive_form: ReceiveForm = ReceiveForm.PAPER
    copies: int = Field(1, ge=0, le=999)


class PapersReceivedIn(RevisionIn):
    materials: list[PaperIn] = Field(min_length=1)


class DeliverIn(RevisionIn):
    method: OutputMethod
    collector_id_checked: bool = False
    proxy_authorisation: bool = False
    tracking_number: str = Field("", max_length=64)
    note: str = Field("", max_length=2000)


class Ref(Schema):
    id: int
    name: str


class ItemRef(Schema):
    id: int
    implementation_code: str
    name: str
    version: int


class PersonOut(Schema):
    id: int
    name_masked: str
    id_type: str
    id_number_masked: str
    phone_masked: str


class OrganisationOut(Schema):
    id: int
    name: str
    uscc: str
    legal_representative_name_masked: str
    legal_representative_id_masked: str
    contact_phone_masked: str


class MaterialOut(Schema):
    name: str
    necessity: str
    status: str
    receive_form: str
    copies: int
    problem: str
    due_date: dt.date | None
    received_at: dt.datetime | None


class TaskOut(Schema):
    id: int
    case_number: str
    step_order: int
    kind: str
    name: str
    role: str
    department: Ref | None
    is_joint: bool
    is_lead: bool
    state: str
    state_label: str
    assignee: str
    outcome: str
    opinion: str
    opened_at: dt.datetime | None
    finished_at: dt.datetime | None
    due_at: dt.datetime | None
    revision: int
    light: str


class QueueRowOut(TaskOut):
    item_name: str
    case_state: str


class EventOut(Schema):
    at: dt.datetime
    action: str
    from_state: str
    to_state: str
    reason: str
    department: str
    actor: str
    task_id: int | None
    public: bool
    data: dict[str, Any]


class PauseOut(Schema):
    kind: str
    reason: str
    started_at: dt.datetime
    ended_at: dt.datetime | None
    result: str
    paused_working_days: int


class CaseOut(Schema):
    number: str = Field(description="办件编号")
    query_code: str = Field(description="the code on the receipt for the public progress page")
    state: str
    state_label: str
    revision: int
    outcome: str = Field(description="办结结果")
    item: ItemRef
    department: Ref = Field(description="受理部门 (the department that owns the item)")
    centre: Ref
    window_number: str
    clerk: str = Field(description="受理人员")
    applicant_type: str = Field(description="申请人类型")
    person: PersonOut | None
    organisation: OrganisationOut | None
    submitted_at: dt.datetime = Field(description="申请时间")
    accepted_at: dt.datetime | None = Field(description="受理时间")
    decided_at: dt.datetime | None
    delivered_at: dt.datetime | None = Field(description="办结时间 (handed over)")
    time_limit: int
    time_limit_unit: str
    due_at: dt.datetime | None = Field(description="承诺办结时间")
    paused_since: dt.datetime | None
    supplement_deadline: dt.date | None
    output_method: str
    output_centre: Ref
    light: str
    materials: list[MaterialOut]
    tasks: list[TaskOut]
    events: list[EventOut]
    pauses: list[PauseOut]


class BoardRowOut(Schema):
    number: str
    item_name: str
    department: Ref
    centre: Ref
    state: str
    state_label: str
    due_at: dt.datetime | None
    paused_since: dt.datetime | None
    light: str


# --- rendering ------------------------------------------------------------------------------


def _mask_name(name: str) -> str:
    """A person's name with only the first and (from three characters) the last shown."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def _user_name(user: Any) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _task_light(task: CaseTask, case: Case, now: dt.datetime, calendar: WorkingCalendar) -> str:
    if task.state not in (TaskState.OPEN, TaskState.CLAIMED):
        return "stopped"
    return str(case_light(case=case, now=now, calendar=calendar, due=task.due_at))


def _task_out(
    task: CaseTask, case: Case, now: dt.datetime, calendar: WorkingCalendar
) -> dict[str, Any]:
    return {
        "id": task.pk,
        "case_number": case.number,
        "step_order": task.step_order,
        "kind": task.kind,
        "name": task.name,
        "role": task.role,
        "department": (
            {"id": task.department.pk, "name": task.department.name} if task.department else None
        ),
        "is_joint": task.is_joint,
        "is_lead": task.is_lead,
        "state": task.state,
        "state_label": str(task.get_state_display()),
        "assignee": _user_name(task.assignee),
        "outcome": task.outcome,
        "opinion": task.opinion,
        "opened_at": task.opened_at,
        "finished_at": task.finished_at,
        "due_at": task.due_at,
        "revision": task.revision,
        "light": _task_light(task, case, now, calendar),
    }


def _person_out(person: Person | None) -> dict[str, Any] | None:
    if person is None:
        return None
    return {
        "id": person.pk,
        "name_masked": _mask_name(person.name),
        "id_type": person.id_type,
        "id_number_masked": person.id_number_masked,
        "phone_masked": person.phone_masked,
    }


def _organisation_out(organisation: Organisation | None) -> dict[str, Any] | None:
    if organisation is None:
        return None
    return {
        "id": organisation.pk,
        "name": organisation.name,
        "uscc": organisation.uscc,
        "legal_representative_name_masked": _mask_name(organisation.legal_representative_name),
        "legal_representative_id_masked": organisation.legal_representative_id_masked,
        "contact_phone_masked": organisation.contact_phone_masked,
    }


def _case_out(case: Case) -> dict[str, Any]:
    """The case with its papers, tasks, timeline and pauses (a fixed number of queries)."""
    case = (
        Case.objects.select_related(
            "item",
            "item_version",
            "department",
            "centre__region",
            "window",
            "clerk",
            "person",
            "organisation",
            "output_centre",
        )
    ).get(pk=case.pk)
    rows = case_detail_rows(case=case)
    now = timezone.now()
    calendar = supervision_calendar(now)
    return {
        "number": case.number,
        "query_code": case.query_code,
        "state": case.state,
        "state_label": str(case.get_state_display()),
        "revision": case.revision,
        "outcome": case.outcome,
        "item": {
            "id": case.item.pk,
            "implementation_code": case.item.implementation_code,
            "name": case.item_version.snapshot.get("name", case.item.name),
            "version": case.item_version.number,
        },
        "department": {"id": case.department.pk, "name": case.department.name},
        "centre": {"id": case.centre.pk, "name": case.centre.name},
        "window_number": case.window.number if case.window else "",
        "clerk": _user_name(case.clerk),
        "applicant_type": case.applicant_type,
        "person": _person_out(case.person),
        "organisation": _organisation_out(case.organisation),
        "submitted_at": case.submitted_at,
        "accepted_at": case.accepted_at,
        "decided_at": case.decided_at,
        "delivered_at": case.delivered_at,
        "time_limit": case.time_limit,
        "time_limit_unit": case.time_limit_unit,
        "due_at": case.due_at,
        "paused_since": case.paused_since,
        "supplement_deadline": case.supplement_deadline,
        "output_method": case.output_method,
        "output_centre": {"id": case.output_centre.pk, "name": case.output_centre.name},
        "light": str(case_light(case=case, now=now, calendar=calendar)),
        "materials": [
            {
                "name": m.name,
                "necessity": m.necessity,
                "status": m.status,
                "receive_form": m.receive_form,
                "copies": m.copies,
                "problem": m.problem,
                "due_date": m.due_date,
                "received_at": m.received_at,
            }
            for m in rows["materials"]
        ],
        "tasks": [_task_out(task, case, now, calendar) for task in rows["tasks"]],
        "events": [
            {
                "at": e.at,
                "action": e.action,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "reason": e.reason,
                "department": e.department.name if e.department else "",
                "actor": _user_name(e.actor),
                "task_id": e.task_id,
                "public": e.public,
                "data": e.data,
            }
            for e in rows["events"]
        ],
        "pauses": [
            {
                "kind": p.kind,
                "reason": p.reason,
                "started_at": p.started_at,
                "ended_at": p.ended_at,
                "result": p.result,
                "paused_working_days": p.paused_working_days,
            }
            for p in rows["pauses"]
        ],
    }


# --- looking up what a request names --------------------------------------------------------


def _unknown(errors: ErrorList, field_name: str) -> None:
    errors.add(field_name, "unknown", _("No such record."))


def _intake_from(request: HttpRequest, payload: IntakeIn, key: str) -> Intake:
    """The service's ``Intake`` from the ids of the request; unknown ids answer 422."""
    errors = ErrorList()
    item = ServiceItem.objects.select_related("department").filter(pk=payload.item_id).first()
    if item is None:
        _unknown(errors, "item_id")
    centre = ServiceCentre.objects.select_related("region").filter(pk=payload.centre_id).first()
    if centre is None:
        _unknown(errors, "centre_id")
    window = None
    if payload.window_id is not None:
        window = Window.objects.filter(pk=payload.window_id).first()
        if window is None:
            _unknown(errors, "window_id")
    output_centre = None
    if payload.output_centre_id is not None:
        output_centre = ServiceCentre.objects.filter(pk=payload.output_centre_id).first()
        if output_centre is None:
            _unknown(errors, "output_centre_id")
    person = organisation = None
    if payload.applicant.person_id is not None:
        person = Person.objects.filter(pk=payload.applicant.person_id).first()
        if person is None:
            _unknown(errors, "applicant.person_id")
    if payload.applicant.organisation_id is not None:
        organisation = Organisation.objects.filter(pk=payload.applicant.organisation_id).first()
        if organisation is None:
            _unknown(errors, "applicant.organisation_id")
    errors.raise_if_any(_("The request names records that do not exist."))
    assert item is not None and centre is not None
    return Intake(
        item=item,
        centre=centre,
        clerk=request.user,
        window=window,
        applicant_type=(
            ApplicantType.LEGAL_PERSON if organisation is not None else ApplicantType.NATURAL_PERSON
        ),
        person=person,
        organisation=organisation,
        materials=[
            MaterialReceipt(
                name=m.name,
                status=m.status,
                receive_form=m.receive_form,
                copies=m.copies,
                problem=m.problem,
                due_date=m.due_date,
            )
            for m in payload.materials
        ],
        output_method=payload.output_method,
        output_centre=output_centre,
        promise_signed=payload.promise_signed,
        idempotency_key=key,
    )


def _idempotency_key(value: str | None) -> str:
    key = (value or "").strip()
    if not key or len(key) > IDEMPOTENCY_KEY_MAX_LENGTH:
        raise ApplicationError(
            _(
                "Send an Idempotency-Key header (1 to %(limit)s characters) that is unique for "
                "each submission, and the same when you retry it."
            ),
            code="idempotency_key_required",
            status=400,
            params={"limit": IDEMPOTENCY_KEY_MAX_LENGTH},
        )
    return key


def _intake_run(
    request: HttpRequest,
    response: HttpResponse,
    payload: IntakeIn,
    key: str | None,
    run: Callable[[Intake, dt.datetime], Case],
) -> Status[dict[str, Any]]:
    intake = _intake_from(request, payload, _idempotency_key(key))
    # The services create the case with ``now``, so a case with another submission time was
    # made by an earlier request with the same key: a replay.
    started = timezone.now()
    case = run(intake, started)
    if case.submitted_at == started:
        return Status(201, _case_out(case))
    if case.item_id != intake.item.pk or case.centre_id != intake.centre.pk:
        raise ApplicationError(
            _("This Idempotency-Key was already used for another submission."),
            code="idempotency_key_reused",
            status=409,
        )
    response["Idempotent-Replay"] = "true"
    return Status(200, _case_out(case_get_for_user(number=case.number, user=request.user)))


def _case_by_number(number: str) -> Case:
    """The case a POST names; the service it goes to decides whether the user may act on it
    (an output centre other than the accepting one may hand over, for instance)."""
    case = Case.objects.select_related("centre__region", "output_centre").filter(number=number)
    found = case.first()
    if found is None:
        raise NotFoundOrForbidden()
    return found


def _task_by_id(task_id: int) -> CaseTask:
    task = (
        CaseTask.objects.select_related("case__centre__region", "department")
        .filter(pk=task_id)
        .first()
    )
    if task is None:
        raise NotFoundOrForbidden()
    return task


def _task_result(task: CaseTask) -> dict[str, Any]:
    task = CaseTask.objects.select_related("case", "department", "assignee").get(pk=task.pk)
    now = timezone.now()
    return _task_out(task, task.case, now, supervision_calendar(now))


# --- endpoints ------------------------------------------------------------------------------

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
WRITE_ERRORS = {**ERRORS, 422: ErrorOut}
INTAKE_RESPONSES = {200: CaseOut, 201: CaseOut, **WRITE_ERRORS}
KEY_DOC = (
    "Unique per submission; a retry with the same key returns the first case (200, "
    "Idempotent-Replay: true)."
)


@router.post(
    "/intake/accept",
    response=INTAKE_RESPONSES,
    summary="受理: accept an application (容缺 papers on a signed promise)",
)
def intake_accept(
    request: HttpRequest,
    response: HttpResponse,
    payload: IntakeIn,
    idempotency_key: str | None = Header(None, alias=IDEMPOTENCY_HEADER, description=KEY_DOC),
) -> Status[dict[str, Any]]:
    return _intake_run(
        request,
        response,
        payload,
        idempotency_key,
        lambda intake, now: case_accept(intake=intake, now=now),
    )


@router.post(
    "/intake/supplement",
    response=INTAKE_RESPONSES,
    summary="补正: one notice listing every missing or faulty paper, with a deadline",
)
def intake_supplement(
    request: HttpRequest,
    response: HttpResponse,
    payload: SupplementIn,
    idempotency_key: str | None = Header(None, alias=IDEMPOTENCY_HEADER, description=KEY_DOC),
) -> Status[dict[str, Any]]:
    return _intake_run(
        request,
        response,
        payload,
        idempotency_key,
        lambda intake, now: case_request_supplement(
            intake=intake, deadline=payload.deadline, note=payload.note, now=now
        ),
    )


@router.post(
    "/intake/refuse",
    response=INTAKE_RESPONSES,
    summary="不予受理: refuse at intake with written reasons",
)
def intake_refuse(
    request: HttpRequest,
    response: HttpResponse,
    payload: RefuseIn,
    idempotency_key: str | None = Header(None, alias=IDEMPOTENCY_HEADER, description=KEY_DOC),
) -> Status[dict[str, Any]]:
    return _intake_run(
        request,
        response,
        payload,
        idempotency_key,
        lambda intake, now: case_refuse_at_intake(intake=intake, reasons=payload.reasons, now=now),
    )


@router.post(
    "/intake/complete-instant",
    response=INTAKE_RESPONSES,
    summary="即办: finish an instant item at a window holding the department's seal",
)
def intake_complete_instant(
    request: HttpRequest,
    response: HttpResponse,
    payload: IntakeIn,
    idempotency_key: str | None = Header(None, alias=IDEMPOTENCY_HEADER, description=KEY_DOC),
) -> Status[dict[str, Any]]:
    return _intake_run(
        request,
        response,
        payload,
        idempotency_key,
        lambda intake, now: case_complete_instant(intake=intake, now=now),
    )


# Fixed paths before ``/{number}``, which would match them too.
@router.get(
    "/queue",
    response={200: list[QueueRowOut], **ERRORS},
    summary="The open and claimed tasks of the user's departments, most urgent first",
)
def queue(request: HttpRequest, offset: int = 0, limit: int = 50) -> list[dict[str, Any]]:
    require(request.user, Action.CASE_WORK)
    limit = max(1, min(limit, MAX_PAGE))
    offset = max(0, offset)
    now = timezone.now()
    calendar = supervision_calendar(now)
    rows = []
    for task in task_queue_for_user(request.user)[offset : offset + limit]:
        row = _task_out(task, task.case, now, calendar)
        row["item_name"] = task.case.item.name
        row["case_state"] = task.case.state
        rows.append(row)
    return rows


@router.get(
    "/supervision",
    response={200: list[BoardRowOut], **ERRORS},
    summary="E-supervision board: open cases with their light, the ones at risk first",
)
def supervision(request: HttpRequest) -> list[dict[str, Any]]:
    require(request.user, Action.CASE_SUPERVISE)
    return [
        {
            "number": row.case.number,
            "item_name": row.case.item.name,
            "department": {"id": row.case.department.pk, "name": row.case.department.name},
            "centre": {"id": row.case.centre.pk, "name": row.case.centre.name},
            "state": row.case.state,
            "state_label": str(row.case.get_state_display()),
            "due_at": row.case.due_at,
            "paused_since": row.case.paused_since,
            "light": str(row.light),
        }
        for row in supervision_board(user=request.user)
    ]


@router.post(
    "/tasks/{task_id}/claim",
    response={200: TaskOut, **WRITE_ERRORS},
    summary="Claim a task from the department queue",
)
def tasks_claim(request: HttpRequest, task_id: int, payload: RevisionIn) -> dict[str, Any]:
    task = task_claim(
        task=_task_by_id(task_id), actor=request.user, expected_revision=payload.expected_revision
    )
    return _task_result(task)


@router.post(
    "/tasks/{task_id}/complete",
    response={200: TaskOut, **WRITE_ERRORS},
    summary="Finish a claimed task with an opinion: approve, reject, or send back for papers",
)
def tasks_complete(request: HttpRequest, task_id: int, payload: TaskCompleteIn) -> dict[str, Any]:
    task = task_complete(
        task=_task_by_id(task_id),
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
def tasks_assign(request: HttpRequest, task_id: int, payload: TaskAssignIn) -> dict[str, Any]:
    task = _task_by_id(task_id)
    assignee = get_user_model().objects.filter(pk=payload.assignee_id, is_active=True).first()
    if assignee is None:
        errors = ErrorList()
        _unknown(errors, "assignee_id")
        errors.raise_if_any(_("The request names records that do not exist."))
    task = task_assign(
        task=task,
        actor=request.user,
        assignee=assignee,
        expected_revision=payload.expected_revision,
    )
    return _task_result(task)


@router.get(
    "/{number}",
    response={200: CaseOut, **ERRORS},
    summary="One case: papers, tasks with opinions, timeline, promised date and light",
)
def case_get(request: HttpRequest, number: str) -> dict[str, Any]:
    return _case_out(case_get_for_user(number=number, user=request.user))


@router.post(
    "/{number}/suspend",
    response={200: CaseOut, **WRITE_ERRORS},
    summary="Start a special procedure (听证, 检验检测, 专家评审, 补正): the clock stops",
)
def case_suspend_endpoint(request: HttpRequest, number: str, payload: SuspendIn) -> dict[str, Any]:
    case = _case_by_number(number)
    case_suspend(
        case=case,
        actor=request.user,
        kind=payload.kind,
        reason=payload.reason,
        expected_revision=payload.expected_revision,
    )
    return _case_out(case)


@router.post(
    "/{number}/resume",
    response={200: CaseOut, **WRITE_ERRORS},
    summary="End the special procedure: the deadline moves by the working days it took",
)
def case_resume_endpoint(request: HttpRequest, number: str, payload: ResumeIn) -> dict[str, Any]:
    case = _case_by_number(number)
    case_resume(
        case=case,
        actor=request.user,
        result=payload.result,
        expected_revision=payload.expected_revision,
    )
    return _case_out(case)


@router.post(
    "/{number}/papers-received",
    response={200: CaseOut, **WRITE_ERRORS},
    summary="Papers arrive (after 补正, or a 容缺 paper): accept, resume, or mark received",
)
def case_papers_received(
    request: HttpRequest, number: str, payload: PapersReceivedIn
) -> dict[str, Any]:
    case = _case_by_number(number)
    case_supplement_received(
        case=case,
        actor=request.user,
        receipts=[
            MaterialReceipt(name=m.name, receive_form=m.receive_form, copies=m.copies)
            for m in payload.materials
        ],
        expected_revision=payload.expected_revision,
    )
    return _case_out(case)


@router.post(
    "/{number}/deliver",
    response={200: CaseOut, **WRITE_ERRORS},
    summary="统一出件: hand over at an output window, send by post, or deliver electronically",
)
def case_deliver_endpoint(request: HttpRequest, number: str, payload: DeliverIn) -> dict[str, Any]:
    case = _case_by_number(number)
    case_deliver(
        case=case,
        actor=request.user,
        method=payload.method,
        collector_id_checked=payload.collector_id_checked,
        proxy_authorisation=payload.proxy_authorisation,
        tracking_number=payload.tracking_number,
        note=payload.note,
        expected_revision=payload.expected_revision,
    )
    return _case_out(case)
