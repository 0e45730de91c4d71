"""The citizen operations of the HTTP API, at ``/api/citizens/``, for a mobile app.

- ``POST codes`` ``{phone}`` — send a sign-in code (202; the same answer for every number;
  429 past the limits).
- ``POST tokens`` ``{phone, code, device}`` — sign in: a bearer token bound to the account
  (201; shown once, only its hash kept; valid ``CITIZEN_TOKEN_DAYS``).
- With ``Authorization: Bearer <token>``: ``GET me``, ``GET me/cases``,
  ``GET me/cases/{number}`` (progress), ``GET me/messages``, ``GET me/tokens``,
  ``POST me/tokens/{token_id}/revoke``, ``POST me/sign-out`` (revokes this token),
  ``POST me/real-name/code`` and ``POST me/real-name`` (bind or change the real name).

A missing, unknown, expired or revoked token answers 401 ``citizen_sign_in_required``; a
staff session is no citizen (no cookie is read here, so no CSRF either). Another account's
token or case answers 404 like a missing one. Errors are the one format of ``config/api.py``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status
from ninja.security import HttpBearer

from onewindow.citizens import selectors, services
from onewindow.citizens.errors import CitizenSignInRequired
from onewindow.citizens.models import (
    AccessToken,
    AgentAction,
    AgentGrant,
    CitizenAccount,
    TokenKind,
)
from onewindow.core.audit import audit_record
from onewindow.core.client import client_address
from onewindow.core.openapi import ErrorOut
from onewindow.core.validation import Day, RecordId, Text

router = Router(tags=["citizens"])

Phone = Annotated[Text, Field(max_length=32, description="Mainland mobile number, 11 digits")]
Code = Annotated[Text, Field(max_length=16, description="The 6 digits of the SMS code")]
CaseNumber = Annotated[Text, Field(max_length=40)]


class CitizenBearer(HttpBearer):
    """``Authorization: Bearer <token>`` of an app token; anything else answers 401."""

    def __call__(self, request: HttpRequest) -> Any:
        value = request.headers.get(self.header, "")
        scheme, _space, secret = value.partition(" ")
        if scheme.lower() != self.openapi_scheme or not secret:
            raise CitizenSignInRequired()
        return self.authenticate(request, secret.strip())

    def authenticate(self, request: HttpRequest, token: str) -> AccessToken:
        found = services.token_authenticate(secret=token, kind=TokenKind.APP)
        if found is None:
            raise CitizenSignInRequired()
        return found


bearer = CitizenBearer()


def _no_store(response: HttpResponse) -> None:
    response["Cache-Control"] = "no-store"


def _account(request: HttpRequest) -> CitizenAccount:
    token: AccessToken = request.auth  # type: ignore[attr-defined]
    return token.account


class CitizenCodeRequestIn(Schema):
    phone: Phone


class CodeSentOut(Schema):
    resend_after: int = Field(description="Seconds before another code may be asked for")
    expires_in: int = Field(description="Seconds the code works")


class SignInIn(Schema):
    phone: Phone
    code: Code
    device: Annotated[Text, Field(max_length=64)] = Field("", description="A name for the app")


class MeOut(Schema):
    phone: str = Field(description="Masked")
    real_name_verified: bool
    name: str = Field(description="Masked; empty before binding")
    id_number: str = Field(description="Masked; empty before binding")


class TokenOut(Schema):
    token: str = Field(description="The bearer token: shown this once, keep it secret")
    expires_at: dt.datetime
    account: MeOut


class CaseRowOut(Schema):
    number: str
    item_name: str
    state: str
    state_label: str
    submitted_at: dt.datetime
    due_at: dt.datetime | None
    item_name_en: str = ""
    supplement_deadline: dt.date | None = None


class StepOut(Schema):
    at: dt.datetime
    label: str
    department: str


class CitizenProgressOut(Schema):
    number: str
    item_name: str
    state: str
    state_label: str
    submitted_at: dt.datetime
    due_at: dt.datetime | None
    finished: bool
    next_for_applicant: str
    steps: list[StepOut]
    outcome: str | None
    outcome_label: str


class MessageOut(Schema):
    at: dt.datetime
    text: str = Field(description="Secrets in it (a code) masked")
    recipient: str = Field(description="Masked")
    status: str


class DeviceOut(Schema):
    id: int
    kind: str
    label: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    expires_at: dt.datetime
    current: bool


class RealNameIn(Schema):
    name: Annotated[Text, Field(max_length=128)]
    id_number: Annotated[Text, Field(max_length=64)]
    code: Annotated[Text, Field(max_length=16)] = Field(
        "", description="Needed to change a binding: the code of POST me/real-name/code"
    )


def _me(account: CitizenAccount) -> MeOut:
    from onewindow.applicants.identifiers import mask_name

    person = account.person
    return MeOut(
        phone=account.phone_masked,
        real_name_verified=person is not None,
        name=mask_name(person.name) if person else "",
        id_number=person.id_number_masked if person else "",
    )


@router.post(
    "codes",
    response={202: CodeSentOut, 422: ErrorOut, 429: ErrorOut},
    summary="Send a sign-in code by SMS (the same answer for every number)",
)
def code_request(request: HttpRequest, response: HttpResponse, payload: CitizenCodeRequestIn):
    _no_store(response)
    sent = services.sign_in_code_request(phone=payload.phone, address=client_address(request))
    return Status(202, CodeSentOut(resend_after=sent.resend_after, expires_in=sent.expires_in))


@router.post(
    "tokens",
    response={201: TokenOut, 422: ErrorOut},
    summary="Sign in with the SMS code: a bearer token bound to the account",
)
def sign_in(request: HttpRequest, response: HttpResponse, payload: SignInIn):
    """Wrong, expired, used or replaced codes answer 422 (``code_wrong``, ``code_expired``,
    ``code_used``, ``code_missing``, ``code_locked``)."""
    _no_store(response)
    done = services.sign_in_with_code(
        phone=payload.phone,
        code=payload.code,
        address=client_address(request),
        kind=TokenKind.APP,
        label=payload.device,
    )
    return Status(
        201,
        TokenOut(token=done.secret, expires_at=done.token.expires_at, account=_me(done.account)),
    )


@router.get("me", auth=bearer, response={200: MeOut}, summary="The signed-in citizen")
def me(request: HttpRequest, response: HttpResponse):
    """Masked values only; audited ``citizens.me_read``."""
    _no_store(response)
    account = _account(request)
    audit_record(actor=None, action="citizens.me_read", obj=account, detail={"via": "api"})
    return _me(account)


@router.get(
    "me/cases",
    auth=bearer,
    response={200: list[CaseRowOut]},
    summary="My cases (of the bound person), newest first",
)
def my_cases(request: HttpRequest, response: HttpResponse):
    _no_store(response)
    return [CaseRowOut(**row.__dict__) for row in selectors.my_cases(account=_account(request))]


@router.get(
    "me/cases/{number}",
    auth=bearer,
    response={200: CitizenProgressOut, 404: ErrorOut, 422: ErrorOut},
    summary="The progress of one of my cases",
)
def my_case(request: HttpRequest, response: HttpResponse, number: CaseNumber):
    _no_store(response)
    view = selectors.my_case_progress(account=_account(request), number=number)
    return CitizenProgressOut(
        number=view.number,
        item_name=view.item_name,
        state=view.state,
        state_label=view.state_label,
        submitted_at=view.submitted_at,
        due_at=view.due_at,
        finished=view.finished,
        next_for_applicant=view.next_for_applicant,
        steps=[StepOut(at=s.at, label=s.label, department=s.department) for s in view.steps],
        outcome=view.outcome,
        outcome_label=view.outcome_label,
    )


@router.get(
    "me/messages",
    auth=bearer,
    response={200: list[MessageOut]},
    summary="Messages sent about my account and my cases",
)
def my_messages(request: HttpRequest, response: HttpResponse):
    _no_store(response)
    return [
        MessageOut(at=m.at, text=m.text, recipient=m.recipient, status=m.status_label)
        for m in selectors.my_messages(account=_account(request))
    ]


@router.get(
    "me/tokens", auth=bearer, response={200: list[DeviceOut]}, summary="My signed-in devices"
)
def my_tokens(request: HttpRequest, response: HttpResponse):
    _no_store(response)
    current: AccessToken = request.auth  # type: ignore[attr-defined]
    return [
        DeviceOut(
            id=t.pk,
            kind=t.kind,
            label=t.label,
            created_at=t.created_at,
            last_used_at=t.last_used_at,
            expires_at=t.expires_at,
            current=t.pk == current.pk,
        )
        for t in selectors.my_tokens(account=current.account)
    ]


@router.post(
    "me/tokens/{token_id}/revoke",
    auth=bearer,
    response={204: None, 404: ErrorOut, 422: ErrorOut},
    summary="Sign out one of my devices (a lost phone)",
)
def token_revoke(request: HttpRequest, response: HttpResponse, token_id: RecordId):
    _no_store(response)
    services.token_revoke(account=_account(request), token_id=token_id)
    return Status(204, None)


@router.post(
    "me/sign-out", auth=bearer, response={204: None}, summary="Sign out: this token is revoked"
)
def sign_out(request: HttpRequest, response: HttpResponse):
    _no_store(response)
    services.sign_out(token=request.auth)  # type: ignore[attr-defined]
    return Status(204, None)


@router.post(
    "me/real-name/code",
    auth=bearer,
    response={202: CodeSentOut, 429: ErrorOut},
    summary="Send the code that a change of real name needs, to my mobile",
)
def real_name_code(request: HttpRequest, response: HttpResponse):
    _no_store(response)
    sent = services.rebind_code_request(account=_account(request), address=client_address(request))
    return Status(202, CodeSentOut(resend_after=sent.resend_after, expires_in=sent.expires_in))


@router.post(
    "me/real-name",
    auth=bearer,
    response={
        200: MeOut,
        403: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
        429: ErrorOut,
        503: ErrorOut,
    },
    summary="Bind my account to my real name (resident ID and name), or change it",
)
def real_name_bind(request: HttpRequest, response: HttpResponse, payload: RealNameIn):
    """Checked by the real-name verifier; a change of binding needs ``code``. 422
    ``real_name_not_verified``, 409 ``person_bound_elsewhere`` / ``registered_name_differs``,
    429 ``too_many_checks``, 503 ``real_name_unavailable`` (no verifier connected)."""
    _no_store(response)
    account = _account(request)
    services.real_name_bind(
        account=account,
        id_number=payload.id_number,
        name=payload.name,
        code=payload.code,
        address=client_address(request),
    )
    account.refresh_from_db()
    return _me(account)


# --- Companies ---------------------------------------------------------------------------


class CompanyOut(Schema):
    id: int
    uscc: str
    name: str
    representative: bool = Field(description="True: you are its legal representative")
    actions: list[str] = Field(description="What you may do for it: apply, view_cases")


class CompanyClaimIn(Schema):
    uscc: Annotated[Text, Field(max_length=64)]


class GrantIn(Schema):
    name: Annotated[Text, Field(max_length=128)]
    id_number: Annotated[Text, Field(max_length=64)]
    actions: list[Annotated[Text, Field(max_length=32)]] = Field(max_length=5)
    item_codes: list[Annotated[Text, Field(max_length=64)]] = Field(
        default_factory=list, max_length=50, description="Implementation codes; empty: every item"
    )
    expires_on: Day


class GrantOut(Schema):
    id: int
    agent_name: str
    agent_id_number: str = Field(description="Masked")
    actions: list[str]
    item_codes: list[str]
    expires_on: dt.date
    granted_at: dt.datetime
    revoked_at: dt.datetime | None


def _grant_out(grant: AgentGrant) -> GrantOut:
    return GrantOut(
        id=grant.pk,
        agent_name=grant.agent_name,
        agent_id_number=grant.agent_id_masked,
        actions=list(grant.actions),
        item_codes=list(grant.item_codes),
        expires_on=grant.expires_on,
        granted_at=grant.granted_at,
        revoked_at=grant.revoked_at,
    )


@router.get(
    "me/companies",
    auth=bearer,
    response={200: list[CompanyOut]},
    summary="The companies I represent or am an agent of",
)
def my_companies(request: HttpRequest, response: HttpResponse):
    _no_store(response)
    return [
        CompanyOut(
            id=entry.company.pk,
            uscc=entry.company.organisation.uscc,
            name=entry.company.organisation.name,
            representative=entry.representative,
            actions=entry.actions,
        )
        for entry in selectors.my_companies(account=_account(request))
    ]


@router.post(
    "me/companies",
    auth=bearer,
    response={201: CompanyOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Open the company account of an organisation I am the legal representative of",
)
def company_claim(request: HttpRequest, response: HttpResponse, payload: CompanyClaimIn):
    """403 ``real_name_required`` before binding; 404 when no registered organisation with
    this code has the bound person as its legal representative (not registered alike)."""
    _no_store(response)
    company = services.company_claim(account=_account(request), uscc=payload.uscc)
    return Status(
        201,
        CompanyOut(
            id=company.pk,
            uscc=company.organisation.uscc,
            name=company.organisation.name,
            representative=True,
            actions=list(AgentAction.values),
        ),
    )


@router.get(
    "companies/{company_id}/cases",
    auth=bearer,
    response={200: list[CaseRowOut], 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="The company's cases (representative, or agent with view_cases for the items)",
)
def company_cases(request: HttpRequest, response: HttpResponse, company_id: RecordId):
    _no_store(response)
    _role, rows = selectors.company_cases(account=_account(request), company_id=company_id)
    return [CaseRowOut(**row.__dict__) for row in rows]


@router.get(
    "companies/{company_id}/agents",
    auth=bearer,
    response={200: list[GrantOut], 404: ErrorOut, 422: ErrorOut},
    summary="The company's agent authorisations (the legal representative only)",
)
def agents_list(request: HttpRequest, response: HttpResponse, company_id: RecordId):
    _no_store(response)
    company = selectors.company_for_representative(account=_account(request), company_id=company_id)
    return [_grant_out(g) for g in company.grants.order_by("-granted_at", "-id")]


@router.post(
    "companies/{company_id}/agents",
    auth=bearer,
    response={201: GrantOut, 404: ErrorOut, 422: ErrorOut},
    summary="Authorise an agent (the legal representative only)",
)
def agent_grant(
    request: HttpRequest, response: HttpResponse, company_id: RecordId, payload: GrantIn
):
    """The agent is named by resident ID and name; whichever account binds that person may
    then act within ``actions`` and ``item_codes`` until ``expires_on``."""
    _no_store(response)
    grant = services.agent_grant(
        account=_account(request),
        company_id=company_id,
        id_number=payload.id_number,
        name=payload.name,
        actions=list(payload.actions),
        item_codes=list(payload.item_codes),
        expires_on=payload.expires_on,
    )
    return Status(201, _grant_out(grant))


@router.post(
    "companies/{company_id}/agents/{grant_id}/revoke",
    auth=bearer,
    response={200: GrantOut, 404: ErrorOut, 422: ErrorOut},
    summary="End an agent's authorisation (the legal representative only)",
)
def agent_revoke(
    request: HttpRequest, response: HttpResponse, company_id: RecordId, grant_id: RecordId
):
    _no_store(response)
    grant = services.agent_revoke(
        account=_account(request), company_id=company_id, grant_id=grant_id
    )
    return _grant_out(grant)
