"""The hotline centre's staff pages (issue 11): the agent's call screen (take, answer on the call,
not accepted), the queues (submitted, to dispatch, call-backs, extensions, supervision), one
order with the moves its state allows, and the wallboard. Each page calls the services and
selectors of the app; a refusal of a move comes back on the page as a message (never a 500),
and every move carries the revision the page showed."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
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
from onewindow.core.validation import has_control_characters, record_id
from onewindow.hotline import selectors, services
from onewindow.hotline.codes import (
    CallbackOutcome,
    Channel,
    ExtensionDecision,
    NotAccepted,
    OrderType,
    Urgency,
)
from onewindow.hotline.events import WORK_ORDER_EVENTS
from onewindow.hotline.models import (
    DispatchCategory,
    Extension,
    HandlingUnit,
    OrderCaller,
    OrderUnit,
    WorkOrder,
)
from onewindow.hotline.services import attachments
from onewindow.hotline.services.common import MACHINE
from onewindow.hotline.transitions import AT_UNIT_STATES, OPEN_STATES, OrderState
from onewindow.hotline.views.attachments import open_attachment, uploads_of
from onewindow.hotline.wallboard import wallboard_figures
from onewindow.knowledge import selectors as knowledge_selectors
from onewindow.knowledge.models import ArticleVersion
from onewindow.org.codes import RegionLevel
from onewindow.org.models import Region
from onewindow.org.permissions import Action, can, require
from onewindow.ratings.codes import Level
from onewindow.staff.decorators import staff_page
from onewindow.workflow.clock import LIGHT_LABELS, Light, light_boundaries

PAGE_SIZE = 50
T = "hotline/centre_"
NUMBER_MAX_LENGTH = 24
SPLIT_ROWS = 5
REVEAL_PURPOSE = "hotline call-back"
TEMPLATES_FILE = Path(__file__).resolve().parent.parent / "data" / "answer_templates.toml"
ORDER_FIELDS = (
    "order_type",
    "urgency",
    "category_code",
    "title",
    "content",
    "place",
    "region_code",
)
CALLER_FIELDS = ("phone", "name", "id_number")
DONE = {
    "take": _("The order is accepted."),
    "answer": _("The answer is recorded; the order is closed."),
    "refuse": _("Recorded as not accepted."),
    "dispatch": _("The order is dispatched."),
    "split": _("The order is split; each part is dispatched."),
    "merge": _("The order is merged."),
    "callback": _("The call-back is recorded."),
    "close_uncallable": _("The order is closed without a call-back."),
    "remind": _("The reminder is sent to the unit."),
}


@cache
def answer_templates() -> list[dict[str, str]]:
    """The canned answers of the call screen (``hotline/data/answer_templates.toml``)."""
    with TEMPLATES_FILE.open("rb") as handle:
        data = tomllib.load(handle)
    return [
        {"key": str(t["key"]), "label": str(t["label"]), "text": str(t["text"])}
        for t in data.get("template", [])
    ]


def _centre(request: HttpRequest, action: Action = Action.HOTLINE_TAKE) -> None:
    """Every centre page: the hotline centre only; anyone else gets the one 404."""
    require(request.user, action, hide=True)


def _revision(request: HttpRequest) -> int | None:
    value = request.POST.get("revision", "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


def _shown(exc: ApplicationError) -> dict[str, Any]:
    if isinstance(exc, NotFoundOrForbidden | PermissionDenied):
        raise exc
    return exc.as_dict()


def _flag(request: HttpRequest, name: str) -> bool:
    return request.POST.get(name, "") in ("1", "on", "true", "yes")


def _maybe(request: HttpRequest, name: str) -> bool | None:
    value = request.POST.get(name, "")
    return True if value == "yes" else False if value == "no" else None


def _render(request: HttpRequest, name: str, context: dict[str, Any], status: int = 200):
    return render(
        request, f"{T}{name}.html", {"light_labels": LIGHT_LABELS, **context}, status=status
    )


def _page(request: HttpRequest, rows: Any) -> Any:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _categories() -> list[tuple[Any, list[DispatchCategory]]]:
    """The dispatch catalogue as groups: each top category with its active subcategories."""
    rows = list(DispatchCategory.objects.filter(is_active=True).order_by("code"))
    tops = [c for c in rows if c.parent_id is None]
    return [(top, [c for c in rows if c.parent_id == top.pk]) for top in tops]


def _regions() -> list[Region]:
    return list(
        Region.objects.filter(level__in=[RegionLevel.STREET, RegionLevel.COMMUNITY]).order_by(
            "code"
        )
    )


def _units() -> list[Any]:
    return [
        h.department
        for h in HandlingUnit.objects.select_related("department")
        .filter(department__is_active=True)
        .order_by("department__name")
    ]


# --- the call screen ---------------------------------------------------------------------------


def _order_input(request: HttpRequest) -> services.OrderInput:
    p = request.POST
    return services.OrderInput(
        order_type=p.get("order_type", ""),
        urgency=p.get("urgency", Urgency.NORMAL),
        title=p.get("title", ""),
        content=p.get("content", ""),
        category_code=p.get("category_code", ""),
        place=p.get("place", ""),
        region_code=p.get("region_code", ""),
        wants_reply=_flag(request, "wants_reply"),
        confidential=_flag(request, "confidential"),
    )


def _caller_input(request: HttpRequest) -> services.CallerInput:
    p = request.POST
    return services.CallerInput(
        name=p.get("name", ""),
        phone=p.get("phone", ""),
        id_number=p.get("id_number", ""),
        anonymous=_flag(request, "anonymous"),
    )


def _call_screen(
    request: HttpRequest,
    *,
    typed: dict[str, Any] | None = None,
    error: dict[str, Any] | None = None,
    status: int = 200,
    found: dict[str, list[Any]] | None = None,
) -> HttpResponse:
    return _render(
        request,
        "call",
        {
            "typed": typed or {"wants_reply": True, "urgency": Urgency.NORMAL},
            "error": error,
            "found": found,
            "asked": found is not None,
            "order_types": OrderType.choices,
            "urgencies": Urgency.choices,
            "reasons": NotAccepted.choices,
            "category_groups": _categories(),
            "regions": _regions(),
            "answer_templates": answer_templates(),
        },
        status=status,
    )


@staff_page
def call(request: HttpRequest) -> HttpResponse:
    """The agent's home: one call, one order — accepted for dispatch, answered at once, or
    not accepted."""
    _centre(request)
    if request.method != "POST":
        return _call_screen(request)
    action = request.POST.get("action", "")
    typed: dict[str, Any] = {n: request.POST.get(n, "") for n in (*ORDER_FIELDS, *CALLER_FIELDS)}
    for name in ("wants_reply", "confidential", "anonymous"):
        typed[name] = _flag(request, name)
    for name in ("answer", "article_code", "article_version", "reason", "note"):
        typed[name] = request.POST.get(name, "")
    data, caller = _order_input(request), _caller_input(request)
    try:
        if action == "take":
            order = services.order_take(actor=request.user, data=data, caller=caller)
        elif action == "answer":
            order = services.order_answer(
                actor=request.user,
                data=data,
                caller=caller,
                answer=typed["answer"],
                article_code=typed["article_code"],
                article_version=typed["article_version"],
            )
        elif action == "refuse":
            order = services.order_refuse(
                actor=request.user,
                data=data,
                caller=caller,
                reason=typed["reason"],
                note=typed["note"],
            )
        else:
            raise NotFoundOrForbidden()
    except ApplicationError as exc:
        return _call_screen(request, typed=typed, error=_shown(exc), status=exc.status)
    messages.success(
        request,
        _("%(done)s Work order %(number)s.") % {"done": DONE[action], "number": order.number},
    )
    if action == "take":
        return redirect("hotline_staff:order", number=order.number)
    return redirect("hotline_staff:call")


@require_safe
@staff_page
def call_history(request: HttpRequest) -> HttpResponse:
    """The caller's earlier orders and cases, by the phone typed (masked, the look-up audited)."""
    _centre(request)
    phone = request.GET.get("phone", "").strip()
    found: dict[str, list[Any]] = {"orders": [], "cases": []}
    if len(phone) >= 7:
        found = selectors.history_for_phone(request.user, phone[:32])
    return _render(request, "history", {"found": found, "asked": len(phone) >= 7})


