"""Staff operations on applicants (``/api/applicants/``): the window's look-ups and
registration, over the same services as the intake pages.

Every operation is for signed-in staff holding a role that reads personal data, checked before
the body is read (403 otherwise, audited as ``denied:applicants.api``). Answers carry masked
data only and, for a found or registered applicant, a look-up token (``lookup_tokens``) that
the intake operations of ``/api/cases/`` take instead of an id. Every look-up is audited with
its purpose, found or not (404 when not found).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema
from ninja.security import SessionAuth

from onewindow.applicants.access import may_read_personal_data
from onewindow.applicants.identifiers import mask_name
from onewindow.applicants.lookup_tokens import (
    ORGANISATION,
    PERSON,
    lookup_token_issue,
    lookup_token_resolve,
    token_minutes,
)
from onewindow.applicants.models import IdType, Organisation, Person, PersonChange
from onewindow.applicants.selectors import person_pending_changes
from onewindow.applicants.services import (
    organisation_find,
    organisation_register,
    person_change_approve,
    person_change_confirm_code,
    person_change_send_code,
    person_find_by_id_number,
    person_register,
)
from onewindow.core.audit import audit_record
from onewindow.core.errors import ErrorList, NotFoundOrForbidden, PermissionDenied
from onewindow.core.openapi import ErrorOut
from onewindow.core.validation import RecordId, Text
from onewindow.org.models import RoleAssignment, ServiceCentre

API_DENIED = "denied:applicants.api"


class PersonalDataStaff(SessionAuth):
    """Session sign-in, and a role that reads personal data: refused with an audited 403
    before anything of the request is read."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is None:
            return None
        if not may_read_personal_data(user):
            audit_record(
                actor=user,
                action=API_DENIED,
                object_type="applicants.api",
                object_repr=request.path[:255],
                allowed=False,
                detail={"method": request.method, "path": request.path[:255]},
            )
            raise PermissionDenied()
        return user


router = Router(auth=PersonalDataStaff())

ERRORS = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
}
TOKEN_DOC = (
    "Names the applicant in /api/cases/intake/* (applicant.person_token / "
    "applicant.organisation_token): for the user who looked, for a limited time."
)


# --- schemas --------------------------------------------------------------------------------


class PersonLookupIn(Schema):
    id_type: IdType = IdType.RESIDENT_ID
    id_number: Text = Field(min_length=1, max_length=64)
    purpose: Text = Field(min_length=1, max_length=255, description="recorded in the audit row")
    case_number: Text = Field("", max_length=64)


class PersonRegisterIn(Schema):
    id_type: IdType = IdType.RESIDENT_ID
    id_number: Text = Field(min_length=1, max_length=64)
    name: Text = Field(min_length=1, max_length=64)
    phone: Text = Field("", max_length=32)
    address: Text = Field("", max_length=255)
    reason: Text = Field("", max_length=255, description="why a registered detail changes")
    identity_check: Text = Field(
        "",
        max_length=20,
        description=(
            "for a new person or a new name: identity_service (the official identity check; "
            "card_read is a window's attestation and is refused here)"
        ),
    )
    phone_confirmation: Text = Field(
        "",
        max_length=20,
        description=(
            "for a new phone: code (sent to the registered phone; the colleague route needs "
            "the card read at a window)"
        ),
    )
    person_token: Text = Field(
        "",
        max_length=512,
        description=(
            "for a registered document: the token of your look-up of this person (then this "
            "is a change request); without it a registered document answers 409"
        ),
    )
    centre_id: RecordId | None = Field(
        None, description="the centre you work at (where a colleague may approve a new phone)"
    )


class CodeIn(Schema):
    code: Text = Field(min_length=1, max_length=16)


class OrganisationLookupIn(Schema):
    uscc: Text = Field(min_length=1, max_length=32)
    purpose: Text = Field(min_length=1, max_length=255)
    case_number: Text = Field("", max_length=64)


