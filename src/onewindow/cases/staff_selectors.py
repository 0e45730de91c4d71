"""Reads for the staff pages of the case flow: a window's desks, a person's earlier cases, the
output desk and the tasks a user may act on for one case.

Scope is decided by ``org.permissions`` (``scope_queryset`` / the core selectors); these
functions only shape the rows a page lists, each in a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet

from onewindow.cases.models import Case, CaseMaterial, CaseTask, MaterialStatus, ReceiveForm
from onewindow.cases.selectors import task_queue_for_user
from onewindow.cases.transitions import CLOCK_RUNNING_STATES, CaseState
from onewindow.org.models import Role, RoleAssignment, ServiceCentre, Window, WindowKind
from onewindow.org.permissions import Action, can, scope_queryset
from onewindow.workcal.calendar import WorkingCalendar, calendar_current
from onewindow.workflow import clock

PERSON_HISTORY_LIMIT = 30


@dataclass(frozen=True)
class IntakeDesk:
    """A centre where the user holds an intake role, with its intake windows."""

    centre: ServiceCentre
    windows: list[Window]


def intake_desks_for_user(user: Any) -> list[IntakeDesk]:
    """The centres the user may accept at (their intake role assignments), with the windows."""
    centre_ids = (
        RoleAssignment.objects.filter(user=user, role=Role.INTAKE_CLERK, centre__isnull=False)
        .values_list("centre_id", flat=True)
        .distinct()
    )
    centres = (
        ServiceCentre.objects.filter(pk__in=list(centre_ids), is_active=True)
        .select_related("region")
        .prefetch_related(
            Prefetch(
                "windows",
                queryset=Window.objects.filter(kind=WindowKind.INTAKE, is_active=True)
                .prefetch_related("delegated_departments")
                .order_by("number"),
                to_attr="intake_windows",
            )
        )
        .order_by("code")
    )
    return [
        IntakeDesk(centre=centre, windows=centre.intake_windows)  # type: ignore[attr-defined]
        for centre in centres
        if can(user, Action.CASE_ACCEPT, centre)
    ]


def person_case_history(*, person: Any, limit: int = PERSON_HISTORY_LIMIT) -> list[Case]:
    """The person's earlier cases across all departments, newest first (one query).

    Called after ``person_profile`` has audited the read of the person's data."""
    return list(
        Case.objects.filter(person=person)
        .select_related("item", "department")
        .order_by("-submitted_at", "-id")[:limit]
    )


def output_desk_for_user(user: Any) -> QuerySet[Case]:
    """Decided cases whose output centre is one where the user may hand over results, oldest
    decision first, with the papers to give back (received on paper) prefetched."""
    cases = scope_queryset(
        user,
        Action.CASE_DELIVER,
        Case.objects.filter(state=CaseState.DECIDED),
        centre_path="output_centre_id",
        region_code_path="output_centre__region__code",
    )
    return (
        cases.select_related("item", "department", "person", "output_centre")
        .prefetch_related(
            Prefetch(
                "materials",
                queryset=CaseMaterial.objects.filter(
                    status=MaterialStatus.RECEIVED, receive_form=ReceiveForm.PAPER
                ).order_by("order", "id"),
                to_attr="papers_to_return",
            )
        )
        .order_by("decided_at", "number")
    )


def case_open_tasks_for_user(*, case: Case, user: Any) -> list[CaseTask]:
    """The open or claimed tasks of ``case`` in the user's departments (what they may act on)."""
    return list(task_queue_for_user(user).filter(case=case).order_by("step_order", "id"))


def case_detail_rows(*, case: Case) -> dict[str, Any]:
    """The papers, tasks, timeline and pauses of one case, each in one query."""
    return {
        "materials": list(case.materials.order_by("order", "id")),
        "tasks": list(
            case.tasks.select_related("department", "assignee").order_by(
                "step_order", "-is_lead", "department__name", "id"
            )
        ),
        "events": list(
            case.events.select_related("actor", "department", "task").order_by("at", "id")
        ),
        "pauses": list(case.pauses.order_by("started_at")),
    }


def supervision_calendar(now: dt.datetime | None = None) -> WorkingCalendar:
    """The calendar for a page's worth of lights (the process calendar: no query)."""
    return calendar_current()


def case_light(
    *,
    case: Case,
    now: dt.datetime,
    calendar: WorkingCalendar,
    due: dt.datetime | None = None,
) -> clock.Light:
    """The e-supervision light of a case (or of one of its steps when ``due`` is given)."""
    return clock.light(
        due=due or case.due_at,
        now=now,
        paused=case.state == CaseState.SUSPENDED,
        running=case.state in CLOCK_RUNNING_STATES or case.state == CaseState.SUSPENDED,
        calendar=calendar,
    )
