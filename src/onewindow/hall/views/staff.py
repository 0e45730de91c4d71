"""The hall's staff pages: the window clerk's desk (call next, call again, skip, served,
queue a skipped ticket again), booking a slot for a caller on the phone, and the manager's
queue figures. Each page calls one service or selector; refusals come back as the one 404 /
403 page through ``staff_page``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from onewindow.core.errors import ApplicationError, NotFoundOrForbidden
from onewindow.hall import selectors, services
from onewindow.hall.views.public import day_of, error_texts, group_of, moment_of
from onewindow.org.models import ServiceCentre
from onewindow.org.permissions import Action, require
from onewindow.staff.decorators import staff_page


@require_safe
@staff_page
def windows(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.HALL_SERVE, None)
    return render(
        request, "hall/staff/windows.html", {"windows": selectors.windows_for_clerk(request.user)}
    )


def _desk(request: HttpRequest, window: Any, *, error: Any = None, status: int = 200) -> Any:
    state = selectors.desk_state(clerk=request.user, window=window)
    return render(
        request,
        "hall/staff/desk.html",
        {"desk": state, "window": window, "error": error},
        status=status,
    )


@require_safe
@staff_page
def desk(request: HttpRequest, window_id: int) -> HttpResponse:
    window = services.window_for_clerk(clerk=request.user, window_id=window_id)
    return _desk(request, window)


@require_POST
@staff_page
def call_next(request: HttpRequest, window_id: int) -> HttpResponse:
    window = services.window_for_clerk(clerk=request.user, window_id=window_id)
    try:
        services.ticket_call_next(clerk=request.user, window=window)
    except NotFoundOrForbidden:
        raise
    except ApplicationError as error:
        return _desk(request, window, error=error_texts(error), status=error.status)
    return HttpResponseRedirect(reverse("hall_staff:desk", args=[window.pk]))


@require_POST
@staff_page
def ticket_action(request: HttpRequest, window_id: int, ticket_id: int, action: str) -> Any:
    window = services.window_for_clerk(clerk=request.user, window_id=window_id)
    if action not in services.DESK_ACTIONS:
        raise NotFoundOrForbidden()
    revision = str(request.POST.get("revision", ""))
    # The desk's buttons carry the revision they were drawn at. A missing or malformed one is
    # a page to reload: -1 matches no ticket, so the move answers "stale" — after its
    # permission check, never skipping the stale check.
    valid = revision.isascii() and revision.isdigit() and len(revision) < 10
    try:
        services.ticket_move(
            clerk=request.user,
            ticket_id=ticket_id,
            action=action,
            expected_revision=int(revision) if valid else -1,
            window=window,
        )
    except NotFoundOrForbidden:
        raise
    except ApplicationError as error:
        return _desk(request, window, error=error_texts(error), status=error.status)
    return HttpResponseRedirect(reverse("hall_staff:desk", args=[window.pk]))


@require_http_methods(["GET", "HEAD", "POST"])
@staff_page
def phone_booking(request: HttpRequest) -> HttpResponse:
    """A phone agent books a slot for a caller; the code goes to the caller by SMS and is
    shown here once to read out."""
    require(request.user, Action.HALL_BOOK_FOR_CALLER, None)
    source = request.POST if request.method == "POST" else request.GET
    context: dict[str, Any] = {"centres": selectors.centres_with_groups(), "error": None}
    status = 200
    group = group_of(source)
    days = services.bookable_days()
    day = day_of(source.get("day"))
    if day not in days:
        day = days[0] if days else None
    if request.method == "POST":
        try:
            made = services.booking_create(
                group_id=request.POST.get("group"),
                starts_at=moment_of(request.POST.get("starts_at")),
                agent=request.user,
                phone=str(request.POST.get("phone", "")),
                id_number=str(request.POST.get("id_number", "")),
            )
        except NotFoundOrForbidden:
            raise
        except ApplicationError as error:
            context["error"] = error_texts(error)
            status = error.status
            context["phone"] = str(request.POST.get("phone", ""))[:32]
        else:
            context["made"] = made
    if group is not None and day is not None:
        context["slots"] = selectors.slots_offered(group, day)
    context.update(group=group, days=days, day=day)
    return render(request, "hall/staff/phone_booking.html", context, status=status)


@require_safe
@staff_page
def manager(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.HALL_MANAGE, None)
    centres = selectors.manageable_centres(request.user)
    chosen = str(request.GET.get("centre", ""))[:32]
    centre: ServiceCentre | None = next((c for c in centres if c.code == chosen), None)
    if chosen and centre is None:
        raise NotFoundOrForbidden()
    centre = centre or (centres[0] if centres else None)
    day = day_of(request.GET.get("day")) or timezone.localdate()
    overview = (
        selectors.manager_overview(user=request.user, centre=centre, day=day) if centre else None
    )
    return render(
        request,
        "hall/staff/manager.html",
        {"centres": centres, "centre": centre, "day": day, "overview": overview},
    )
