"""``StaffSessionMiddleware``: the idle and lifetime limits of a staff session, and the
waiting room of a session that still owes its second factor.

- A signed-in session records when it signed in and when it was last used (Unix seconds in
  the session, the last use written at most once a minute). After
  ``STAFF_SESSION_IDLE_MINUTES`` without a request, or ``STAFF_SESSION_MAX_HOURS`` after
  signing in, the next request signs it out (audited as ``staff.session_timeout`` with the
  reason) and carries on as anonymous: a staff page then sends to the sign-in, an htmx request
  gets ``HX-Redirect`` (``decorators.staff_page``), the API answers 401.
- A session whose user needs a second factor and has not given it counts as not signed in
  everywhere but the second-factor pages, sign-in and sign-out: staff pages send it to the
  code page (``staff_page``), the admin is redirected there, the API answers 401. Only a code
  from the user's own confirmed ``StaffTOTPDevice`` (the encrypted one) counts as given
  (``second_factor.is_verified``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext_lazy as _

from onewindow.core.audit import audit_record
from onewindow.staff import second_factor
from onewindow.staff.decorators import send_to
from onewindow.staff.sign_in import client_address

SIGNED_IN_AT = "staff.signed_in_at"
LAST_SEEN = "staff.last_seen"
TOUCH_EVERY = 60  # seconds: the last use is written at most this often
# Pages a session waiting for its second factor may open.
SECOND_FACTOR_PAGES = frozenset(
    {
        "staff:second_factor",
        "staff:second_factor_enrol",
        "staff:sign_in",
        "staff:sign_out",
        "set_language",
    }
)


def now() -> int:
    return int(time.time())


def start(session: Any) -> None:
    """Called when a user signs in: the lifetime and the idle clock start now."""
    session[SIGNED_IN_AT] = session[LAST_SEEN] = now()


def start_on_sign_in(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        start(request.session)


def expired(session: Any, at: int) -> str:
    """``"lifetime"``, ``"idle"`` or ``""``."""
    signed_in_at = session.get(SIGNED_IN_AT)
    last_seen = session.get(LAST_SEEN)
    lifetime = settings.STAFF_SESSION_MAX_HOURS * 3600
    idle = settings.STAFF_SESSION_IDLE_MINUTES * 60
    if isinstance(signed_in_at, int) and at - signed_in_at > lifetime:
        return "lifetime"
    if isinstance(last_seen, int) and at - last_seen > idle:
        return "idle"
    return ""


def _view_name(request: HttpRequest) -> tuple[str, str]:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return "", ""
    return match.view_name, match.namespace


class StaffSessionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            answer = self._check(request, user)
            if answer is not None:
                return answer
        return self.get_response(request)

    def _check(self, request: HttpRequest, user: Any) -> HttpResponse | None:
        session = request.session
        at = now()
        reason = expired(session, at)
        if reason:
            audit_record(
                actor=user,
                action="staff.session_timeout",
                obj=user,
                detail={"reason": reason, "address": client_address(request)},
            )
            logout(request)
            if reason == "idle":
                messages.info(
                    request,
                    _("You were signed out after %(minutes)s minutes without activity.")
                    % {"minutes": settings.STAFF_SESSION_IDLE_MINUTES},
                )
            else:
                messages.info(
                    request,
                    _("You were signed out %(hours)s hours after signing in. Sign in again.")
                    % {"hours": settings.STAFF_SESSION_MAX_HOURS},
                )
            return None
        if SIGNED_IN_AT not in session:
            start(session)
        elif at - int(session.get(LAST_SEEN) or 0) >= TOUCH_EVERY:
            session[LAST_SEEN] = at
        if second_factor.is_verified(user) or not second_factor.needs_second_factor(user):
            return None
        view_name, namespace = _view_name(request)
        if view_name in SECOND_FACTOR_PAGES:
            return None
        setattr(request, second_factor.PENDING_ATTRIBUTE, True)
        if namespace == "admin":
            return send_to(request, "staff:second_factor")
        # Everywhere else the session is not signed in until the code is given.
        request.user = AnonymousUser()
        return None
