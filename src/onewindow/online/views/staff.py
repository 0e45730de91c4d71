"""The centre's pre-review (预审) of online applications, under ``/staff/online/``: the queue
(oldest first), one application (answers with personal ones masked, every paper opened through
an authorised, audited address), and the three decisions: accept (受理: the case is made), ask
for 补正 listing every problem at once, refuse with reasons."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from onewindow.core.errors import ApplicationError, NotFoundOrForbidden, PermissionDenied
from onewindow.online import answers as answer_store
from onewindow.online import selectors, services
from onewindow.online.errors import revision_required
from onewindow.online.events import ONLINE_EVENTS
from onewindow.online.transitions import OnlineState
from onewindow.org.permissions import Action, require
from onewindow.staff.decorators import staff_page

FILE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"
REASON_MAX = 1000


def _shown(error: ApplicationError) -> dict[str, Any]:
    if isinstance(error, NotFoundOrForbidden | PermissionDenied):
        raise error
    data = error.as_dict()
    return {
        "message": data["message"],
        "message_en": data["message_en"],
        "errors": [f"{e['message']} / {e['message_en']}" for e in data["errors"]],
    }


@staff_page
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.CASE_ACCEPT)
    rows = list(selectors.review_queue(user=request.user))
    return render(request, "online/staff/queue.html", {"rows": rows})


def _detail(
    request: HttpRequest,
    application: Any,
    *,
    error: Any = None,
    status: int = 200,
    revealed: dict[str, str] | None = None,
) -> HttpResponse:
    if revealed is None:
        services.review_read_audit(user=request.user, application=application)
    fields = answer_store.form_fields(application)
    answers = []
    for definition in fields:
        key = definition["key"]
        if revealed is not None and key in revealed:
            answers.append((definition, revealed[key], False))
        elif key in application.personal_masked:
            answers.append((definition, application.personal_masked[key], True))
        elif key in application.answers:
            answers.append((definition, application.answers[key], False))
        else:
            answers.append((definition, "", False))
    events = list(application.events.order_by("at", "id"))
    return render(
        request,
        "online/staff/detail.html",
        {
            "application": application,
            "answers": answers,
            "materials": selectors.material_rows(application),
            "events": [(e, ONLINE_EVENTS.label(e.action)) for e in events],
            "reviewable": application.state == OnlineState.SUBMITTED,
            "visit": not services.is_full_online(application),
            "error": error,
            "revealed": revealed is not None,
            "has_personal": bool(application.personal_masked),
        },
        status=status,
    )


@staff_page
@require_GET
def detail(request: HttpRequest, reference: str) -> HttpResponse:
    application = services.review_application(user=request.user, reference=reference)
    return _detail(request, application)


@staff_page
@require_POST
def reveal(request: HttpRequest, reference: str) -> HttpResponse:
    """The same page with the personal answers in clear, for checking them against the papers
    (a POST, so that no link or reload shows them again; audited)."""
    application, personal = services.review_personal_reveal(user=request.user, reference=reference)
    return _detail(request, application, revealed=personal)


@staff_page
@require_GET
@xframe_options_sameorigin
def paper_file(request: HttpRequest, reference: str, paper_id: int) -> HttpResponse:
    link, data = services.review_paper_open(
        user=request.user, reference=reference, paper_id=paper_id
    )
    paper = link.paper
    response = HttpResponse(data, content_type=paper.content_type)
    name = paper.original_name or f"paper-{paper.pk}"
    response["Content-Disposition"] = content_disposition_header(False, name) or "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    response["Content-Security-Policy"] = f"{FILE_CSP}; sandbox" if paper.is_image else FILE_CSP
    return response


def _problems(request: HttpRequest, application: Any) -> list[dict[str, str]]:
    """The problems ticked on the page: per material (``m:<name>``) and per field
    (``f:<key>``), each with its reason."""
    problems = []
    for value in request.POST.getlist("problem")[:100]:
        kind, _sep, name = str(value).partition(":")
        reason = str(request.POST.get(f"reason:{value}", ""))[: REASON_MAX + 1]
        kind = {"m": "material", "f": "field"}.get(kind, kind)
        problems.append({"kind": kind, "name": name, "reason": reason})
    return problems


@staff_page
@require_POST
def decide(request: HttpRequest, reference: str) -> HttpResponse:
    """Accept, ask for 补正 or refuse; back to the queue, or the page again with the reasons."""
    application = services.review_application(user=request.user, reference=reference)
    action = request.POST.get("decision")
    try:
        revision = revision_required(request.POST.get("revision"))
        if action == "accept":
            done = services.review_accept(
                user=request.user, reference=reference, expected_revision=revision
            )
            case = done.case
            assert case is not None
            messages.success(
                request, _("Accepted: case %(number)s is open.") % {"number": case.number}
            )
            return HttpResponseRedirect(reverse("cases_staff:case_detail", args=[case.number]))
        if action == "correction":
            services.review_request_correction(
                user=request.user,
                reference=reference,
                problems=_problems(request, application),
                note=str(request.POST.get("note", ""))[: REASON_MAX + 1],
                expected_revision=revision,
            )
            messages.success(request, _("The applicant is asked to correct the application."))
        elif action == "refuse":
            services.review_refuse(
                user=request.user,
                reference=reference,
                reasons=str(request.POST.get("reasons", ""))[: REASON_MAX + 1],
                expected_revision=revision,
            )
            messages.success(request, _("The application is not accepted; the applicant is told."))
        else:
            raise NotFoundOrForbidden()
    except ApplicationError as error:
        shown = _shown(error)
        application = services.review_application(user=request.user, reference=reference)
        return _detail(request, application, error=shown, status=error.status)
    return HttpResponseRedirect(reverse("online_staff:queue"))
