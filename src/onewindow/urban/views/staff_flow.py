"""The grid case flow's staff pages: the supervision centre's queue (值班长: to file, to close,
requests, parked cases due for review), the command centre's (派遣员: to dispatch, each with
the proposed unit), a unit's queue, one case with the moves the user may make now, and the
grid worker's phone-size tasks (核实 and 核查 with the camera).

Each move calls one service of ``urban.services``; a refusal is shown on the page it came from
(stale, not allowed now, bad input); a case the user may not see answers the same 404 as a
missing number (``staff_page``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from onewindow.core.errors import ApplicationError, NotFoundOrForbidden, PermissionDenied
from onewindow.org.permissions import Action, can, require
from onewindow.staff.decorators import staff_page
from onewindow.urban import selectors
from onewindow.urban.codes import RequestDecision, RequestKind
from onewindow.urban.events import CASE_EVENTS
from onewindow.urban.models import CaseRequest, GridCase
from onewindow.urban.services import centre, onsite, unit
from onewindow.urban.services.centre import dispatch_proposal
from onewindow.urban.services.from_hotline import hotline_orders_take, hotline_orders_waiting
from onewindow.urban.transitions import CaseState
from onewindow.workflow.clock import LIGHT_LABELS, light_boundaries

TEMPLATES = "urban/"
Upload = tuple[Any, str]
MOVE_DONE = {
    "verify": _("The verification is recorded; the supervision centre files it or not."),
    "file": _("The case is filed (立案) and waits for dispatch."),
    "refuse": _("The report is not filed (不予立案)."),
    "dispatch": _("The case is dispatched (派遣); the unit's clock runs."),
    "redispatch": _("The case is dispatched again (二次派遣)."),
    "return": _("The case is returned to the command centre (回退)."),
    "stage": _("The stage is done; the next one's time runs."),
    "feedback": _("The feedback is sent; the grid worker checks it on site."),
    "check": _("Checked: done. The supervision centre closes it."),
    "rework": _("Sent back to the unit for rework (返工)."),
    "close": _("The case is closed (结案)."),
    "request": _("The request is sent to the supervision centre."),
    "unpark": _("The case is off the parked list and handled again."),
    "void": _("The case is void (作废)."),
}


def uploads_of(request: HttpRequest, field: str = "photos") -> list[Upload]:
    """The files of ``field``, each with its name; empty inputs are left out."""
    return [(f, f.name or "") for f in request.FILES.getlist(field) if f.name or f.size]


def _revision(request: HttpRequest) -> int:
    value = request.POST.get("revision", "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else -1


def _yes(value: str) -> bool:
    return value in {"on", "yes", "true", "1"}


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    return render(
        request,
        f"{TEMPLATES}{template}",
        {"light_labels": LIGHT_LABELS, "event_labels": CASE_EVENTS.labels(), **context},
        status=status,
    )


def _lit(cases: list[GridCase]) -> list[tuple[GridCase, str]]:
    bounds = light_boundaries(timezone.now())
    return [
        (
            c,
            bounds.light(
                due=c.due_at,
                paused=c.paused_since is not None,
                running=c.state in {CaseState.HANDLING, CaseState.PARKED},
            ),
        )
        for c in cases
    ]


# --- queues -----------------------------------------------------------------------------------


@require_safe
@staff_page
def supervision(request: HttpRequest) -> HttpResponse:
    """The supervision centre (监督中心): reports to file, cases to close, the units' requests
    and the parked cases due for review."""
    require(request.user, Action.URBAN_FILE)
    queue = selectors.chief_queue(request.user)
    return _render(
        request,
        "supervision.html",
        {
            "to_file": queue.to_file,
            "to_close": queue.to_close,
            "requests": queue.requests,
            "parked_due": queue.parked_due,
            "hotline_waiting": hotline_orders_waiting(),
        },
    )


@require_POST
@staff_page
def hotline_take(request: HttpRequest) -> HttpResponse:
    """The 12345 orders the hotline dispatched to the command centre, taken in as grid cases
    (to be verified on site); those whose category maps to no grid category stay listed."""
    taken = hotline_orders_take(actor=request.user)
    messages.success(
        request,
        _("%(taken)s 12345 orders taken in as grid cases; %(left)s left without a grid category.")
        % {"taken": len(taken.cases), "left": len(taken.unmapped)},
    )
    return redirect("urban_staff:supervision")


@require_safe
@staff_page
def command(request: HttpRequest) -> HttpResponse:
    """The command centre (指挥中心): filed cases to dispatch, each with the proposed unit."""
    require(request.user, Action.URBAN_DISPATCH)
    return _render(
        request,
        "command.html",
        {"rows": selectors.dispatcher_queue(request.user), "units": selectors.handling_units()},
    )


@require_safe
@staff_page
def unit_queue(request: HttpRequest) -> HttpResponse:
    """The cases the user's unit holds, the nearest deadline first, with their lights."""
    require(request.user, Action.URBAN_HANDLE)
    return _render(request, "unit_queue.html", {"rows": _lit(selectors.unit_queue(request.user))})


