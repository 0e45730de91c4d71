"""``staff_page``: the one decorator every staff page wears."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import resolve_url

from onewindow.core.audit import audit_record, refusals_counted
from onewindow.core.errors import ApplicationError, NotFoundOrForbidden, PermissionDenied
from onewindow.staff import second_factor
from onewindow.staff.errors import error_page

View = Callable[..., HttpResponse]


def send_to(request: HttpRequest, page: str) -> HttpResponse:
    """Send the browser to ``page`` (the sign-in, or the second-factor code page) and back to
    where it was afterwards (``?next=``)."""
    target_page = resolve_url(page)
    if request.headers.get("HX-Request") == "true":
        # An htmx fragment must not swap the sign-in page into a table row: send the whole
        # window there, and back to the page the user was on afterwards.
        current = urlsplit(request.headers.get("HX-Current-URL", ""))
        back = urlunsplit(("", "", current.path, current.query, "")) or request.get_full_path()
        target = redirect_to_login(back, target_page)["Location"]
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return redirect_to_login(request.get_full_path(), target_page)


def _sign_in_first(request: HttpRequest) -> HttpResponse:
    if second_factor.pending(request):
        # Signed in by password, the code still owed: to the code page, not the sign-in.
        return send_to(request, "staff:second_factor")
    return send_to(request, settings.LOGIN_URL)


def _audit_refusal(request: HttpRequest, action: str) -> None:
    match = request.resolver_match
    audit_record(
        actor=request.user,
        action=action,
        object_type="page",
        object_repr=request.path,
        allowed=False,
        detail={
            "path": request.path,
            "method": request.method,
            "view": match.view_name if match else "",
        },
    )


def staff_page(view: View) -> View:
    """Sign-in required (the staff sign-in page, coming back afterwards; the code page for a
    session that still owes its second factor); then

    - "not found" in any form — ``NotFoundOrForbidden`` (missing *or* not yours) and Django's
      ``Http404`` — answers the one 404 page, so a stranger learns nothing about what exists;
    - a refusal — the platform's ``PermissionDenied`` or Django's — answers the 403 page;
    - any other ``ApplicationError`` the view lets through answers a page with its status and
      message (409, 422 …).

    Both are audited exactly once: a refusal already written by ``permissions.require`` (or any
    other ``audit_record(allowed=False)`` during the page) is not written again; a plain "does
    not exist" is written here (``denied:not_found`` with the path), so a missing case leaves a
    trace just as somebody else's does.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return _sign_in_first(request)
        with refusals_counted() as refusals:
            try:
                return view(request, *args, **kwargs)
            except (NotFoundOrForbidden, Http404):
                if not refusals.count:
                    _audit_refusal(request, "denied:not_found")
                return error_page(request, 404)
            except PermissionDenied as exc:
                if not refusals.count:
                    _audit_refusal(request, "denied:forbidden")
                text = exc.as_dict()
                return error_page(
                    request, 403, message={"zh": text["message"], "en": text["message_en"]}
                )
            except DjangoPermissionDenied:
                if not refusals.count:
                    _audit_refusal(request, "denied:forbidden")
                return error_page(request, 403)
            except ApplicationError as exc:
                # Any other error of the platform that the page did not show itself (the
                # receipt of a case that was never accepted): its 4xx page, never a 500.
                text = exc.as_dict()
                return error_page(
                    request, exc.status, message={"zh": text["message"], "en": text["message_en"]}
                )

    return wrapped
