"""The grid worker's phone page (``/staff/urban/report/``) and its service worker
(``/staff/urban/sw.js``).

The page is a form the phone fills in and a queue it keeps: the category picker (searched by
name, keyword and pinyin over ``GET /api/urban/categories``), the position from the phone
(``navigator.geolocation``; typed by hand when there is none), photos taken with the camera and
made at most 1600 px JPEG on the phone, the description. Each report is kept in IndexedDB
with its own key (``crypto.randomUUID``) and sent to ``POST /api/urban/reports`` as soon as
the network is there (on sending, on the ``online`` event, on every load, and by Background
Sync where the browser has it); the page lists what is queued, refused and sent (with the
case number). A report sent twice is one case (the key).

The service worker keeps the page, its script and styles and the category list, so the page
opens and a report can be made without a connection. It is served here, not from the static
files, so that its scope is ``/staff/urban/`` (a worker controls only the pages under its own
address), with the JavaScript content type and the cached addresses filled in.

The page allows the geolocation feature to itself (``Permissions-Policy``: every other page
of the platform allows none).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.views.decorators.http import require_safe
from django_permissions_policy import PermissionsPolicyMiddleware

from onewindow.grid.selectors import grids_of_worker
from onewindow.org.permissions import Action, require
from onewindow.staff.decorators import staff_page

# Bump when the cached files change in a way a stale phone must not keep.
CACHE_VERSION = "urban-report-4"
# The phone API (config/api.py mounts it at /api/urban/, outside the language prefix).
CATEGORIES_URL = "/api/urban/categories"
REPORTS_URL = "/api/urban/reports"


def _policy_with_geolocation() -> str:
    policy = dict(getattr(settings, "PERMISSIONS_POLICY", {}))
    policy["geolocation"] = ["self"]
    return PermissionsPolicyMiddleware.compute_header_value(policy, name="PERMISSIONS_POLICY")


@require_safe
@staff_page
def report(request: HttpRequest) -> HttpResponse:
    """The phone page: for grid workers (``urban.report``; anyone else: 403)."""
    require(request.user, Action.URBAN_REPORT)
    response = render(
        request,
        "urban/staff_report.html",
        {
            "categories_url": CATEGORIES_URL,
            "reports_url": REPORTS_URL,
            "outlines_url": _outlines_url(request.user),
            "sw_url": reverse("urban_staff:sw"),
            "scope": reverse("urban_staff:sw").rsplit("/", 1)[0] + "/",
            "photos_max": settings.URBAN_PHOTOS_MAX,
        },
    )
    response._permissions_policy_override = _policy_with_geolocation()  # type: ignore[attr-defined]
    return response


def _outlines_url(user: Any) -> str:
    """The outlines of the worker's street (their first grid's) for the map a tap on which
    gives the report's place; the service worker keeps them for offline use."""
    grid = grids_of_worker(user).order_by("code").first()
    url = reverse("grid_staff:outlines")
    return f"{url}?region={grid.code[:9]}" if grid is not None else url


@require_safe
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker's script, for a signed-in user (anyone else: 403, so no browser
    installs it without a session)."""
    if not request.user.is_authenticated:
        return HttpResponse(status=403, content_type="text/plain")
    body = render_to_string(
        "urban/sw.js",
        {
            "version": CACHE_VERSION,
            "outlines_url": _outlines_url(request.user),
            "page_url": reverse("urban_staff:report"),
            "categories_url": CATEGORIES_URL,
            "reports_url": REPORTS_URL,
        },
        request=request,
    )
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = reverse("urban_staff:sw").rsplit("/", 1)[0] + "/"
    return response


URLS = [
    path("report/", report, name="report"),
    path("sw.js", service_worker, name="sw"),
]
