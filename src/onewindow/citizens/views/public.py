"""The citizen's pages under ``/my/``: sign-in by SMS code, real-name binding, my cases (with
progress), my messages, my papers, companies and their agents, signed-in devices, sign-out.

Every page that needs a citizen wears ``citizen_page``: without a live browser token (the
``ow_citizen`` cookie, ``citizens.auth``) it sends to the sign-in and back; a staff session is
no citizen. "Missing" and "not yours" answer the one 404 page (audited by the selector or
service that refused). Every answer is ``no-store``. Forms are POST with the CSRF token; no
inline script (the CSP forbids it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from onewindow.catalog.names import english_active
from onewindow.citizens import selectors, services
from onewindow.citizens.auth import browser_token, citizen_page, cookie_clear, cookie_set
from onewindow.citizens.errors import TooManyCodes
from onewindow.citizens.models import AgentAction, TokenKind
from onewindow.core.client import client_address
from onewindow.core.errors import ApplicationError, NotFoundOrForbidden
from onewindow.core.validation import record_id
from onewindow.papers.services import paper_bytes

View = Callable[..., HttpResponse]


def _texts(error: ApplicationError) -> dict[str, Any]:
    """The error for the page in the active language: on English pages (``/en/``) the English
    message and field messages only; on Chinese pages Chinese first, English too."""
    data = error.as_dict()
    key = "message_en" if english_active() else "message"
    return {
        "message": data[key],
        "message_en": data["message_en"],
        "fields": {e["field"]: e[key] for e in data["errors"]},
        "code": data["code"],
    }


def _safe_next(request: HttpRequest, value: str) -> str:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return reverse("citizens:home")


@require_http_methods(["GET", "HEAD", "POST"])
@csrf_protect
@never_cache
def sign_in(request: HttpRequest) -> HttpResponse:
    """Step 1: the mobile number → a code is sent (the same answer for every number). Step 2:
    the code → signed in (the account is created at the first right code)."""
    source = request.POST if request.method == "POST" else request.GET
    next_url = _safe_next(request, str(source.get("next", "")))
    current = browser_token(request)
    if current is not None and request.method != "POST":
        return HttpResponseRedirect(next_url)  # signed in already
    context: dict[str, Any] = {"next": next_url, "step": "phone", "phone": "", "error": None}
    status = 200
    if request.method == "POST":
        phone = str(request.POST.get("phone", ""))[:32]
        context["phone"] = phone
        address = client_address(request)
        try:
            if request.POST.get("step") == "code":
                context["step"] = "code"
                done = services.sign_in_with_code(
                    phone=phone,
                    code=str(request.POST.get("code", ""))[:32],
                    address=address,
                    kind=TokenKind.BROWSER,
                    label=str(request.headers.get("User-Agent", ""))[:64],
                )
                if current is not None:
                    # This browser's earlier sign-in ends: one live token per cookie.
                    services.sign_out(token=current)
                response = HttpResponseRedirect(next_url)
                cookie_set(response, done.secret)
                return response
            sent = services.sign_in_code_request(phone=phone, address=address)
            context.update(step="code", sent=sent)
        except TooManyCodes as error:
            if error.reason == "resend_too_soon":
                # The code sent seconds ago still works: the code field stays, with the wait.
                context.update(step="code", resend_wait=error.retry_after)
            else:
                context["error"] = _texts(error)
                status = error.status
        except ApplicationError as error:
            context["error"] = _texts(error)
            status = error.status
    return render(request, "citizens/sign_in.html", context, status=status)


@require_POST
@csrf_protect
@citizen_page
def sign_out(request: HttpRequest) -> HttpResponse:
    services.sign_out(token=request.citizen_token)  # type: ignore[attr-defined]
    response = HttpResponseRedirect(reverse("citizens:sign_in"))
    cookie_clear(response)
    return response


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    account = request.citizen  # type: ignore[attr-defined]
    base = {"account": account, "person": account.person, "section": template.split("/")[-1][:-5]}
    return render(request, template, {**base, **context}, status=status)


@require_safe
@citizen_page
def home(request: HttpRequest) -> HttpResponse:
    """我的办件: the bound person's cases with their state; a prompt to bind before."""
    account = request.citizen  # type: ignore[attr-defined]
    return _page(request, "citizens/home.html", {"cases": selectors.my_cases(account=account)})


