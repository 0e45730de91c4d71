"""The 403 and 404 pages, for staff pages and public pages alike, and the site's handlers.

Chinese first, English beneath (``templates/403.html``, ``404.html``); signed-in users on a
``/staff/`` address get them inside the staff layout, everyone else inside the public one. The
500 page is Django's default handler rendering ``templates/500.html`` with no context and no
database access, so it still works when the database is what failed.

``config/urls.py`` names ``page_not_found`` and ``permission_denied`` as ``handler404`` and
``handler403``; ``staff_page`` renders the same pages through ``error_page``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

STAFF_LAYOUT = "staff/layout.html"
PUBLIC_LAYOUT = "base.html"


def is_staff_request(request: HttpRequest) -> bool:
    """A signed-in user on an address under the staff home (in any language)."""
    if not getattr(getattr(request, "user", None), "is_authenticated", False):
        return False
    try:
        home = reverse("staff:home")
    except NoReverseMatch:  # a URL configuration without the staff app (some tests)
        return False
    return request.path.startswith(home)


def error_page(
    request: HttpRequest, status: int, *, message: dict[str, str] | None = None
) -> HttpResponse:
    """The 403 or 404 page, or for any other status the general error page (``error.html``).
    ``message`` (``{"zh": …, "en": …}``) replaces the general sentence of a 403 page and is
    what the general page says; a 404 page never says more than "not found, or not yours"."""
    staff = is_staff_request(request)
    context: dict[str, Any] = {
        "error_layout": STAFF_LAYOUT if staff else PUBLIC_LAYOUT,
        "staff_site": staff,
        "message": message if status != 404 else None,
        "status": status,
    }
    template = f"{status}.html" if status in (403, 404) else "error.html"
    return render(request, template, context, status=status)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 404)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 403)
