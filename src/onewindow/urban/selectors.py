"""Reads of the grid case flow, scoped to the user: the supervision centre's and the command
centre's queues (district-wide), a unit's (the cases it holds), a grid worker's tasks (in the
grids they are posted to), a case's page (timeline, stages with their lights, photos,
requests) and its photos (every open audited). Each list costs the same few queries whatever
its length."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from onewindow.core.audit import audit_record
from onewindow.core.errors import NotFoundOrForbidden
from onewindow.core.validation import record_id
from onewindow.grid.models import GridPost
from onewindow.org.models import Department
from onewindow.org.permissions import Action, scope_queryset
from onewindow.papers.services import paper_bytes
from onewindow.urban.codes import CaseKind, RequestDecision
from onewindow.urban.models import (
    CasePhoto,
    CaseRequest,
    CaseStage,
    Category,
    CategoryStage,
    CategoryUnit,
    GridCase,
    GridCaseEvent,
)
from onewindow.urban.transitions import CASE_MACHINE, CaseState
from onewindow.workflow.clock import Light, light

LIST_RELATED = ("category__parent", "grid", "unit")
QUEUE_MAX = 200
PHOTO_READ = "urban.photo_read"


def cases_visible(user: Any, action: Action = Action.URBAN_VIEW) -> QuerySet[GridCase]:
    """The cases ``user`` may ``action``: by the unit holding them, or by their community."""
    return scope_queryset(
        user,
        action,
        GridCase.objects.all(),
        department_path="unit_id",
        region_code_path="region_code",
    )


def case_get(user: Any, number: Any, action: Action = Action.URBAN_VIEW) -> GridCase:
    """One case the user may see, by number; otherwise the one "not found" (audited)."""
    value = number if isinstance(number, str) and 0 < len(number) <= 24 else ""
    case = (
        cases_visible(user, action).filter(number=value).select_related(*LIST_RELATED).first()
        if value
        else None
    )
    if case is None:
        audit_record(
            actor=user,
            action=f"denied:{action}",
            object_type="urban.gridcase",
            object_id=str(value)[:64],
            allowed=False,
        )
        raise NotFoundOrForbidden()
    return case


def _listed(queryset: QuerySet[GridCase]) -> list[GridCase]:
    return list(queryset.select_related(*LIST_RELATED)[:QUEUE_MAX])


# --- the supervision centre (值班长) ----------------------------------------------------------


@dataclass
class ChiefQueue:
    to_file: list[GridCase]
    to_close: list[GridCase]
    requests: list[CaseRequest]
    parked_due: list[GridCase]


def chief_queue(user: Any, *, today: dt.date | None = None) -> ChiefQueue:
    """To file (by the filing deadline), to close, the units' pending requests, and the parked
    cases due for their monthly review."""
    today = today or timezone.localdate()
    cases = cases_visible(user, Action.URBAN_FILE)
    requests = CaseRequest.objects.filter(
        case__in=cases, decision=RequestDecision.PENDING
    ).select_related("case__category", "department", "asked_by")
    return ChiefQueue(
        to_file=_listed(cases.filter(state=CaseState.TO_FILE).order_by("file_due_at", "id")),
        to_close=_listed(cases.filter(state=CaseState.TO_CLOSE).order_by("checked_at", "id")),
        requests=list(requests.order_by("asked_at", "id")[:QUEUE_MAX]),
        parked_due=_listed(
            cases.filter(state=CaseState.PARKED, park_review_due__lte=today).order_by(
                "park_review_due", "id"
            )
        ),
    )


# --- the command centre (派遣员) --------------------------------------------------------------


def proposals_for(cases: list[GridCase]) -> dict[int, list[Department]]:
    """``services.centre.dispatch_proposal`` for many cases in one query."""
    rows = list(
        CategoryUnit.objects.filter(
            category_id__in={c.category_id for c in cases},
            department__is_active=True,
            department__hotline_unit__isnull=False,
        )
        .select_related("department", "region")
        .order_by("order", "id")
    )
    found: dict[int, list[Department]] = {}
    for case in cases:
        street = (case.region_code or "")[:9]
        mine = [r for r in rows if r.category_id == case.category_id]
        own = [r for r in mine if r.region is not None and street and r.region.code[:9] == street]
        units: list[Department] = []
        for row in [*own, *(r for r in mine if r.region_id is None)]:
            if row.department not in units:
                units.append(row.department)
        found[case.pk] = units
    return found


def dispatcher_queue(user: Any) -> list[tuple[GridCase, list[Department]]]:
    """The filed cases waiting for a unit (oldest first), each with its proposal."""
    cases = _listed(
        cases_visible(user, Action.URBAN_DISPATCH)
        .filter(state=CaseState.TO_DISPATCH)
        .order_by("filed_at", "id")
    )
    proposals = proposals_for(cases)
    return [(case, proposals[case.pk]) for case in cases]


def handling_units() -> list[Department]:
    """The units a grid case may be dispatched to: every active department with a handling
    unit but the grid command centre itself (``URBAN_COMMAND_CENTRE``: it dispatches)."""
    return list(
        Department.objects.filter(is_active=True, hotline_unit__isnull=False)
        .exclude(name=settings.URBAN_COMMAND_CENTRE)
        .order_by("name")
    )


# --- the unit and the grid worker -------------------------------------------------------------


def unit_queue(user: Any) -> list[GridCase]:
    """The cases the user's units hold, the nearest deadline first."""
    return _listed(
        cases_visible(user, Action.URBAN_HANDLE)
        .filter(state__in=[CaseState.HANDLING, CaseState.PARKED])
        .order_by("due_at", "id")
    )


