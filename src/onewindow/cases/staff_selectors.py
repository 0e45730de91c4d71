"""Reads for the staff pages of the case flow: a window's desks, a person's earlier cases, the
output desk and the tasks a user may act on for one case.

Scope is decided by ``org.permissions`` (``scope_queryset`` / the core selectors); these
functions only shape the rows a page lists, each in a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.cases.models import (
    Case,
    CaseMaterial,
    CaseTask,
    ClockPause,
    MaterialStatus,
    PauseKind,
    ReceiveForm,
)
from onewindow.cases.selectors import event_place, task_queue_for_user
from onewindow.cases.transitions import CLOCK_RUNNING_STATES, CaseState
from onewindow.catalog.names import local_text
from onewindow.org.models import (
    CentreLevel,
    Role,
    RoleAssignment,
    ServiceCentre,
    Window,
    WindowKind,
)
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


# A clerk's own desk is the most senior centre they take applications at: a street centre's
# clerk also serves the street's community points, but works at the street centre.
CENTRE_LEVEL_RANK: dict[str, int] = {
    CentreLevel.DISTRICT_HALL: 0,
    CentreLevel.STREET_CENTRE: 1,
    CentreLevel.COMMUNITY_POINT: 2,
    CentreLevel.KIOSK: 3,
}


def intake_desk_default(
    *, user: Any, desks: list[IntakeDesk]
) -> tuple[ServiceCentre, Window | None] | None:
    """The centre and window the chooser offers first: the window of the clerk's latest case
    when it is still one of their desks, else the first window of their most senior centre."""
    if not desks:
        return None
    last = (
        Case.objects.filter(clerk=user)
        .order_by("-submitted_at", "-id")
        .values_list("centre_id", "window_id")
        .first()
    )
    if last is not None:
        for desk in desks:
            if desk.centre.pk != last[0]:
                continue
            window = next((w for w in desk.windows if w.pk == last[1]), None)
            if window is not None or not desk.windows:
                return desk.centre, window
    own = min(desks, key=lambda d: (CENTRE_LEVEL_RANK.get(d.centre.level, 9), d.centre.code))
    return own.centre, own.windows[0] if own.windows else None


@dataclass(frozen=True)
class HandlingPlaces:
    """Where an item may be accepted (通办范围): the centre levels and regions it names, and
    the active centres that match, most senior first (``total`` counts them all)."""

    levels: list[str]
    regions: list[str]  # names in the page's language (``local_text``)
    centres: list[ServiceCentre]
    total: int


def item_handling_places(*, item: Any, limit: int = 8) -> HandlingPlaces:
    """The places that may accept ``item``, for a window that may not (three queries)."""
    levels = [str(level) for level in (item.handled_at_levels or [])]
    regions = list(item.handled_in_regions.all())
    centres = ServiceCentre.objects.filter(is_active=True, level__in=levels)
    if regions:
        within = Q()
        for region in regions:
            within |= Q(region__code__startswith=region.prefix)
        centres = centres.filter(within)
    ranked = sorted(
        centres.select_related("region"),
        key=lambda c: (CENTRE_LEVEL_RANK.get(c.level, 9), c.code),
    )
    return HandlingPlaces(
        levels=[str(CentreLevel(level).label) for level in levels if level in CentreLevel.values],
        regions=[local_text(region.name, region.name_en) for region in regions],
        centres=ranked[:limit],
        total=len(ranked),
    )


def person_case_history(*, person: Any, limit: int = PERSON_HISTORY_LIMIT) -> list[Case]:
    """The person's earlier cases across all departments, newest first (one query).

    Called after ``person_profile`` has audited the read of the person's data."""
    return list(
        Case.objects.filter(person=person)
        .select_related("item", "department")
        .order_by("-submitted_at", "-id")[:limit]
    )


