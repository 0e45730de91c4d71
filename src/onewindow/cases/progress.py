"""The public progress look-up ("progress like a parcel"), shared by the page and the JSON API:
anyone holding a receipt gives the case number and the query code and gets where the case is —
steps, times, departments, what to do next, the papers still to bring, the outcome — and nothing
about the applicant. ``progress_short_url`` is the short link every case SMS carries: it opens
the page with the number filled in, never the code.

A wrong number and a wrong code get the same answer, so a look-up never tells whether a number
exists.

The guessing limit (one rule for the page and the API)
------------------------------------------------------
Every failed look-up (unknown number, wrong code, an empty field) from client address A for case
number N counts once on each of three counters:

- (A, N) — this address on this number;
- A — this address on any number;
- N — this number from every address together.

A look-up is refused with 429 ``too_many_lookups``, *before* the code is checked (so a refused
guess learns nothing, even when it is right), when in the current window:

1. (A, N) has ``PAIR_MAX_FAILURES`` (5) failures, or
2. A has ``ADDRESS_MAX_FAILURES`` (100) failures — loose, because a service hall's Wi-Fi or a
   mobile network puts many citizens behind one address, or
3. N has ``NUMBER_MAX_FAILURES`` (20) failures from all addresses together *and* A has failed on
   N at least once: a number under distributed guessing gives each address one wrong try.

The refusal names the case number, the time it may be tried again (``TooManyLookups.retry_at``:
the end of the refusing rule's window) and the way round it (the ID card at any window, the
hotline).

So one address cannot lock a hall out by guessing one number (only that address and number are
refused), and the right pair still works from an address that has not failed on that number,
however many wrong guesses other addresses made. A refused look-up and a successful one count
nothing and reset nothing. Each counter's window is ``PROGRESS_FAILURE_WINDOW_SECONDS`` (one
hour) from its first failure; then it starts again from zero. An IPv6 address counts by its /64
network (one subscriber's allocation).

The counters live where every worker process sees them: in the database (``LookupCounter``,
incremented by one ``UPDATE``, ended windows deleted) — the embedded default — or, when the
settings define a cache alias ``"limits"`` (they do when ``CACHE_REDIS_URL`` is set), in that
cache (Redis ``INCR``). Keys are keyed hashes: no address or case number is stored in clear.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core.cache import caches
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from onewindow.cases.events import CASE_EVENTS
from onewindow.cases.models import Case, LookupCounter
from onewindow.cases.selectors import PublicProgress, case_public_progress
from onewindow.cases.transitions import TERMINAL_STATES
from onewindow.catalog.names import local_text
from onewindow.core.client import client_address as core_client_address
from onewindow.core.client import counted_address
from onewindow.core.errors import ApplicationError, NotFoundOrForbidden
from onewindow.core.validation import reject_control_characters

PAIR_MAX_FAILURES = 5
ADDRESS_MAX_FAILURES = 100
NUMBER_MAX_FAILURES = 20
PROGRESS_FAILURE_WINDOW_SECONDS = 60 * 60
LIMITS_CACHE_ALIAS = "limits"
NUMBER_MAX_LENGTH = 40
CODE_MAX_LENGTH = 8


NOT_FOUND_MESSAGE = _(
    "No case matches this case number and query code. Check both on your receipt."
)
TOO_MANY_MESSAGE = _(
    "Too many wrong query codes were tried for case number %(number)s from your network, so "
    "this case number cannot be looked up from here until %(time)s. Other case numbers, and "
    "other networks, are not affected. If you cannot wait, bring your ID card to any window of "
    "the service centre, or call the 12345 hotline."
)

OUTCOME_LABELS = {
    "approved": pgettext_lazy("public outcome", "Approved"),
    "rejected": pgettext_lazy("public outcome", "Not approved"),
    "not_accepted": pgettext_lazy("public outcome", "Not accepted at the window"),
}
OUTCOME_EXPLANATIONS = {
    "approved": _("Your application was approved."),
    "rejected": _(
        "Your application was not approved. The reasons are in the written decision you "
        "receive with the result."
    ),
    "not_accepted": _("Your application was not accepted."),
}
PAPER_KIND_LABELS = {
    "supplement": _("Missing or to be corrected (补正)"),
    "deferred": _("Promised at acceptance (容缺)"),
}


TOO_MANY_FROM_ADDRESS_MESSAGE = _(
    "Too many wrong case numbers or query codes were tried from your network, so no case can "
    "be looked up from here until %(time)s (case number %(number)s included). If you cannot "
    "wait, bring your ID card to any window of the service centre, or call the 12345 hotline."
)


class TooManyLookups(ApplicationError):
    """The guessing limit refuses this address on this number until ``retry_at``;
    ``every_number`` when the address itself reached its limit (rule 2)."""

    def __init__(self, *, number: str, retry_at: dt.datetime, every_number: bool = False) -> None:
        self.retry_at = retry_at
        super().__init__(
            message=TOO_MANY_FROM_ADDRESS_MESSAGE if every_number else TOO_MANY_MESSAGE,
            code="too_many_lookups",
            status=429,
            params={
                "number": number,
                "time": timezone.localtime(retry_at).strftime("%H:%M"),
            },
        )


@dataclass(frozen=True)
class PublicStep:
    at: dt.datetime
    label: str
    department: str


@dataclass(frozen=True)
class PaperToBring:
    name: str
    kind: str
    kind_label: str
    due_date: dt.date | None


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
    papers_to_bring: list[PaperToBring]
    outcome: str | None
    outcome_label: str
    outcome_explanation: str
    outcome_reason: str


def step_label(action: str) -> str:
    """What a public step means, in plain words (``CASE_EVENTS``, the one vocabulary)."""
    return CASE_EVENTS.public_label(action)


def client_address(request: HttpRequest) -> str:
    """The client's address as every limit and audit row reads it (``core.client``: behind the
    proxies listed in ``TRUSTED_PROXIES`` the client they saw, never a client's own header)."""
    return core_client_address(request) or "unknown"


