"""Reads of the rating side: when a case counts as completed (its online rating period starts),
whether it can still be rated, which visit a rating pad shows. No read here names the rater."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone

from onewindow.cases.models import Case, CaseEvent
from onewindow.cases.transitions import CaseState
from onewindow.catalog.codes import CaseType
from onewindow.core.errors import NotFoundOrForbidden
from onewindow.ratings.codes import Occasion
from onewindow.ratings.models import Rating

# The moves a citizen makes in person at an intake window, each one visit (one rating per
# visit): the window is the case's intake window. The hand-over (``deliver``) happens at an
# output window the event does not record, so a pad cannot tell which window it was: the
# hand-over is rated online (the SMS of ``deliver``).
VISIT_ACTIONS = frozenset({"accept", "complete_instant", "request_supplement", "refuse"})


def rating_period() -> dt.timedelta:
    return dt.timedelta(days=int(settings.RATING_PERIOD_DAYS))


def is_instant(case: Case) -> bool:
    return bool(case.item_version.snapshot.get("case_type") == CaseType.INSTANT)


def case_completed_at(case: Case) -> dt.datetime | None:
    """When the case was completed, for its online rating (one per case): handed over
    (``delivered_at``), or — an instant item — finished on the spot (``decided_at``). ``None``
    while it is not completed (a refused or withdrawn case is not rated online)."""
    if case.state == CaseState.DELIVERED and case.delivered_at is not None:
        if is_instant(case) and case.decided_at is not None:
            return case.decided_at
        return case.delivered_at
    if case.state == CaseState.DECIDED and is_instant(case) and case.decided_at is not None:
        return case.decided_at
    return None


def case_occasion_key(case_id: int) -> str:
    return f"{Occasion.CASE}:{case_id}"


def visit_occasion_key(case_id: int, event_id: int) -> str:
    return f"{Occasion.VISIT}:{case_id}:{event_id}"


def occasion_rated(key: str) -> bool:
    return Rating.objects.filter(occasion_key=key).exists()


def case_period_open(case: Case, *, now: dt.datetime | None = None) -> bool:
    """Completed and within the online rating period (no query beyond the case's version)."""
    now = now or timezone.now()
    completed = case_completed_at(case)
    return completed is not None and now <= completed + rating_period()


def case_rateable_online(case: Case, *, now: dt.datetime | None = None) -> bool:
    """Completed, within the rating period, not rated (nor defaulted) yet."""
    return case_period_open(case, now=now) and not occasion_rated(case_occasion_key(case.pk))


def visit_event(*, case: Case, event_id: int) -> CaseEvent | None:
    """The case's event a visit rating is about, if it is a visit (a window move by a clerk)."""
    return (
        CaseEvent.objects.select_related("actor")
        .filter(case=case, pk=event_id, action__in=VISIT_ACTIONS)
        .first()
    )


def pad_minutes() -> int:
    return int(getattr(settings, "RATING_PAD_MINUTES", 10))


@dataclass(frozen=True)
class PadVisit:
    """What a rating pad shows of the visit it asks about: no personal data."""

    case: Case
    event: CaseEvent
    item_name: str
    number_masked: str
    window_number: str
    step_label: str


def mask_case_number(number: str) -> str:
    """The case number with its middle hidden (the pad stands in a public hall)."""
    if len(number) <= 8:
        return "*" * len(number)
    return f"{number[:4]}{'*' * (len(number) - 8)}{number[-4:]}"


def pad_visit(*, window: Any, now: dt.datetime | None = None) -> PadVisit | None:
    """The visit a pad at ``window`` asks to rate: the newest window move at that window in the
    last ``RATING_PAD_MINUTES`` minutes, if it is not rated yet (an older one is never shown:
    its citizen has left the counter). Two queries."""
    from onewindow.cases.events import CASE_EVENTS

    now = now or timezone.now()
    event = (
        CaseEvent.objects.select_related("case__item_version")
        .filter(
            case__window=window,
            action__in=VISIT_ACTIONS,
            actor__isnull=False,
            at__gte=now - dt.timedelta(minutes=pad_minutes()),
            at__lte=now,
        )
        .order_by("-at", "-id")
        .first()
    )
    if event is None or occasion_rated(visit_occasion_key(event.case_id, event.pk)):
        return None
    case = event.case
    return PadVisit(
        case=case,
        event=event,
        item_name=str(case.item_version.snapshot.get("name", "")),
        number_masked=mask_case_number(case.number),
        window_number=window.number,
        step_label=str(CASE_EVENTS.public_label(event.action)),
    )


def pad_event(
    *, window: Any, event_id: int | None, now: dt.datetime | None = None
) -> CaseEvent | None:
    """The visit a pad at ``window`` may be rating: a window move at that window (never another
    window's) within twice ``RATING_PAD_MINUTES`` (time to fill the form in), not rated yet."""
    if event_id is None:
        return None
    now = now or timezone.now()
    event = (
        CaseEvent.objects.select_related(
            "case__item_version", "case__centre__region", "case__department"
        )
        .filter(
            pk=event_id,
            case__window=window,
            action__in=VISIT_ACTIONS,
            actor__isnull=False,
            at__gte=now - dt.timedelta(minutes=2 * pad_minutes()),
            at__lte=now,
        )
        .first()
    )
    if event is None or occasion_rated(visit_occasion_key(event.case_id, event.pk)):
        return None
    return event


def account_case(*, account: Any, number: str, company_id: int | None = None) -> Case:
    """A case the signed-in account may rate: its bound person's own, or — with
    ``company_id`` — a case of a company it may see the cases of (the representative, or an
    agent whose live grant covers the item), as citizens' "my cases" decides. Anything else,
    missing or somebody else's: ``NotFoundOrForbidden``, audited."""
    from onewindow.cases.selectors import case_of_applicant
    from onewindow.citizens.models import AgentAction
    from onewindow.citizens.services import company_act_check, refusal_audit

    number = str(number)[:40]
    case = None
    if company_id is not None:
        role = company_act_check(
            account=account, company_id=company_id, action=AgentAction.VIEW_CASES
        )
        case = case_of_applicant(number=number, organisation=role.company.organisation)
        if case is not None and not role.allows(
            AgentAction.VIEW_CASES, case.item.implementation_code
        ):
            case = None
    elif account.person is not None:
        case = case_of_applicant(number=number, person=account.person)
    if case is None:
        refusal_audit(
            action="denied:ratings.account_rate",
            account=account,
            detail={"number": number, "company": company_id},
        )
        raise NotFoundOrForbidden()
    return Case.objects.select_related("item_version", "centre__region", "department", "item").get(
        pk=case.pk
    )
