"""The public progress look-up ("progress like a parcel"), shared by the page and the JSON API:
anyone holding a receipt gives the case number and the query code and gets where the case is —
steps, times, departments, what to do next — and nothing about the applicant.

A wrong number and a wrong code get the same answer, so a look-up never tells whether a number
exists. Failed look-ups are counted per client address in the cache; past
``PROGRESS_MAX_FAILURES`` an hour the address is refused (even with a right pair) until the
window ends, which makes guessing a 6-character code hopeless.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from onewindow.cases.events import CASE_EVENTS
from onewindow.cases.selectors import PublicProgress, case_public_progress
from onewindow.cases.transitions import TERMINAL_STATES
from onewindow.core.errors import ApplicationError, NotFoundOrForbidden

PROGRESS_MAX_FAILURES = 20
PROGRESS_FAILURE_WINDOW_SECONDS = 60 * 60
NUMBER_MAX_LENGTH = 40
CODE_MAX_LENGTH = 8


NOT_FOUND_MESSAGE = _(
    "No case matches this case number and query code. Check both on your receipt."
)
TOO_MANY_MESSAGE = _("Too many wrong attempts from your network. Please try again in an hour.")


class TooManyLookups(ApplicationError):
    def __init__(self) -> None:
        super().__init__(message=TOO_MANY_MESSAGE, code="too_many_lookups", status=429)


@dataclass(frozen=True)
class PublicStep:
    at: dt.datetime
    label: str
    department: str


@dataclass(frozen=True)
class ProgressView:
    """What the page and the API show: the selector's progress with plain-word labels."""

    number: str
    item_name: str
    state: str
    state_label: str
    submitted_at: dt.datetime
    due_at: dt.datetime | None
    steps: list[PublicStep]
    next_for_applicant: str
    finished: bool


def step_label(action: str) -> str:
    """What a public step means, in plain words (``CASE_EVENTS``, the one vocabulary)."""
    return CASE_EVENTS.public_label(action)


def client_address(request: HttpRequest) -> str:
    # Behind a reverse proxy, configure it to set REMOTE_ADDR (e.g. a trusted-proxy middleware);
    # a client-supplied X-Forwarded-For is never trusted here.
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _failure_key(address: str) -> str:
    return f"cases.progress.failures:{address}"


def _failures(address: str) -> int:
    return int(cache.get(_failure_key(address), 0))


def _count_failure(address: str) -> None:
    key = _failure_key(address)
    # The window starts at the first failure; ``add`` does nothing if the key exists.
    cache.add(key, 0, timeout=PROGRESS_FAILURE_WINDOW_SECONDS)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=PROGRESS_FAILURE_WINDOW_SECONDS)


def _view(progress: PublicProgress) -> ProgressView:
    return ProgressView(
        number=progress.number,
        item_name=progress.item_name,
        state=progress.state,
        state_label=progress.state_label,
        submitted_at=progress.submitted_at,
        due_at=progress.due_at,
        steps=[
            PublicStep(at=s.at, label=step_label(s.action), department=s.department)
            for s in progress.steps
        ],
        next_for_applicant=progress.next_for_applicant,
        finished=progress.state in TERMINAL_STATES,
    )


def progress_lookup(*, number: str, code: str, address: str) -> ProgressView:
    """The case's public progress, or ``NotFoundOrForbidden`` (same for a wrong number and a
    wrong code), or ``TooManyLookups`` once ``address`` has failed too often this hour."""
    if _failures(address) >= PROGRESS_MAX_FAILURES:
        raise TooManyLookups()
    number = number.strip()[:NUMBER_MAX_LENGTH]
    code = code.strip()[:CODE_MAX_LENGTH]
    if not number or not code:
        _count_failure(address)
        raise NotFoundOrForbidden(NOT_FOUND_MESSAGE)
    try:
        progress = case_public_progress(number=number, query_code=code)
    except NotFoundOrForbidden:
        _count_failure(address)
        raise NotFoundOrForbidden(NOT_FOUND_MESSAGE) from None
    return _view(progress)