@require_safe
@staff_page
def tasks(request: HttpRequest) -> HttpResponse:
    """The grid worker's tasks on the phone: to verify and to check in their grids."""
    require(request.user, Action.URBAN_VERIFY)
    return _render(request, "tasks.html", {"rows": selectors.worker_tasks(request.user)})


# --- one case ---------------------------------------------------------------------------------

# Each move of the page: the permission that shows its form, and the states it is offered in.
OFFERED: dict[str, tuple[Action, frozenset[str]]] = {
    "verify": (Action.URBAN_VERIFY, frozenset({CaseState.TO_VERIFY})),
    "file": (Action.URBAN_FILE, frozenset({CaseState.TO_FILE})),
    "refuse": (Action.URBAN_FILE, frozenset({CaseState.TO_VERIFY, CaseState.TO_FILE})),
    "dispatch": (Action.URBAN_DISPATCH, frozenset({CaseState.TO_DISPATCH})),
    "redispatch": (Action.URBAN_DISPATCH, frozenset({CaseState.HANDLING})),
    "stage": (Action.URBAN_HANDLE, frozenset({CaseState.HANDLING})),
    "feedback": (Action.URBAN_HANDLE, frozenset({CaseState.HANDLING})),
    "request": (Action.URBAN_HANDLE, frozenset({CaseState.HANDLING})),
    "return": (Action.URBAN_HANDLE, frozenset({CaseState.HANDLING})),
    "check": (Action.URBAN_VERIFY, frozenset({CaseState.TO_CHECK})),
    "rework": (Action.URBAN_VERIFY, frozenset({CaseState.TO_CHECK, CaseState.TO_CLOSE})),
    "close": (Action.URBAN_FILE, frozenset({CaseState.TO_CLOSE})),
    "unpark": (Action.URBAN_FILE, frozenset({CaseState.PARKED})),
    "void": (
        Action.URBAN_FILE,
        frozenset(
            {
                CaseState.TO_VERIFY,
                CaseState.TO_FILE,
                CaseState.TO_DISPATCH,
                CaseState.HANDLING,
                CaseState.PARKED,
            }
        ),
    ),
}


def moves_for(user: Any, case: GridCase) -> list[str]:
    return [
        name
        for name, (action, states) in OFFERED.items()
        if case.state in states and can(user, action, case)
    ]


def _detail(
    request: HttpRequest,
    case: GridCase,
    *,
    template: str = "case.html",
    error: dict[str, Any] | None = None,
    error_at: str = "",
    typed: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    detail = selectors.case_detail(case)
    moves = moves_for(request.user, case)
    pending = next((r for r in detail.requests if r.decision == RequestDecision.PENDING), None)
    if pending is not None and "request" in moves:
        moves.remove("request")
    running = [s for s in detail.stages if s.stage.started_at and not s.stage.done_at]
    later = running and any(s.stage.order > running[0].stage.order for s in detail.stages)
    if "stage" in moves and not later:
        moves.remove("stage")
    return _render(
        request,
        template,
        {
            "case": case,
            "detail": detail,
            "moves": moves,
            "pending": pending,
            "decides": pending is not None and can(request.user, Action.URBAN_FILE, case),
            "proposal": dispatch_proposal(case)
            if "dispatch" in moves or "redispatch" in moves
            else [],
            "units": selectors.handling_units()
            if "dispatch" in moves or "redispatch" in moves
            else [],
            "request_kinds": RequestKind.choices,
            "error": error,
            "error_at": error_at,
            "typed": typed or {},
        },
        status=status,
    )


@require_safe
@staff_page
def case_page(request: HttpRequest, number: str) -> HttpResponse:
    return _detail(request, selectors.case_get(request.user, number))


@require_safe
@staff_page
def task_page(request: HttpRequest, number: str) -> HttpResponse:
    """The grid worker's phone page of one task (verify or check)."""
    require(request.user, Action.URBAN_VERIFY)
    return _detail(request, selectors.case_get(request.user, number), template="task.html")


MoveCall = Callable[[GridCase, Any, dict[str, str], int, list[Upload]], Any]

MOVES: dict[str, tuple[tuple[str, ...], MoveCall]] = {
    "verify": (
        ("found", "note"),
        lambda c, u, p, rev, f: onsite.case_verify(
            actor=u,
            case=c,
            revision=rev,
            found_true={"yes": True, "no": False}.get(p["found"]),
            note=p["note"],
            photos=f,
        ),
    ),
    "file": (
        ("note", "condition_met"),
        lambda c, u, p, rev, f: centre.case_file(
            actor=u, case=c, revision=rev, note=p["note"], condition_met=_yes(p["condition_met"])
        ),
    ),
    "refuse": (
        ("reason",),
        lambda c, u, p, rev, f: centre.case_refuse(
            actor=u, case=c, revision=rev, reason=p["reason"]
        ),
    ),
    "dispatch": (
        ("department", "note"),
        lambda c, u, p, rev, f: centre.case_dispatch(
            actor=u, case=c, revision=rev, department=p["department"], note=p["note"]
        ),
    ),
    "redispatch": (
        ("department", "note"),
        lambda c, u, p, rev, f: centre.case_redispatch(
            actor=u, case=c, revision=rev, department=p["department"], note=p["note"]
        ),
    ),
    "return": (
        ("reason",),
        lambda c, u, p, rev, f: unit.case_return(actor=u, case=c, revision=rev, reason=p["reason"]),
    ),
    "stage": (
        ("note",),
        lambda c, u, p, rev, f: unit.stage_done(actor=u, case=c, revision=rev, note=p["note"]),
    ),
    "feedback": (
        ("note",),
        lambda c, u, p, rev, f: unit.case_feedback(
            actor=u, case=c, revision=rev, note=p["note"], photos=f
        ),
    ),
    "request": (
        ("kind", "reason", "extra"),
        lambda c, u, p, rev, f: unit.request_make(
            actor=u,
            case=c,
            revision=rev,
            kind=p["kind"],
            reason=p["reason"],
            extra=p["extra"] or None,
        ),
    ),
    "check": (
        ("note",),
        lambda c, u, p, rev, f: onsite.case_check(
            actor=u, case=c, revision=rev, note=p["note"], photos=f
        ),
    ),
    "rework": (
        ("reason",),
        lambda c, u, p, rev, f: onsite.case_rework(
            actor=u, case=c, revision=rev, reason=p["reason"], photos=f
        ),
    ),
    "close": (
        ("note", "condition_met"),
        lambda c, u, p, rev, f: centre.case_close(
            actor=u, case=c, revision=rev, note=p["note"], condition_met=_yes(p["condition_met"])
        ),
    ),
    "unpark": (
        ("note",),
        lambda c, u, p, rev, f: centre.case_unpark(actor=u, case=c, revision=rev, note=p["note"]),
    ),
    "void": (
        ("reason",),
        lambda c, u, p, rev, f: centre.case_void(actor=u, case=c, revision=rev, reason=p["reason"]),
    ),
}
# After these the case leaves the user's sight or queue: back to where they work.
AFTER = {
    "return": "urban_staff:unit_queue",
    "dispatch": "urban_staff:command",
    "file": "urban_staff:supervision",
    "refuse": "urban_staff:supervision",
    "close": "urban_staff:supervision",
}


@require_POST
@staff_page
def case_move(request: HttpRequest, number: str, action: str) -> HttpResponse:
    """One move from its form on the case's page (or the worker's task page: ``?task=1``)."""
    if action not in MOVES:
        raise NotFoundOrForbidden()
    fields, call = MOVES[action]
    case = selectors.case_get(request.user, number)
    typed = {name: request.POST.get(name, "") for name in fields}
    task = request.POST.get("from") == "task"
    try:
        call(case, request.user, typed, _revision(request), uploads_of(request))
    except ApplicationError as exc:
        if isinstance(exc, NotFoundOrForbidden | PermissionDenied):
            raise
        fresh = selectors.case_get(request.user, number)
        at = action if action in moves_for(request.user, fresh) else ""
        return _detail(
            request,
            fresh,
            template="task.html" if task else "case.html",
            error=exc.as_dict(),
            error_at=at,
            typed=typed,
            status=exc.status,
        )
    messages.success(request, MOVE_DONE[action])
    if task:
        return redirect("urban_staff:tasks")
    if action in AFTER:
        return redirect(AFTER[action])
    return redirect("urban_staff:case", number=case.number)


@require_POST
@staff_page
def request_decide(request: HttpRequest, request_id: int) -> HttpResponse:
    """The 值班长 approves or refuses a unit's request."""
    require(request.user, Action.URBAN_FILE)
    found = CaseRequest.objects.filter(pk=request_id).select_related("case").first()
    if found is None:
        raise NotFoundOrForbidden()
    number = found.case.number
    try:
        centre.request_decide(
            actor=request.user,
            request=found.pk,
            approve=request.POST.get("decision") == "approve",
            note=request.POST.get("note", ""),
        )
    except ApplicationError as exc:
        if isinstance(exc, NotFoundOrForbidden | PermissionDenied):
            raise
        fresh = selectors.case_get(request.user, number)
        return _detail(request, fresh, error=exc.as_dict(), error_at="decide", status=exc.status)
    messages.success(request, _("The decision is recorded."))
    return redirect("urban_staff:case", number=number)


@require_safe
@staff_page
def photo_file(request: HttpRequest, number: str, photo_id: int) -> HttpResponse:
    """One photo of a case the user may see (the read audited)."""
    photo, data = selectors.photo_open(request.user, number, photo_id)
    response = HttpResponse(data, content_type=photo.paper.content_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


URLS = [
    path("supervision/", supervision, name="supervision"),
    path("supervision/hotline/", hotline_take, name="hotline_take"),
    path("command/", command, name="command"),
    path("unit/", unit_queue, name="unit_queue"),
    path("tasks/", tasks, name="tasks"),
    path("tasks/<str:number>/", task_page, name="task"),
    path("cases/<str:number>/", case_page, name="case"),
    path("cases/<str:number>/photos/<int:photo_id>/", photo_file, name="photo"),
    path("cases/<str:number>/<str:action>/", case_move, name="case_move"),
    path("requests/<int:request_id>/decide/", request_decide, name="request_decide"),
]
