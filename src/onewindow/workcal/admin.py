"""Local calendar overrides in the admin, for centre managers and administrators.

Saving and deleting go through ``workcal.services`` so the permission check and the audit row
are the same as everywhere else; the form shows the services' own validation messages.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from onewindow.org.permissions import Action, can
from onewindow.org.permissions_admin import PermissionAdminMixin
from onewindow.workcal.models import CalendarOverride
from onewindow.workcal.services import (
    calendar_override_errors,
    calendar_override_remove,
    calendar_override_set,
)


class CalendarOverrideForm(forms.ModelForm):
    class Meta:
        model = CalendarOverride
        fields = ("day", "is_working_day", "reason")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day = data.get("day", self.instance.day if self.instance.pk else None)
        if "day" in self.errors:
            return data
        calendar_override_errors(
            day=day,
            is_working_day=data.get("is_working_day"),
            reason=data.get("reason") or "",
        ).raise_for_django()
        return data


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(PermissionAdminMixin, admin.ModelAdmin):
    form = CalendarOverrideForm
    view_action = Action.CALENDAR_EDIT
    change_action = Action.CALENDAR_EDIT
    list_display = ("day", "is_working_day", "reason", "created_by", "created_at")
    list_filter = ("is_working_day",)
    search_fields = ("reason",)
    date_hierarchy = "day"
    list_select_related = ("created_by",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # An override is for one day: to move it, remove it and add the other day.
        return ("day",) if obj is not None else ()

    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("day", "is_working_day", "reason")

    # The calendar is city-wide (no department or centre owns a day), so the questions are
    # asked without a target object.
    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request.user, Action.CALENDAR_EDIT)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request.user, Action.CALENDAR_EDIT)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Unlike records, an override may be removed: the official calendar applies again.
        return can(request.user, Action.CALENDAR_EDIT)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        saved = calendar_override_set(
            day=obj.day,
            is_working_day=obj.is_working_day,
            reason=obj.reason,
            actor=request.user,
        )
        obj.pk = saved.pk
        obj.created_by = saved.created_by
        obj.created_at = saved.created_at

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        calendar_override_remove(day=obj.day, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for day in list(queryset.values_list("day", flat=True)):
            calendar_override_remove(day=day, actor=request.user)
