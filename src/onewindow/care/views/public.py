"""The care-mode switch: one POST form in the public header (``_care_switch.html``).

It works without JavaScript (a plain form POST with the CSRF token), sets or clears the
``ow_care`` cookie and sends the visitor back to the page they were on — only to an address of
this site: anything else (another host, a scheme, a control character) goes to the home page.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from onewindow.care.mode import COOKIE, COOKIE_MAX_AGE, COOKIE_ON
from onewindow.core.errors import bilingual
from onewindow.core.validation import has_control_characters
from onewindow.staff.errors import error_page

MODES = ("care", "standard")
NEXT_MAX_LENGTH = 2000


def safe_next(request: HttpRequest, target: str) -> str:
    """``target`` when it is an address of this site, otherwise the home page."""
    if (
        target
        and len(target) <= NEXT_MAX_LENGTH
        and not has_control_characters(target)
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return reverse("catalog:home")


@require_POST
def care_switch(request: HttpRequest) -> HttpResponse:
    mode = request.POST.get("mode", "")
    if mode not in MODES:
        return error_page(
            request,
            400,
            message=bilingual(_("Choose care mode or standard mode with the button on the page.")),
        )
    response = HttpResponseRedirect(safe_next(request, request.POST.get("next", "")))
    if mode == "care":
        response.set_cookie(
            COOKIE,
            COOKIE_ON,
            max_age=COOKIE_MAX_AGE,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
        )
    else:
        response.delete_cookie(COOKIE, samesite="Lax")
    return response
