"""The case-number box of the staff bar (``/staff/cases/?number=…``)."""

from __future__ import annotations

import re

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from onewindow.cases.views.staff.common import staff_page
from onewindow.staff.home import home_page

# Case numbers are letters, digits and hyphens (see CASE_NUMBER_FORMAT).
CASE_NUMBER_RE = re.compile(r"[0-9A-Za-z\-]{1,40}")


@staff_page
@require_safe
def staff_home(request: HttpRequest) -> HttpResponse:
    """A case number opens the case page (which decides whether the user may see it); a
    malformed one is answered on the staff home with a message; no number: the staff home."""
    number = request.GET.get("number", "").strip()
    if not number:
        return redirect("staff:home")
    if CASE_NUMBER_RE.fullmatch(number):
        return redirect("cases_staff:case_detail", number=number)
    messages.error(request, _("Not a case number: use the number printed on the receipt."))
    return home_page(request)
