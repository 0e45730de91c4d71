"""The staff home page."""

from __future__ import annotations

import re

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from onewindow.cases.views_staff.common import nav_flags, render_page, staff_page
from onewindow.core.permissions import Action, can

# Case numbers are letters, digits and hyphens (see CASE_NUMBER_FORMAT).
CASE_NUMBER_RE = re.compile(r"[0-9A-Za-z\-]{1,40}")


@staff_page
@require_GET
def staff_home(request: HttpRequest) -> HttpResponse:
    """Links to the pages the user's roles allow, and a case-number box."""
    number = request.GET.get("number", "").strip()
    if number:
        if CASE_NUMBER_RE.fullmatch(number):
            return redirect("cases_staff:case_detail", number=number)
        messages.error(request, _("Not a case number: use the number printed on the receipt."))
    nav = nav_flags(request.user)
    return render_page(
        request,
        "home.html",
        {"can_view": can(request.user, Action.CASE_VIEW), "nothing": not any(nav.values())},
    )