class OrganisationRegisterIn(Schema):
    uscc: Text = Field(min_length=1, max_length=32)
    name: Text = Field(min_length=1, max_length=255)
    legal_representative_name: Text = Field(min_length=1, max_length=64)
    legal_representative_id_type: IdType = IdType.RESIDENT_ID
    legal_representative_id: Text = Field("", max_length=64)
    contact_phone: Text = Field("", max_length=32)
    address: Text = Field("", max_length=255)
    organisation_token: Text = Field(
        "",
        max_length=512,
        description=(
            "for a registered code: the token of your look-up of this organisation (then its "
            "blank fields are filled); without it a registered code answers 409"
        ),
    )


class ChangeOut(Schema):
    id: int
    field: str
    status: str
    method: str
    outcome: str
    old_value_masked: str
    new_value_masked: str
    reason: str
    code_sent: bool
    code_attempts: int
    expires_at: Any = None


class PersonMaskedOut(Schema):
    name_masked: str
    id_type: str
    id_number_masked: str
    phone_masked: str
    address_masked: str
    gender: str
    region_code: str


class PersonFoundOut(Schema):
    person: PersonMaskedOut
    person_token: str = Field(description=TOKEN_DOC)
    token_minutes: int
    pending_changes: list[ChangeOut]


class OrganisationMaskedOut(Schema):
    name: str
    uscc: str
    legal_representative_name_masked: str
    legal_representative_id_masked: str
    contact_phone_masked: str
    address: str


class OrganisationFoundOut(Schema):
    organisation: OrganisationMaskedOut
    organisation_token: str = Field(description=TOKEN_DOC)
    token_minutes: int


def _change_out(change: PersonChange) -> dict[str, Any]:
    return {
        "id": change.pk,
        "field": change.field,
        "status": change.status,
        "method": change.method,
        "outcome": change.outcome,
        "old_value_masked": change.old_value_masked,
        "new_value_masked": change.new_value_masked,
        "reason": change.reason,
        "code_sent": bool(change.code_sent_at),
        "code_attempts": change.code_attempts,
        "expires_at": change.expires_at,
    }


def _person_found(request: HttpRequest, person: Person) -> dict[str, Any]:
    return {
        "person": {
            "name_masked": mask_name(person.name),
            "id_type": person.id_type,
            "id_number_masked": person.id_number_masked,
            "phone_masked": person.phone_masked,
            "address_masked": person.address_masked,
            "gender": person.gender,
            "region_code": person.region_code,
        },
        "person_token": lookup_token_issue(user=request.user, person=person),
        "token_minutes": token_minutes(),
        "pending_changes": [_change_out(c) for c in person_pending_changes(person_id=person.pk)],
    }


def _organisation_found(request: HttpRequest, organisation: Organisation) -> dict[str, Any]:
    return {
        "organisation": {
            "name": organisation.name,
            "uscc": organisation.uscc,
            "legal_representative_name_masked": mask_name(organisation.legal_representative_name),
            "legal_representative_id_masked": organisation.legal_representative_id_masked,
            "contact_phone_masked": organisation.contact_phone_masked,
            "address": organisation.address,
        },
        "organisation_token": lookup_token_issue(user=request.user, organisation=organisation),
        "token_minutes": token_minutes(),
    }


def _own_centre(request: HttpRequest, centre_id: int | None) -> ServiceCentre | None:
    """The centre named by the client, if the user holds a role there (else 422)."""
    if centre_id is None:
        return None
    user: Any = request.user
    if RoleAssignment.objects.filter(user=user, centre_id=centre_id).exists():
        return ServiceCentre.objects.get(pk=centre_id)
    errors = ErrorList()
    errors.add("centre_id", "not_your_centre", _("Name a centre where you hold a role."))
    errors.raise_if_any(_("The request is not valid."))
    return None


# --- operations -----------------------------------------------------------------------------


@router.post(
    "/persons/lookup",
    response={200: PersonFoundOut, **ERRORS},
    summary="Look a person up by document number (audited, with a purpose)",
)
def persons_lookup(request: HttpRequest, payload: PersonLookupIn) -> dict[str, Any]:
    person = person_find_by_id_number(
        id_type=payload.id_type,
        id_number=payload.id_number,
        actor=request.user,
        purpose=payload.purpose,
        case_number=payload.case_number,
    )
    if person is None:
        raise NotFoundOrForbidden()
    return _person_found(request, person)


