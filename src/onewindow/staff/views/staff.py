"""The staff shell's pages: sign-in, the second factor, sign-out, the workstation home, and
moved addresses."""

from __future__ import annotations

from typing import Any

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import LoginView, LogoutView, redirect_to_login
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
)
from django.http.response import HttpResponseBase
from django.shortcuts import render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_safe

from onewindow.core.audit import audit_record
from onewindow.core.errors import bilingual
from onewindow.staff import enrolment, second_factor
from onewindow.staff.decorators import staff_page
from onewindow.staff.home import home_page
from onewindow.staff.sign_in import StaffSignInForm, client_address


class StaffSignInView(LoginView):
    """The staff sign-in page. Afterwards: the ``next`` page when it is on this site (Django
    checks host and scheme), the workstation home otherwise. A signed-in user is sent on."""

    template_name = "staff/sign_in.html"
    authentication_form = StaffSignInForm
    redirect_authenticated_user = True
    next_page = "staff:home"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and _owes_second_factor(request.user):
            return _to_second_factor(request.user, self.get_success_url())
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        user = form.get_user()
        owes = _owes_second_factor(user)
        audit_record(
            actor=user,
            action="staff.sign_in",
            obj=user,
            detail={
                "address": client_address(self.request),
                "second_factor": "required" if owes else "not_required",
            },
        )
        if owes:
            # Signed in by password only: the session opens nothing until the code is given.
            return _to_second_factor(user, self.get_success_url())
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = context["form"]
        # Each refusal in Chinese and in English, whatever language the page is in.
        context["sign_in_errors"] = [
            bilingual(error.message, **(error.params or {}))
            for error in form.non_field_errors().as_data()
        ]
        return context


class StaffSignOutView(LogoutView):
    """Sign out (POST only, as Django requires) and come back to the sign-in page."""

    next_page = "staff:sign_in"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            audit_record(actor=user, action="staff.sign_out", obj=user)
        response = super().post(request, *args, **kwargs)
        messages.success(request, _("You have signed out."))
        return response


sign_in = StaffSignInView.as_view()
sign_out = StaffSignOutView.as_view()


def _owes_second_factor(user: Any) -> bool:
    return not second_factor.is_verified(user) and second_factor.needs_second_factor(user)


def _to_second_factor(user: Any, next_url: str) -> HttpResponse:
    page = "staff:second_factor"
    if second_factor.confirmed_device(user) is None:
        page = "staff:second_factor_enrol"
    return redirect_to_login(next_url, resolve_url(page))


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


class SecondFactorForm(forms.Form):
    code = forms.CharField(
        label=_("Six-digit code"),
        max_length=16,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
                "spellcheck": "false",
            }
        ),
    )


class EnrolmentForm(SecondFactorForm):
    enrolment_code = forms.CharField(
        label=_("Enrolment code from your security administrator"),
        max_length=32,
        required=False,
    )


CODE_ERRORS = {
    "wrong": _("This code is not right. Type the six digits your app shows now."),
    "enrolment": _(
        "This enrolment code is not right, has expired or was used already. Ask your security "
        "administrator for a new one."
    ),
    "throttled": _(
        "After a wrong code, the next one is checked only after a pause: please wait "
        "%(seconds)s seconds and try again."
    ),
    "locked": _(
        "Too many wrong codes: codes for this account are refused for %(minutes)s minutes. "
        "Wait, or ask your security administrator."
    ),
    "enrolment_restarted": _(
        "The key of your earlier set-up could not be read any more, so set-up has started "
        "again: scan this new QR code (or type the new key) and type the code it shows. Remove "
        "the old entry from your app."
    ),
    "key_unreadable": _(
        "The key of your second-factor device cannot be read on this server. No code can be "
        "accepted: ask your security administrator to reset your second factor, then set it "
        "up again."
    ),
}


def _check_code(
    request: HttpRequest, device: Any, code: str, enrolment_code: str | None = None
) -> dict[str, str] | None:
    """None when ``code`` (and ``enrolment_code``, when given) is right; the bilingual refusal
    otherwise (each one audited and counted with wrong codes)."""
    user: Any = request.user
    attempt = second_factor.count_try(user)
    limit = second_factor.max_failures()
    minutes = second_factor.lock_seconds() // 60
    detail = {"address": client_address(request), "failures": attempt}
    if attempt > limit:
        if attempt == limit + 1:
            audit_record(
                actor=user,
                action="denied:staff.second_factor",
                obj=user,
                allowed=False,
                detail={**detail, "reason": "locked"},
            )
        return bilingual(CODE_ERRORS["locked"], minutes=minutes)
    if enrolment_code is not None:
        state, _row = enrolment.code_state(user, enrolment_code)
        if state != "ok":
            audit_record(
                actor=user,
                action="denied:staff.second_factor_enrol",
                obj=user,
                allowed=False,
                detail={**detail, "reason": f"enrolment_code_{state}"},
            )
            return {**bilingual(CODE_ERRORS["enrolment"]), "field": "enrolment_code"}
    try:
        right = second_factor.check_code(device, code)
    except second_factor.Throttled as throttled:
        audit_record(
            actor=user,
            action="denied:staff.second_factor",
            obj=user,
            allowed=False,
            detail={**detail, "reason": "throttled", "wait_seconds": throttled.seconds},
        )
        return {**bilingual(CODE_ERRORS["throttled"], seconds=throttled.seconds), "field": "code"}
    if right:
        second_factor.forget_tries(user)
        return None
    audit_record(
        actor=user,
        action="denied:staff.second_factor",
        obj=user,
        allowed=False,
        detail={**detail, "reason": "wrong_code"},
    )
    return {**bilingual(CODE_ERRORS["wrong"]), "field": "code"}


