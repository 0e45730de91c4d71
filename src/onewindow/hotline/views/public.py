"""The hotline's public pages: the web form (``/12345/``: anyone, limited per client address;
a signed-in citizen files from their account), the thank-you page that shows the number and
the query code once, following an order by number and code (``/12345/track/``: the same answer
for a wrong number and a wrong code, the case progress page's guessing limit), and the signed-in
citizen's "my orders" (``/my/12345/``). Every answer is ``no-store``."""

from __future__ import annotations

import re
import secrets
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_safe

from onewindow.citizens.auth import browser_token, citizen_page
from onewindow.citizens.services import account_mobile_for_self
from onewindow.core.client import client_address
from onewindow.core.errors import ApplicationError, ErrorList, ValidationFailed
from onewindow.core.identifiers import MOBILE_RE, normalise_phone
from onewindow.hotline import tracking
from onewindow.hotline.codes import Channel, OrderType
from onewindow.hotline.services import (
    CallerInput,
    OrderInput,
    caller_input_check,
    order_input_check,
    order_submit,
)
from onewindow.org.codes import RegionLevel
from onewindow.org.models import Region

THANKS_SESSION_KEY = "hotline.submitted"
NOT_SENT = _("Your request is not sent; correct the marked fields.")


def _texts(error: ApplicationError) -> dict[str, Any]:
    return error.as_dict()


def _streets() -> list[Region]:
    return list(Region.objects.filter(level=RegionLevel.STREET).order_by("code"))


SUBMISSION_BYTES = 16
_SUBMISSION = re.compile(r"[0-9a-f]{32}")


def _submission(value: str) -> str:
    """The form's submission token as posted, or ``""`` when it is not one the form issues."""
    return value if _SUBMISSION.fullmatch(value or "") else ""


def _checked_post(
    request: HttpRequest, *, signed_in: bool, account_phone: str = ""
) -> tuple[OrderInput, CallerInput]:
    post = request.POST
    anonymous = post.get("anonymous") == "on" and not signed_in
    data = OrderInput(
        order_type=post.get("order_type", ""),
        title=post.get("title", ""),
        content=post.get("content", ""),
        place=post.get("place", ""),
        region_code=post.get("street", ""),
        wants_reply=post.get("wants_reply") == "on",
        confidential=post.get("confidential") == "on",
    )
    caller = CallerInput(
        name="" if anonymous else post.get("name", ""),
        phone="" if anonymous else (post.get("phone", "").strip() or account_phone),
        anonymous=anonymous,
    )
    # Every problem at once: the matter's, the caller's, and a phone to be answered on.
    errors = ErrorList()
    order_input_check(data, errors)
    checked = caller_input_check(caller, errors)
    if not anonymous and not checked.phone and not (post.get("phone", "").strip() or account_phone):
        errors.add(
            "caller_phone",
            "required",
            _("Give a phone number to be answered on, or tick anonymous."),
        )
    errors.raise_if_any(NOT_SENT)
    return data, caller


@require_http_methods(["GET", "HEAD", "POST"])
@csrf_protect
@never_cache
def form(request: HttpRequest) -> HttpResponse:
    """The web form: a matter for the 12345 hotline (受理渠道: web, or the citizen account when
    signed in); an agent accepts it; the caller gets the number and the query code."""
    token = browser_token(request)
    account = token.account if token is not None else None
    context: dict[str, Any] = {
        "types": OrderType.choices,
        "streets": _streets(),
        "account": account,
        "typed": {},
        "error": None,
        "submission": _submission(request.POST.get("submission", ""))
        or secrets.token_hex(SUBMISSION_BYTES),
    }
    status = 200
    if request.method == "POST":
        context["typed"] = {
            key: request.POST.get(key, "")
            for key in (
                "order_type",
                "title",
                "content",
                "place",
                "street",
                "phone",
                "name",
                "anonymous",
                "confidential",
                "wants_reply",
            )
        }
        try:
            tracking.web_post_count(address=client_address(request), now=timezone.now())
            # A signed-in citizen who leaves the phone empty is answered on the account's
            # own mobile (read for them, audited).
            account_phone = (
                account_mobile_for_self(account=account, purpose="hotline", reference="12345 form")
                if account is not None and not request.POST.get("phone", "").strip()
                else ""
            )
            data, caller = _checked_post(
                request, signed_in=account is not None, account_phone=account_phone
            )
            # The form's own token: a second click (or a resend after a timeout) finds the
            # order the first one made instead of making another.
            submission = _submission(request.POST.get("submission", ""))
            order, _created = order_submit(
                data=data,
                caller=caller,
                channel=Channel.ACCOUNT if account is not None else Channel.WEB,
                account=account,
                source_key=f"web:{submission}" if submission else None,
            )
        except ValidationFailed as error:
            context["error"], status = _texts(error), 422
        except ApplicationError as error:
            context["error"], status = _texts(error), error.status
        else:
            request.session[THANKS_SESSION_KEY] = {
                "number": order.number,
                "code": order.query_code,
                # Told by SMS: a mobile, and a reply wanted (``notifications``).
                "sms": data.wants_reply
                and bool(MOBILE_RE.fullmatch(normalise_phone(caller.phone) or "")),
            }
            return HttpResponseRedirect(reverse("hotline_public:thanks"), status=303)
    else:
        context["typed"] = {"wants_reply": "on"}
    return render(request, "hotline/public_form.html", context, status=status)


@require_GET
@never_cache
def thanks(request: HttpRequest) -> HttpResponse:
    """The number and the query code, shown once (the session forgets them here)."""
    done = request.session.pop(THANKS_SESSION_KEY, None)
    if not isinstance(done, dict):
        done = None
    response = render(request, "hotline/public_thanks.html", {"done": done})
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@csrf_protect
@never_cache
def track(request: HttpRequest) -> HttpResponse:
    """Follow an order by number and query code (POST, so the code is never in an address)."""
    number = request.GET.get("number", "") if request.method != "POST" else ""
    context: dict[str, Any] = {"order": None, "error": None, "code_max": tracking.CODE_MAX_LENGTH}
    status = 200
    if request.method == "POST":
        number = request.POST.get("number", "")
        try:
            context["order"] = tracking.order_track(
                number=number, code=request.POST.get("code", ""), address=client_address(request)
            )
        except ApplicationError as error:
            context["error"], status = _texts(error), error.status
    context["number"] = number.strip()[: tracking.NUMBER_MAX_LENGTH] if number.isprintable() else ""
    response = render(request, "hotline/public_track.html", context, status=status)
    response["Referrer-Policy"] = "same-origin"
    return response


@require_safe
@citizen_page
def mine(request: HttpRequest) -> HttpResponse:
    """我的诉求: the orders the signed-in citizen filed from their account, with state and reply."""
    account = request.citizen  # type: ignore[attr-defined]
    return render(
        request,
        "hotline/public_mine.html",
        {
            "account": account,
            "person": account.person,
            "section": "hotline",
            "orders": tracking.orders_of_account(account),
        },
    )


URLS = [
    path("12345/", form, name="form"),
    path("12345/thanks/", thanks, name="thanks"),
    path("12345/track/", track, name="track"),
    path("my/12345/", mine, name="mine"),
]
