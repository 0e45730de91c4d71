"""The handling units' pages (承办单位): the unit's queue with its lights, one order as the unit
sees it (the matter, the callers unless confidential, the assisting units' opinions, the
timeline, earlier replies) and the moves allowed now — sign for (签收), return (退单), the
handling form (办理回复), an extension, and for an assisting unit its sign-for and opinion.

Each move calls one service of ``hotline.services.handling``; a refusal is shown on the page
(stale, not allowed now, bad input); an order the unit does not hold (or has returned) answers
the same 404 as a missing number (``staff_page``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import OuterRef, Q, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from onewindow.core.errors import ApplicationError, NotFoundOrForbidden, PermissionDenied
from onewindow.hotline import limits, selectors
from onewindow.hotline.codes import ExtensionDecision, Truth, UnitRole
from onewindow.hotline.events import WORK_ORDER_EVENTS
from onewindow.hotline.models import OrderUnit, WorkOrder
from onewindow.hotline.services import attachments, handling
from onewindow.hotline.transitions import AT_UNIT_STATES, OrderState
from onewindow.hotline.views.attachments import open_attachment, uploads_of
from onewindow.org.permissions import Action, grants_for, require
from onewindow.staff.decorators import staff_page
from onewindow.workflow.clock import LIGHT_LABELS, Light, TimeUnit, due_after, light_boundaries

PAGE_SIZE = 50
NUMBER_MAX_LENGTH = 24
TEMPLATES = "hotline/"
STATE_FILTERS = (OrderState.DISPATCHED, OrderState.HANDLING)
MOVE_DONE = {
    "sign": _("Signed for: the order is being handled by your unit."),
    "return": _("The order is returned to the hotline centre to be dispatched again."),
    "reply": _("The reply is sent; the hotline centre calls the caller back."),
    "extend": _("The extension is asked for; the hotline centre decides."),
    "assist_sign": _("Signed for as an assisting unit."),
    "opinion": _("Your unit's opinion is saved for the lead unit."),
    "attach": _("The attachment is kept."),
}
Upload = tuple[Any, str]


# The events whose written reason a unit reads: its own words and what the centre wrote to it.
# Never the agents' notes (the call-back, a redo's reason, a merge, an intake decision): they
# may name or place the caller, which a confidential order keeps from the unit.
UNIT_REASONS = frozenset(
    {
        "dispatch",
        "sign",
        "return",
        "reply",
        "assist_opinion",
        "extend_request",
        "extend_approve",
        "extend_reject",
        "remind",
    }
)


def _departments(user: Any) -> set[int]:
    return {g.department_id for g in grants_for(user, Action.HOTLINE_HANDLE) if g.department_id}


def _revision(request: HttpRequest) -> int:
    """The revision the page showed; a missing or malformed one is refused as stale (-1)."""
    value = request.POST.get("revision", "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else -1


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    return render(
        request, f"{TEMPLATES}{template}", {"light_labels": LIGHT_LABELS, **context}, status=status
    )


# --- the queue -------------------------------------------------------------------------------


@require_safe
@staff_page
def queue(request: HttpRequest) -> HttpResponse:
    """The orders the user's units hold now, with the deadline's light, the sign-for deadline,
    the unit's role and the returns; filtered by state and light, paged. Constant queries."""
    require(request.user, Action.HOTLINE_HANDLE)
    now = timezone.now()
    bounds = light_boundaries(now)
    state = request.GET.get("state", "")
    if state not in STATE_FILTERS:
        state = ""
    light = request.GET.get("light", "")
    if light not in {Light.RED, Light.YELLOW, Light.GREEN}:
        light = ""
    mine = OrderUnit.objects.filter(
        order=OuterRef("pk"),
        department_id__in=_departments(request.user),
        returned_at__isnull=True,
    ).order_by("-role", "id")  # "lead" before "assist": a unit that is both shows as lead
    rows = selectors.unit_queue(request.user).annotate(
        unit_role=Subquery(mine.values("role")[:1]),
        unit_sign_due=Subquery(mine.values("sign_due_at")[:1]),
        unit_signed=Subquery(mine.values("signed_at")[:1]),
    )
    if state:
        rows = rows.filter(state=state)
    if light:
        conditions = bounds.conditions(
            due="due_at", paused=Q(paused_since__isnull=False), running=Q(state__in=AT_UNIT_STATES)
        )
        rows = rows.filter(conditions[Light(light)])
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = [
        (order, bounds.light(due=order.due_at, paused=order.paused_since is not None))
        for order in page.object_list
    ]
    query = "&".join(f"{k}={v}" for k, v in (("state", state), ("light", light)) if v)
    return _render(
        request,
        "unit_queue.html",
        {
            "page": page,
            "rows": shown,
            "state": state,
            "light": light,
            "states": [(s.value, s.label) for s in STATE_FILTERS],
            "lights": [(key, LIGHT_LABELS[key]) for key in (Light.RED, Light.YELLOW, Light.GREEN)],
            "query_prefix": query,
            "roles": dict(UnitRole.choices),
            "now": now,
        },
    )