KB_QUERY_MAX = 300
KB_LIMIT = 5


@require_safe
@staff_page
def call_kb(request: HttpRequest) -> HttpResponse:
    """The knowledge base's answers to what the agent is typing (subject and content), each
    with its text to put into the answer box and its code and version to record."""
    _centre(request)
    title = request.GET.get("title", "").strip()[:KB_QUERY_MAX]
    content = request.GET.get("content", "").strip()[:KB_QUERY_MAX]
    query = f"{title} {content}".strip()
    hits: list[Any] = []
    if not has_control_characters(query, multiline=True):
        # The subject says the matter in a few words: its answers first, then the content's
        # (a long account of the call would dilute the subject's words).
        for text in (title, content):
            if len(text) < 2 or len(hits) >= KB_LIMIT:
                continue
            seen = {hit.version_id for hit in hits}
            found = knowledge_selectors.article_suggest(text, limit=KB_LIMIT, user=request.user)
            hits += [hit for hit in found if hit.version_id not in seen]
        hits = hits[:KB_LIMIT]
    bodies = dict(
        ArticleVersion.objects.filter(pk__in=[h.version_id for h in hits]).values_list("pk", "body")
    )
    answers = [{"hit": h, "body": bodies.get(h.version_id, "")} for h in hits]
    return _render(request, "kb", {"answers": answers, "query": query if len(query) >= 2 else ""})


