"""A citizen's report on the web (``/grid/report/``): category, place (a tap on the district's
map — ``grid_public:outlines`` drawn by grid/gridmap.js —, the browser's position, or typed),
photos, description and a phone to be told on (optional); the thank-you page shows the number
and the query code once; ``/grid/track/`` follows a report by number and query code or phone
(POST, so neither is in an address). Anyone may report, limited per client address
(``URBAN_PUBLIC_REPORTS_PER_HOUR``); a signed-in citizen's report is kept with their account.
The form's own key (a UUID issued with the form) makes a second click find the first report.
A refused report comes back with what was typed (a photo must be chosen again: no browser
fills a file input). Every answer is ``no-store``."""

from __future__ import annotations

import uuid
from itertools import groupby
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from onewindow.citizens.auth import browser_token
from onewindow.core.client import client_address
from onewindow.core.errors import ApplicationError
from onewindow.urban import tracking
from onewindow.urban.picker import categories_for_report
from onewindow.urban.services import public_report_submit
from onewindow.urban.views.staff_report import _policy_with_geolocation

THANKS_SESSION_KEY = "urban.reported"
FIELDS = ("category", "description", "place", "longitude", "latitude", "phone")


def _groups() -> list[tuple[str, list[dict[str, Any]]]]:
    rows = categories_for_report()
    return [(major, list(items)) for major, items in groupby(rows, key=lambda c: c["major"])]


def _key(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return str(uuid.uuid4())


@require_http_methods(["GET", "HEAD", "POST"])
@csrf_protect
@never_cache
def report(request: HttpRequest) -> HttpResponse:
    token = browser_token(request)
    account = token.account if token is not None else None
    context: dict[str, Any] = {
        "groups": _groups(),
        "typed": {},
        "error": None,
        "client_key": _key(request.POST.get("client_key", "")),
        "account": account,
        "outlines_url": reverse("grid_public:outlines"),
        "photos_sent": False,
    }
    status = 200
    if request.method == "POST":
        context["typed"] = {name: request.POST.get(name, "") for name in FIELDS}
        try:
            case, code = public_report_submit(
                account=account,
                phone=request.POST.get("phone", ""),
                category=request.POST.get("category", ""),
                description=request.POST.get("description", ""),
                longitude=request.POST.get("longitude", ""),
                latitude=request.POST.get("latitude", ""),
                place=request.POST.get("place", ""),
                photos=request.FILES.getlist("photos"),
                client_key=request.POST.get("client_key", ""),
                request_ip=client_address(request),
            )
        except ApplicationError as error:
            context["error"], status = error.as_dict(), error.status
            # A browser never fills a file input again: the page says to choose the photo again.
            context["photos_sent"] = bool(request.FILES.getlist("photos"))
        else:
            request.session[THANKS_SESSION_KEY] = {"number": case.number, "code": code}
            return HttpResponseRedirect(reverse("urban_public:thanks"), status=303)
    response = render(request, "urban/public_report.html", context, status=status)
    response._permissions_policy_override = _policy_with_geolocation()  # type: ignore[attr-defined]
    return response


@require_GET
@never_cache
def thanks(request: HttpRequest) -> HttpResponse:
    """The number and the query code, shown once (the session forgets them here)."""
    done = request.session.pop(THANKS_SESSION_KEY, None)
    response = render(
        request, "urban/public_thanks.html", {"done": done if isinstance(done, dict) else None}
    )
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@csrf_protect
@never_cache
def track(request: HttpRequest) -> HttpResponse:
    number = request.GET.get("number", "") if request.method != "POST" else ""
    context: dict[str, Any] = {"report": None, "error": None}
    status = 200
    if request.method == "POST":
        number = request.POST.get("number", "")
        try:
            context["report"] = tracking.report_track(
                number=number,
                secret=request.POST.get("secret", ""),
                address=client_address(request),
            )
        except ApplicationError as error:
            context["error"], status = error.as_dict(), error.status
    context["number"] = number.strip()[: tracking.NUMBER_MAX_LENGTH] if number.isprintable() else ""
    response = render(request, "urban/public_track.html", context, status=status)
    response["Referrer-Policy"] = "same-origin"
    return response


URLS = [
    path("grid/report/", report, name="report"),
    path("grid/report/thanks/", thanks, name="thanks"),
    path("grid/track/", track, name="track"),
]
