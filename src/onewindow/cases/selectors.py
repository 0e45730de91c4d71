"""Reads of the case flow: scoped case lookup, department queues, the public progress view
(no personal data) and the supervision board."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from onewindow.cases.models import Case, CaseTask, MaterialStatus, Outcome, query_code_index
from onewindow.cases.services.supplement import PAPERS_MAY_ARRIVE
from onewindow.cases.transitions import CLOCK_RUNNING_STATES, CaseState, TaskState
from onewindow.catalog.codes import MaterialNecessity
from onewindow.core.errors import NotFoundOrForbidden
from onewindow.org.permissions import Action, can, require, scope_queryset
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


# Open cases: the clock runs, or is paused for a special procedure.
BOARD_STATES = tuple(sorted({*CLOCK_RUNNING_STATES, CaseState.SUSPENDED}))


# The moves made at a window: the timeline places them at the accepting centre, the hand-over
# at the output centre; every other event at its department (the one that worked the step).
WINDOW_EVENTS = frozenset(
    {"request_supplement", "accept", "refuse", "complete_instant", "withdraw", "papers_received"}
)
OUTPUT_EVENTS = frozenset({"deliver"})


def event_place(case: Case, event: Any) -> Any:
    """Where an event of ``case`` happened, as the timeline names it: the centre for the
    window's moves, the output centre for the hand-over, else the event's department (or
    None). The object has ``name`` and ``name_en``."""
    if event.action in WINDOW_EVENTS:
        return case.centre
    if event.action in OUTPUT_EVENTS:
        return case.output_centre or case.centre
    return event.department


QUERY_CODE_HIDDEN = "******"


def may_see_query_code(user: Any, case: Case) -> bool:
    """The query code is the applicant's key to the progress page: shown to those who hand
    papers to the applicant — the intake clerks of the accepting centre and the output clerks
    of the output centre; masked for anyone else who may see the case (its departments, a
    supervisor), on every page and paper."""
    if can(user, Action.CASE_ACCEPT, case.centre):
        return True
    return can(user, Action.CASE_DELIVER, case.output_centre or case.centre)


def query_code_for(user: Any, case: Case) -> str:
    """``case.query_code`` for a user who may see it, the mask otherwise."""
    return case.query_code if may_see_query_code(user, case) else QUERY_CODE_HIDDEN


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
        .order_by(F("due_at").asc(nulls_last=True), "case__number")
    )


# The columns a queue row shows (``cases/staff/_queue_row.html``).
QUEUE_ROW_FIELDS = (
    "id",
    "kind",
    "name",
    "is_joint",
    "is_lead",
    "state",
    "due_at",
    "revision",
    "case",
    "case__number",
    "case__state",
    "case__due_at",
    "case__item",
    "case__item__name",
    "case__item__name_en",
    "department",
    "department__name",
    "department__name_en",
    "assignee",
    "assignee__username",
    "assignee__first_name",
    "assignee__last_name",
)


def tasks_with_light(
    tasks: QuerySet[CaseTask], *, bounds: clock.LightBoundaries | None = None
) -> QuerySet[CaseTask]:
    """``tasks`` (a ``task_queue_for_user`` queryset) with each task's light computed by the
    database: the task's deadline, else the case's, paused while the case is (``light_rank``,
    ``clock.LIGHT_RANK``; ``task_light`` turns it back into a light). Count the queue before
    this: the light's join to the case would stay in the count."""
    bounds = bounds or clock.light_boundaries(timezone.now())
    return tasks.annotate(light_due=Coalesce("due_at", "case__due_at")).annotate(
        light_rank=bounds.rank_expression(
            due="light_due",
            paused=Q(case__state=CaseState.SUSPENDED),
            running=Q(case__state__in=BOARD_STATES),
        )
    )


def task_light(task: CaseTask) -> clock.Light:
    """The light of a task read through ``tasks_with_light``."""
    return clock.LIGHT_BY_RANK[task.light_rank]  # type: ignore[attr-defined]


@dataclass(frozen=True)
class ProgressStep:
    at: dt.datetime
    action: str
    department: str
    note: str
    department_en: str = ""


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
    # The English name (the version's, else the item's), "" when none is filled in.
    item_name_en: str = ""