# --- one order -------------------------------------------------------------------------------


def _order_for(user: Any, number: str) -> WorkOrder:
    """The order by number if one of the user's units holds it (or held it without returning
    it); otherwise the one audited 404, the same for a missing number."""
    pk = None
    if number and len(number) <= NUMBER_MAX_LENGTH and number.isascii() and number.isalnum():
        pk = WorkOrder.objects.filter(number=number).values_list("pk", flat=True).first()
    order = selectors.order_get(user, pk, Action.HOTLINE_HANDLE)
    if not OrderUnit.objects.filter(
        order=order, department_id__in=_departments(user), returned_at__isnull=True
    ).exists():
        raise NotFoundOrForbidden()
    return order


def _moves(order: WorkOrder, lead: OrderUnit | None, assist: OrderUnit | None) -> list[str]:
    moves: list[str] = []
    if lead is not None:
        if order.state == OrderState.DISPATCHED:
            moves.append("sign")
        if order.state in AT_UNIT_STATES:
            moves.append("return")
        if order.state == OrderState.HANDLING:
            moves += ["reply", "extend"]
    if assist is not None and order.state in AT_UNIT_STATES:
        if assist.signed_at is None:
            moves.append("assist_sign")
        moves.append("opinion")
    return moves


def _detail(
    request: HttpRequest,
    order: WorkOrder,
    *,
    error: dict[str, Any] | None = None,
    error_at: str = "",
    typed: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    now = timezone.now()
    units = list(
        order.units.filter(returned_at__isnull=True)
        .select_related("department")
        .order_by("dispatched_at", "id")
    )
    departments = _departments(request.user)
    own = [u for u in units if u.department_id in departments]
    lead = next((u for u in own if u.role == UnitRole.LEAD), None)
    assist = next((u for u in own if u.role == UnitRole.ASSIST), None)
    mine = lead or assist
    events = list(order.events.select_related("actor").order_by("at", "id"))
    pending = order.extensions.filter(decision=ExtensionDecision.PENDING).first()
    moves = _moves(order, lead, assist)
    if pending is not None and "extend" in moves:
        moves.remove("extend")
    return_by = (
        due_after(lead.dispatched_at, limits.return_working_days(), TimeUnit.WORKING_DAY)
        if lead is not None
        else None
    )
    bounds = light_boundaries(now)
    return _render(
        request,
        "unit_order.html",
        {
            "order": order,
            "light": bounds.light(due=order.due_at, paused=order.paused_since is not None)
            if order.state in AT_UNIT_STATES
            else Light.STOPPED,
            "mine": mine,
            "lead": lead,
            "assist": assist,
            "others": [u for u in units if u not in own],
            "assists": [u for u in units if u.role == UnitRole.ASSIST],
            "callers": selectors.callers_shown(request.user, order),
            "events": events,
            "reasons_shown": UNIT_REASONS,
            "event_labels": WORK_ORDER_EVENTS.labels(),
            "replies": list(order.replies.order_by("round", "id")),
            "attachments": attachments.attachments_shown(request.user, order),
            "confidential_note": order.confidential,
            "open_url": "hotline_staff:unit_attachment",
            "add_url": reverse("hotline_staff:unit_attach", args=[order.number])
            if lead is not None and order.state in AT_UNIT_STATES
            else "",
            "attach_max": attachments.ATTACHMENTS_MAX,
            "attach_mb": f"{settings.PAPER_MAX_BYTES / (1024 * 1024):g}",
            "pending": pending,
            "moves": moves,
            "return_days": limits.return_working_days(),
            "return_by": return_by,
            "extension_max": limits.extension_max_working_days(),
            "truths": Truth.choices,
            "error": error,
            "error_at": error_at,
            "typed": typed or {},
        },
        status=status,
    )


@require_safe
@staff_page
def order_detail(request: HttpRequest, number: str) -> HttpResponse:
    return _detail(request, _order_for(request.user, number))


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


MoveCall = Callable[[WorkOrder, Any, dict[str, str], int, list[Upload]], Any]

MOVES: dict[str, tuple[tuple[str, ...], MoveCall]] = {
    "sign": (
        (),
        lambda o, u, p, rev, f: handling.order_sign(actor=u, order=o, expected_revision=rev),
    ),
    "return": (
        ("reason",),
        lambda o, u, p, rev, f: handling.order_return(
            actor=u, order=o, expected_revision=rev, reason=p["reason"]
        ),
    ),
    "reply": (
        ("truth", "beyond_duty", "solved", "unsolved_reason", "handling", "public_reply"),
        lambda o, u, p, rev, f: attachments.order_reply_with_attachments(
            actor=u,
            order=o,
            expected_revision=rev,
            uploads=f,
            reply=handling.ReplyInput(
                truth=p["truth"],
                solved=_yes_no(p["solved"]),  # type: ignore[arg-type]
                handling=p["handling"],
                public_reply=p["public_reply"],
                beyond_duty=p["beyond_duty"] == "on",
                unsolved_reason=p["unsolved_reason"],
            ),
        ),
    ),
    "extend": (
        ("working_days", "reason"),
        lambda o, u, p, rev, f: handling.extension_request(
            actor=u, order=o, working_days=p["working_days"], reason=p["reason"]
        ),
    ),
    "assist_sign": ((), lambda o, u, p, rev, f: handling.assist_sign(actor=u, order=o)),
    "opinion": (
        ("opinion",),
        lambda o, u, p, rev, f: handling.assist_opinion(actor=u, order=o, opinion=p["opinion"]),
    ),
}


@require_POST
@staff_page
def order_move(request: HttpRequest, number: str, action: str) -> HttpResponse:
    """One move of the unit, from its form on the order's page."""
    if action not in MOVES:
        raise NotFoundOrForbidden()
    fields, call = MOVES[action]
    order = _order_for(request.user, number)
    typed = {name: request.POST.get(name, "") for name in fields}
    try:
        call(order, request.user, typed, _revision(request), uploads_of(request))
    except ApplicationError as exc:
        return _refused(request, number, action, exc, typed)
    messages.success(request, MOVE_DONE[action])
    if action == "return":
        return redirect("hotline_staff:unit_queue")
    return redirect("hotline_staff:unit_order", number=order.number)


def _refused(
    request: HttpRequest, number: str, action: str, exc: ApplicationError, typed: dict[str, str]
) -> HttpResponse:
    """The order's page again with the refusal at the form it came from (or at the top)."""
    if isinstance(exc, NotFoundOrForbidden | PermissionDenied):
        raise exc
    fresh = _order_for(request.user, number)
    if action == "attach":
        lead = OrderUnit.objects.filter(
            order=fresh,
            department_id__in=_departments(request.user),
            returned_at__isnull=True,
            role=UnitRole.LEAD,
        ).exists()
        at = "attach" if lead and fresh.state in AT_UNIT_STATES else ""
    else:
        lead_or_assist = OrderUnit.objects.filter(
            order=fresh, department_id__in=_departments(request.user), returned_at__isnull=True
        )
        roles = {u.role: u for u in lead_or_assist}
        at = action if action in _moves(fresh, roles.get("lead"), roles.get("assist")) else ""
    return _detail(request, fresh, error=exc.as_dict(), error_at=at, typed=typed, status=exc.status)


@require_POST
@staff_page
def attach(request: HttpRequest, number: str) -> HttpResponse:
    """The lead unit adds a file to the order it holds (without a reply)."""
    order = _order_for(request.user, number)
    files = uploads_of(request, "file")
    try:
        if not files:
            raise attachments.no_file()
        upload, name = files[0]
        attachments.attachment_add(actor=request.user, order=order, upload=upload, name=name)
    except ApplicationError as exc:
        return _refused(request, number, "attach", exc, {})
    messages.success(request, MOVE_DONE["attach"])
    return redirect(reverse("hotline_staff:unit_order", args=[order.number]) + "#attachments")


@require_safe
@staff_page
def attachment_file(request: HttpRequest, number: str, attachment_id: int) -> HttpResponse:
    """One attachment's file, for a unit that holds the order (audited by the service)."""
    return open_attachment(request, number, attachment_id)


URLS = [
    path("unit/", queue, name="unit_queue"),
    path("unit/orders/<str:number>/", order_detail, name="unit_order"),
    path("unit/orders/<str:number>/attachments/add/", attach, name="unit_attach"),
    path(
        "unit/orders/<str:number>/attachments/<int:attachment_id>/",
        attachment_file,
        name="unit_attachment",
    ),
    path("unit/orders/<str:number>/<str:action>/", order_move, name="unit_order_move"),
]
