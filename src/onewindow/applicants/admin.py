"""Applicants in the admin: masked values only, read-only, for administrators and auditors.

People and organisations are registered by the window services, never here. Opening a record
is audited. There is deliberately no search by ID number or phone: the term would travel in the
URL's query string and end up in web-server logs in clear; look-ups belong to the audited
services.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from onewindow.applicants.models import Organisation, Person
from onewindow.core.audit import audit_record
from onewindow.org.permissions import Action
from onewindow.org.permissions_admin import PermissionAdminMixin

PERSON_ADMIN_VIEW = "applicants.person_admin_view"
ORGANISATION_ADMIN_VIEW = "applicants.organisation_admin_view"


class ReadOnlyAuditedAdmin(PermissionAdminMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    view_action = Action.AUDIT_VIEW
    change_action = Action.AUDIT_VIEW
    view_audit_action = ""

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
    list_display = (
        "name",
        "id_type",
        "id_number_masked",
        "phone_masked",
        "address_masked",
        "gender",
        "birth_date",
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
        "birth_date",
        "region_code",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAuditedAdmin):
    view_audit_action = ORGANISATION_ADMIN_VIEW
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
