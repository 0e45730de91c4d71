"""The output desk (统一出件): decided cases waiting at the user's output centre."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from onewindow.cases import forms as staff_forms
from onewindow.cases.selectors import case_get_for_user
from onewindow.cases.services import case_deliver
from onewindow.cases.staff_selectors import output_desk_for_user
from onewindow.cases.views.staff.common import render_page, shown, staff_page
from onewindow.core.errors import ApplicationError, ValidationFailed
from onewindow.org.permissions import Action, require

OUTPUT_PAGE_SIZE = 20


def _output_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    cases = output_desk_for_user(request.user)
    page = Paginator(cases, OUTPUT_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "cases": list(page), "failed_number": None, "failed": None}
    context.update(extra)
    return context


@staff_page
@require_GET
def output_desk(request: HttpRequest) -> HttpResponse:
    """Decided cases waiting at the user's output centre, with the papers to give back."""
    require(request.user, Action.CASE_DELIVER)
    return render_page(request, "output.html", _output_context(request))


@staff_page
@require_POST
def output_deliver(request: HttpRequest, number: str) -> HttpResponse:
    # Scoped first: "not found" (audited) to anyone who may not see the case, before the form.
    case = case_get_for_user(number=number, user=request.user)
    form = staff_forms.DeliverForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationFailed(_("The page is out of date; reload it."), [], code="invalid")
        data = form.cleaned_data
        case_deliver(
            case=case,
            actor=request.user,
            method=data["method"],
            collector_id_checked=data["collector_id_checked"],
            proxy_authorisation=data["proxy_authorisation"],
            tracking_number=data["tracking_number"],
            note=data["note"],
            expected_revision=data["revision"],
        )
    except ApplicationError as exc:
        error = shown(exc)
        context = _output_context(request, failed_number=case.number, failed=error, typed=form.data)
        return render_page(request, "output.html", context, status=exc.status)
    messages.success(request, _("Handed over: %(number)s") % {"number": case.number})
    return redirect("cases_staff:output")
