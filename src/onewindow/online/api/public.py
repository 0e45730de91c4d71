"""The citizen's online applications in the HTTP API, at ``/api/online/``, for a mobile app.

With ``Authorization: Bearer <token>`` (an app token of ``citizens``): ``GET applications``
(mine, newest first), ``GET applications/{reference}``, ``POST applications`` (a draft),
``POST applications/{reference}/answers`` (save answers — partial —, the output method, a
postal address), ``POST applications/{reference}/submit`` with the header ``Idempotency-Key``
(a replay of the same submission answers as the first time; another payload under a used key
409 ``idempotency_key_reused``). Another account's application answers 404 like a missing one.
Errors are the one format of ``config/api.py``; every answer is ``no-store``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status
from ninja.security import HttpBearer

from onewindow.citizens.errors import CitizenSignInRequired
from onewindow.citizens.models import AccessToken, CitizenAccount, TokenKind
from onewindow.citizens.services import token_authenticate
from onewindow.core.openapi import ErrorOut
from onewindow.core.validation import JsonId, Text
from onewindow.online import selectors, services
from onewindow.online.events import ONLINE_EVENTS
from onewindow.online.models import OnlineApplication

router = Router(tags=["online"])

Reference = Annotated[Text, Field(max_length=32)]


class OnlineBearer(HttpBearer):
    """``Authorization: Bearer <token>`` of a citizen's app token; anything else answers 401."""

    def __call__(self, request: HttpRequest) -> Any:
        value = request.headers.get(self.header, "")
        scheme, _space, secret = value.partition(" ")
        if scheme.lower() != self.openapi_scheme or not secret:
            raise CitizenSignInRequired()
        return self.authenticate(request, secret.strip())

    def authenticate(self, request: HttpRequest, token: str) -> AccessToken:
        found = token_authenticate(secret=token, kind=TokenKind.APP)
        if found is None:
            raise CitizenSignInRequired()
        return found


bearer = OnlineBearer()


def _account(request: HttpRequest) -> CitizenAccount:
    token: AccessToken = request.auth  # type: ignore[attr-defined]
    return token.account


def _no_store(response: HttpResponse) -> None:
    response["Cache-Control"] = "no-store"


class OnlineStepOut(Schema):
    at: dt.datetime
    action: str
    label: str
    reason: str


class OnlinePaperOut(Schema):
    id: int
    material: str
    name: str
    content_type: str
    size: int


class OnlineProblemOut(Schema):
    kind: str
    name: str
    reason: str


class OnlineApplicationOut(Schema):
    reference: str
    item_id: int
    item_name: str
    centre: str
    state: str
    state_label: str
    revision: int
    answers: dict[str, Any] = Field(description="Non-personal answers")
    personal_masked: dict[str, str] = Field(description="Personal answers, masked")
    output_method: str
    postal_address: str = Field(description="Masked")
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    case_number: str | None
    problems: list[OnlineProblemOut]
    papers: list[OnlinePaperOut] = []
    steps: list[OnlineStepOut] = []


class OnlineStartIn(Schema):
    item_id: JsonId
    centre_id: JsonId | None = None
    company_id: JsonId | None = None


class OnlineAnswersIn(Schema):
    answers: dict[str, Any] | None = Field(None, description="Answers by field key (partial)")
    output_method: Annotated[Text, Field(max_length=16)] | None = None
    postal_address: Annotated[Text, Field(max_length=255)] | None = None
    revision: int | None = Field(None, ge=0, le=10**9)


class OnlineSubmitIn(Schema):
    revision: int | None = Field(None, ge=0, le=10**9)


def _out(application: OnlineApplication, *, full: bool = False) -> OnlineApplicationOut:
    out = OnlineApplicationOut(
        reference=application.reference,
        item_id=application.item_id,
        item_name=str(application.item_version.snapshot["name"]),
        centre=application.centre.name,
        state=application.state,
        state_label=application.get_state_display(),
        revision=application.revision,
        answers=application.answers,
        personal_masked=application.personal_masked,
        output_method=application.output_method,
        postal_address=application.postal_address_masked,
        created_at=application.created_at,
        submitted_at=application.submitted_at,
        case_number=application.case.number if application.case else None,
        problems=[OnlineProblemOut(**p) for p in application.problems or []],
    )
    if full:
        out.papers = [
            OnlinePaperOut(
                id=p.pk,
                material=p.material_name,
                name=p.paper.original_name,
                content_type=p.paper.content_type,
                size=p.paper.size,
            )
            for p in application.papers.select_related("paper").order_by("added_at", "id")
        ]
        out.steps = [
            OnlineStepOut(
                at=e.at,
                action=e.action,
                label=ONLINE_EVENTS.public_label(e.action),
                reason=e.reason,
            )
            for e in application.events.filter(public=True).order_by("at", "id")
        ]
    return out


@router.get(
    "applications",
    auth=bearer,
    response={200: list[OnlineApplicationOut]},
    summary="My online applications, newest first",
)
def applications_list(request: HttpRequest, response: HttpResponse):
    _no_store(response)
    return [_out(a) for a in selectors.my_applications(account=_account(request))]


@router.get(
    "applications/{reference}",
    auth=bearer,
    response={200: OnlineApplicationOut, 404: ErrorOut, 422: ErrorOut},
    summary="One of my online applications, with its papers and steps",
)
def application_get(request: HttpRequest, response: HttpResponse, reference: Reference):
    _no_store(response)
    application, _events, _papers = selectors.my_application(
        account=_account(request), reference=reference
    )
    return _out(application, full=True)


@router.post(
    "applications",
    auth=bearer,
    response={201: OnlineApplicationOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Start a draft for an item's current version",
)
def application_create(request: HttpRequest, response: HttpResponse, payload: OnlineStartIn):
    _no_store(response)
    application = services.application_start(
        account=_account(request),
        item_id=payload.item_id,
        centre_id=payload.centre_id,
        company_id=payload.company_id,
    )
    return Status(201, _out(application, full=True))


@router.post(
    "applications/{reference}/answers",
    auth=bearer,
    response={200: OnlineApplicationOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Save answers (partial), the output method and a postal address",
)
def application_answers(
    request: HttpRequest, response: HttpResponse, reference: Reference, payload: OnlineAnswersIn
):
    _no_store(response)
    application = services.application_save(
        account=_account(request),
        reference=reference,
        answers=payload.answers,
        output_method=payload.output_method,
        postal_address=payload.postal_address,
        expected_revision=payload.revision,
    )
    return _out(application, full=True)


@router.post(
    "applications/{reference}/submit",
    auth=bearer,
    response={200: OnlineApplicationOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Send the application to the centre (Idempotency-Key header)",
)
def application_submit(
    request: HttpRequest, response: HttpResponse, reference: Reference, payload: OnlineSubmitIn
):
    """A replay with the same ``Idempotency-Key`` answers the application as it is; another
    submission under a used key: 409 ``idempotency_key_reused``."""
    _no_store(response)
    application = services.application_submit(
        account=_account(request),
        reference=reference,
        key=str(request.headers.get("Idempotency-Key", ""))[:100],
        expected_revision=payload.revision,
    )
    return _out(application, full=True)
