"""Intake endpoints: accept, 补正, refuse and 即办 complete an application at a window.

Each needs an ``Idempotency-Key`` header: a retried request with the same key returns the case
the first one made (200, ``Idempotent-Replay: true``) instead of a second case. The answer is
the slim ``IntakeCaseOut`` (number, state, dates, the query code for the receipt, links), made
from the case in memory; the whole case is one GET away (``links.case``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Header, Router, Status

from onewindow.applicants.lookup_tokens import ORGANISATION, PERSON, lookup_token_resolve
from onewindow.applicants.models import Organisation, Person
from onewindow.applicants.services import organisation_find, person_find_by_id_number
from onewindow.cases.api.staff.common import UNKNOWN_RECORDS, unknown
from onewindow.cases.api.staff.schemas import (
    WRITE_ERRORS,
    ApplicantIn,
    IntakeCaseOut,
    IntakeIn,
    RefuseIn,
    SupplementIn,
)
from onewindow.cases.models import ApplicantType, Case
from onewindow.cases.progress import progress_short_url
from onewindow.cases.selectors import case_get_for_user
from onewindow.cases.services import (
    Intake,
    MaterialReceipt,
    case_accept,
    case_complete_instant,
    case_refuse_at_intake,
    case_request_supplement,
)
from onewindow.catalog.models import ServiceItem, ServiceItemVersion
from onewindow.core.errors import ApplicationError, ErrorList, ValidationFailed
from onewindow.org.models import Region, ServiceCentre, Window
from onewindow.org.permissions import Action, require

router = Router()

IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_KEY_MAX_LENGTH = Case._meta.get_field("idempotency_key").max_length or 64


NOT_REGISTERED = {
    "person": _(
        "No one with this document is registered: register the applicant first "
        "(POST /api/applicants/persons)."
    ),
    "organisation": _(
        "No organisation with this code is registered: register it first "
        "(POST /api/applicants/organisations)."
    ),
}
ONE_WAY = _("Name the applicant one way: a look-up token or a number, not both.")


def _prefixed(errors: ErrorList, exc: ValidationFailed) -> None:
    for error in exc.errors:
        field = error.field if error.field.startswith("applicant.") else f"applicant.{error.field}"
        errors.append(dataclasses.replace(error, field=field))


def _one_applicant(
    request: HttpRequest,
    errors: ErrorList,
    *,
    kind: str,
    token: str | None,
    token_field: str,
    number: str | None,
    number_field: str,
    find: Callable[[], Any],
    not_registered: Any,
) -> Any:
    """One applicant named by a look-up token or by a number looked up with ``find`` (never
    both); ``None`` with the problem in ``errors`` when it cannot be found."""
    if token and number:
        errors.add(token_field, "one_way_only", ONE_WAY)
        return None
    try:
        if token:
            return lookup_token_resolve(
                token=token, user=request.user, kind=kind, field=token_field
            )
        if number:
            found = find()
            if found is None:
                errors.add(number_field, "not_registered", not_registered)
            return found
    except ValidationFailed as exc:
        _prefixed(errors, exc)
    return None


def _applicant_from(
    request: HttpRequest, applicant: ApplicantIn, errors: ErrorList
) -> tuple[Person | None, Organisation | None]:
    """The person and organisation named the way the window names them: a look-up token an
    applicants look-up gave this user, or a document number / USCC looked up here (audited,
    with the purpose). Problems go to ``errors`` under ``applicant.<field>``."""
    person = _one_applicant(
        request,
        errors,
        kind=PERSON,
        token=applicant.person_token,
        token_field="applicant.person_token",
        number=applicant.id_number,
        number_field="applicant.id_number",
        find=lambda: person_find_by_id_number(
            id_type=applicant.id_type,
            id_number=applicant.id_number or "",
            actor=request.user,
            purpose=applicant.purpose,
        ),
        not_registered=NOT_REGISTERED["person"],
    )
    organisation = _one_applicant(
        request,
        errors,
        kind=ORGANISATION,
        token=applicant.organisation_token,
        token_field="applicant.organisation_token",
        number=applicant.uscc,
        number_field="applicant.uscc",
        find=lambda: organisation_find(
            uscc=applicant.uscc or "", actor=request.user, purpose=applicant.purpose
        ),
        not_registered=NOT_REGISTERED["organisation"],
    )
    return person, organisation


def _centre(centre_id: int, known: ServiceCentre | None) -> ServiceCentre | None:
    """The centre ``centre_id`` (with its region): ``known`` when it is that one."""
    if known is not None and known.pk == centre_id:
        return known
    return ServiceCentre.objects.select_related("region").filter(pk=centre_id).first()


def _item_with_version(item_id: int) -> tuple[ServiceItem | None, ServiceItemVersion | None]:
    """The item (with its department and handling regions) and its latest version: the
    version's statement brings the item, so the service need not read the version again."""
    regions = ServiceItem.handled_in_regions.through.objects.filter(
        serviceitem_id=OuterRef("item_id")
    )
    version = (
        ServiceItemVersion.objects.select_related("item__department")
        .annotate(item_names_regions=Exists(regions))
        .filter(item_id=item_id)
        .order_by("-number")
        .first()
    )
    if version is not None:
        # Most items are handled city-wide (通办, no region named): their empty list of
        # regions is known from the same statement, and only the others read theirs.
        prefetch_related_objects(
            [version.item],
            Prefetch("handled_in_regions")
            if version.item_names_regions
            else Prefetch("handled_in_regions", queryset=Region.objects.none()),
        )
        return version.item, version
    # No version (the service refuses it) or no item (422 here).
    item = (
        ServiceItem.objects.select_related("department")
        .prefetch_related("handled_in_regions")
        .filter(pk=item_id)
        .first()
    )
    return item, None