@require_safe
@staff_page
def order_find(request: HttpRequest) -> HttpResponse:
    """The number box of the centre's tabs: straight to the order (a number not found, or
    malformed, says so on the call screen)."""
    _centre(request)
    number = request.GET.get("number", "").strip().upper()
    if (
        number
        and len(number) <= NUMBER_MAX_LENGTH
        and number.isalnum()
        and selectors.orders_visible(request.user, Action.HOTLINE_TAKE)
        .filter(number=number)
        .exists()
    ):
        return redirect("hotline_staff:order", number=number)
    messages.error(request, _("No work order has this number; check it on the caller's SMS."))
    return redirect("hotline_staff:call")


@require_safe
@staff_page
def call_incoming(request: HttpRequest) -> HttpResponse:
    """The ring the telephony system put through to this agent, if any (polled by the call
    screen): the masked number and a button to take it."""
    _centre(request)
    return _render(request, "incoming", {"call": services.incoming_call_latest(actor=request.user)})


@require_POST
@staff_page
def call_incoming_take(request: HttpRequest, call_id: int) -> HttpResponse:
    """Take the ring: a fresh call screen with the caller's number filled in and their earlier
    orders and cases shown (the number read once, audited)."""
    _centre(request)
    phone = services.incoming_call_take(actor=request.user, call_pk=call_id)
    typed = {"wants_reply": True, "urgency": Urgency.NORMAL, "phone": phone}
    return _call_screen(
        request, typed=typed, found=selectors.history_for_phone(request.user, phone)
    )


# --- the queues ------------------------------------------------------------------------------


@require_safe
@staff_page
def submitted(request: HttpRequest) -> HttpResponse:
    """Orders from the web, the account, Open311 and bad ratings, to accept."""
    _centre(request)
    page = _page(request, selectors.centre_queue(request.user, OrderState.SUBMITTED))
    return _render(request, "submitted", {"page": page, "channels": dict(Channel.choices)})


def _last_return() -> Subquery:
    return Subquery(
        OrderUnit.objects.filter(order=OuterRef("pk"), returned_at__isnull=False)
        .exclude(return_reason="merged")
        .order_by("-returned_at", "-id")
        .values("return_reason")[:1]
    )