@sensitive_post_parameters("code")
@require_http_methods(["GET", "HEAD", "POST"])
def second_factor_page(request: HttpRequest) -> HttpResponse:
    """The code page: after the password, the six digits of the user's authenticator app."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), resolve_url(settings.LOGIN_URL))
    next_url = _safe_next(request)
    if not _owes_second_factor(request.user):
        return HttpResponseRedirect(next_url)
    device = second_factor.confirmed_device(request.user)
    if device is None:
        return redirect_to_login(next_url, resolve_url("staff:second_factor_enrol"))
    if not second_factor.key_readable(device):
        return _key_unreadable_page(request, next_url, enrol=False)
    form = SecondFactorForm(request.POST or None)
    errors: list[dict[str, str]] = []
    if request.method == "POST" and form.is_valid():
        error = _check_code(request, device, form.cleaned_data["code"])
        if error is None:
            user = request.user
            second_factor.mark_verified(request, device)
            audit_record(
                actor=user,
                action="staff.second_factor",
                obj=user,
                detail={"address": client_address(request)},
            )
            return HttpResponseRedirect(next_url)
        errors.append(error)
    return render(
        request,
        "staff/second_factor.html",
        {"form": form, "errors": errors, "next": next_url, "enrol": False},
        status=200,
    )


@sensitive_post_parameters("code", "enrolment_code")
@require_http_methods(["GET", "HEAD", "POST"])
def second_factor_enrol(request: HttpRequest) -> HttpResponse:
    """Enrolment: the QR code (inline SVG) and the secret in text for an authenticator app,
    confirmed by one code. Only for a signed-in user who has no confirmed device yet."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), resolve_url(settings.LOGIN_URL))
    next_url = _safe_next(request)
    if not _owes_second_factor(request.user):
        return HttpResponseRedirect(next_url)
    if second_factor.confirmed_device(request.user) is not None:
        return redirect_to_login(next_url, resolve_url("staff:second_factor"))
    device = second_factor.enrolment_device(request.user, request.session)
    needs_code = enrolment.needs_code()
    errors: list[dict[str, str]] = []
    restarted = False
    if not second_factor.key_readable(device):
        # A code typed for the unreadable device cannot be checked: a new device, shown afresh.
        device = second_factor.restart_enrolment(request.user, request.session, device)
        if not second_factor.key_readable(device):
            return _key_unreadable_page(request, next_url, enrol=True)
        restarted = True
        errors.append(bilingual(CODE_ERRORS["enrolment_restarted"]))
    form_class = EnrolmentForm if needs_code else SecondFactorForm
    form = form_class(None if restarted else (request.POST or None))
    if request.method == "POST" and form.is_valid():
        given = form.cleaned_data.get("enrolment_code", "") if needs_code else None
        error = _check_code(request, device, form.cleaned_data["code"], given)
        if error is None and given is not None:
            _state, row = enrolment.code_state(request.user, given)
            if row is None or not enrolment.use_code(user=request.user, row=row):
                # Spent by a parallel try between the check and now.
                error = {**bilingual(CODE_ERRORS["enrolment"]), "field": "enrolment_code"}
        if error is None:
            user = request.user
            device.refresh_from_db()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            second_factor.drop_other_enrolments(user, device)
            request.session.pop(second_factor.ENROLMENT_SESSION_KEY, None)
            second_factor.mark_verified(request, device)
            audit_record(
                actor=user,
                action="staff.second_factor_enrol",
                obj=user,
                detail={"address": client_address(request), "device": device.pk},
            )
            return HttpResponseRedirect(next_url)
        errors.append(error)
    fields = ["enrolment_code", "code"] if needs_code else ["code"]
    qr = segno.make(device.config_url, error="m")
    return render(
        request,
        "staff/second_factor.html",
        {
            "form": form,
            "errors": errors,
            "next": next_url,
            "enrol": True,
            "needs_enrolment_code": needs_code,
            "focus": _focus(fields, form, errors),
            "qr_svg": qr.svg_inline(scale=5, title=str(_("QR code for your authenticator app"))),
            "secret": second_factor.secret_text(device),
        },
    )


def _focus(fields: list[str], form: forms.Form, errors: list[dict[str, str]]) -> str:
    """The field that gets ``autofocus``: the first one (in page order) a refusal or the form
    names, else the first field of the page."""
    wrong = {error["field"] for error in errors if "field" in error} | set(form.errors)
    return next((name for name in fields if name in wrong), fields[0])


def _key_unreadable_page(request: HttpRequest, next_url: str, *, enrol: bool) -> HttpResponse:
    """The device's key does not decrypt (logged by ``key_readable``): no form, the way out."""
    return render(
        request,
        "staff/second_factor.html",
        {
            "errors": [bilingual(CODE_ERRORS["key_unreadable"])],
            "next": next_url,
            "enrol": enrol,
            "unusable": True,
        },
        status=503,
    )


@require_safe
def admin_sign_in(request: HttpRequest) -> HttpResponse:
    """The admin's own login page is not used: its sign-in is the staff sign-in, with its
    locks, audit and second factor."""
    next_url = request.GET.get("next") or resolve_url("admin:index")
    return redirect_to_login(next_url, resolve_url(settings.LOGIN_URL))


@staff_page
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """A card for every workstation the user's roles open; a notice when there is none."""
    return home_page(request)


@require_safe
def moved(request: HttpRequest, rest: str, old: str, new: str) -> HttpResponse:
    """A page that moved from ``old`` to ``new`` (both without the language prefix, e.g.
    ``staff/`` → ``staff/cases/``): the same page at its new address, query string kept.

    The target is built from this request's own path, so it always stays on this site.
    """
    head = request.path[: len(request.path) - len(old + rest)]
    target = f"{head}{new}{rest}"
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(f"{target}?{query}" if query else target)
