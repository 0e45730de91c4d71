"""The staff home page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from onewindow.cases.views_staff.common import nav_flags, render_page, staff_page
from onewindow.core.permissions import Action, can


@staff_page
@require_GET
def staff_home(request: HttpRequest) -> HttpResponse:
    """Links to the pages the user's roles allow, and a case-number box."""
    number = request.GET.get("number", "").strip()
    if number:
        return redirect("cases_staff:case_detail", number=number)
    nav = nav_flags(request.user)
    return render_page(
        request,
        "home.html",
        {"can_view": can(request.user, Action.CASE_VIEW), "nothing": not any(nav.values())},
    )
