"""The Open311 clients' staff page (``/staff/hotline/open311/clients/``): an administrator
(``Action.HOTLINE_MANAGE``) issues a client its key — shown once, on the answer to the issue,
never again — and revokes it. Refusals come back as the one 404 / 403 page (``staff_page``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from onewindow.core.errors import ValidationFailed
from onewindow.core.validation import record_id
from onewindow.hotline.models import Open311Client
from onewindow.hotline.open311.clients import client_issue, client_revoke, default_per_minute
from onewindow.org.permissions import Action, require
from onewindow.staff.decorators import staff_page

TEMPLATE = "hotline/open311_clients.html"


def _page(request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    rows = Open311Client.objects.select_related("issued_by", "revoked_by")
    response = render(
        request,
        TEMPLATE,
        {"clients": rows, "default_per_minute": default_per_minute(), **context},
        status=status,
    )
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@staff_page
def clients(request: HttpRequest) -> HttpResponse:
    """The clients, newest first; a POST issues a new one and shows its key this once."""
    require(request.user, Action.HOTLINE_MANAGE)
    if request.method != "POST":
        return _page(request, {"typed": {}})
    typed = {name: request.POST.get(name, "")[:200] for name in ("name", "contact", "per_minute")}
    try:
        client, key = client_issue(
            actor=request.user,
            name=typed["name"],
            contact=typed["contact"],
            per_minute=typed["per_minute"],
        )
    except ValidationFailed as exc:
        return _page(request, {"typed": typed, "error": exc.as_dict()}, status=422)
    return _page(request, {"typed": {}, "issued": client, "issued_key": key})


@require_POST
@staff_page
def client_revoke_view(request: HttpRequest, client_id: str) -> HttpResponse:
    require(request.user, Action.HOTLINE_MANAGE)
    if request.POST.get("confirm") != "yes":
        # One click must not cut off a client: the box beside the button says it is meant.
        messages.error(
            request, _("Tick “yes, revoke” beside the button to revoke a key; nothing changed.")
        )
        return redirect("hotline_staff:open311_clients")
    client = client_revoke(actor=request.user, client_id=record_id(client_id) or 0)
    messages.success(request, _("The key of %(name)s is revoked.") % {"name": client.name})
    return redirect("hotline_staff:open311_clients")


URLS: list[URLPattern] = [
    path("open311/clients/", clients, name="open311_clients"),
    path(
        "open311/clients/<str:client_id>/revoke/",
        client_revoke_view,
        name="open311_client_revoke",
    ),
]