def progress_short_url(*, number: str) -> str:
    """The short absolute link of a case's progress page, ``{PUBLIC_BASE_URL}/p/<number>``
    (with the language prefix of the active language), for SMS: it opens the page with the
    number filled in; the applicant types the query code from the receipt."""
    base = settings.PUBLIC_BASE_URL.rstrip("/")
    path = reverse("cases_public:short_link", kwargs={"number": number})
    return f"{base}{path}"


# --- the guessing limit --------------------------------------------------------------------


def _hashed(*parts: str) -> str:
    value = "\x00".join(parts)
    return salted_hmac("onewindow.cases.progress.limit", value, algorithm="sha256").hexdigest()


@dataclass(frozen=True)
class _Keys:
    pair: str
    address: str
    number: str

    @classmethod
    def of(cls, address: str, number: str) -> _Keys:
        where = counted_address(address)
        return cls(
            pair=_hashed("pair", where, number),
            address=_hashed("address", where),
            number=_hashed("number", number),
        )

    def all(self) -> list[str]:
        return [self.pair, self.address, self.number]


class _Counters(Protocol):
    def counts(self, keys: list[str], now: dt.datetime) -> dict[str, int]: ...

    def add_failure(self, keys: list[str], now: dt.datetime) -> None: ...

    def window_ends(self, keys: list[str], now: dt.datetime) -> dict[str, dt.datetime]: ...


class DatabaseCounters:
    """``LookupCounter`` rows: shared by every process that uses the database.

    Each counter moves by one ``UPDATE`` (no lost counts between processes); the keys of one
    failure are taken in one fixed order, so two failures never wait for each other in a
    circle; ended windows are removed afterwards, skipping rows another process holds."""

    PURGE_BATCH = 1000

    def counts(self, keys: list[str], now: dt.datetime) -> dict[str, int]:
        rows = LookupCounter.objects.filter(key__in=keys, window_ends_at__gt=now)
        return dict(rows.values_list("key", "count"))

    def window_ends(self, keys: list[str], now: dt.datetime) -> dict[str, dt.datetime]:
        rows = LookupCounter.objects.filter(key__in=keys, window_ends_at__gt=now)
        return dict(rows.values_list("key", "window_ends_at"))

    def add_failure(self, keys: list[str], now: dt.datetime) -> None:
        ends = now + dt.timedelta(seconds=PROGRESS_FAILURE_WINDOW_SECONDS)
        with transaction.atomic():
            for key in sorted(keys):
                self._increment(key, now, ends)
        self._purge(now)

    @staticmethod
    def _increment(key: str, now: dt.datetime, ends: dt.datetime) -> None:
        rows = LookupCounter.objects.filter(key=key)
        for _attempt in range(3):
            if rows.filter(window_ends_at__gt=now).update(count=F("count") + 1):
                return
            # The window ended: this failure starts the next one.
            if rows.filter(window_ends_at__lte=now).update(count=1, window_ends_at=ends):
                return
            try:
                with transaction.atomic():
                    LookupCounter.objects.create(key=key, window_ends_at=ends, count=1)
                return
            except IntegrityError:
                continue  # another process started this window first: count on it
        raise RuntimeError("a progress look-up counter could not be incremented")

    def _purge(self, now: dt.datetime) -> None:
        with transaction.atomic():
            ended = (
                LookupCounter.objects.filter(window_ends_at__lte=now)
                .select_for_update(skip_locked=True)
                .values_list("pk", flat=True)[: self.PURGE_BATCH]
            )
            LookupCounter.objects.filter(pk__in=list(ended)).delete()


class CacheCounters:
    """A shared cache (Redis): ``add`` starts the window, ``incr`` is atomic."""

    def __init__(self, alias: str) -> None:
        self.cache = caches[alias]

    def counts(self, keys: list[str], now: dt.datetime) -> dict[str, int]:
        return {key: int(value) for key, value in self.cache.get_many(keys).items()}

    def window_ends(self, keys: list[str], now: dt.datetime) -> dict[str, dt.datetime]:
        ends = self.cache.get_many([f"{key}:ends" for key in keys])
        return {
            key: dt.datetime.fromtimestamp(ends[f"{key}:ends"], tz=dt.UTC)
            for key in keys
            if isinstance(ends.get(f"{key}:ends"), int | float)
        }

    def add_failure(self, keys: list[str], now: dt.datetime) -> None:
        ends = (now + dt.timedelta(seconds=PROGRESS_FAILURE_WINDOW_SECONDS)).timestamp()
        for key in keys:
            # When the window started (kept beside the count, for the refusal's retry time).
            self.cache.add(f"{key}:ends", ends, timeout=PROGRESS_FAILURE_WINDOW_SECONDS)
            self.cache.add(key, 0, timeout=PROGRESS_FAILURE_WINDOW_SECONDS)
            try:
                self.cache.incr(key)
            except ValueError:  # the window ended between add and incr
                self.cache.set(key, 1, timeout=PROGRESS_FAILURE_WINDOW_SECONDS)


def lookup_counters() -> _Counters:
    """The shared store of the failure counters: the ``"limits"`` cache when configured,
    the database otherwise."""
    if LIMITS_CACHE_ALIAS in settings.CACHES:
        return CacheCounters(LIMITS_CACHE_ALIAS)
    return DatabaseCounters()


def lookup_refused(counts: dict[str, int], keys: _Keys) -> bool:
    """The rule of the module docstring, on the current windows' counts."""
    pair = counts.get(keys.pair, 0)
    return (
        pair >= PAIR_MAX_FAILURES
        or counts.get(keys.address, 0) >= ADDRESS_MAX_FAILURES
        or (counts.get(keys.number, 0) >= NUMBER_MAX_FAILURES and pair >= 1)
    )


