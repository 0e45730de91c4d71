"""Changes of a known applicant's name, phone or address at the intake workstation: the form,
the code typed back from the registered (old) phone, sending a code, and a colleague's approval
page (for a change whose requester read the ID card).

The rules (what each change needs, who may approve) live in ``applicants.services``; these
views parse, call one service and render.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from onewindow.applicants.models import Person
from onewindow.applicants.selectors import (
    person_change_get,
    person_details_changing,
    person_pending_changes,
)
from onewindow.applicants.services import (
    person_change_approve,
    person_change_confirm_code,
    person_change_details,
    person_change_send_code,
)
from onewindow.cases import forms as staff_forms
from onewindow.cases.views.staff.common import render_page, staff_page
from onewindow.cases.views.staff.intake import (
    CHANGEABLE,
    _by_field,
    _current_person,
    _desk,
    _remember_person,
)
from onewindow.core.errors import ApplicationError, ValidationFailed


@staff_page
def intake_change(request: HttpRequest) -> HttpResponse:
    """The applicant's name, phone or address as the applicant gives them now; the page says
    which would change and asks for what each needs (identity check, confirmation, reason)."""
    _desks, centre, window = _desk(request)
    current = _current_person(request)
    if centre is None or current is None:
        return redirect("cases_staff:intake")
    person = Person.objects.get(pk=current["id"])
    errors: dict[str, list[str]] = {}
    changing: list[str] = []
    status = 200
    if request.method == "POST":
        form = staff_forms.ChangeChecksForm(request.POST)
        if form.is_valid():
            try:
                person_change_details(
                    person=person, actor=request.user, centre=centre, **form.cleaned_data
                )
            except ValidationFailed as exc:
                errors, status = _by_field(exc), 422
                changing = person_details_changing(
                    person=person,
                    actor=request.user,
                    **{key: form.cleaned_data[key] for key in CHANGEABLE},
                )
            else:
                _remember_person(request, person)
                if person_pending_changes(person_id=person.pk):
                    messages.info(request, _("The new phone waits for its confirmation."))
                else:
                    messages.success(request, _("The applicant's details are changed."))
                return redirect("cases_staff:intake")
        else:
            errors, status = staff_forms.form_errors(form), 422
    else:
        form = staff_forms.ChangeChecksForm(initial={"name": current["name"]})
    return render_page(
        request,
        "intake_change.html",
        {
            "person": current,
            "form": form,
            "errors": errors,
            "changing": changing,
            "centre": centre,
            "window": window,
        },
        status=status,
    )


def _shown_here(exc: ApplicationError) -> bool:
    """An answer the page shows (a refusal of the request itself), not a 403/404 page."""
    return isinstance(exc, ValidationFailed) or exc.status in (409, 429)


def _back_with_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    for texts in _by_field(exc).values():
        for text in texts:
            messages.error(request, text)
    return redirect("cases_staff:intake")


@staff_page
@require_POST
def intake_change_confirm(request: HttpRequest, change_id: int) -> HttpResponse:
    """The code the applicant received on the registered (old) phone, typed by the clerk."""
    form = staff_forms.ChangeCodeForm(request.POST)
    code = form.cleaned_data["code"] if form.is_valid() else ""
    try:
        change = person_change_confirm_code(change_id=change_id, code=code, actor=request.user)
    except ApplicationError as exc:
        if not _shown_here(exc):
            raise
        return _back_with_error(request, exc)
    current = _current_person(request)
    if current is not None and current["id"] == change.person_id:
        _remember_person(request, change.person)
    messages.success(request, _("The new phone is confirmed and registered."))
    return redirect("cases_staff:intake")


@staff_page
@require_POST
def intake_change_send_code(request: HttpRequest, change_id: int) -> HttpResponse:
    try:
        person_change_send_code(change_id=change_id, actor=request.user)
    except ApplicationError as exc:
        if not _shown_here(exc):
            raise
        return _back_with_error(request, exc)
    messages.success(request, _("A code was sent to the registered phone."))
    return redirect("cases_staff:intake")


@staff_page
def intake_change_approve(request: HttpRequest, change_id: int) -> HttpResponse:
    """A colleague's approval of a waiting phone change: what changes (masked), who asked and
    why; one button. Refused (403, audited) for the one who asked and for other centres."""
    change = person_change_get(change_id=change_id, actor=request.user)
    context: dict[str, Any] = {"change": change, "error": None}
    if request.method == "POST":
        try:
            person_change_approve(change_id=change_id, actor=request.user)
        except ApplicationError as exc:
            if not _shown_here(exc):
                raise
            context["error"] = exc.as_dict()
            return render_page(request, "intake_change_approve.html", context, status=exc.status)
        messages.success(request, _("You approved the new phone; it is registered."))
        return redirect("cases_staff:intake")
    return render_page(request, "intake_change_approve.html", context)
