"""Reads of the case flow: scoped case lookup, department queues, the public progress view
(no personal data) and the supervision board."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from onewindow.cases.models import Case, CaseTask, MaterialStatus, Outcome, query_code_index
from onewindow.cases.services.supplement import PAPERS_MAY_ARRIVE
from onewindow.cases.transitions import CLOCK_RUNNING_STATES, CaseState, TaskState
from onewindow.catalog.codes import MaterialNecessity
from onewindow.core.errors import NotFoundOrForbidden
from onewindow.org.permissions import Action, require, scope_queryset
from onewindow.workcal.calendar import calendar_current
from onewindow.workflow import clock


def case_get_for_user(*, number: str, user: Any) -> Case:
    """The case if ``user`` may see it; "not found" otherwise, and the refusal is audited."""
    case = (
        Case.objects.select_related("centre__region", "item", "department")
        .filter(number=number)
        .first()
    )
    if case is None:
        raise NotFoundOrForbidden()
    require(user, Action.CASE_VIEW, case, hide=True)
    return case


def task_queue_for_user(user: Any) -> QuerySet[CaseTask]:
    """Open and claimed tasks the user may work — of their departments and for a role they
    hold there (an approver does not see the lead's decision step) — most urgent first."""
    from onewindow.org.models import RoleAssignment

    tasks = CaseTask.objects.filter(state__in=[TaskState.OPEN, TaskState.CLAIMED])
    pairs = Q(pk__in=[])
    if getattr(user, "is_authenticated", False):
        for role, department_id in RoleAssignment.objects.filter(
            user=user, department__isnull=False
        ).values_list("role", "department_id"):
            pairs |= Q(role=role, department_id=department_id)
    return (
        scope_queryset(user, Action.CASE_WORK, tasks, department_path="department_id")
        .filter(pairs)
        .select_related("case__item", "department", "assignee")
        .order_by("due_at", "case__number")
    )


@dataclass(frozen=True)
class ProgressStep:
    at: dt.datetime
    action: str
    department: str
    note: str


@dataclass(frozen=True)
class OutstandingPaper:
    """A paper the applicant still has to bring: ``kind`` is ``"supplement"`` (补正: asked for
    at the window, missing or to be corrected) or ``"deferred"`` (容缺: promised at acceptance).
    ``due`` is the 补正 deadline or the date promised for the 容缺 paper."""

    name: str
    kind: str
    due: dt.date | None


@dataclass(frozen=True)
class PublicProgress:
    number: str
    item_name: str
    state: str
    state_label: str
    submitted_at: dt.datetime
    due_at: dt.datetime | None
    steps: list[ProgressStep]
    next_for_applicant: str
    # Papers still to bring, in checklist order (none once papers can no longer arrive).
    papers_to_bring: list[OutstandingPaper]
    # "approved", "rejected" (decided: not approved), "not_accepted" (不予受理 at the window),
    # or "" while there is no outcome (also for a withdrawn case).
    outcome: str
    # The written reasons of a refusal at the window (printed on the 不予受理 notice the
    # applicant holds); "" otherwise: a department's opinion stays inside the administration.
    outcome_reason: str


def case_public_progress(*, number: str, query_code: str) -> PublicProgress:
    """What anyone holding the receipt may see: steps, times, departments — no personal data."""
    case = (
        Case.objects.select_related("item")
        .filter(number=number.strip(), query_code_index=query_code_index(query_code))
        .first()
    )
    if case is None:
        raise NotFoundOrForbidden()
    events = list(case.events.filter(public=True).select_related("department").order_by("at", "id"))
    steps = [
        ProgressStep(
            at=e.at, action=e.action, department=e.department.name if e.department else "", note=""
        )
        for e in events
    ]
    outcome, reason = _public_outcome(case, events)
    return PublicProgress(
        number=case.number,
        item_name=case.item_version.snapshot["name"],
        state=case.state,
        state_label=str(case.get_state_display()),
        submitted_at=case.submitted_at,
        due_at=case.due_at,
        steps=steps,
        next_for_applicant=_next_for_applicant(case),
        papers_to_bring=_papers_to_bring(case),
        outcome=outcome,
        outcome_reason=reason,
    )


def _papers_to_bring(case: Case) -> list[OutstandingPaper]:
    """补正 papers asked for and not yet received (optional ones are not asked for) and 容缺
    papers promised and not yet arrived — only while the window can still record them
    (``case_papers_may_arrive``'s states)."""
    if case.state not in PAPERS_MAY_ARRIVE:
        return []
    papers = []
    for material in case.materials.exclude(status=MaterialStatus.RECEIVED).order_by("order", "id"):
        if material.status == MaterialStatus.DEFERRED:
            papers.append(OutstandingPaper(material.name, "deferred", material.due_date))
        elif material.necessity != MaterialNecessity.OPTIONAL:
            papers.append(OutstandingPaper(material.name, "supplement", case.supplement_deadline))
    return papers


def _public_outcome(case: Case, events: list[Any]) -> tuple[str, str]:
    if case.state == CaseState.REFUSED:
        refusal = next((e for e in reversed(events) if e.action == "refuse"), None)
        return "not_accepted", refusal.reason.strip() if refusal else ""
    if case.state in (CaseState.DECIDED, CaseState.DELIVERED) and case.outcome:
        return ("rejected" if case.outcome == Outcome.REJECTED else "approved"), ""
    return "", ""


def _next_for_applicant(case: Case) -> str:
    from django.utils.translation import gettext as _

    if case.state == CaseState.SUPPLEMENT_REQUESTED:
        return _("Bring the papers listed on your notice by %(date)s.") % {
            "date": case.supplement_deadline
        }
    if case.state == CaseState.SUSPENDED:
        return _("The department has asked for something; see your notice.")
    if case.state == CaseState.DECIDED:
        return _("Your result is ready: collect it at %(centre)s.") % {
            "centre": case.output_centre.name
        }
    if case.state in (CaseState.ACCEPTED,):
        return _("Nothing to do now; we will tell you at each step.")
    return ""


@dataclass(frozen=True)
class BoardRow:
    case: Case
    light: clock.Light


LIGHT_ORDER = {
    clock.Light.RED: 0,
    clock.Light.YELLOW: 1,
    clock.Light.PAUSED: 2,
    clock.Light.GREEN: 3,
    clock.Light.STOPPED: 4,
}


def supervision_board(*, user: Any, now: dt.datetime | None = None) -> list[BoardRow]:
    """Open cases the user supervises, the ones at risk first (red, yellow, paused, green)."""
    now = now or timezone.now()
    cases = scope_queryset(
        user,
        Action.CASE_SUPERVISE,
        Case.objects.filter(state__in=[CaseState.ACCEPTED, CaseState.SUSPENDED]),
        department_path="department_id",
        centre_path="centre_id",
        region_code_path="centre__region__code",
    ).select_related("item", "department", "centre")
    calendar = calendar_current()
    rows = [
        BoardRow(
            case,
            clock.light(
                due=case.due_at,
                now=now,
                paused=case.state == CaseState.SUSPENDED,
                running=case.state in CLOCK_RUNNING_STATES or case.state == CaseState.SUSPENDED,
                calendar=calendar,
            ),
        )
        for case in cases
    ]
    return sorted(
        rows, key=lambda row: (LIGHT_ORDER[row.light], row.case.due_at or now, row.case.number)
    )
