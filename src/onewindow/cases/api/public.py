"""Public progress API: ``POST /api/progress`` with ``{number, code}`` — the progress page as
JSON.

Same rule as the page (``progress.progress_lookup``): no personal data, one "not found"
answer for a wrong number and a wrong code, and the guessing limit of ``cases.progress``. The
query code is a secret of the applicant's: it travels in the body, never in an address (which
browser histories, proxies and server logs keep). ``GET /api/progress`` — the old form, with
the code in the query string — answers 400 ``progress_by_post``, pointing to the POST, and looks
nothing up.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema

from onewindow.cases.progress import client_address, progress_lookup
from onewindow.core.errors import ApplicationError
from onewindow.core.openapi import ErrorOut
from onewindow.core.validation import Text

router = Router(tags=["progress"])

# The look-up cuts what it reads to a case number's and a code's length, as the page does.
LookupText = Annotated[Text, Field(max_length=200)]


class ProgressStepOut(Schema):
    at: dt.datetime
    label: str
    department: str


class PaperToBringOut(Schema):
    name: str
    kind: Literal["supplement", "deferred"] = Field(
        description="supplement: asked for at the window (补正), missing or to be corrected; "
        "deferred: promised at acceptance (容缺) and not arrived yet"
    )
    kind_label: str
    due_date: dt.date | None = Field(
        description="The 补正 deadline, or the date promised for the 容缺 paper"
    )


class ProgressOut(Schema):
    number: str
    item_name: str
    state: str
    state_label: str
    submitted_at: dt.datetime
    due_at: dt.datetime | None
    finished: bool
    next_for_applicant: str
    steps: list[ProgressStepOut]
    papers_to_bring: list[PaperToBringOut] = Field(
        description="Papers the applicant still has to bring, in checklist order"
    )
    outcome: Literal["approved", "rejected", "not_accepted"] | None = Field(
        description="approved / rejected (decided, not approved) / not_accepted (不予受理 at "
        "the window); null while there is no outcome"
    )
    outcome_label: str
    outcome_explanation: str
    outcome_reason: str = Field(
        description="The written reasons of a refusal at the window; empty otherwise"
    )


class ProgressLookupIn(Schema):
    number: LookupText = Field("", description="The case number on the receipt")
    code: LookupText = Field("", description="The query code on the receipt")


@router.post(
    "",
    response={200: ProgressOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Progress of a case, by case number and query code (in the body)",
)
def progress_lookup_by_code(
    request: HttpRequest, response: HttpResponse, payload: ProgressLookupIn
):
    """Steps with time and department, state, promised completion, what the applicant must
    do now, the papers still to bring and the outcome. A wrong number or code answers 404
    ``not_found``; past the guessing limit (``cases.progress``) the answer is 429
    ``too_many_lookups``."""
    response["Cache-Control"] = "no-store"
    return progress_lookup(
        number=payload.number, code=payload.code, address=client_address(request)
    )


BY_POST = _(
    "Send the case number and query code as JSON in the body of a POST to /api/progress: a "
    "query code in an address is kept by browser histories and server logs."
)


@router.get(
    "",
    response={400: ErrorOut},
    summary="Refused: the query code is sent by POST, never in the address",
)
def progress(request: HttpRequest, response: HttpResponse):
    """The old form of the look-up, ``GET /api/progress?number=&code=``, answers 400
    ``progress_by_post`` whatever its query, looks nothing up and counts nothing."""
    raise ApplicationError(BY_POST, code="progress_by_post", status=400)