@require_safe
@citizen_page
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    account = request.citizen  # type: ignore[attr-defined]
    company = request.GET.get("company", "")
    company_id = (
        int(company) if company.isascii() and company.isdigit() and len(company) < 10 else None
    )
    progress = selectors.my_case_progress(account=account, number=number, company_id=company_id)
    return _page(request, "citizens/case.html", {"progress": progress, "company_id": company_id})


@require_safe
@citizen_page
def messages_page(request: HttpRequest) -> HttpResponse:
    account = request.citizen  # type: ignore[attr-defined]
    return _page(
        request, "citizens/messages.html", {"rows": selectors.my_messages(account=account)}
    )


@require_http_methods(["GET", "HEAD", "POST"])
@csrf_protect
@citizen_page
def papers(request: HttpRequest) -> HttpResponse:
    """我的材料: the papers the bound person keeps (kept at a window with their consent), each
    opened through ``paper_file``; ``POST withdraw=<id>`` withdraws the consent (audited). Before
    binding: a prompt to bind."""
    account = request.citizen  # type: ignore[attr-defined]
    if request.method == "POST":
        kept_id = record_id(str(request.POST.get("withdraw", "")))
        services.my_paper_withdraw(account=account, kept_id=kept_id)
        return HttpResponseRedirect(reverse("citizens:papers") + "?withdrawn=1")
    return _page(
        request,
        "citizens/papers.html",
        {"papers": selectors.my_papers(account=account), "withdrawn": "withdrawn" in request.GET},
    )


PAPER_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"


