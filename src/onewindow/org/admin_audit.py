"""The read-only audit log in the admin, for auditors only (三员分立: the system administrator
and the security administrator are refused, audited)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from onewindow.core.models import AuditLog
from onewindow.org.permissions import Action
from onewindow.org.permissions_admin import PermissionAdminMixin


@admin.register(AuditLog)
class AuditLogAdmin(PermissionAdminMixin, admin.ModelAdmin):
    view_action = Action.AUDIT_TRAIL_VIEW
    change_action = Action.AUDIT_TRAIL_VIEW
    list_display = ("at", "actor", "action", "object_type", "object_repr", "allowed")
    list_filter = ("allowed", "action", "object_type")
    search_fields = ("object_repr", "object_id", "actor__username", "action")
    date_hierarchy = "at"
    list_select_related = ("actor",)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
