"""The enforcement team's pages (综合行政执法): the team's queue by light, one task with its
records in the order of the procedure and the form of the step it is at — the on-site
inspection (two officers, the party, photos), the rectification notice, the re-inspection,
the lead's penalty decision or 撤销 — and the decision as a printable document.

Each form calls one service of ``enforcement.services``; a refusal is shown at the form it came
from (stale, not allowed now, bad input); a task of another team answers the same 404 as a
missing number. A person's ID number is shown masked; the full number is read through an
audited service, on a button press."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from onewindow.core.errors import ApplicationError, NotFoundOrForbidden, PermissionDenied
from onewindow.core.validation import record_id
from onewindow.enforcement import documents, selectors, services
from onewindow.enforcement.codes import PartyKind, PenaltyKind
from onewindow.enforcement.events import TASK_EVENTS
from onewindow.enforcement.models import EnforcementTask, Party
from onewindow.enforcement.services.common import PHOTOS_MAX
from onewindow.enforcement.services.parties import actor_in_team
from onewindow.enforcement.transitions import OPEN_STATES, TaskState
from onewindow.org.permissions import Action, can, require
from onewindow.staff.decorators import staff_page
from onewindow.workflow.clock import LIGHT_LABELS, Light, light_boundaries

PAGE_SIZE = 50
TEMPLATES = "enforcement/"
FILE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"
MOVE_DONE = {
    "inspect": _("The inspection is recorded."),
    "notify": _("The rectification notice is issued; its deadline runs."),
    "reinspect": _("The re-inspection is recorded."),
    "penalise": _("The penalty decision is recorded; the task is concluded."),
    "drop": _("The task is dropped."),
}
# The step each state waits for, and who makes it.
STEP_OF_STATE = {
    TaskState.OPEN: ("inspect", Action.ENFORCEMENT_WORK),
    TaskState.INSPECTED: ("notify", Action.ENFORCEMENT_WORK),
    TaskState.NOTIFIED: ("reinspect", Action.ENFORCEMENT_WORK),
    TaskState.TO_PENALISE: ("penalise", Action.ENFORCEMENT_DECIDE),
}


def _revision(request: HttpRequest) -> int:
    value = request.POST.get("revision", "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else -1


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    return render(
        request, f"{TEMPLATES}{template}", {"light_labels": LIGHT_LABELS, **context}, status=status
    )


def _light(task: Any, bounds: Any) -> Light:
    return bounds.light(
        due=getattr(task, "next_due", task.due_at), running=task.state in OPEN_STATES
    )


# --- the queue -------------------------------------------------------------------------------


@require_safe
@staff_page
def queue(request: HttpRequest) -> HttpResponse:
    """The team's open tasks, the ones at risk first (``show=all``: the concluded and dropped
    too); paged; a constant number of queries."""
    require(request.user, Action.ENFORCEMENT_VIEW)
    bounds = light_boundaries(timezone.now())
    show_all = request.GET.get("show") == "all"
    rows = selectors.task_queue(request.user, bounds, open_only=not show_all)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(
        request,
        "queue.html",
        {
            "page": page,
            "rows": [(task, _light(task, bounds)) for task in page.object_list],
            "show_all": show_all,
            "query_prefix": "show=all" if show_all else "",
        },
    )


# --- one task --------------------------------------------------------------------------------


def _one(task: EnforcementTask, name: str) -> Any:
    """A record of the task (one-to-one), or None before it is made."""
    try:
        return getattr(task, name)
    except AttributeError:  # the related row's DoesNotExist is an AttributeError too
        return None


def _step(user: Any, task: EnforcementTask) -> str:
    step = STEP_OF_STATE.get(TaskState(task.state)) if task.state in OPEN_STATES else None
    if step is None:
        return ""
    name, action = step
    return name if can(user, action, task) else ""


def _detail(
    request: HttpRequest,
    task: EnforcementTask,
    *,
    error: dict[str, Any] | None = None,
    error_at: str = "",
    typed: dict[str, Any] | None = None,
    revealed: tuple[int, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    bounds = light_boundaries(timezone.now())
    inspection = _one(task, "inspection")
    reinspection = _one(task, "reinspection")
    step = _step(user, task)
    may_drop = task.state in OPEN_STATES and can(user, Action.ENFORCEMENT_DECIDE, task)
    photos = list(task.photos.select_related("paper").order_by("added_at", "id"))
    officers = selectors.team_officers(task.team_id) if step in {"inspect", "reinspect"} else []
    typed = typed or {}
    now_local = timezone.localtime()
    return _render(
        request,
        "task.html",
        {
            "task": task,
            "light": _light(task, bounds),
            "inspection": inspection,
            "inspection_officers": list(inspection.officers.order_by("last_name", "first_name"))
            if inspection
            else [],
            "notice": _one(task, "notice"),
            "reinspection": reinspection,
            "reinspection_officers": list(reinspection.officers.order_by("last_name", "first_name"))
            if reinspection
            else [],
            "penalty": _one(task, "penalty"),
            "inspection_photos": [p for p in photos if p.inspection_id],
            "reinspection_photos": [p for p in photos if p.reinspection_id],
            "events": list(task.events.select_related("actor").order_by("at", "id")),
            "event_labels": TASK_EVENTS.labels(),
            "step": step,
            "may_drop": may_drop,
            "in_team": actor_in_team(user, task),
            "officers": officers,
            "chosen_officers": {str(v) for v in typed.get("officers", [])}
            or ({str(user.pk)} if step in {"inspect", "reinspect"} else set()),
            "penalty_kinds": PenaltyKind.choices,
            "party_kinds": PartyKind.choices,
            "now_value": now_local.strftime("%Y-%m-%dT%H:%M"),
            "photo_mb": f"{settings.PAPER_MAX_BYTES / (1024 * 1024):g}",
            "photos_max": PHOTOS_MAX,
            "revealed_party": revealed[0] if revealed else None,
            "revealed_id": revealed[1] if revealed else "",
            "error": error,
            "error_at": error_at,
            "typed": typed,
        },
        status=status,
    )


@require_safe
@staff_page
def task_detail(request: HttpRequest, number: str) -> HttpResponse:
    return _detail(request, selectors.task_get(request.user, number))


def _moment(value: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if not dt.date(2000, 1, 1) <= moment.date() <= dt.date(2099, 12, 31):
        return None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _day(value: str) -> dt.date | None:
    try:
        day = dt.date.fromisoformat(value.strip())
    except ValueError:
        return None
    return day if dt.date(2000, 1, 1) <= day <= dt.date(2099, 12, 31) else None


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def _officers(values: list[str]) -> list[Any]:
    return [record_id(v) or v for v in values]


def _party(p: dict[str, Any]) -> services.PartyInput | None:
    if not p["party_kind"]:
        return None
    return services.PartyInput(
        kind=p["party_kind"],
        name=p["party_name"],
        id_number=p["party_id"] if p["party_kind"] == PartyKind.PERSON else "",
        phone=p["party_phone"],
        uscc=p["party_uscc"] if p["party_kind"] == PartyKind.COMPANY else "",
        legal_representative=p["party_representative"]
        if p["party_kind"] == PartyKind.COMPANY
        else "",
        address=p["party_address"],
    )


Upload = tuple[Any, str]
MoveCall = Callable[[EnforcementTask, Any, dict[str, Any], int, list[Upload]], Any]

MOVES: dict[str, tuple[tuple[str, ...], MoveCall]] = {
    "inspect": (
        (
            "at",
            "place",
            "findings",
            "violation",
            "party_kind",
            "party_name",
            "party_id",
            "party_phone",
            "party_uscc",
            "party_representative",
            "party_address",
        ),
        lambda t, u, p, rev, f: services.inspection_record(
            actor=u,
            task=t,
            revision=rev,
            at=_moment(p["at"]),  # type: ignore[arg-type]
            place=p["place"],
            officers=_officers(p["officers"]),
            findings=p["findings"],
            party=_party(p),
            violation_found=_yes_no(p["violation"]),  # type: ignore[arg-type]
            photos=f,
        ),
    ),
    "notify": (
        ("deadline", "requirements", "law", "article"),
        lambda t, u, p, rev, f: services.notice_issue(
            actor=u,
            task=t,
            revision=rev,
            deadline=_day(p["deadline"]),  # type: ignore[arg-type]
            requirements=p["requirements"],
            legal_basis=services.LegalBasis(p["law"], p["article"]),
        ),
    ),
    "reinspect": (
        ("at", "rectified", "findings"),
        lambda t, u, p, rev, f: services.reinspection_record(
            actor=u,
            task=t,
            revision=rev,
            at=_moment(p["at"]),  # type: ignore[arg-type]
            officers=_officers(p["officers"]),
            rectified=_yes_no(p["rectified"]),  # type: ignore[arg-type]
            findings=p["findings"],
            photos=f,
        ),
    ),
    "penalise": (
        ("law", "article", "facts", "kind", "amount"),
        lambda t, u, p, rev, f: services.penalty_decide(
            actor=u,
            task=t,
            revision=rev,
            legal_basis=services.LegalBasis(p["law"], p["article"]),
            facts=p["facts"],
            kind=p["kind"],
            amount=p["amount"],
        ),
    ),
    "drop": (
        ("reason",),
        lambda t, u, p, rev, f: services.task_drop(
            actor=u, task=t, revision=rev, reason=p["reason"]
        ),
    ),
}


def _uploads(request: HttpRequest) -> list[Upload]:
    return [(f, f.name or "") for f in request.FILES.getlist("photos") if f.name or f.size]


@require_POST
@staff_page
def task_move(request: HttpRequest, number: str, action: str) -> HttpResponse:
    """One step of the procedure, from its form on the task's page."""
    if action not in MOVES:
        raise NotFoundOrForbidden()
    fields, call = MOVES[action]
    task = selectors.task_get(request.user, number)
    typed: dict[str, Any] = {name: request.POST.get(name, "") for name in fields}
    typed["officers"] = request.POST.getlist("officers")
    try:
        call(task, request.user, typed, _revision(request), _uploads(request))
    except ApplicationError as exc:
        if isinstance(exc, NotFoundOrForbidden | PermissionDenied):
            raise
        fresh = selectors.task_get(request.user, number)
        at = action if action in {_step(request.user, fresh), "drop"} else ""
        return _detail(
            request, fresh, error=exc.as_dict(), error_at=at, typed=typed, status=exc.status
        )
    messages.success(request, MOVE_DONE[action])
    return redirect("enforcement_staff:task", number=task.number)


