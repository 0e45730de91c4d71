"""The hotline's reference data in the admin: the dispatch catalogue and its rules, the kind of
each handling unit, the time-limit rules. Kept by the administrator (``hotline.manage``); read
by the hotline's staff. Work orders are not edited here: they move only through the services."""

from __future__ import annotations

from django.contrib import admin

from onewindow.hotline.models import DispatchCategory, DispatchRule, HandlingUnit, TimeLimitRule
from onewindow.org.permissions import Action
from onewindow.org.permissions_admin import PermissionAdminMixin


class _HotlineAdmin(PermissionAdminMixin, admin.ModelAdmin):
    view_action = Action.HOTLINE_MANAGE
    change_action = Action.HOTLINE_MANAGE


class DispatchRuleInline(admin.TabularInline):
    model = DispatchRule
    extra = 0
    raw_id_fields = ("region", "lead")
    filter_horizontal = ("assists",)


@admin.register(DispatchCategory)
class DispatchCategoryAdmin(_HotlineAdmin):
    list_display = ("code", "name", "parent", "functional", "is_active")
    list_filter = ("functional", "is_active", "parent")
    search_fields = ("code", "name", "keywords")
    list_select_related = ("parent",)
    inlines = [DispatchRuleInline]


@admin.register(HandlingUnit)
class HandlingUnitAdmin(_HotlineAdmin):
    list_display = ("department", "kind", "region")
    list_filter = ("kind",)
    list_select_related = ("department", "region")
    raw_id_fields = ("department", "region")


@admin.register(TimeLimitRule)
class TimeLimitRuleAdmin(_HotlineAdmin):
    list_display = ("order_type", "urgency", "limit", "unit")