def case_public_progress(*, number: str, query_code: str) -> PublicProgress:
    """What anyone holding the receipt may see: steps, times, departments — no personal data."""
    case = (
        Case.objects.select_related("item", "centre", "output_centre")
        .filter(number=number.strip(), query_code_index=query_code_index(query_code))
        .first()
    )
    if case is None:
        raise NotFoundOrForbidden()
    events = list(case.events.filter(public=True).select_related("department").order_by("at", "id"))
    places = [event_place(case, e) for e in events]
    steps = [
        ProgressStep(
            at=e.at,
            action=e.action,
            department=place.name if place else "",
            note="",
            department_en=place.name_en if place else "",
        )
        for e, place in zip(events, places, strict=True)
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
        item_name_en=case.item_version.snapshot.get("name_en") or case.item.name_en,
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
    """The next-step sentence; it agrees with ``_papers_to_bring`` (never "nothing to do" while
    容缺 papers promised at acceptance are still to be brought)."""
    from django.utils.translation import gettext as _

    deferred = [p for p in _papers_to_bring(case) if p.kind == "deferred"]
    bring_deferred = ""
    if deferred:
        first_due = min((p.due for p in deferred if p.due), default=None)
        bring_deferred = (
            _(
                "Bring the papers you promised (容缺, listed below) to the window by %(date)s; "
                "the decision waits for them."
            )
            % {"date": first_due}
            if first_due
            else _("Bring the papers you promised (容缺, listed below) to the window.")
        )
    if case.state == CaseState.SUPPLEMENT_REQUESTED:
        return _("Bring the papers listed on your notice by %(date)s.") % {
            "date": case.supplement_deadline
        }
    if case.state == CaseState.SUSPENDED:
        asked = _("The department has asked for something; see your notice.")
        return f"{asked} {bring_deferred}" if bring_deferred else asked
    if case.state == CaseState.DECIDED:
        return _("Your result is ready: collect it at %(centre)s.") % {
            "centre": case.output_centre.name
        }
    if case.state in (CaseState.ACCEPTED,):
        return bring_deferred or _("Nothing to do now; we will tell you at each step.")
    return ""


@dataclass(frozen=True)
class BoardRow:
    """One open case as the board shows it (only those columns are read)."""

    number: str
    item_name: str
    item_name_en: str
    department_id: int
    department_name: str
    department_name_en: str
    centre_id: int
    centre_name: str
    centre_name_en: str
    state: str
    due_at: dt.datetime | None
    paused_since: dt.datetime | None
    light: clock.Light

    @property
    def state_label(self) -> str:
        return str(CaseState(self.state).label)


@dataclass(frozen=True)
class BoardDepartment:
    name: str
    counts: dict[clock.Light, int]
    name_en: str = ""

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class BoardCounts:
    """Open cases per light and per department and light."""

    lights: dict[clock.Light, int]
    departments: list[BoardDepartment]

    @property
    def total(self) -> int:
        return sum(self.lights.values())


def _board_cases(user: Any, where: Q | None = None) -> QuerySet[Case]:
    """The open cases ``user`` supervises (only those of ``where`` when given: a condition
    that implies an open state, so that the database is not handed the open states twice —
    it would take them for independent conditions and misjudge how many rows match)."""
    return scope_queryset(
        user,
        Action.CASE_SUPERVISE,
        Case.objects.filter(where if where is not None else Q(state__in=BOARD_STATES)),
        department_path="department_id",
        centre_path="centre_id",
        region_code_path="centre__region__code",
    )


def _case_light_paths() -> dict[str, Any]:
    return {
        "due": "due_at",
        "paused": Q(state=CaseState.SUSPENDED),
        "running": Q(state__in=BOARD_STATES),
    }


def supervision_board_counts(
    *, user: Any, bounds: clock.LightBoundaries | None = None
) -> BoardCounts:
    """The open cases the user supervises counted per department and light by the database
    (one GROUP BY query); the totals per light are their sums."""
    bounds = bounds or clock.light_boundaries(timezone.now())
    grouped = (
        _board_cases(user)
        .annotate(light_rank=bounds.rank_expression(**_case_light_paths()))
        .order_by()
        .values("department_id", "department__name", "department__name_en", "light_rank")
        .annotate(count=Count("*"))
    )
    lights = dict.fromkeys(clock.LIGHT_RANK, 0)
    departments: dict[int, BoardDepartment] = {}
    for row in grouped:
        light = clock.LIGHT_BY_RANK[row["light_rank"]]
        lights[light] += row["count"]
        department = departments.setdefault(
            row["department_id"],
            BoardDepartment(
                row["department__name"],
                dict.fromkeys(clock.LIGHT_RANK, 0),
                name_en=row["department__name_en"],
            ),
        )
        department.counts[light] += row["count"]
    return BoardCounts(
        lights=lights,
        departments=sorted(departments.values(), key=lambda d: d.name),
    )


# The columns of a board row (``BoardRow``), the light's rank last.
BOARD_ROW_FIELDS = (
    "number",
    "item__name",
    "item__name_en",
    "department_id",
    "department__name",
    "department__name_en",
    "centre_id",
    "centre__name",
    "centre__name_en",
    "state",
    "due_at",
    "paused_since",
    "light_rank",
)


# Open states whose clock runs (not paused): red, yellow or green by their deadline.
TICKING_STATES = tuple(state for state in BOARD_STATES if state != CaseState.SUSPENDED)


def _board_runs() -> list[Q]:
    """The board's order — red, yellow, paused, green, then no deadline, each by deadline and
    number — as three runs that are each one range of an index on (state, deadline, number):
    the ticking cases with a deadline (red, yellow and green are their deadlines before
    ``now``, up to ``yellow_until`` and after it, so by deadline they come in the board's
    order), the paused ones with a deadline, and those without one."""
    return [
        Q(state__in=TICKING_STATES, due_at__isnull=False),
        Q(state=CaseState.SUSPENDED, due_at__isnull=False),
        Q(state__in=BOARD_STATES, due_at__isnull=True),
    ]


def _light_filter(bounds: clock.LightBoundaries, light: clock.Light) -> Q:
    """The open cases of one light (what ``bounds.conditions`` says of an open case), each
    as one range of the (state, deadline, number) index."""
    ticking = Q(state__in=TICKING_STATES)
    return {
        clock.Light.RED: ticking & Q(due_at__lt=bounds.now),
        clock.Light.YELLOW: ticking & Q(due_at__gte=bounds.now, due_at__lte=bounds.yellow_until),
        clock.Light.PAUSED: Q(state=CaseState.SUSPENDED, due_at__isnull=False),
        clock.Light.GREEN: ticking & Q(due_at__gt=bounds.yellow_until),
        clock.Light.STOPPED: Q(state__in=BOARD_STATES, due_at__isnull=True),
    }[light]


def supervision_board(
    *,
    user: Any,
    bounds: clock.LightBoundaries | None = None,
    light: clock.Light | None = None,
    offset: int = 0,
    limit: int = 50,
) -> list[BoardRow]:
    """One page of the open cases the user supervises (only ``light``'s when given), the ones
    at risk first — red, yellow, paused, green, then those without a deadline — each by its
    deadline and number. Lights, order and page are computed by the database in one query
    from ``bounds`` (``clock.light_boundaries``, computed once per request).

    All lights: where the database takes a LIMIT in each part of a UNION ALL (PostgreSQL),
    the first ``offset + limit`` rows of each of ``_board_runs`` are read from an index in
    deadline order (``case_open_due_idx``; ``case_open_dept_state_due_idx`` for a
    department) and the page is cut from their union: no sort of every open case. Elsewhere
    (SQLite) one query sorts by the light's rank."""
    bounds = bounds or clock.light_boundaries(timezone.now())
    rank = bounds.rank_expression(**_case_light_paths())
    if light is not None:
        values = (
            _board_cases(user, _light_filter(bounds, light))
            .annotate(light_rank=rank)
            .order_by("due_at", "number")
            .values(*BOARD_ROW_FIELDS)[offset : offset + limit]
        )
    elif connection.features.supports_slicing_ordering_in_compound:
        runs = [
            _board_cases(user, run)
            .annotate(light_rank=rank)
            .order_by("due_at", "number")
            .values(*BOARD_ROW_FIELDS)[: offset + limit]
            for run in _board_runs()
        ]
        values = (
            runs[0]
            .union(*runs[1:], all=True)
            .order_by("light_rank", "due_at", "number")[offset : offset + limit]
        )
    else:
        values = (
            _board_cases(user)
            .annotate(light_rank=rank)
            .order_by("light_rank", "due_at", "number")
            .values(*BOARD_ROW_FIELDS)[offset : offset + limit]
        )
    return [
        BoardRow(
            number=row["number"],
            item_name=row["item__name"],
            item_name_en=row["item__name_en"],
            department_id=row["department_id"],
            department_name=row["department__name"],
            department_name_en=row["department__name_en"],
            centre_id=row["centre_id"],
            centre_name=row["centre__name"],
            centre_name_en=row["centre__name_en"],
            state=row["state"],
            due_at=row["due_at"],
            paused_since=row["paused_since"],
            light=clock.LIGHT_BY_RANK[row["light_rank"]],
        )
        for row in values
    ]


def cases_of_applicant(
    *,
    person: Any = None,
    organisation: Any = None,
    item_codes: list[str] | None = None,
    limit: int = 100,
) -> list[Case]:
    """The newest ``limit`` cases whose applicant is ``person`` or ``organisation`` (exactly
    one), optionally only of the items with these implementation codes: what the citizen's own
    "my cases" lists (``citizens``). The caller has established that the applicant is the
    signed-in citizen (or a company they may act for) and audits the read."""
    if (person is None) == (organisation is None):
        raise ValueError("give exactly one of person and organisation")
    cases = Case.objects.select_related("item_version", "item").order_by("-submitted_at", "-id")
    cases = (
        cases.filter(person=person)
        if person is not None
        else cases.filter(organisation=organisation)
    )
    if item_codes:
        cases = cases.filter(item__implementation_code__in=item_codes)
    return list(cases[:limit])


def case_of_applicant(*, number: str, person: Any = None, organisation: Any = None) -> Case | None:
    """The case with this number if its applicant is ``person`` / ``organisation``; else
    ``None`` (missing and somebody else's alike)."""
    if (person is None) == (organisation is None):
        raise ValueError("give exactly one of person and organisation")
    cases = Case.objects.select_related("item_version", "item").filter(number=number.strip())
    cases = (
        cases.filter(person=person)
        if person is not None
        else cases.filter(organisation=organisation)
    )
    return cases.first()
