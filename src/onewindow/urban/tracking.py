"""What a citizen sees of their report: following it by number and query code — or the phone
they gave — (the same answer for a wrong number, a wrong code and a wrong phone; the guessing
limit of the case progress look-up, ``cases.progress``, under the grid's own prefix), and only
the public events (``CASE_EVENTS`` public labels): nothing of the centres' and units' work."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.cases import progress
from onewindow.core import crypto
from onewindow.core.errors import ApplicationError, NotFoundOrForbidden
from onewindow.core.identifiers import normalise_phone
from onewindow.core.validation import reject_control_characters
from onewindow.urban.events import CASE_EVENTS
from onewindow.urban.models import PHONE_INDEX_CONTEXT, GridCase, query_code_index
from onewindow.urban.transitions import CaseState

NUMBER_MAX_LENGTH = 24
SECRET_MAX_LENGTH = 32
NOT_FOUND_MESSAGE = _(
    "No report matches this number and query code (or phone). Check both in the message you "
    "received."
)
TOO_MANY_MESSAGE = _(
    "Too many wrong tries for report %(number)s from your network, so it cannot be followed "
    "from here until %(time)s. If you cannot wait, call the 12345 hotline."
)


class TooManyTrackings(ApplicationError):
    def __init__(self, *, number: str, retry_at: dt.datetime) -> None:
        super().__init__(
            message=TOO_MANY_MESSAGE,
            code="too_many_lookups",
            status=429,
            params={"number": number, "time": timezone.localtime(retry_at).strftime("%H:%M")},
        )


@dataclass(frozen=True)
class PublicStep:
    at: dt.datetime
    label: str


@dataclass(frozen=True)
class PublicReport:
    number: str
    category: str
    place: str
    state_label: str
    reported_at: dt.datetime
    steps: list[PublicStep]


def public_report(case: GridCase) -> PublicReport:
    events = case.events.filter(public=True).order_by("at", "id")
    steps = [
        PublicStep(at=e.at, label=str(CASE_EVENTS.public_label(e.action)))
        for e in events
        if e.action in CASE_EVENTS and CASE_EVENTS[e.action].public_label is not None
    ]
    return PublicReport(
        number=case.number,
        category=case.category.name,
        place=case.place,
        state_label=str(CaseState(case.state).label),
        reported_at=case.reported_at,
        steps=steps,
    )


def report_track(
    *, number: str, secret: str, address: str, now: dt.datetime | None = None
) -> PublicReport:
    """The report by its number and its query code or the reporter's phone; ``NotFoundOrForbidden``
    (the same for each wrong answer), or ``TooManyTrackings`` under the guessing limit."""
    now = now or timezone.now()
    reject_control_characters(number=number, code=secret)
    number = number.strip().upper()[:NUMBER_MAX_LENGTH]
    secret = secret.strip()[:SECRET_MAX_LENGTH]
    keys = progress._Keys.of(address or "unknown", f"urban:{number}")
    counters = progress.lookup_counters()
    counts = counters.counts(keys.all(), now)
    if progress.lookup_refused(counts, keys):
        ends = counters.window_ends(keys.all(), now)
        raise TooManyTrackings(
            number=number, retry_at=progress.lookup_retry_at(counts, ends, keys, now)
        )
    case = None
    if number and secret:
        phone = normalise_phone(secret)
        rows = GridCase.objects.select_related("category").filter(number=number)
        if phone:
            case = rows.filter(
                reporter_phone_index=crypto.blind_index(phone, context=PHONE_INDEX_CONTEXT)
            ).first()
        else:
            case = (
                rows.filter(query_code_index=query_code_index(secret))
                .exclude(query_code_index="")
                .first()
            )
    if case is None:
        counters.add_failure(keys.all(), now)
        raise NotFoundOrForbidden(NOT_FOUND_MESSAGE)
    return public_report(case)
