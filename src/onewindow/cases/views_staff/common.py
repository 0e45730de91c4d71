"""What the staff pages share: the ``staff_page`` decorator, rendering with the navigation
and light labels, and showing an error the user can fix."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from onewindow.core.errors import ApplicationError, NotFoundOrForbidden, PermissionDenied
from onewindow.core.permissions import Action, can
from onewindow.workflow.clock import LIGHT_LABELS

NAV_BY_TEMPLATE = {
    "home": "home",
    "intake": "intake",
    "queue": "queue",
    "case": "",
    "output": "output",
    "supervision": "supervision",
}


# --- plumbing -------------------------------------------------------------------------------


def staff_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Login required; the platform's refusals become 404 (hidden) and 403 (forbidden)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFoundOrForbidden as exc:
            raise Http404(str(exc)) from exc
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(str(exc)) from exc

    return login_required(wrapped)


def shown(exc: ApplicationError) -> dict[str, Any]:
    """An error for the page; refusals go on to the 404 / 403 handlers instead."""
    if isinstance(exc, NotFoundOrForbidden | PermissionDenied):
        raise exc
    return exc.as_dict()


def nav_flags(user: Any) -> dict[str, bool]:
    return {
        "can_accept": can(user, Action.CASE_ACCEPT),
        "can_work": can(user, Action.CASE_WORK),
        "can_deliver": can(user, Action.CASE_DELIVER),
        "can_supervise": can(user, Action.CASE_SUPERVISE),
    }


def render_page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    nav_current = NAV_BY_TEMPLATE.get(template.split(".")[0].lstrip("_").split("_")[0], "")
    context = {
        **nav_flags(request.user),
        "light_labels": LIGHT_LABELS,
        "nav_current": nav_current,
        **context,
    }
    return render(request, f"cases/staff/{template}", context, status=status)


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"
