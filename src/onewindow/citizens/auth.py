"""Who the citizen is, for the pages and the API: never the staff session.

A signed-in browser holds its token in the cookie ``ow_citizen`` (HttpOnly, SameSite=Lax,
Secure with ``SESSION_COOKIE_SECURE``); an app sends ``Authorization: Bearer <token>``. Both are
``AccessToken`` rows of a ``CitizenAccount`` (``services.token_authenticate``): a staff user's
Django session never signs a citizen in, and a citizen's cookie never signs anybody in to a
staff page (those read ``request.user`` only), so the two cannot mix.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from onewindow.citizens.models import AccessToken, TokenKind
from onewindow.citizens.services import token_authenticate

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
