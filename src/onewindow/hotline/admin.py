"""The hotline's reference data in the admin: the dispatch catalogue and its rules, the kind of
each handling unit, the time-limit rules. Kept by the administrator (``hotline.manage``); read
by the hotline's staff. Work orders are not edited here: they move only through the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from onewindow.hotline.models import DispatchCategory, DispatchRule, HandlingUnit, TimeLimitRule
from onewindow.org.permissions import Action, can
from onewindow.org.permissions_admin import PermissionAdminMixin
from onewindow.workflow.clock import office_hours_errors


class _HotlineAdmin(PermissionAdminMixin, admin.ModelAdmin):
    view_action = Action.HOTLINE_MANAGE
    change_action = Action.HOTLINE_MANAGE


class DispatchRuleInline(admin.TabularInline):
    """The units of a category; the matrix answers, as for its category (not model perms)."""

    model = DispatchRule
    extra = 0
    raw_id_fields = ("region", "lead")
    filter_horizontal = ("assists",)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request.user, Action.HOTLINE_MANAGE)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request.user, Action.HOTLINE_MANAGE)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request.user, Action.HOTLINE_MANAGE)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request.user, Action.HOTLINE_MANAGE)


@admin.register(DispatchCategory)
class DispatchCategoryAdmin(_HotlineAdmin):
    list_display = ("code", "name", "parent", "functional", "is_active", "lead_units")
    list_filter = ("functional", "is_active", "parent")
    search_fields = ("code", "name", "keywords")
    list_select_related = ("parent",)
    inlines = [DispatchRuleInline]

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).prefetch_related("rules__lead")

    @admin.display(description=_("lead units"))
    def lead_units(self, obj: DispatchCategory) -> str:
        return "、".join(
            sorted({rule.lead.short_name or rule.lead.name for rule in obj.rules.all()})
        )


class HandlingUnitForm(forms.ModelForm):
    """The unit's office hours checked by the clock's one check (order, no overlap, HH:MM)."""

    class Meta:
        model = HandlingUnit
        fields = ("department", "kind", "region", "office_hours")

    def clean_office_hours(self) -> Any:
        value = self.cleaned_data.get("office_hours")
        if value is None:
            return []
        errors = office_hours_errors(value)
        if errors:
            raise forms.ValidationError(errors.texts())
        return value


@admin.register(HandlingUnit)
class HandlingUnitAdmin(_HotlineAdmin):
    form = HandlingUnitForm
    list_display = ("department", "kind", "region", "office_hours")
    list_filter = ("kind",)
    list_select_related = ("department", "region")
    raw_id_fields = ("department", "region")


@admin.register(TimeLimitRule)
class TimeLimitRuleAdmin(_HotlineAdmin):
    list_display = ("order_type", "urgency", "limit", "unit")