@require_safe
@staff_page
def dispatch_queue(request: HttpRequest) -> HttpResponse:
    """Orders to dispatch, with the units' returns (退单) and the last reason."""
    _centre(request, Action.HOTLINE_DISPATCH)
    rows = selectors.centre_queue(request.user, OrderState.TO_DISPATCH).annotate(
        last_return=_last_return()
    )
    return _render(request, "dispatch", {"page": _page(request, rows)})


@require_safe
@staff_page
def callbacks(request: HttpRequest) -> HttpResponse:
    """Replied orders to call back, the nearest call-back deadline first, with its light."""
    _centre(request)
    bounds = light_boundaries(timezone.now())
    page = _page(request, selectors.centre_queue(request.user, OrderState.REPLIED))
    rows = [(o, bounds.light(due=o.callback_due_at)) for o in page.object_list]
    return _render(request, "callbacks", {"page": page, "rows": rows})


@require_safe
@staff_page
def extensions(request: HttpRequest) -> HttpResponse:
    """The units' extension requests waiting for the centre's decision."""
    _centre(request, Action.HOTLINE_SUPERVISE)
    rows = (
        Extension.objects.filter(decision=ExtensionDecision.PENDING)
        .select_related("order", "department", "requested_by")
        .order_by("requested_at", "id")
    )
    return _render(request, "extensions", {"page": _page(request, rows), "error": None})


@require_POST
@staff_page
def extension_decide(request: HttpRequest, extension_id: int) -> HttpResponse:
    _centre(request, Action.HOTLINE_SUPERVISE)
    approve = request.POST.get("decision", "") == "approve"
    try:
        services.extension_decide(
            actor=request.user,
            extension_id=record_id(extension_id),
            approve=approve,
            note=request.POST.get("note", ""),
        )
    except ApplicationError as exc:
        shown = _shown(exc)
        rows = (
            Extension.objects.filter(decision=ExtensionDecision.PENDING)
            .select_related("order", "department", "requested_by")
            .order_by("requested_at", "id")
        )
        return _render(
            request,
            "extensions",
            {"page": _page(request, rows), "error": shown, "error_at": extension_id},
            status=exc.status,
        )
    messages.success(
        request, _("The extension is approved.") if approve else _("The extension is rejected.")
    )
    return redirect("hotline_staff:extensions")


@require_safe
@staff_page
def supervision(request: HttpRequest) -> HttpResponse:
    """Orders at the units, the nearest deadline first, with their lights and the reminder."""
    _centre(request, Action.HOTLINE_SUPERVISE)
    bounds = light_boundaries(timezone.now())
    rows = (
        WorkOrder.objects.filter(state__in=AT_UNIT_STATES)
        .select_related(*selectors.LIST_RELATED)
        .order_by("due_at", "id")
    )
    show = request.GET.get("light", "")
    if show in (Light.RED, Light.YELLOW):
        conditions = bounds.conditions(
            due="due_at", paused=Q(paused_since__isnull=False), running=Q(pk__isnull=False)
        )
        rows = rows.filter(conditions[Light(show)])
    page = _page(request, rows)
    lit = [
        (o, bounds.light(due=o.due_at, paused=o.paused_since is not None)) for o in page.object_list
    ]
    return _render(
        request,
        "supervision",
        {"page": page, "rows": lit, "show": show, "query_prefix": f"light={show}" if show else ""},
    )


# --- one order -------------------------------------------------------------------------------


def _order(request: HttpRequest, number: str) -> WorkOrder:
    if not number or len(number) > NUMBER_MAX_LENGTH:
        raise NotFoundOrForbidden()
    order = (
        selectors.orders_visible(request.user, Action.HOTLINE_TAKE)
        .filter(number=number)
        .select_related(*selectors.LIST_RELATED, "taken_by", "merged_into", "parent")
        .first()
    )
    if order is None:
        raise NotFoundOrForbidden()
    return order