def _intake_from(
    request: HttpRequest, payload: IntakeIn, key: str, *, in_transaction: bool = False
) -> Intake:
    """The service's ``Intake`` from the ids of the request; unknown ids answer 422."""
    errors = ErrorList()
    # Each record once: the item comes with its latest version, the window brings its centre
    # (the usual request names the window's own centre), and an output centre that is the
    # intake centre is not read again.
    item, version = _item_with_version(payload.item_id)
    if item is None:
        unknown(errors, "item_id")
    window = None
    if payload.window_id is not None:
        window = (
            Window.objects.select_related("centre__region").filter(pk=payload.window_id).first()
        )
        if window is None:
            unknown(errors, "window_id")
    centre = _centre(payload.centre_id, window.centre if window else None)
    if centre is None:
        unknown(errors, "centre_id")
    output_centre = None
    if payload.output_centre_id is not None:
        output_centre = _centre(payload.output_centre_id, centre)
        if output_centre is None:
            unknown(errors, "output_centre_id")
    # Refuse before reveal: a clerk who may not take applications at this centre (or, with no
    # known centre, anywhere) learns nothing of the applicant — no look-up, no personal-data
    # read. Audited like the service's own refusal, which a permitted clerk then passes
    # without a statement.
    require(request.user, Action.CASE_ACCEPT, centre)
    if centre is None:
        # Nothing can be filed without a centre: answer that, without looking anyone up (the
        # answer would otherwise say whether the number is registered).
        errors.raise_if_any(UNKNOWN_RECORDS)
    person, organisation = _applicant_from(request, payload.applicant, errors)
    errors.raise_if_any(UNKNOWN_RECORDS)
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
        version=version,
        in_callers_transaction=in_transaction,
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
    key = _idempotency_key(key)
    # The services create the case with ``now``, so a case with another submission time was
    # made by an earlier request with the same key: a replay.
    started = timezone.now()
    case: Case | None = None
    try:
        # The applicant's look-up (its audit row) and the filing in one transaction, without
        # a savepoint of the service's own: one commit — one flush of the database's log —
        # where two were spent (issue 8).
        with transaction.atomic():
            case = run(_intake_from(request, payload, key, in_transaction=True), started)
    except Exception:
        # Rolled back, the look-up's audit row with it. Done again the usual way, below.
        case = None
    if case is None:
        # The look-up audited on its own, then the service in its own transaction: every row
        # and refusal a single attempt writes is written, a replay or a race under the key is
        # settled as always, and what the service raises is the answer.
        case = run(_intake_from(request, payload, key), started)
    if case.submitted_at == started:
        return Status(201, intake_case_out(case))
    # A key reused for another submission was refused by the service (409).
    response["Idempotent-Replay"] = "true"
    return Status(200, intake_case_out(case_get_for_user(number=case.number, user=request.user)))


def intake_case_out(case: Case) -> dict[str, Any]:
    """The slim answer of an intake operation (``IntakeCaseOut``), from the case in memory:
    no statement is spent reading back what the service just wrote."""
    return {
        "number": case.number,
        "state": case.state,
        "state_label": str(case.get_state_display()),
        "revision": case.revision,
        "outcome": case.outcome,
        "submitted_at": case.submitted_at,
        "accepted_at": case.accepted_at,
        "due_at": case.due_at,
        "supplement_deadline": case.supplement_deadline,
        "query_code": case.query_code,
        "links": {
            "case": reverse("api:case_get", kwargs={"number": case.number}),
            "notice": reverse("cases_staff:case_notice", kwargs={"number": case.number}),
            "progress": progress_short_url(number=case.number),
        },
    }


INTAKE_RESPONSES = {200: IntakeCaseOut, 201: IntakeCaseOut, **WRITE_ERRORS}
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
