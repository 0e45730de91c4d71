"""The read-only audit log in the admin, for auditors only (三员分立: the system administrator
and the security administrator are refused, audited).

Actions show their label from each app's ``audit_labels`` (``core.audit_labels``), the raw code
on the entry's own page; objects show what a person can trace (a step: "办件 <number> · <step> ·
<department>"), named for a whole page at once, never by a query per row.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from onewindow.core.audit_labels import action_choices, action_label, describe_objects
from onewindow.core.models import AuditLog
from onewindow.org.permissions import Action
from onewindow.org.permissions_admin import PermissionAdminMixin


class ActionFilter(admin.SimpleListFilter):
    """The actions present in the trail, by their labels."""

    title = _("action")
    parameter_name = "action"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        codes = AuditLog.objects.order_by("action").values_list("action", flat=True).distinct()
        return action_choices(codes)

    def queryset(self, request: HttpRequest, queryset: QuerySet[AuditLog]) -> QuerySet[AuditLog]:
        value = self.value()
        return queryset.filter(action=value) if value else queryset


class AuditChangeList(ChangeList):
    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        describe_objects(self.result_list)


@admin.register(AuditLog)
class AuditLogAdmin(PermissionAdminMixin, admin.ModelAdmin):
    view_action = Action.AUDIT_TRAIL_VIEW
    change_action = Action.AUDIT_TRAIL_VIEW
    list_display = ("at", "actor", "action_shown", "object_type", "object_shown", "allowed")
    list_filter = ("allowed", ActionFilter, "object_type")
    # ``object_repr`` carries a step's case number (``CaseTask.audit_repr``), so a search by
    # the number finds the rows of the case's steps too.
    search_fields = ("object_repr", "object_id", "actor__username", "action")
    date_hierarchy = "at"
    list_select_related = ("actor",)
    # The entry's page shows the raw code (``action``) and its label.
    readonly_fields = ("action_meaning",)

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return AuditChangeList

    @admin.display(description=_("action"), ordering="action")
    def action_shown(self, row: AuditLog) -> str:
        return action_label(row.action)

    @admin.display(description=_("action label"))
    def action_meaning(self, row: AuditLog) -> str:
        return action_label(row.action)

    @admin.display(description=_("object"), ordering="object_repr")
    def object_shown(self, row: AuditLog) -> str:
        return getattr(row, "trace_repr", None) or row.object_repr

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