def lookup_retry_at(
    counts: dict[str, int], ends: dict[str, dt.datetime], keys: _Keys, now: dt.datetime
) -> dt.datetime:
    """When a refused look-up (``lookup_refused``) is allowed again: when every rule that
    refuses it has ended. A window whose end is unknown counts as one starting now."""
    default = now + dt.timedelta(seconds=PROGRESS_FAILURE_WINDOW_SECONDS)
    pair_ends = ends.get(keys.pair, default)
    refusing = []
    if counts.get(keys.pair, 0) >= PAIR_MAX_FAILURES:
        refusing.append(pair_ends)
    if counts.get(keys.address, 0) >= ADDRESS_MAX_FAILURES:
        refusing.append(ends.get(keys.address, default))
    if counts.get(keys.number, 0) >= NUMBER_MAX_FAILURES and counts.get(keys.pair, 0) >= 1:
        # Either window ending lifts this rule.
        refusing.append(min(ends.get(keys.number, default), pair_ends))
    return max(refusing, default=default)


# --- the look-up ---------------------------------------------------------------------------


def _view(progress: PublicProgress) -> ProgressView:
    outcome = progress.outcome or None
    return ProgressView(
        number=progress.number,
        item_name=local_text(progress.item_name, progress.item_name_en),
        state=progress.state,
        state_label=progress.state_label,
        submitted_at=progress.submitted_at,
        due_at=progress.due_at,
        steps=[
            PublicStep(
                at=s.at,
                label=step_label(s.action),
                department=local_text(s.department, s.department_en),
            )
            for s in progress.steps
        ],
        next_for_applicant=progress.next_for_applicant,
        finished=progress.state in TERMINAL_STATES,
        papers_to_bring=[
            PaperToBring(
                name=p.name,
                kind=p.kind,
                kind_label=str(PAPER_KIND_LABELS[p.kind]),
                due_date=p.due,
            )
            for p in progress.papers_to_bring
        ],
        outcome=outcome,
        outcome_label=str(OUTCOME_LABELS[outcome]) if outcome else "",
        outcome_explanation=str(OUTCOME_EXPLANATIONS[outcome]) if outcome else "",
        outcome_reason=progress.outcome_reason,
    )


def progress_lookup(
    *, number: str, code: str, address: str, now: dt.datetime | None = None
) -> ProgressView:
    """The case's public progress, or ``NotFoundOrForbidden`` (same for a wrong number and a
    wrong code), or ``TooManyLookups`` under the guessing limit of the module docstring."""
    now = now or timezone.now()
    # A NUL byte cannot even be looked up (PostgreSQL refuses it): 422, before any query.
    reject_control_characters(number=number, code=code)
    number = number.strip()[:NUMBER_MAX_LENGTH]
    code = code.strip()[:CODE_MAX_LENGTH]
    keys = _Keys.of(address, number)
    counters = lookup_counters()
    counts = counters.counts(keys.all(), now)
    if lookup_refused(counts, keys):
        ends = counters.window_ends(keys.all(), now)
        raise TooManyLookups(
            number=number,
            retry_at=lookup_retry_at(counts, ends, keys, now),
            every_number=counts.get(keys.address, 0) >= ADDRESS_MAX_FAILURES,
        )
    if not number or not code:
        counters.add_failure(keys.all(), now)
        raise NotFoundOrForbidden(NOT_FOUND_MESSAGE)
    try:
        progress = case_public_progress(number=number, query_code=code)
    except NotFoundOrForbidden:
        counters.add_failure(keys.all(), now)
        raise NotFoundOrForbidden(NOT_FOUND_MESSAGE) from None
    return _view(progress)


def progress_granted(*, number: str) -> ProgressView:
    """The progress of a case whose number and code a look-up of this same browser session has
    just matched (``views/public.py``: the answer to an old receipt's address with the code in
    its query string is shown at an address without it). Counts nothing: the look-up that
    granted it was counted."""
    case = Case.objects.filter(number=number).first()
    if case is None:
        raise NotFoundOrForbidden(NOT_FOUND_MESSAGE)
    return _view(case_public_progress(number=case.number, query_code=case.query_code))


def progress_of_case(*, case: Case) -> ProgressView:
    """The progress page's view of a case whose applicant is signed in (``citizens``' "my
    cases"): the same steps, outcome and papers, without the query code. Counts nothing."""
    return _view(case_public_progress(number=case.number, query_code=case.query_code))
