"""Who the citizen is, for the pages and the API: never the staff session.

A signed-in browser holds its token in the cookie ``ow_citizen`` (HttpOnly, SameSite=Lax,
Secure with ``SESSION_COOKIE_SECURE``); an app sends ``Authorization: Bearer <token>``. Both are
``AccessToken`` rows of a ``CitizenAccount`` (``services.token_authenticate``): a staff user's
Django session never signs a citizen in, and a citizen's cookie never signs anybody in to a
staff page (those read ``request.user`` only), so the two cannot mix.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.cache import never_cache

from onewindow.citizens.models import AccessToken, TokenKind
from onewindow.citizens.services import token_authenticate
from onewindow.core.errors import ApplicationError, NotFoundOrForbidden
from onewindow.staff.errors import error_page

COOKIE_NAME = "ow_citizen"


def browser_token(request: HttpRequest) -> AccessToken | None:
    """The live browser token of this request's cookie, cached on the request."""
    if not hasattr(request, "_citizen_token"):
        secret = request.COOKIES.get(COOKIE_NAME, "")
        request._citizen_token = (  # type: ignore[attr-defined]
            token_authenticate(secret=secret, kind=TokenKind.BROWSER) if secret else None
        )
    token: AccessToken | None = request._citizen_token  # type: ignore[attr-defined]
    return token


def cookie_set(response: HttpResponse, secret: str) -> None:
    response.set_cookie(
        COOKIE_NAME,
        secret,
        max_age=int(settings.CITIZEN_SESSION_HOURS) * 3600,
        httponly=True,
        secure=bool(settings.SESSION_COOKIE_SECURE),
        samesite="Lax",
    )


def cookie_clear(response: HttpResponse) -> None:
    response.delete_cookie(COOKIE_NAME, samesite="Lax")


View = Callable[..., HttpResponse]


def citizen_page(view: View) -> View:
    """A page of a signed-in citizen (browser token) — the citizens', online applying, booking,
    rating a case: without a token the sign-in page, coming back afterwards; with one,
    ``request.citizen`` (the account) and ``request.citizen_token``. A refusal the page did not
    show itself answers its error page with its status and message (a missing or foreign
    record the one 404), never a 500; each is audited where it was raised."""

    @wraps(view)
    @never_cache
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        token = browser_token(request)
        if token is None:
            target = reverse("citizens:sign_in")
            return HttpResponseRedirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        request.citizen = token.account  # type: ignore[attr-defined]
        request.citizen_token = token  # type: ignore[attr-defined]
        try:
            return view(request, *args, **kwargs)
        except NotFoundOrForbidden:
            return error_page(request, 404)
        except ApplicationError as error:
            text = error.as_dict()
            return error_page(
                request, error.status, message={"zh": text["message"], "en": text["message_en"]}
            )

    return wrapped
