"""Citizen and company accounts in the admin: masked values only, read-only, for
administrators and auditors (``Action.AUDIT_VIEW``); every page of a list and every record
opened is audited. Accounts are made by their own sign-in, never here; no search by phone or ID
(the term would travel in the URL in clear)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from onewindow.citizens.models import AgentGrant, CitizenAccount, CompanyAccount
from onewindow.core.audit import audit_record
from onewindow.org.permissions import Action
from onewindow.org.permissions_admin import PermissionAdminMixin


class ReadOnlyAudited(PermissionAdminMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    view_action = Action.AUDIT_VIEW
    change_action = Action.AUDIT_VIEW
    audit_prefix = ""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl") if response else None
        if request.method == "GET" and response.status_code == 200 and changelist is not None:
            audit_record(
                actor=request.user,
                action=f"{self.audit_prefix}_admin_list",
                object_type=self.model._meta.label_lower,
                detail={
                    "purpose": "admin",
                    "page": changelist.page_num,
                    "shown": [row.pk for row in changelist.result_list],
                },
            )
        return response

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            obj = self.get_object(request, object_id)
            if obj is not None:
                audit_record(
                    actor=request.user,
                    action=f"{self.audit_prefix}_admin_view",
                    obj=obj,
                    detail={"purpose": "admin"},
                )
        return response


@admin.register(CitizenAccount)
class CitizenAccountAdmin(ReadOnlyAudited):
    audit_prefix = "citizens.account"
    list_display = ("phone_masked", "bound_id", "bound_at", "created_at", "last_signed_in_at")
    fields = ("phone_masked", "bound_id", "bound_at", "created_at", "last_signed_in_at")
    readonly_fields = fields
    list_select_related = ("person",)

    @admin.display(description=_("real-name person"))
    def bound_id(self, account: CitizenAccount) -> str:
        return account.person.id_number_masked if account.person else "—"


@admin.register(CompanyAccount)
class CompanyAccountAdmin(ReadOnlyAudited):
    audit_prefix = "citizens.company"
    list_display = ("organisation", "representative", "created_at")
    fields = ("organisation", "representative", "created_at")
    readonly_fields = fields
    list_select_related = ("organisation", "representative")


@admin.register(AgentGrant)
class AgentGrantAdmin(ReadOnlyAudited):
    audit_prefix = "citizens.agent_grant"
    list_display = ("company", "agent_name", "agent_id_masked", "expires_on", "revoked_at")
    fields = (
        "company",
        "agent_name",
        "agent_id_masked",
        "actions",
        "item_codes",
        "expires_on",
        "granted_at",
        "revoked_at",
    )
    readonly_fields = fields
    list_select_related = ("company__organisation",)
