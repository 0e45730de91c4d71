"""What the case flow's staff pages share: rendering with the light labels, and showing an error
the user can fix. The sign-in, the 404 / 403 answers and the navigation come from the staff
shell (``onewindow.staff``); ``staff_page`` is its decorator, named here for the views."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from onewindow.core.errors import ApplicationError, NotFoundOrForbidden, PermissionDenied
from onewindow.staff.decorators import staff_page
from onewindow.workflow.clock import LIGHT_LABELS

__all__ = ["LIGHT_LABELS", "is_htmx", "render_page", "shown", "staff_page"]


def shown(exc: ApplicationError) -> dict[str, Any]:
    """An error for the page; refusals go on to the staff 404 / 403 pages instead."""
    if isinstance(exc, NotFoundOrForbidden | PermissionDenied):
        raise exc
    return exc.as_dict()


def render_page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    context = {"light_labels": LIGHT_LABELS, **context}
    return render(request, f"cases/staff/{template}", context, status=status)


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"
