"""Second-factor devices in the admin, under the permission matrix: the security
administrator sees them and deletes a lost one (the user then enrols again); nobody sees or
edits a device's secret here (it is kept encrypted, ``models.StaffTOTPDevice``). django-otp's
own ``TOTPDevice`` (clear keys, emptied by migration 0003) is not offered at all."""

from __future__ import annotations

import time
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from onewindow.core.audit import audit_record
from onewindow.core.crypto import DecryptionFailed, decrypt, encrypt
from onewindow.core.errors import ApplicationError
from onewindow.org.permissions import Action, can, require
from onewindow.org.permissions_admin import PermissionAdminMixin
from onewindow.staff import enrolment
from onewindow.staff.models import EnrolmentCode, StaffTOTPDevice

if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


@admin.register(StaffTOTPDevice)
class SecondFactorDeviceAdmin(PermissionAdminMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    view_action = Action.SECURITY_MANAGE
    change_action = Action.SECURITY_MANAGE
    list_display = ("user", "name", "confirmed", "created_at", "last_used_at")
    list_filter = ("confirmed",)
    search_fields = ("user__username", "name")
    fields = ("user", "name", "confirmed", "created_at", "last_used_at")
    readonly_fields = fields
    list_select_related = ("user",)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Deleting a lost device is how its owner gets to enrol a new one.
        return can(request.user, Action.SECURITY_MANAGE)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        _audit_reset(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for device in queryset:
            _audit_reset(request, device)
        super().delete_queryset(request, queryset)


def _audit_reset(request: HttpRequest, device: Any) -> None:
    audit_record(
        actor=request.user,
        action="staff.second_factor_reset",
        obj=device.user,
        detail={"device": device.pk},
    )


class IssueCodeForm(forms.Form):
    username = forms.CharField(label=_("User name of the account"), max_length=150)

    def clean_username(self) -> Any:
        name = self.cleaned_data["username"].strip()
        account = get_user_model().objects.filter(username=name, is_active=True).first()
        if account is None:
            raise forms.ValidationError(_("There is no active account with this user name."))
        return account


@admin.register(EnrolmentCode)
class EnrolmentCodeAdmin(PermissionAdminMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    """Enrolment codes: the security administrator issues one for an account and sees which
    were issued and used; nobody sees a code later. The POST that issues a code redirects to a
    GET that shows it once (``?issued=<id>``, from the issuer's session, encrypted there, for
    ``SHOWN_SECONDS``), so a reload shows "already shown" and issues nothing."""

    view_action = Action.SECURITY_MANAGE
    change_action = Action.SECURITY_MANAGE
    list_display = ("user", "issued_by", "issued_from", "issued_at", "expires_at", "used_at")
    search_fields = ("user__username",)
    fields = ("user", "issued_by", "issued_from", "operator", "issued_at", "expires_at", "used_at")
    readonly_fields = fields
    list_select_related = ("user", "issued_by")

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return can(request.user, Action.SECURITY_MANAGE)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        # Checked (and a refusal audited) before anything is shown; a refusal is the admin's 403.
        try:
            require(request.user, Action.SECURITY_MANAGE)
        except ApplicationError as refused:
            raise DjangoPermissionDenied from refused
        form = IssueCodeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            new_code, row = enrolment.issue_code_record(
                actor=request.user, user=form.cleaned_data["username"]
            )
            # Post/redirect/get: the code is shown by the GET that follows, once, so a reload
            # of the page showing it issues nothing (and voids nothing).
            request.session[SHOWN_SESSION_KEY] = {
                "row": row.pk,
                "code": encrypt(new_code, context=_shown_context(request, row.pk)),
                "at": time.time(),
            }
            return HttpResponseRedirect(f"{request.path}?{ISSUED_PARAMETER}={row.pk}")
        code: str | None = None
        account: Any = None
        already_shown = False
        if request.method != "POST" and ISSUED_PARAMETER in request.GET:
            code, account = _take_shown_code(request, request.GET[ISSUED_PARAMETER])
            already_shown = code is None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Issue an enrolment code"),
            "opts": self.model._meta,
            "form": form,
            "code": code,
            "account": account,
            "already_shown": already_shown,
            "shown_seconds": SHOWN_SECONDS,
            "hours": enrolment.valid_hours(),
        }
        # The code is on this page only: the admin's views are never cached (``never_cache``).
        return TemplateResponse(request, "admin/staff/enrolmentcode/issue.html", context)


SHOWN_SESSION_KEY = "staff_enrolment_code_shown"
ISSUED_PARAMETER = "issued"
SHOWN_SECONDS = 60


def _shown_context(request: HttpRequest, row_pk: int) -> str:
    return f"staff.enrolment_code.shown:{request.user.pk}:{row_pk}"


def _take_shown_code(request: HttpRequest, issued: str) -> tuple[str | None, Any]:
    """The code just issued as ``issued`` (the record's id), for its issuer's session, once and
    within ``SHOWN_SECONDS``; ``(None, None)`` otherwise (shown already, too late, not theirs,
    used, or a malformed id). Reading it takes it out of the session."""
    entry = request.session.pop(SHOWN_SESSION_KEY, None)
    if not isinstance(entry, dict) or not (issued.isdigit() and len(issued) <= 18):
        return None, None
    if entry.get("row") != int(issued):
        return None, None
    age = time.time() - float(entry.get("at", 0))
    if not 0 <= age <= SHOWN_SECONDS:
        return None, None
    issuer: Any = request.user
    row = (
        EnrolmentCode.objects.filter(pk=int(issued), issued_by=issuer, used_at__isnull=True)
        .select_related("user")
        .first()
    )
    if row is None:
        return None, None
    try:
        code = decrypt(str(entry.get("code", "")), context=_shown_context(request, row.pk))
    except DecryptionFailed:
        return None, None
    if enrolment.digest(code) != row.digest:  # voided by a newer code for the account
        return None, None
    return code, row.user
