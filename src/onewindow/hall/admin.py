"""The admin of service groups and their booking rules: the centre manager keeps their own
centre's, the system administrator every centre's (``org.permissions``, ``hall.manage``)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from onewindow.hall.models import OpeningPeriod, ServiceGroup
from onewindow.org.models import ServiceCentre
from onewindow.org.permissions import Action, require, scope_queryset
from onewindow.org.permissions_admin import PermissionAdminMixin


class OpeningPeriodInline(admin.TabularInline):
    model = OpeningPeriod
    extra = 0


@admin.register(ServiceGroup)
class ServiceGroupAdmin(PermissionAdminMixin, admin.ModelAdmin):
    view_action = Action.HALL_MANAGE
    change_action = Action.HALL_MANAGE
    centre_path = "centre_id"
    region_code_path = "centre__region__code"
    list_display = ("centre", "letter", "name", "slot_minutes", "capacity", "bookable", "is_active")
    list_filter = ("bookable", "is_active")
    list_select_related = ("centre",)
    search_fields = ("letter", "name", "centre__name")
    autocomplete_fields = ("items",)
    filter_horizontal = ("topics", "departments", "windows")
    inlines = [OpeningPeriodInline]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "centre":
            # A centre manager picks only a centre of their own scope.
            kwargs["queryset"] = scope_queryset(
                request.user,
                Action.HALL_MANAGE,
                ServiceCentre.objects.all(),
                centre_path="id",
                region_code_path="region__code",
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        require(request.user, Action.HALL_MANAGE, obj)
        super().save_model(request, obj, form, change)
