"""The staff page of rating pads: pair a pad with a window (its address is shown once, with a
QR code to open it on the tablet) and revoke a pad. For the centre manager only
(``services.pad``)."""

from __future__ import annotations

from typing import Any

import segno
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from onewindow.core.errors import PermissionDenied
from onewindow.ratings.models import RatingPad
from onewindow.ratings.services.pad import pad_issue, pad_revoke, pad_windows_for
from onewindow.staff.decorators import staff_page


def _record_id(raw: Any) -> int | None:
    text = str(raw or "")
    return int(text) if text.isascii() and text.isdigit() and 0 < len(text) < 10 else None


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@staff_page
def pads(request: HttpRequest) -> HttpResponse:
    windows = list(pad_windows_for(request.user))
    if not windows:
        raise PermissionDenied()
    issued: dict[str, Any] | None = None
    if request.method == "POST":
        pad, secret = pad_issue(
            actor=request.user, window_id=_record_id(request.POST.get("window"))
        )
        path = reverse("ratings_public:pad", kwargs={"secret": secret})
        url = f"{settings.PUBLIC_BASE_URL.rstrip('/')}{path}"
        issued = {
            "pad": pad,
            "url": url,
            "qr": segno.make(url, error="m").svg_data_uri(scale=4, border=2),
        }
    live = (
        RatingPad.objects.filter(window__in=windows, revoked_at__isnull=True)
        .select_related("window__centre", "issued_by")
        .order_by("window__centre__code", "window__number", "-issued_at")
    )
    response = render(
        request,
        "ratings/staff/pads.html",
        {"windows": windows, "pads": list(live), "issued": issued},
    )
    # The page may show a pad's address once (in its content, not in its own address): never
    # cached, no referrer to other sites (same-origin: a POST needs its Origin for CSRF).
    response["Referrer-Policy"] = "same-origin"
    return response


@require_POST
@staff_page
def pad_revoke_view(request: HttpRequest, pad_id: int) -> HttpResponse:
    pad_revoke(actor=request.user, pad_id=pad_id)
    return HttpResponseRedirect(reverse("ratings_staff:pads"))
