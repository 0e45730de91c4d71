"""Applicants in the admin: masked values only, read-only, for administrators and auditors.

People and organisations are registered by the window services, never here. Opening a record,
and every page of the list or of a search, is audited. There is deliberately no search by ID
number or phone: the term would travel in the URL's query string and end up in web-server logs
in clear; look-ups belong to the audited services.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.views.main import ORDER_VAR, PAGE_VAR, SEARCH_VAR
from django.http import HttpRequest, HttpResponse

from onewindow.applicants.identifiers import mask_name
from onewindow.applicants.models import Organisation, Person
from onewindow.core.audit import audit_record
from onewindow.org.permissions import Action
from onewindow.org.permissions_admin import PermissionAdminMixin

PERSON_ADMIN_VIEW = "applicants.person_admin_view"
PERSON_ADMIN_LIST = "applicants.person_admin_list"
ORGANISATION_ADMIN_VIEW = "applicants.organisation_admin_view"
ORGANISATION_ADMIN_LIST = "applicants.organisation_admin_list"


class ReadOnlyAuditedAdmin(PermissionAdminMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    view_action = Action.AUDIT_VIEW
    change_action = Action.AUDIT_VIEW
    view_audit_action = ""
    list_audit_action = ""

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """The list (and its search): one audit row per page shown, with the filters, the
        search term masked as a name is, the page and which records were on it."""
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl") if response else None
        if request.method == "GET" and response.status_code == 200 and changelist is not None:
            term = request.GET.get(SEARCH_VAR, "")
            audit_record(
                actor=request.user,
                action=self.list_audit_action,
                object_type=self.model._meta.label_lower,
                detail={
                    "purpose": "admin",
                    "search": mask_name(term.strip()) if term.strip() else "",
                    "filters": sorted(
                        key for key in request.GET if key not in (SEARCH_VAR, PAGE_VAR, ORDER_VAR)
                    ),
                    "page": changelist.page_num,
                    "shown": [row.pk for row in changelist.result_list],
                },
            )
        return response

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

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
                    action=self.view_audit_action,
                    obj=obj,
                    detail={"purpose": "admin"},
                )
        return response


@admin.register(Person)
class PersonAdmin(ReadOnlyAuditedAdmin):
    view_audit_action = PERSON_ADMIN_VIEW
    list_audit_action = PERSON_ADMIN_LIST
    list_display = (
        "name",
        "id_type",
        "id_number_masked",
        "phone_masked",
        "address_masked",
        "gender",
        "region_code",
        "created_at",
    )
    list_filter = ("id_type", "gender")
    search_fields = ("name", "region_code")
    fields = (
        "name",
        "id_type",
        "id_number_masked",
        "phone_masked",
        "address_masked",
        "gender",
        "region_code",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAuditedAdmin):
    view_audit_action = ORGANISATION_ADMIN_VIEW
    list_audit_action = ORGANISATION_ADMIN_LIST
    list_display = (
        "uscc",
        "name",
        "legal_representative_name",
        "legal_representative_id_masked",
        "contact_phone_masked",
        "created_at",
    )
    search_fields = ("uscc", "name", "legal_representative_name")
    fields = (
        "uscc",
        "name",
        "legal_representative_name",
        "legal_representative_id_type",
        "legal_representative_id_masked",
        "contact_phone_masked",
        "address",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields
