"""The hall's public pages: book a slot and my bookings (a signed-in citizen: the ``ow_citizen``
browser token of ``citizens.auth``; never a staff session), the kiosk (no sign-in: take a
ticket by booking code, resident ID or service), the printed-ticket page and the calling
screen for the hall's TV (its calls fragment polled by htmx every 2 s). No inline script (the
CSP forbids it): the screen's chime is ``static/hall/screen.js``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from onewindow.catalog.names import english_active
from onewindow.citizens.auth import citizen_page
from onewindow.core.client import client_address
from onewindow.core.errors import ApplicationError, NotFoundOrForbidden
from onewindow.hall import selectors, services
from onewindow.staff.errors import error_page

View = Callable[..., HttpResponse]


def error_texts(error: ApplicationError) -> dict[str, Any]:
    """The error in the page's language: Chinese first with English too, or English only on
    English pages."""
    data = error.as_dict()
    english = english_active()
    key = "message_en" if english else "message"
    return {
        "message": data[key],
        "message_en": "" if english else data["message_en"],
        "fields": {e["field"]: e[key] for e in data["errors"]},
        "code": data["code"],
    }


def day_of(value: Any) -> dt.date | None:
    """A day typed in a query (``2026-12-01``); anything else: ``None``."""
    try:
        return parse_date(str(value or "")[:10])
    except ValueError:
        return None


def moment_of(value: Any) -> dt.datetime | None:
    """A time posted by the slot form (ISO 8601); anything else: ``None`` (the service then
    answers "choose one of the times shown")."""
    try:
        return parse_datetime(str(value or "")[:40])
    except ValueError:
        return None


def group_of(source: Any) -> Any:
    """The bookable group a query or form names, or ``None`` (a form naming another is the
    service's to refuse, with its field error)."""
    if not source.get("group"):
        return None
    try:
        return selectors.bookable_group(source.get("group"))
    except NotFoundOrForbidden:
        return None


def public_page(view: View) -> View:
    """A page anyone may open: a missing centre or ticket answers the one 404 page."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFoundOrForbidden:
            return error_page(request, 404)

    return wrapped


@require_safe
@public_page
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "hall/index.html", {"centres": selectors.centres_with_groups()})


@require_http_methods(["GET", "HEAD", "POST"])
@csrf_protect
@citizen_page
def book(request: HttpRequest) -> HttpResponse:
    """Choose a service, a day and a time; the booking code is shown once, here, and sent
    by SMS."""
    account = request.citizen  # type: ignore[attr-defined]
    source = request.POST if request.method == "POST" else request.GET
    context: dict[str, Any] = {"centres": selectors.centres_with_groups(), "error": None}
    status = 200
    group = group_of(source)
    days = services.bookable_days()
    day = day_of(source.get("day"))
    if day not in days:
        day = days[0] if days else None
    if request.method == "POST":
        starts_at = moment_of(request.POST.get("starts_at"))
        try:
            made = services.booking_create(
                group_id=request.POST.get("group"), starts_at=starts_at, account=account
            )
        except ApplicationError as error:
            context["error"] = error_texts(error)
            status = error.status
        else:
            return render(request, "hall/booked.html", {"made": made, "booking": made.booking})
    if group is not None and day is not None:
        context["slots"] = selectors.slots_offered(group, day)
    context.update(group=group, days=days, day=day)
    return render(request, "hall/book.html", context, status=status)


@require_safe
@citizen_page
def bookings(request: HttpRequest) -> HttpResponse:
    account = request.citizen  # type: ignore[attr-defined]
    return render(
        request,
        "hall/bookings.html",
        {"bookings": selectors.my_bookings(account=account), "now": timezone.now()},
    )


@require_POST
@csrf_protect
@citizen_page
def cancel(request: HttpRequest, booking_id: int) -> HttpResponse:
    account = request.citizen  # type: ignore[attr-defined]
    try:
        services.booking_cancel(account=account, booking_id=booking_id)
    except NotFoundOrForbidden:
        raise
    except ApplicationError as error:
        return render(
            request,
            "hall/bookings.html",
            {
                "bookings": selectors.my_bookings(account=account),
                "now": timezone.now(),
                "error": error_texts(error),
            },
            status=error.status,
        )
    return HttpResponseRedirect(reverse("hall:bookings"))


@require_http_methods(["GET", "HEAD", "POST"])
@csrf_protect
@never_cache
@public_page
def kiosk(request: HttpRequest, centre_code: str) -> HttpResponse:
    """The self-service kiosk of a centre: big buttons, no sign-in."""
    centre = selectors.centre_by_code(centre_code)
    context: dict[str, Any] = {
        "centre": centre,
        "groups": selectors.groups_of(centre),
        "error": None,
        "mode": str(request.POST.get("mode", "code")) if request.method == "POST" else "code",
    }
    status = 200
    if request.method == "POST":
        mode = context["mode"]
        try:
            if mode == "id":
                ticket = services.ticket_take_by_id_number(
                    centre=centre,
                    id_number=str(request.POST.get("id_number", "")),
                    group_id=request.POST.get("group"),
                    address=client_address(request),
                )
            elif mode == "group":
                ticket = services.ticket_take(centre=centre, group_id=request.POST.get("group"))
            else:
                ticket = services.ticket_take_by_code(
                    centre=centre,
                    code=str(request.POST.get("code", "")),
                    address=client_address(request),
                )
        except ApplicationError as error:
            context["error"] = error_texts(error)
            status = error.status
        else:
            return HttpResponseRedirect(reverse("hall:ticket", args=[ticket.token]))
    return render(request, "hall/kiosk.html", context, status=status)


@require_safe
@never_cache
@public_page
def ticket(request: HttpRequest, token: str) -> HttpResponse:
    view = selectors.ticket_view(token)
    return render(request, "hall/ticket.html", {"view": view, "ticket": view.ticket})


@require_safe
@public_page
def screen(request: HttpRequest, centre_code: str) -> HttpResponse:
    centre = selectors.centre_by_code(centre_code)
    return render(
        request,
        "hall/screen.html",
        {"centre": centre, "state": selectors.screen_state(centre), "now": timezone.now()},
    )


@require_safe
@never_cache
@public_page
def screen_calls(request: HttpRequest, centre_code: str) -> HttpResponse:
    centre = selectors.centre_by_code(centre_code)
    return render(
        request,
        "hall/_screen_calls.html",
        {"centre": centre, "state": selectors.screen_state(centre), "now": timezone.now()},
    )
