from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from onewindow.org.models import Department, Region, RoleAssignment, ServiceCentre, Window
from onewindow.org.permissions import Action, can
from onewindow.org.permissions_admin import PermissionAdminMixin


@admin.register(Region)
class RegionAdmin(PermissionAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    list_select_related = ("parent",)
    raw_id_fields = ("parent",)


class WindowInline(admin.TabularInline):
    model = Window
    extra = 0
    filter_horizontal = ("delegated_departments",)


@admin.register(ServiceCentre)
class ServiceCentreAdmin(PermissionAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "level", "region", "is_active")
    list_filter = ("level", "is_active")
    search_fields = ("code", "name", "address")
    list_select_related = ("region",)
    inlines = [WindowInline]


@admin.register(Department)
class DepartmentAdmin(PermissionAdminMixin, admin.ModelAdmin):
    list_display = ("name", "short_name", "uscc", "region", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "short_name", "uscc")
    list_select_related = ("region",)


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ("department", "centre")
    raw_id_fields = ("region",)


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class StaffAdmin(UserAdmin):
    """Staff accounts with their roles; managed by administrators only."""

    inlines = [RoleAssignmentInline]
    list_display = ("username", "first_name", "is_active", "is_staff", "roles")

    @admin.display(description=_("roles"))
    def roles(self, obj: Any) -> str:
        return ", ".join(str(ra) for ra in obj.role_assignments.all())

    def get_queryset(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                "role_assignments__department",
                "role_assignments__centre",
                "role_assignments__region",
            )
        )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can(request.user, Action.ORG_MANAGE)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request.user, Action.ORG_MANAGE)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request.user, Action.ORG_MANAGE)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return can(request.user, Action.ORG_MANAGE)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# The read-only audit log (``core.models.AuditLog``) is registered here: reading it is a
# permission of the matrix, which lives in this app.
from onewindow.org import admin_audit  # noqa: E402, F401
