"""The citizen's pages of an online application, under ``/my/online/``: start from an item's
guide, the form (pre-filled), the papers, how to get the result, review and send, "my
applications" with every step, withdraw.

Every page needs a signed-in citizen (the browser token of ``citizens.auth``; a staff session
is no citizen); "missing" and "not yours" answer the one 404 (audited by the service that
refused). Forms are POST with the CSRF token; every answer is ``no-store``.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from onewindow.cases.models import OutputMethod
from onewindow.catalog.codes import is_personal
from onewindow.catalog.models import ServiceItem
from onewindow.catalog.names import english_active
from onewindow.citizens.auth import citizen_page
from onewindow.citizens.models import CitizenAccount, represented_by
from onewindow.citizens.services import live_grants_for
from onewindow.core.errors import (
    ApplicationError,
    FieldError,
    NotFoundOrForbidden,
    ValidationFailed,
)
from onewindow.core.validation import record_id
from onewindow.hall.selectors import visit_group_for
from onewindow.online import answers as answer_store
from onewindow.online import selectors, services
from onewindow.online.errors import revision_required
from onewindow.online.events import ONLINE_EVENTS
from onewindow.online.models import OnlineApplication
from onewindow.online.transitions import EDITABLE_STATES, OnlineState
from onewindow.papers.errors import PAPER_REFUSED

View = Callable[..., HttpResponse]
TEXT_MAX = 10000
NO_FILE = _("Choose the file first.")


def _texts(error: ApplicationError) -> dict[str, Any]:
    data = error.as_dict()
    key = "message_en" if english_active() else "message"
    fields: dict[str, list[str]] = {}
    for problem in data["errors"]:
        text = (
            problem[key] if english_active() else f"{problem['message']} / {problem['message_en']}"
        )
        fields.setdefault(problem["field"], []).append(text)
    return {"message": data[key], "message_en": data["message_en"], "fields": fields}


def _account(request: HttpRequest) -> CitizenAccount:
    account: CitizenAccount = request.citizen  # type: ignore[attr-defined]
    return account


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    account = _account(request)
    base = {"account": account, "person": account.person, "section": "online"}
    return render(request, template, {**base, **context}, status=status)


def _revision(request: HttpRequest) -> int:
    return revision_required(request.POST.get("revision"))


def _detail_url(application: OnlineApplication, anchor: str = "") -> str:
    return reverse("online:detail", args=[application.reference]) + anchor


# --- start ---------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@csrf_protect
@citizen_page
def start(request: HttpRequest, item_id: int) -> HttpResponse:
    """From the item's guide: which centre pre-reviews, for whom (myself or a company), start."""
    account = _account(request)
    item = ServiceItem.objects.filter(pk=item_id, is_online=True).first()
    if item is None:
        raise NotFoundOrForbidden()
    centres = services.centres_for_item(item)
    companies = list(
        account.companies_represented.filter(represented_by(account)).select_related("organisation")
    )
    seen = {c.pk for c in companies}
    companies += [g.company for g in live_grants_for(account) if g.company_id not in seen]
    context: dict[str, Any] = {"item": item, "centres": centres, "companies": companies}
    status = 200
    if request.method == "POST":
        try:
            application = services.application_start(
                account=account,
                item_id=item.pk,
                centre_id=record_id(str(request.POST.get("centre", ""))),
                company_id=record_id(str(request.POST.get("company", ""))),
            )
            return HttpResponseRedirect(reverse("online:form", args=[application.reference]))
        except NotFoundOrForbidden:
            raise
        except ApplicationError as error:
            context["error"] = _texts(error)
            status = error.status
    return _page(request, "online/start.html", context, status=status)


# --- my applications ------------------------------------------------------------------------


@require_safe
@citizen_page
def mine(request: HttpRequest) -> HttpResponse:
    account = _account(request)
    return _page(
        request, "online/mine.html", {"applications": selectors.my_applications(account=account)}
    )


