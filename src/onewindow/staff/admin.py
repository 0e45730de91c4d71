"""Second-factor devices in the admin, under the permission matrix: the security
administrator sees them and deletes a lost one (the user then enrols again); nobody sees or
edits a device's secret here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

from onewindow.core.audit import audit_record
from onewindow.org.permissions import Action, can
from onewindow.org.permissions_admin import PermissionAdminMixin

if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
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
