"""Second-factor devices in the admin, under the permission matrix: the security
administrator sees them and deletes a lost one (the user then enrols again); nobody sees or
edits a device's secret here (it is kept encrypted, ``models.StaffTOTPDevice``). django-otp's
own ``TOTPDevice`` (clear keys, emptied by migration 0003) is not offered at all."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from onewindow.core.audit import audit_record
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
    """Enrolment codes: the security administrator issues one for an account (shown once, on
    the page that issues it) and sees which were issued and used; nobody sees a code later."""

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
        code = None
        account = None
        if request.method == "POST" and form.is_valid():
            account = form.cleaned_data["username"]
            code = enrolment.issue_code(actor=request.user, user=account)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Issue an enrolment code"),
            "opts": self.model._meta,
            "form": form,
            "code": code,
            "account": account,
            "hours": enrolment.valid_hours(),
        }
        # The code is on this page only: the admin's views are never cached (``never_cache``).
        return TemplateResponse(request, "admin/staff/enrolmentcode/issue.html", context)