@require_safe
@citizen_page
def detail(request: HttpRequest, reference: str) -> HttpResponse:
    account = _account(request)
    application, events, papers = selectors.my_application(account=account, reference=reference)
    visit = not services.is_full_online(application)
    steps = [
        {"at": e.at, "label": ONLINE_EVENTS.public_label(e.action), "event": e}
        for e in events
        if e.public
    ]
    return _page(
        request,
        "online/detail.html",
        {
            "application": application,
            "steps": steps,
            "materials": selectors.material_rows(application, papers),
            "field_problems": _field_problems(application),
            "editable": application.state in EDITABLE_STATES,
            "withdrawable": application.state
            in (OnlineState.DRAFT, OnlineState.SUBMITTED, OnlineState.CORRECTION_REQUESTED),
            "visit": visit,
            "visit_group": (
                visit_group_for(centre=application.centre, item=application.item)
                if visit and application.state == OnlineState.ACCEPTED
                else None
            ),
        },
    )


def _field_problems(application: OnlineApplication) -> list[dict[str, str]]:
    labels = {f["key"]: _label(f) for f in answer_store.form_fields(application)}
    return [
        {**p, "label": labels.get(p["name"], p["name"])}
        for p in application.problems or []
        if p.get("kind") == "field"
    ]


def _label(definition: dict[str, Any]) -> str:
    if english_active() and definition.get("label_en"):
        return str(definition["label_en"])
    return str(definition.get("label") or definition.get("key"))


# --- the form --------------------------------------------------------------------------------


def _posted_answers(request: HttpRequest, rows: list[selectors.FormRow]) -> dict[str, Any]:
    """The answers as posted, each field by its kind; a personal field left empty keeps the
    value saved or found in the applicant's record."""
    values: dict[str, Any] = {}
    for row in rows:
        key, kind = row.field["key"], row.field.get("kind", "")
        name = f"f_{key}"
        if kind == "multichoice":
            values[key] = [str(v)[:200] for v in request.POST.getlist(name)][:100]
        elif kind == "boolean":
            values[key] = request.POST.get(name) == "on" or None
        else:
            values[key] = str(request.POST.get(name, ""))[:TEXT_MAX]
        if is_personal(kind) and not str(values[key]).strip() and row.source:
            del values[key]
    return values


def _record_fill(
    application: OnlineApplication, account: CitizenAccount, rows: list[selectors.FormRow]
) -> dict[str, Any]:
    """The personal values found in the account's own record for fields not answered yet."""
    wanted = {r.field["key"]: r.field.get("prefill") for r in rows if r.source == "record"}
    if not any(r.personal for r in rows if r.source == "record"):
        return {}
    record = selectors.prefill_values(application, account)
    return {
        key: record[prefill]
        for key, prefill in wanted.items()
        if prefill in record and is_personal(_kind(rows, key))
    }


def _kind(rows: list[selectors.FormRow], key: str) -> str:
    return next(str(r.field.get("kind", "")) for r in rows if r.field["key"] == key)


@require_http_methods(["GET", "HEAD", "POST"])
@csrf_protect
@citizen_page
def form(request: HttpRequest, reference: str) -> HttpResponse:
    """The answers and how to get the result. Saving keeps a draft (partial answers)."""
    account = _account(request)
    application = services.application_of(account=account, reference=reference, action="form")
    if application.state not in EDITABLE_STATES:
        return HttpResponseRedirect(_detail_url(application))
    rows = selectors.form_rows(application, account)
    context: dict[str, Any] = {"application": application, "rows": rows, "error": None}
    status = 200
    if request.method == "POST":
        answers = {**_record_fill(application, account, rows), **_posted_answers(request, rows)}
        method = str(request.POST.get("output_method", ""))[:32]
        address = str(request.POST.get("postal_address", ""))[:1000]
        try:
            services.application_save(
                account=account,
                reference=application.reference,
                answers=answers,
                output_method=method,
                postal_address=address if address.strip() or method != "post" else None,
                expected_revision=_revision(request),
            )
            target = "online:papers" if request.POST.get("next") == "papers" else "online:form"
            return HttpResponseRedirect(reverse(target, args=[application.reference]))
        except NotFoundOrForbidden:
            raise
        except ApplicationError as error:
            context["error"] = _texts(error)
            for row in rows:  # the page again with what was typed (personal fields: empty)
                if not row.personal and row.field["key"] in answers:
                    row.value = answers[row.field["key"]]
            status = error.status
    context["output_methods"] = OutputMethod.choices
    return _page(request, "online/form.html", context, status=status)