def worker_tasks(user: Any, *, today: dt.date | None = None) -> list[GridCase]:
    """To verify and to check in the grids the worker is posted to now — and those of their
    grids' communities that fell in no grid (a 12345 order's point outside every grid) —, the
    oldest first."""
    today = today or timezone.localdate()
    grids = GridPost.objects.filter(user=user, since__lte=today).exclude(until__lt=today)
    communities = [code[:12] for code in grids.values_list("grid__code", flat=True)]
    return _listed(
        cases_visible(user, Action.URBAN_VERIFY)
        .filter(state__in=[CaseState.TO_VERIFY, CaseState.TO_CHECK])
        .filter(
            Q(grid_id__in=grids.values("grid_id"))
            | Q(grid__isnull=True, region_code__in=communities)
        )
        .order_by("reported_at", "id")
    )


# --- one case ---------------------------------------------------------------------------------


@dataclass
class StageShown:
    stage: CaseStage
    light: Light


@dataclass
class CaseDetail:
    case: GridCase
    events: list[GridCaseEvent]
    stages: list[StageShown]
    photos: list[CasePhoto]
    requests: list[CaseRequest]
    light: Light


def stage_light(stage: CaseStage, *, case: GridCase, now: dt.datetime) -> Light:
    running = bool(stage.started_at and not stage.done_at and case.state == CaseState.HANDLING)
    if stage.done_at and stage.due_at:
        return Light.RED if stage.done_at > stage.due_at else Light.GREEN
    return light(due=stage.due_at, now=now, running=running, paused=case.paused_since is not None)


def case_detail(case: GridCase, *, now: dt.datetime | None = None) -> CaseDetail:
    """A case seen (the caller has found it with ``case_get``): five queries."""
    now = now or timezone.now()
    stages = list(CaseStage.objects.filter(case=case).order_by("order"))
    return CaseDetail(
        case=case,
        events=list(
            GridCaseEvent.objects.filter(case=case).select_related("actor").order_by("at", "id")
        ),
        stages=[StageShown(s, stage_light(s, case=case, now=now)) for s in stages],
        photos=list(
            CasePhoto.objects.filter(case=case).select_related("paper").order_by("added_at", "id")
        ),
        requests=list(
            CaseRequest.objects.filter(case=case)
            .select_related("department")
            .order_by("asked_at", "id")
        ),
        light=light(
            due=case.due_at,
            now=now,
            running=CASE_MACHINE.clock_runs_in(case.state) or case.state == CaseState.PARKED,
            paused=case.paused_since is not None,
        ),
    )


def photo_open(user: Any, number: Any, photo_id: Any) -> tuple[CasePhoto, bytes]:
    """A photo of a case the user may see, and its bytes (the read audited); the same audited
    "not found" for a missing photo, another case's and a case not theirs."""
    case = case_get(user, number)
    pk = record_id(photo_id)
    photo = (
        CasePhoto.objects.select_related("paper").filter(pk=pk, case=case).first() if pk else None
    )
    if photo is None:
        audit_record(
            actor=user,
            action=f"denied:{PHOTO_READ}",
            object_type="urban.casephoto",
            object_id=str(photo_id or "")[:64],
            object_repr=case.number,
            allowed=False,
        )
        raise NotFoundOrForbidden()
    data = paper_bytes(paper=photo.paper)
    audit_record(
        actor=user,
        action=PHOTO_READ,
        obj=photo,
        object_repr=case.number,
        detail={"case": case.number, "kind": photo.kind, "sha256": photo.paper.sha256},
    )
    return photo, data


__all__ = [
    "CaseDetail",
    "ChiefQueue",
    "StageShown",
    "case_detail",
    "case_get",
    "cases_visible",
    "chief_queue",
    "dispatcher_queue",
    "handling_units",
    "photo_open",
    "proposals_for",
    "unit_queue",
    "worker_tasks",
]


@dataclass(frozen=True)
class KindCatalogue:
    kind: str
    label: Any
    majors: list[Category]  # each with ``children`` (subclasses, stages and units prefetched)


def category_catalogue() -> list[KindCatalogue]:
    """Every category by kind (部件, then 事件) and major class, each subclass with its stages
    in order and its units (department and street). Four queries, whatever the number."""
    subclasses = Category.objects.order_by("code").prefetch_related(
        Prefetch("stages", queryset=CategoryStage.objects.order_by("order")),
        Prefetch(
            "units",
            queryset=CategoryUnit.objects.select_related("department", "region").order_by(
                "order", "region__code", "department__name"
            ),
        ),
    )
    majors = list(
        Category.objects.filter(parent__isnull=True)
        .order_by("code")
        .prefetch_related(Prefetch("children", queryset=subclasses))
    )
    return [
        KindCatalogue(kind, label, [m for m in majors if m.kind == kind])
        for kind, label in CaseKind.choices
    ]