@require_POST
@staff_page
def party_id_number(request: HttpRequest, number: str, party_id: int) -> HttpResponse:
    """The person's full ID number on the task's page, for the team (an audited read)."""
    task = selectors.task_get(request.user, number)
    party = Party.objects.filter(pk=record_id(party_id) or 0, task=task).first()
    if party is None:
        raise NotFoundOrForbidden()
    clear = services.party_id_number_reveal(
        actor=request.user, party=party, purpose=str(request.POST.get("purpose", ""))[:200]
    )
    return _detail(request, task, revealed=(party.pk, clear))


@require_safe
@staff_page
def decision(request: HttpRequest, number: str) -> HttpResponse:
    """The penalty decision (行政处罚决定书) as a document to print."""
    task = selectors.task_get(request.user, number)
    penalty = _one(task, "penalty")
    if penalty is None:
        raise NotFoundOrForbidden()
    return _render(request, "decision.html", documents.decision_context(task, penalty))


@require_safe
@staff_page
def decision_file(request: HttpRequest, number: str) -> HttpResponse:
    """The penalty decision as a PDF (the reports' renderer)."""
    task = selectors.task_get(request.user, number)
    penalty = _one(task, "penalty")
    if penalty is None:
        raise NotFoundOrForbidden()
    response = HttpResponse(documents.decision_pdf(task, penalty), content_type="application/pdf")
    response["Content-Disposition"] = (
        content_disposition_header(True, f"{task.number}-decision.pdf") or "attachment"
    )
    response["Cache-Control"] = "no-store"
    return response


@require_safe
@staff_page
def photo_file(request: HttpRequest, number: str, photo_id: int) -> HttpResponse:
    photo, data = services.photo_open(actor=request.user, number=number, photo_id=photo_id)
    paper = photo.paper
    response = HttpResponse(data, content_type=paper.content_type)
    name = paper.original_name or f"photo-{photo.pk}"
    response["Content-Disposition"] = content_disposition_header(False, name) or "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    response["Content-Security-Policy"] = f"{FILE_CSP}; sandbox"
    return response


URLS = [
    path("", queue, name="queue"),
    path("tasks/<str:number>/", task_detail, name="task"),
    path("tasks/<str:number>/decision/", decision, name="decision"),
    path("tasks/<str:number>/decision.pdf", decision_file, name="decision_pdf"),
    path("tasks/<str:number>/photos/<int:photo_id>/", photo_file, name="photo"),
    path(
        "tasks/<str:number>/parties/<int:party_id>/id-number/",
        party_id_number,
        name="party_id_number",
    ),
    path("tasks/<str:number>/<str:action>/", task_move, name="task_move"),
]
