"""Public progress API: ``GET /api/progress?number=&code=`` — the progress page as JSON.

Same rule as the page (``progress.progress_lookup``): no personal data, one "not found"
answer for a wrong number and a wrong code, and a limit on failed look-ups per client address.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema

from onewindow.cases.progress import client_address, progress_lookup

router = Router(tags=["progress"])


class ErrorOut(Schema):
    code: str
    message: str
    message_en: str
    errors: list[dict[str, object]]


class ProgressStepOut(Schema):
    at: dt.datetime
    label: str
    department: str


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


@router.get(
    "",
    response={200: ProgressOut, 404: ErrorOut, 429: ErrorOut},
    summary="Progress of a case, by case number and query code",
)
def progress(request: HttpRequest, response: HttpResponse, number: str = "", code: str = ""):
    """Steps with time and department, state, promised completion and what the applicant must
    do now. A wrong number or code answers 404 ``not_found``; too many failures from one
    address answer 429 ``too_many_lookups``."""
    response["Cache-Control"] = "no-store"
    return progress_lookup(number=number, code=code, address=client_address(request))