def output_desk_for_user(
    user: Any, *, number: str | None = None, person: Any = None
) -> QuerySet[Case]:
    """Decided cases whose output centre is one where the user may hand over results, oldest
    decision first, with the papers to give back (received on paper) prefetched; only the one
    ``number``, or only the cases of ``person`` (found by an audited ID look-up), when given."""
    waiting = Case.objects.filter(state=CaseState.DECIDED)
    if number is not None:
        waiting = waiting.filter(number=number)
    if person is not None:
        waiting = waiting.filter(person=person)
    cases = scope_queryset(
        user,
        Action.CASE_DELIVER,
        waiting,
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


@dataclass(frozen=True)
class NotReady:
    """A case found at the output desk that has no result waiting: its state, what the desk
    tells the applicant (``note``), and the papers still owed (name and due date, or problem)."""

    case: Case
    note: str
    papers: list[tuple[str, str]]


def _day(value: dt.datetime | dt.date | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date()
    return value.isoformat()


def _not_ready_note(case: Case) -> str:
    pause = next(iter(case.open_pauses), None)  # type: ignore[attr-defined]
    if case.state == CaseState.ACCEPTED:
        return str(_("Being approved; promised by %(date)s.") % {"date": _day(case.due_at)})
    if case.state == CaseState.SUSPENDED and pause and pause.kind == PauseKind.SUPPLEMENT:
        return str(
            _("Paused: the department asked for papers (待补正) on %(date)s: %(reason)s")
            % {"date": _day(pause.started_at), "reason": pause.reason}
        )
    if case.state == CaseState.SUSPENDED:
        return str(
            _("Paused for %(kind)s since %(date)s; the promised date moves by the pause.")
            % {
                "kind": pause.get_kind_display() if pause else "—",
                "date": _day(pause.started_at if pause else case.paused_since),
            }
        )
    if case.state == CaseState.SUPPLEMENT_REQUESTED:
        return str(
            _("Not accepted yet: papers to be completed (待补正) by %(date)s.")
            % {"date": _day(case.supplement_deadline)}
        )
    if case.state == CaseState.DELIVERED:
        return str(_("Already handed over on %(date)s.") % {"date": _day(case.delivered_at)})
    if case.state == CaseState.REFUSED:
        return str(_("Not accepted at the window: there is no result to hand over."))
    if case.state == CaseState.WITHDRAWN:
        return str(_("Withdrawn by the applicant: there is no result to hand over."))
    return str(case.get_state_display())


def output_not_ready_for_user(
    user: Any, *, number: str | None = None, person: Any = None, limit: int = 50
) -> list[NotReady]:
    """What the output desk says of a case number or a person with no result waiting: their
    cases at the user's output centres in any other state (the same scope as the desk: another
    centre's case is not found), newest first, with the state, the promised date or the 补正
    asked for, and the papers still owed (补正 missing or faulty; 容缺 due)."""
    if number is None and person is None:
        return []
    others = Case.objects.exclude(state=CaseState.DECIDED)
    if number is not None:
        others = others.filter(number=number)
    if person is not None:
        others = others.filter(person=person)
    cases = (
        scope_queryset(
            user,
            Action.CASE_DELIVER,
            others,
            centre_path="output_centre_id",
            region_code_path="output_centre__region__code",
        )
        .select_related("item", "department")
        .prefetch_related(
            Prefetch(
                "materials",
                queryset=CaseMaterial.objects.exclude(status=MaterialStatus.RECEIVED).order_by(
                    "order", "id"
                ),
                to_attr="owed",
            ),
            Prefetch(
                "pauses",
                queryset=ClockPause.objects.filter(ended_at__isnull=True).order_by("-started_at"),
                to_attr="open_pauses",
            ),
        )
        .order_by("-submitted_at", "-id")[:limit]
    )
    found = []
    for case in cases:
        papers: list[tuple[str, str]] = []
        if case.state in (CaseState.ACCEPTED, CaseState.SUSPENDED, CaseState.SUPPLEMENT_REQUESTED):
            for m in case.owed:  # type: ignore[attr-defined]
                if m.status == MaterialStatus.DEFERRED:
                    detail = str(_("容缺, due by %(date)s") % {"date": _day(m.due_date)})
                else:
                    detail = m.problem or str(m.get_status_display())
                papers.append((m.name, detail))
        found.append(NotReady(case=case, note=_not_ready_note(case), papers=papers))
    return found


def case_open_tasks_for_user(*, case: Case, user: Any) -> list[CaseTask]:
    """The open or claimed tasks of ``case`` in the user's departments (what they may act on)."""
    return list(task_queue_for_user(user).filter(case=case).order_by("step_order", "id"))


def _placed(case: Case, events: list[Any]) -> list[Any]:
    """Each event with ``place``: the centre for the window's moves, else its department
    (``selectors.event_place``)."""
    for event in events:
        event.place = event_place(case, event)
    return events


def case_detail_rows(*, case: Case) -> dict[str, Any]:
    """The papers, tasks, timeline and pauses of one case, each in one query."""
    return {
        "materials": list(case.materials.order_by("order", "id")),
        "tasks": list(
            case.tasks.select_related("department", "assignee").order_by(
                "step_order", "-is_lead", "department__name", "id"
            )
        ),
        "events": _placed(
            case,
            list(case.events.select_related("actor", "department", "task").order_by("at", "id")),
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