@require_safe
@xframe_options_sameorigin
@citizen_page
def paper_file(request: HttpRequest, kept_id: str, part: str) -> HttpResponse:
    """One of the account's own kept papers (``part`` "file") or its thumbnail ("thumbnail"):
    another person's, a withdrawn or a missing one is the one 404 (audited); every read is
    audited. Served ``inline``, ``nosniff``, ``no-store``, with a CSP of its own (images also
    sandboxed), as the case pages serve papers."""
    account = request.citizen  # type: ignore[attr-defined]
    kept = selectors.my_paper(account=account, kept_id=record_id(kept_id))
    thumbnail = part == "thumbnail"
    paper = kept.paper
    if thumbnail and not paper.thumbnail_name:
        raise NotFoundOrForbidden()
    data = paper_bytes(paper=paper, thumbnail=thumbnail)  # a lost file: its own error page
    selectors.my_paper_read_audit(account=account, kept=kept, thumbnail=thumbnail)
    response = HttpResponse(
        data, content_type=paper.thumbnail_type if thumbnail else paper.content_type
    )
    name = paper.original_name or f"paper-{paper.pk}"
    response["Content-Disposition"] = content_disposition_header(False, name) or "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    sandbox = paper.is_image or thumbnail
    response["Content-Security-Policy"] = f"{PAPER_CSP}; sandbox" if sandbox else PAPER_CSP
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@csrf_protect
@citizen_page
def bind(request: HttpRequest) -> HttpResponse:
    """Real-name binding: resident ID + name, checked by the real-name verifier; a change of
    binding also needs the code sent to the account's mobile (``action=send_code``)."""
    account = request.citizen  # type: ignore[attr-defined]
    context: dict[str, Any] = {"error": None, "values": {}, "sent": None}
    status = 200
    if request.method == "POST":
        values = {
            "name": str(request.POST.get("name", ""))[:128],
            "id_number": str(request.POST.get("id_number", ""))[:64],
        }
        context["values"] = values
        try:
            if request.POST.get("action") == "send_code":
                context["sent"] = services.rebind_code_request(
                    account=account, address=client_address(request)
                )
            else:
                services.real_name_bind(
                    account=account,
                    id_number=values["id_number"],
                    name=values["name"],
                    code=str(request.POST.get("code", ""))[:32],
                    address=client_address(request),
                )
                account.refresh_from_db()
                return HttpResponseRedirect(reverse("citizens:home") + "?bound=1")
        except ApplicationError as error:
            context["error"] = _texts(error)
            status = error.status
    return _page(request, "citizens/bind.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@csrf_protect
@citizen_page
def devices(request: HttpRequest) -> HttpResponse:
    """Signed-in browsers and apps; revoke one (a lost phone)."""
    account = request.citizen  # type: ignore[attr-defined]
    if request.method == "POST":
        token_id = str(request.POST.get("token", ""))
        if not (token_id.isascii() and token_id.isdigit() and len(token_id) < 10):
            raise NotFoundOrForbidden()
        services.token_revoke(account=account, token_id=int(token_id))
        return HttpResponseRedirect(reverse("citizens:devices"))
    current = request.citizen_token.pk  # type: ignore[attr-defined]
    return _page(
        request,
        "citizens/devices.html",
        {"tokens": selectors.my_tokens(account=account), "current": current},
    )


@require_http_methods(["GET", "HEAD", "POST"])
@csrf_protect
@citizen_page
def companies(request: HttpRequest) -> HttpResponse:
    """The companies the citizen represents or is an agent of; claim a company by its USCC."""
    account = request.citizen  # type: ignore[attr-defined]
    context: dict[str, Any] = {"error": None, "uscc": ""}
    status = 200
    if request.method == "POST":
        uscc = str(request.POST.get("uscc", ""))[:64]
        context["uscc"] = uscc
        try:
            company = services.company_claim(account=account, uscc=uscc)
            return HttpResponseRedirect(reverse("citizens:company", args=[company.pk]))
        except ApplicationError as error:
            context["error"] = _texts(error)
            status = error.status
    context["entries"] = selectors.my_companies(account=account)
    return _page(request, "citizens/companies.html", context, status=status)


def _grant_input(request: HttpRequest) -> dict[str, Any]:
    raw_day = str(request.POST.get("expires_on", ""))[:10]
    try:
        expires_on: dt.date | None = dt.date.fromisoformat(raw_day)
    except ValueError:
        expires_on = None
    codes = str(request.POST.get("item_codes", ""))[:2000].replace("，", ",").replace("\n", ",")
    return {
        "id_number": str(request.POST.get("id_number", ""))[:64],
        "name": str(request.POST.get("name", ""))[:128],
        "actions": [str(a)[:32] for a in request.POST.getlist("actions")][:5],
        "item_codes": [c.strip() for c in codes.split(",") if c.strip()][:50],
        "expires_on": expires_on,
        "expires_raw": raw_day,
    }


@require_http_methods(["GET", "HEAD", "POST"])
@csrf_protect
@citizen_page
def company(request: HttpRequest, company_id: int) -> HttpResponse:
    """A company: its cases (representative, or an agent with ``view_cases``); for the
    representative also the agents, a grant form and revoke buttons."""
    account = request.citizen  # type: ignore[attr-defined]
    context: dict[str, Any] = {"error": None, "values": {}, "actions": AgentAction.choices}
    status = 200
    if request.method == "POST":
        # The representative only, checked before the form is read (services).
        try:
            if request.POST.get("revoke"):
                grant = str(request.POST.get("revoke", ""))
                if not (grant.isascii() and grant.isdigit() and len(grant) < 10):
                    raise NotFoundOrForbidden()
                services.agent_revoke(account=account, company_id=company_id, grant_id=int(grant))
                return HttpResponseRedirect(reverse("citizens:company", args=[company_id]))
            selectors.company_for_representative(account=account, company_id=company_id)
            values = _grant_input(request)
            context["values"] = values
            services.agent_grant(
                account=account,
                company_id=company_id,
                id_number=values["id_number"],
                name=values["name"],
                actions=values["actions"],
                item_codes=values["item_codes"],
                expires_on=values["expires_on"],
            )
            return HttpResponseRedirect(reverse("citizens:company", args=[company_id]))
        except NotFoundOrForbidden:
            raise
        except ApplicationError as error:
            context["error"] = _texts(error)
            status = error.status
    try:
        role, cases = selectors.company_cases(account=account, company_id=company_id)
    except ApplicationError as error:
        if isinstance(error, NotFoundOrForbidden):
            raise
        # An agent without view_cases: the company page, without its cases.
        role, cases = None, []
        context["cases_refused"] = _texts(error)
        entry = next(
            (e for e in selectors.my_companies(account=account) if e.company.pk == company_id),
            None,
        )
        if entry is None:
            raise NotFoundOrForbidden() from error
        context["company"] = entry.company
    if role is not None:
        context["company"] = role.company
        context["representative"] = role.representative
    if context.get("representative"):
        context["grants"] = list(context["company"].grants.order_by("-granted_at", "-id"))
    context["cases"] = cases
    return _page(request, "citizens/company.html", context, status=status)