@router.post(
    "/persons",
    response={200: PersonFoundOut, **ERRORS},
    summary=(
        "Register a new person (official identity check), or ask to change the details of a "
        "person you looked up (with the look-up token and each change's checks)"
    ),
)
def persons_register(request: HttpRequest, payload: PersonRegisterIn) -> dict[str, Any]:
    centre = _own_centre(request, payload.centre_id)
    looked_up = None
    if payload.person_token:
        looked_up = lookup_token_resolve(
            token=payload.person_token, user=request.user, kind=PERSON, field="person_token"
        )
    person = person_register(
        id_type=payload.id_type,
        id_number=payload.id_number,
        name=payload.name,
        phone=payload.phone,
        address=payload.address,
        reason=payload.reason,
        identity_check=payload.identity_check,
        phone_confirmation=payload.phone_confirmation,
        centre=centre,
        actor=request.user,
        looked_up=looked_up,
        at_window=False,
    )
    return _person_found(request, person)


@router.post(
    "/persons/changes/{change_id}/send-code",
    response={200: ChangeOut, **ERRORS},
    summary="Send a code to the registered (old) phone of a waiting phone change",
)
def person_changes_send_code(request: HttpRequest, change_id: RecordId) -> dict[str, Any]:
    return _change_out(person_change_send_code(change_id=change_id, actor=request.user))


@router.post(
    "/persons/changes/{change_id}/confirm",
    response={200: ChangeOut, **ERRORS},
    summary="Confirm a new phone with the code the applicant received",
)
def person_changes_confirm(
    request: HttpRequest, change_id: RecordId, payload: CodeIn
) -> dict[str, Any]:
    change = person_change_confirm_code(change_id=change_id, code=payload.code, actor=request.user)
    return _change_out(change)


@router.post(
    "/persons/changes/{change_id}/approve",
    response={200: ChangeOut, **ERRORS},
    summary=(
        "Approve a new phone as a second staff member of the same centre (changes asked with "
        "the ID card read at a window only)"
    ),
)
def person_changes_approve(request: HttpRequest, change_id: RecordId) -> dict[str, Any]:
    return _change_out(person_change_approve(change_id=change_id, actor=request.user))


@router.post(
    "/organisations/lookup",
    response={200: OrganisationFoundOut, **ERRORS},
    summary="Look an organisation up by unified social credit code (audited, with a purpose)",
)
def organisations_lookup(request: HttpRequest, payload: OrganisationLookupIn) -> dict[str, Any]:
    organisation = organisation_find(
        uscc=payload.uscc,
        actor=request.user,
        purpose=payload.purpose,
        case_number=payload.case_number,
    )
    if organisation is None:
        raise NotFoundOrForbidden()
    return _organisation_found(request, organisation)


@router.post(
    "/organisations",
    response={200: OrganisationFoundOut, **ERRORS},
    summary=(
        "Register a new organisation, or fill blank fields of one you looked up (with the "
        "look-up token; 409 when a registered name, address, legal representative or contact "
        "phone differs)"
    ),
)
def organisations_register(request: HttpRequest, payload: OrganisationRegisterIn) -> dict[str, Any]:
    looked_up = None
    if payload.organisation_token:
        looked_up = lookup_token_resolve(
            token=payload.organisation_token,
            user=request.user,
            kind=ORGANISATION,
            field="organisation_token",
        )
    organisation = organisation_register(
        uscc=payload.uscc,
        name=payload.name,
        legal_representative_name=payload.legal_representative_name,
        legal_representative_id_type=payload.legal_representative_id_type,
        legal_representative_id=payload.legal_representative_id,
        contact_phone=payload.contact_phone,
        address=payload.address,
        actor=request.user,
        looked_up=looked_up,
    )
    return _organisation_found(request, organisation)
