"""The output desk (统一出件): decided cases waiting at the user's output centre, found by case
number or by the collector's ID card."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from onewindow.applicants.identifiers import mask_name
from onewindow.applicants.models import IdType
from onewindow.applicants.services import person_find_by_id_number
from onewindow.cases import forms as staff_forms
from onewindow.cases.models import Case
from onewindow.cases.selectors import case_get_for_user
from onewindow.cases.services import case_deliver
from onewindow.cases.staff_selectors import output_desk_for_user, output_not_ready_for_user
from onewindow.cases.views.staff.common import render_page, shown, staff_page
from onewindow.core.audit import audit_record
from onewindow.core.errors import ApplicationError, ValidationFailed
from onewindow.org.permissions import Action, require

OUTPUT_PAGE_SIZE = 20
OUTPUT_FOUND_LIMIT = 50
OUTPUT_PURPOSE = "统一出件"  # recorded in the audit row of a look-up by ID card at the desk
# What the search box takes for a resident ID card when no document type is chosen (a case
# number has another length: CASE_NUMBER_FORMAT).
RESIDENT_ID_LIKE = re.compile(r"[0-9]{17}[0-9Xx]")


def _masked(cases: list[Case]) -> list[Case]:
    """The desk shows the applicant's masked name beside the masked ID, never the full ones."""
    for case in cases:
        case.applicant_masked = mask_name(case.person.name) if case.person else ""  # type: ignore[attr-defined]
    return cases


def _output_context(
    request: HttpRequest, found: list[Case] | None = None, **extra: Any
) -> dict[str, Any]:
    """The desk: every waiting result page by page, or the ``found`` ones of a search."""
    if found is None:
        cases = output_desk_for_user(request.user)
        page = Paginator(cases, OUTPUT_PAGE_SIZE).get_page(request.GET.get("page"))
        shown_cases, total = list(page), page.paginator.count
    else:
        page, shown_cases, total = None, found, len(found)
    context: dict[str, Any] = {
        "page": page,
        "cases": _masked(shown_cases),
        "total": total,
        "failed_number": None,
        "failed": None,
        "find_form": staff_forms.OutputFindForm(),
        "find_errors": {},
        "search": None,
        "not_ready": [],
    }
    context.update(extra)
    context.setdefault("focus", "error-summary" if context["failed"] else "output-q")
    return context


@staff_page
@require_safe
def output_desk(request: HttpRequest) -> HttpResponse:
    """Decided cases waiting at the user's output centre, with the papers to give back."""
    require(request.user, Action.CASE_DELIVER)
    return render_page(request, "output.html", _output_context(request))


@staff_page
@require_POST
def output_find(request: HttpRequest) -> HttpResponse:
    """Find a waiting result by case number, or by the collector's ID card: a look-up by blind
    index, audited with its purpose; only results at the user's own output centres are shown,
    with masked names and numbers. A POST, so that no ID number lands in an address or a log."""
    require(request.user, Action.CASE_DELIVER)
    form = staff_forms.OutputFindForm(request.POST)
    if not form.is_valid():
        context = _output_context(
            request, find_form=form, find_errors=staff_forms.form_errors(form)
        )
        return render_page(request, "output.html", context, status=422)
    query = form.cleaned_data["q"].strip()
    id_type = form.cleaned_data["id_type"]
    if not id_type and not RESIDENT_ID_LIKE.fullmatch(query):
        found = list(output_desk_for_user(request.user, number=query)[:OUTPUT_FOUND_LIMIT])
        search = {"by_id": False, "label": query}
        not_ready = output_not_ready_for_user(request.user, number=query)
        if not found and not not_ready:
            # Missing, or another centre's case: answered alike and audited alike (the row
            # names the number typed, never the case, so it reveals no more than the answer).
            audit_record(
                actor=request.user,
                action=f"denied:{Action.CASE_DELIVER}",
                object_type="cases.case",
                allowed=False,
                detail={"number": query, "reason": "not_found_or_not_yours"},
            )
    else:
        try:
            person = person_find_by_id_number(
                id_type=id_type or IdType.RESIDENT_ID,
                id_number=query,
                actor=request.user,
                purpose=OUTPUT_PURPOSE,
            )
        except ValidationFailed as exc:
            shown_error = exc.as_dict()
            problems = shown_error["errors"] or [shown_error]
            errors = {"q": [f"{e['message']} / {e['message_en']}" for e in problems]}
            context = _output_context(request, find_form=form, find_errors=errors)
            return render_page(request, "output.html", context, status=422)
        found = (
            list(output_desk_for_user(request.user, person=person)[:OUTPUT_FOUND_LIMIT])
            if person is not None
            else []
        )
        search = {"by_id": True, "label": person.id_number_masked if person else ""}
        not_ready = output_not_ready_for_user(request.user, person=person) if person else []
    # Not waiting here: say which state the case is in and what it still needs (same scope).
    context = _output_context(request, found=found, search=search, not_ready=not_ready)
    return render_page(request, "output.html", context)


def _what_is_missing(error: dict[str, Any]) -> dict[str, Any]:
    """A refused hand-over is headed by what is missing (the first failed check's own message,
    e.g. the ID check), not by a general "cannot be handed over yet" that reads as if the
    result were not ready; any further failed check is listed under it."""
    if not error["errors"]:
        return error
    first, *rest = error["errors"]
    return {**error, "message": first["message"], "message_en": first["message_en"], "errors": rest}


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
        error = _what_is_missing(shown(exc))
        context = _output_context(request, failed_number=case.number, failed=error, typed=form.data)
        return render_page(request, "output.html", context, status=exc.status)
    messages.success(request, _("Handed over: %(number)s") % {"number": case.number})
    return redirect("cases_staff:output")
