"""Request and response schemas of the staff case API, and the error responses it declares."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.utils.translation import gettext_lazy as _
from ninja import Field, Schema
from pydantic import model_validator
from pydantic_core import PydanticCustomError

from onewindow.applicants.models import IdType
from onewindow.cases.models import MaterialStatus, OutputMethod, PauseKind, ReceiveForm, TaskOutcome
from onewindow.core.errors import bilingual
from onewindow.core.openapi import ErrorOut
from onewindow.core.validation import (
    Day,
    JsonBool,
    JsonCount,
    JsonId,
    MultilineText,
    Text,
)

# Paper copies a clerk may record for one paper.
MAX_COPIES = 999
# A case number as the API takes it in a path (``Case.number``).
CaseNumber = Annotated[Text, Field(min_length=1, max_length=40)]


class MaterialIn(Schema):
    """One paper of the item's checklist as the clerk marked it (收取方式, 收取数量)."""

    name: Text = Field(min_length=1, max_length=255)
    status: MaterialStatus = Field(
        description="The clerk's mark; required: nothing counts as received by default."
    )
    receive_form: ReceiveForm = ReceiveForm.PAPER
    copies: JsonCount = Field(1, le=MAX_COPIES)
    problem: Text = Field("", max_length=255)
    due_date: Day | None = None


BARE_ID_REFUSED = _(
    "An applicant is not named by a record id: send applicant.person_token (or id_type and "
    "id_number) and applicant.organisation_token (or uscc), from POST "
    "/api/applicants/persons/lookup and /api/applicants/organisations/lookup."
)


class ApplicantIn(Schema):
    """The applicant as the window identifies one, never by a bare record id: a natural
    person by the ``person_token`` an applicants look-up returned, or by document number (an
    audited look-up with ``purpose``); a legal person by ``organisation_token`` or ``uscc``
    likewise, with the person acting for it if known."""

    person_token: Text | None = Field(
        None, max_length=512, description="from POST /api/applicants/persons/lookup"
    )
    id_type: IdType = IdType.RESIDENT_ID
    id_number: Text | None = Field(None, max_length=64)
    organisation_token: Text | None = Field(
        None, max_length=512, description="from POST /api/applicants/organisations/lookup"
    )
    uscc: Text | None = Field(None, max_length=32)
    purpose: Text = Field(
        "窗口受理", min_length=1, max_length=255, description="recorded with a look-up by number"
    )

    @model_validator(mode="wrap")
    @classmethod
    def _no_bare_ids(cls, data: Any, handler: Any) -> Any:
        if isinstance(data, dict) and ({"person_id", "organisation_id"} & set(data)):
            raise PydanticCustomError(
                "bare_id_refused",
                "{message}",
                {
                    "message": bilingual(BARE_ID_REFUSED)["en"],
                    "lazy_message": BARE_ID_REFUSED,
                    "params": {},
                },
            )
        return handler(data)


class IntakeIn(Schema):
    item_id: JsonId
    centre_id: JsonId
    window_id: JsonId | None = None
    applicant: ApplicantIn
    materials: list[MaterialIn]
    promise_signed: JsonBool = False
    output_method: OutputMethod = OutputMethod.WINDOW
    output_centre_id: JsonId | None = None


class SupplementIn(IntakeIn):
    deadline: Day
    note: MultilineText = Field("", max_length=2000)


class RefuseIn(IntakeIn):
    reasons: MultilineText = Field(max_length=2000)


class RevisionIn(Schema):
    expected_revision: JsonId | None = Field(
        None, description="The revision the client saw; a different one answers 409 stale."
    )


class TaskCompleteIn(RevisionIn):
    outcome: TaskOutcome
    opinion: MultilineText = Field(max_length=4000)
    pause_kind: PauseKind = PauseKind.SUPPLEMENT


class TaskAssignIn(RevisionIn):
    assignee_id: JsonId


class SuspendIn(RevisionIn):
    kind: PauseKind
    reason: MultilineText = Field(max_length=2000)


class ResumeIn(RevisionIn):
    result: MultilineText = Field(max_length=2000)


class WithdrawIn(RevisionIn):
    reason: MultilineText = Field(max_length=2000)


class PaperIn(Schema):
    name: Text = Field(min_length=1, max_length=255)
    receive_form: ReceiveForm = ReceiveForm.PAPER
    copies: JsonCount = Field(1, le=MAX_COPIES)


class PapersReceivedIn(RevisionIn):
    materials: list[PaperIn] = Field(min_length=1)


class DeliverIn(RevisionIn):
    method: OutputMethod
    collector_id_checked: JsonBool = False
    proxy_authorisation: JsonBool = False
    tracking_number: Text = Field("", max_length=64)
    note: MultilineText = Field("", max_length=2000)


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


class IntakeLinksOut(Schema):
    case: str = Field(description="the whole case (GET, CaseOut): papers, tasks, timeline")
    notice: str = Field(
        description=(
            "the paper to print for the applicant (PDF): the acceptance receipt (受理通知书), the "
            "补正 notice or the refusal notice, as fits the outcome"
        )
    )
    progress: str = Field(description="the public progress short link (number only, no code)")


class IntakeCaseOut(Schema):
    """The answer of an intake operation that files the case (accept, supplement, refuse,
    complete-instant, and their idempotent replays): what the window needs to print the receipt
    and go on — number, state, dates, links and the query code — built from the case just
    written, without reading it back. The whole case is at ``links.case``. No other answer
    carries the code."""

    number: str = Field(description="办件编号")
    state: str
    state_label: str
    revision: int
    outcome: str = Field(description="办结结果 (set at once by an instant completion)")
    submitted_at: dt.datetime = Field(description="申请时间")
    accepted_at: dt.datetime | None = Field(description="受理时间")
    due_at: dt.datetime | None = Field(description="承诺办结时间")
    supplement_deadline: dt.date | None = Field(description="补正 deadline")
    query_code: str = Field(
        description=(
            "the code on the receipt for the public progress page; only in the answer of the "
            "intake operation that filed the case"
        )
    )
    links: IntakeLinksOut


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


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
WRITE_ERRORS = {**ERRORS, 422: ErrorOut}