# --- papers ----------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@csrf_protect
@citizen_page
def papers(request: HttpRequest, reference: str) -> HttpResponse:
    """Each paper of the checklist: upload a scan or photo, or reuse one of "my papers" (with
    consent); a wrong one can be removed while the application can be changed."""
    account = _account(request)
    application = services.application_of(account=account, reference=reference, action="papers")
    if application.state not in EDITABLE_STATES:
        return HttpResponseRedirect(_detail_url(application))
    context: dict[str, Any] = {"application": application, "error": None}
    status = 200
    if request.method == "POST":
        material = str(request.POST.get("material", ""))[:255]
        context["error_material"] = material
        try:
            revision = _revision(request)
            action = request.POST.get("action")
            if action == "remove":
                services.paper_remove(
                    account=account,
                    reference=application.reference,
                    paper_id=record_id(str(request.POST.get("paper", ""))),
                    expected_revision=revision,
                )
            elif action == "reuse":
                services.paper_reuse(
                    account=account,
                    reference=application.reference,
                    material_name=material,
                    kept_id=record_id(str(request.POST.get("kept", ""))),
                    consent=request.POST.get("consent") == "yes",
                    expected_revision=revision,
                )
            else:
                upload = request.FILES.get("file")
                if upload is None:
                    raise ValidationFailed(
                        PAPER_REFUSED,
                        [FieldError("file", "required", NO_FILE)],
                    )
                services.paper_upload(
                    account=account,
                    reference=application.reference,
                    material_name=material,
                    upload=upload,
                    expected_revision=revision,
                )
            return HttpResponseRedirect(reverse("online:papers", args=[application.reference]))
        except NotFoundOrForbidden:
            raise
        except ApplicationError as error:
            context["error"] = _texts(error)
            status = error.status
    context["materials"] = selectors.material_rows(application)
    context["kept"] = selectors.reusable_papers(account=account)
    return _page(request, "online/papers.html", context, status=status)


@require_safe
@citizen_page
def paper_file(request: HttpRequest, reference: str, paper_id: int) -> HttpResponse:
    """One of the application's own papers, for its applicant (audited)."""
    account = _account(request)
    link, data = services.own_paper_open(account=account, reference=reference, paper_id=paper_id)
    return services_file_response(link.paper, data)


def services_file_response(paper: Any, data: bytes) -> HttpResponse:
    from django.utils.http import content_disposition_header

    response = HttpResponse(data, content_type=paper.content_type)
    name = paper.original_name or f"paper-{paper.pk}"
    response["Content-Disposition"] = content_disposition_header(False, name) or "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    policy = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"
    response["Content-Security-Policy"] = f"{policy}; sandbox" if paper.is_image else policy
    return response


# --- review and send, withdraw -----------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@csrf_protect
@citizen_page
def review(request: HttpRequest, reference: str) -> HttpResponse:
    """Everything as it will be sent; sending carries a key of this page, so a double click or
    a resent form is answered as the first send."""
    account = _account(request)
    application = services.application_of(account=account, reference=reference, action="review")
    if application.state not in EDITABLE_STATES:
        return HttpResponseRedirect(_detail_url(application))
    context: dict[str, Any] = {"application": application, "error": None}
    status = 200
    if request.method == "POST":
        try:
            services.application_submit(
                account=account,
                reference=application.reference,
                key=str(request.POST.get("key", ""))[:100],
                expected_revision=_revision(request),
            )
            return HttpResponseRedirect(_detail_url(application, "?sent=1"))
        except NotFoundOrForbidden:
            raise
        except ApplicationError as error:
            context["error"] = _texts(error)
            status = error.status
    context.update(
        key=secrets.token_urlsafe(24),
        rows=selectors.form_rows(application, account),
        materials=selectors.material_rows(application),
        visit=not services.is_full_online(application),
    )
    return _page(request, "online/review.html", context, status=status)


@require_POST
@csrf_protect
@citizen_page
def withdraw(request: HttpRequest, reference: str) -> HttpResponse:
    account = _account(request)
    services.application_of(account=account, reference=reference, action="withdraw")
    application = services.application_withdraw(
        account=account, reference=reference, expected_revision=_revision(request)
    )
    return HttpResponseRedirect(_detail_url(application))