def _moves(user: Any, order: WorkOrder) -> set[str]:
    allowed = set()
    for action in MACHINE.allowed_actions(order.state):
        try:
            permission = MACHINE.permission_for(action)
        except LookupError:
            continue
        if can(user, permission, order):
            allowed.add(action)
    if order.state in AT_UNIT_STATES and can(user, Action.HOTLINE_SUPERVISE, order):
        allowed.add("remind")
    return allowed


def _detail(
    request: HttpRequest,
    order: WorkOrder,
    *,
    error: dict[str, Any] | None = None,
    error_at: str = "",
    typed: dict[str, Any] | None = None,
    revealed: dict[int, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    now = timezone.now()
    bounds = light_boundaries(now)
    moves = _moves(request.user, order)
    callers = selectors.callers_shown(request.user, order)
    # The callers still to call back in this round (one reached already is done).
    callable_ids = set(
        services.callable_callers(order)
        .exclude(callbacks__round=order.redo_count + 1, callbacks__outcome=CallbackOutcome.REACHED)
        .values_list("pk", flat=True)
    )
    proposal = services.dispatch_propose(order=order) if "dispatch" in moves else None
    dispatch_typed = (typed or {}) if error_at == "dispatch" else {}
    if proposal is not None and not dispatch_typed:
        dispatch_typed = {
            "lead": str(proposal.lead.pk) if proposal.lead else "",
            "assists": [str(a.pk) for a in proposal.assists],
            "category_code": proposal.category.code if proposal.category else "",
        }
    context = {
        "order": order,
        "moves": moves,
        "callers": callers,
        "callable_ids": callable_ids,
        "units": list(
            order.units.select_related("department", "dispatched_by", "signed_by").order_by(
                "dispatched_at", "id"
            )
        ),
        "replies": list(order.replies.select_related("department").order_by("replied_at", "id")),
        "attachments": attachments.attachments_shown(request.user, order),
        "open_url": "hotline_staff:attachment",
        "add_url": reverse("hotline_staff:attach", args=[order.number])
        if order.state in OPEN_STATES
        else "",
        "attach_max": attachments.ATTACHMENTS_MAX,
        "attach_mb": f"{settings.PAPER_MAX_BYTES / (1024 * 1024):g}",
        "callback_rows": list(order.callbacks.select_related("caller", "by").order_by("at", "id")),
        "events": list(order.events.select_related("actor").order_by("at", "id")),
        "event_labels": WORK_ORDER_EVENTS.labels(),
        "extension_rows": list(order.extensions.select_related("department").order_by("id")),
        "handling_light": bounds.light(
            due=order.due_at,
            paused=order.paused_since is not None,
            running=order.state in AT_UNIT_STATES,
        ),
        "sign_light": bounds.light(
            due=order.sign_due_at, running=order.state == OrderState.DISPATCHED
        ),
        "callback_light": bounds.light(
            due=order.callback_due_at, running=order.state == OrderState.REPLIED
        ),
        "proposal": proposal,
        "dispatch_typed": dispatch_typed,
        "candidates": services.duplicate_candidates(order=order) if "merge" in moves else [],
        "units_all": _units() if moves & {"dispatch", "split"} else [],
        "category_groups": _categories() if moves & {"dispatch", "split", "take"} else [],
        "split_rows": _split_rows(typed if error_at == "split" else None),
        "order_types": OrderType.choices,
        "urgencies": Urgency.choices,
        "reasons": NotAccepted.choices,
        "levels": Level.choices,
        "answer_templates": answer_templates() if "answer" in moves else [],
        "error": error,
        "error_at": error_at,
        "typed": typed or {},
        "revealed": revealed or {},
    }
    return _render(request, "order", context, status=status)


def _split_rows(typed: dict[str, Any] | None) -> list[dict[str, str]]:
    rows = []
    for index in range(SPLIT_ROWS):
        rows.append(
            {
                "index": str(index),
                **{
                    name: (typed or {}).get(f"parts-{index}-{name}", "")
                    for name in ("title", "content", "category_code", "lead")
                },
            }
        )
    return rows


@require_safe
@staff_page
def order_page(request: HttpRequest, number: str) -> HttpResponse:
    _centre(request)
    return _detail(request, _order(request, number))


def _split_parts(request: HttpRequest) -> list[services.SplitPart]:
    parts = []
    for index in range(SPLIT_ROWS):
        values = {
            name: request.POST.get(f"parts-{index}-{name}", "")
            for name in ("title", "content", "category_code", "lead")
        }
        if not any(v.strip() for v in values.values()):
            continue
        parts.append(
            services.SplitPart(
                title=values["title"],
                content=values["content"],
                category_code=values["category_code"],
                lead_id=values["lead"],
            )
        )
    return parts


def _merge_into(request: HttpRequest, order: WorkOrder) -> WorkOrder:
    target = (
        selectors.orders_visible(request.user, Action.HOTLINE_TAKE)
        .filter(number=request.POST.get("into", request.GET.get("into", ""))[:NUMBER_MAX_LENGTH])
        .first()
    )
    if target is None or target.pk == order.pk:
        raise NotFoundOrForbidden()
    return target


def _run(request: HttpRequest, order: WorkOrder, action: str) -> WorkOrder:
    """One move of the order page, with the revision the page showed."""
    user, rev, p = request.user, _revision(request), request.POST
    if action == "take":
        return services.submitted_take(
            actor=user,
            order=order,
            expected_revision=rev,
            order_type=p.get("order_type") or None,
            urgency=p.get("urgency") or None,
            category_code=p.get("category_code", ""),
        )
    if action == "answer":
        return services.submitted_answer(
            actor=user,
            order=order,
            expected_revision=rev,
            answer=p.get("answer", ""),
            article_code=p.get("article_code", ""),
            article_version=p.get("article_version", ""),
        )
    if action == "refuse":
        return services.submitted_refuse(
            actor=user,
            order=order,
            expected_revision=rev,
            reason=p.get("reason", ""),
            note=p.get("note", ""),
        )
    if action == "dispatch":
        return services.order_dispatch(
            actor=user,
            order=order,
            expected_revision=rev,
            lead_id=p.get("lead", ""),
            assist_ids=p.getlist("assists"),
            category_code=p.get("category_code", ""),
            note=p.get("note", ""),
        )
    if action == "split":
        services.order_split(
            actor=user, order=order, expected_revision=rev, parts=_split_parts(request)
        )
        return order
    if action == "merge":
        target = _merge_into(request, order)
        return services.order_merge(actor=user, duplicate=order, into=target, expected_revision=rev)
    if action == "callback":
        result = services.callback_record(
            actor=user,
            order=order,
            expected_revision=rev,
            data=services.CallbackInput(
                caller_id=p.get("caller", ""),
                reached=p.get("reached", "") == "yes",
                solved=_maybe(request, "solved"),
                level=p.get("level", ""),
                unit_fault=_maybe(request, "unit_fault"),
                note=p.get("note", ""),
            ),
        )
        return result.order
    if action == "close_uncallable":
        return services.order_close_uncallable(actor=user, order=order, expected_revision=rev)
    if action == "remind":
        if rev is None or rev != order.revision:
            raise MACHINE.stale()
        return services.order_remind(actor=user, order=order, note=p.get("note", ""))
    raise NotFoundOrForbidden()


@require_POST
@staff_page
def order_move(request: HttpRequest, number: str, action: str) -> HttpResponse:
    """One move from its form on the order page (POST, then back to the page)."""
    _centre(request)
    if action not in DONE:
        raise NotFoundOrForbidden()
    order = _order(request, number)
    try:
        result = _run(request, order, action)
    except ApplicationError as exc:
        shown = _shown(exc)
        fresh = _order(request, number)
        typed: dict[str, Any] = {
            k: request.POST.get(k, "") for k in request.POST if k != "csrfmiddlewaretoken"
        }
        typed["assists"] = request.POST.getlist("assists")
        at = action if action in _moves(request.user, fresh) or action == "callback" else ""
        return _detail(request, fresh, error=shown, error_at=at, typed=typed, status=exc.status)
    messages.success(request, DONE[action])
    if action == "merge":
        return redirect("hotline_staff:order", number=result.number)
    if action in ("answer", "refuse") and request.POST.get("next") == "submitted":
        return redirect("hotline_staff:submitted")
    return redirect("hotline_staff:order", number=order.number)


@require_safe
@staff_page
def merge_confirm(request: HttpRequest, number: str) -> HttpResponse:
    """The confirm step of a merge: both orders side by side, then the POST that merges."""
    _centre(request, Action.HOTLINE_DISPATCH)
    order = _order(request, number)
    target = _merge_into(request, order)
    return _render(request, "merge", {"order": order, "target": target})


@require_POST
@staff_page
def reveal_phone(request: HttpRequest, number: str, caller_id: int) -> HttpResponse:
    """The caller's phone in clear, once, for the call-back (audited by the service)."""
    _centre(request)
    order = _order(request, number)
    pk = record_id(caller_id)
    caller = OrderCaller.objects.filter(order=order, pk=pk).first() if pk else None
    if caller is None:
        raise NotFoundOrForbidden()
    caller.order = order
    phone = services.caller_phone_reveal(actor=request.user, caller=caller, purpose=REVEAL_PURPOSE)
    if request.headers.get("HX-Request") == "true":
        return _render(request, "phone", {"phone": phone or "—", "caller": caller})
    return _detail(request, order, revealed={caller.pk: phone or "—"})


@require_POST
@staff_page
def attach(request: HttpRequest, number: str) -> HttpResponse:
    """An agent adds a file to an open order (an intake attachment)."""
    _centre(request)
    order = _order(request, number)
    files = uploads_of(request, "file")
    try:
        if not files:
            raise attachments.no_file()
        upload, name = files[0]
        attachments.attachment_add(actor=request.user, order=order, upload=upload, name=name)
    except ApplicationError as exc:
        shown = _shown(exc)
        return _detail(request, _order(request, number), error=shown, status=exc.status)
    messages.success(request, _("The attachment is kept."))
    return redirect(reverse("hotline_staff:order", args=[order.number]) + "#attachments")


@require_safe
@staff_page
def attachment_file(request: HttpRequest, number: str, attachment_id: int) -> HttpResponse:
    """One attachment's file for the hotline centre (audited by the service)."""
    _centre(request)
    return open_attachment(request, number, attachment_id)


# --- the wallboard ---------------------------------------------------------------------------


@require_safe
@staff_page
def wallboard(request: HttpRequest) -> HttpResponse:
    _centre(request)
    figures = wallboard_figures(timezone.now())
    if request.headers.get("HX-Request") == "true":
        return _render(request, "wallboard_figures", {"f": figures})
    return _render(request, "wallboard", {"f": figures})


URLS = [
    path("call/", call, name="call"),
    path("call/history/", call_history, name="call_history"),
    path("call/kb/", call_kb, name="call_kb"),
    path("find/", order_find, name="order_find"),
    path("call/incoming/", call_incoming, name="call_incoming"),
    path("call/incoming/<int:call_id>/take/", call_incoming_take, name="call_incoming_take"),
    path("submitted/", submitted, name="submitted"),
    path("dispatch/", dispatch_queue, name="dispatch"),
    path("callbacks/", callbacks, name="callbacks"),
    path("extensions/", extensions, name="extensions"),
    path("extensions/<int:extension_id>/decide/", extension_decide, name="extension_decide"),
    path("supervision/", supervision, name="supervision"),
    path("wallboard/", wallboard, name="wallboard"),
    path("orders/<str:number>/", order_page, name="order"),
    path("orders/<str:number>/merge-confirm/", merge_confirm, name="merge_confirm"),
    path("orders/<str:number>/callers/<int:caller_id>/reveal/", reveal_phone, name="reveal_phone"),
    path("orders/<str:number>/attachments/add/", attach, name="attach"),
    path(
        "orders/<str:number>/attachments/<int:attachment_id>/",
        attachment_file,
        name="attachment",
    ),
    path("orders/<str:number>/<slug:action>/", order_move, name="order_move"),
]
