"""Staff maintain the catalogue here. Every save runs the catalogue rules and, for a published
item, records a new version (``services.item_after_change``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminFileWidget
from django.db import models
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from onewindow.catalog import rules
from onewindow.catalog.codes import OnlineDepth, ServiceObject
from onewindow.catalog.formschema import form_fields_check
from onewindow.catalog.models import (
    CatalogImportJob,
    FeeItem,
    FormField,
    ItemFAQ,
    LifeEventTopic,
    Material,
    ProcessStep,
    ServiceItem,
    ServiceItemVersion,
)
from onewindow.catalog.services import item_after_change, item_cancel, item_publish
from onewindow.core.errors import ApplicationError, ErrorList
from onewindow.org.models import CentreLevel, Department
from onewindow.org.permissions import Action, can, scope_queryset
from onewindow.org.permissions_admin import PermissionAdminMixin

DEFAULT_PROMISED_STEPS = rules.default_steps(
    ServiceItem(case_type="2")  # the standard 受理 → 审查 → 审批 → 办结 → 送达
)


def _live_rows(formset: BaseInlineFormSet) -> list[Any]:
    """The child instances the formset will leave, with the posted values."""
    rows = []
    for form in formset.forms:
        if not hasattr(form, "cleaned_data") or not form.cleaned_data:
            continue
        if form.cleaned_data.get("DELETE"):
            continue
        rows.append(form.instance)
    return rows


class RuleCheckedFormSet(BaseInlineFormSet):
    """Runs one collection rule of ``catalog.rules`` over the whole inline."""

    rule: Any = None

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        errors: ErrorList = type(self).rule(self.instance, _live_rows(self))
        errors.raise_for_django(as_list=True)


class MaterialFormSet(RuleCheckedFormSet):
    rule = staticmethod(rules.materials_check)


class FeeItemFormSet(RuleCheckedFormSet):
    rule = staticmethod(rules.fee_items_check)


class StepFormSet(RuleCheckedFormSet):
    rule = staticmethod(rules.steps_check)


class FormFieldFormSet(RuleCheckedFormSet):
    """Each field is checked by the model's ``clean``; the whole form (keys and orders unique,
    at most ``MAX_FIELDS``) here."""

    rule = staticmethod(lambda item, rows: form_fields_check(rows))


class FileNameWidget(AdminFileWidget):
    """The admin's file input, naming the stored file without a link to MEDIA_URL (uploads are
    never served from there; the item's guide offers them through a checked view)."""

    template_name = "catalog/admin/file_input.html"


NO_MEDIA_LINKS: dict[type[models.Field], dict[str, Any]] = {
    models.FileField: {"widget": FileNameWidget}
}


class MaterialInline(admin.StackedInline):
    model = Material
    formfield_overrides = NO_MEDIA_LINKS
    formset = MaterialFormSet
    extra = 0
    fields = (
        ("order", "name"),
        ("material_type", "form", "necessity"),
        ("paper_copies", "paper_spec", "source_channel"),
        "acceptance_standard",
        "basis",
        "notes",
        ("blank_form", "sample_file"),
    )


class FeeItemInline(admin.TabularInline):
    model = FeeItem
    formset = FeeItemFormSet
    extra = 0


class StepInline(admin.TabularInline):
    model = ProcessStep
    formset = StepFormSet

    def get_extra(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> int:
        # A new item starts with the standard process filled in (see get_formset_kwargs).
        return len(DEFAULT_PROMISED_STEPS) if obj is None else 0


class FormFieldInline(admin.StackedInline):
    """The online application form (在线申请表单): one block per field, in order."""

    model = FormField
    formset = FormFieldFormSet
    extra = 0
    fields = (
        ("order", "key", "kind", "required"),
        ("label", "label_en"),
        "choices",
        ("max_length", "min_value", "max_value"),
        "prefill",
        ("help_text", "help_text_en"),
    )


class FAQInline(admin.TabularInline):
    model = ItemFAQ
    extra = 0


class ServiceItemForm(forms.ModelForm):
    service_objects = forms.MultipleChoiceField(
        label=_("service objects"),
        choices=ServiceObject.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    online_depth = forms.MultipleChoiceField(
        label=_("online handling depth"),
        choices=OnlineDepth.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    handled_at_levels = forms.MultipleChoiceField(
        label=_("centre levels that accept it"),
        choices=CentreLevel.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ServiceItem
        # Every field a person edits; ``version`` and ``status`` move only through services.
        fields = [
            f.name
            for f in (*ServiceItem._meta.concrete_fields, *ServiceItem._meta.many_to_many)
            if f.editable and f.name not in {"id", "version", "status", "cancel_date"}
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        joint = data.get("joint_departments")
        if joint is not None and self.instance.department_id:
            rules.joint_departments_check(self.instance, [d.pk for d in joint]).raise_for_django()
        return data


@admin.register(ServiceItem)
class ServiceItemAdmin(PermissionAdminMixin, admin.ModelAdmin):
    form = ServiceItemForm
    formfield_overrides = NO_MEDIA_LINKS
    view_action = Action.CATALOG_VIEW_DRAFT
    change_action = Action.CATALOG_EDIT
    department_path = "department_id"
    list_display = (
        "implementation_code",
        "name",
        "department",
        "item_type",
        "case_type",
        "status",
        "version",
    )
    list_filter = ("status", "item_type", "case_type", "department")
    search_fields = ("name", "implementation_code", "basic_code", "keywords")
    list_select_related = ("department",)
    readonly_fields = ("status", "version", "cancel_date")
    filter_horizontal = ("topics", "joint_departments", "handled_in_regions")
    inlines = [MaterialInline, FeeItemInline, StepInline, FAQInline, FormFieldInline]
    actions = ["publish_selected", "cancel_selected"]
    fieldsets = (
        (
            _("Basic directory"),
            {
                "fields": (
                    ("basic_code", "implementation_code", "business_code"),
                    ("name", "name_en"),
                    ("item_type", "exercise_level"),
                    ("status", "version", "effective_date", "cancel_date"),
                )
            },
        ),
        (
            _("Plain-language guide"),
            {
                "fields": (
                    "guide_summary",
                    "guide_you_get",
                    "guide_who",
                    "guide_bring",
                    ("guide_how_long", "guide_how_much"),
                    "keywords",
                    "topics",
                )
            },
        ),
        (
            _("Implementation list"),
            {
                "fields": (
                    "department",
                    "entrusted_department",
                    "power_source",
                    "service_objects",
                    "legal_basis",
                    "conditions",
                    "case_type",
                    "handling_forms",
                    "special_procedures",
                    ("statutory_limit", "statutory_limit_unit", "statutory_limit_note"),
                    ("promised_limit", "promised_limit_unit", "promised_limit_note"),
                    ("visits", "visit_reason"),
                    ("charges_fee", "fee_basis"),
                    ("is_online", "online_depth"),
                    ("online_pc_url", "online_mobile_url"),
                    (
                        "accepts_post",
                        "supports_online_payment",
                        "supports_appointment",
                        "supports_kiosk",
                        "in_hall",
                    ),
                    "handled_at_levels",
                    "handled_in_regions",
                    "joint_departments",
                    "intermediary_services",
                    ("result_type", "result_name", "result_sample"),
                    ("handling_location", "handling_hours"),
                    ("consult_phone", "complaint_phone"),
                )
            },
        ),
    )

    def get_formset_kwargs(
        self, request: HttpRequest, obj: Any, inline: Any, prefix: str
    ) -> dict[str, Any]:
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, StepInline) and request.method == "GET" and obj.pk is None:
            kwargs["initial"] = DEFAULT_PROMISED_STEPS
        return kwargs

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "department":
            kwargs["queryset"] = scope_queryset(
                request.user,
                Action.CATALOG_EDIT,
                Department.objects.all(),
                department_path="id",
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        version = item_after_change(
            item=form.instance,
            actor=request.user,
            action="catalog.item_update" if change else "catalog.item_create",
            change_note=str(_("Edited in the administration site")),
        )
        if version is not None:
            self.message_user(
                request,
                _("Saved as version %(number)s; cases accepted earlier keep their version.")
                % {"number": version.number},
                messages.INFO,
            )

    @admin.action(description=_("Publish the selected items"))
    def publish_selected(self, request: HttpRequest, queryset: QuerySet[ServiceItem]) -> None:
        self._run_each(request, queryset, lambda item: item_publish(item=item, actor=request.user))

    @admin.action(description=_("Cancel the selected items"))
    def cancel_selected(self, request: HttpRequest, queryset: QuerySet[ServiceItem]) -> None:
        reason = str(_("Cancelled in the administration site"))
        self._run_each(
            request,
            queryset,
            lambda item: item_cancel(item=item, actor=request.user, reason=reason),
        )

    def _run_each(self, request: HttpRequest, queryset: QuerySet[ServiceItem], run: Any) -> None:
        done = 0
        for item in queryset:
            if not can(request.user, Action.CATALOG_EDIT, item):
                self.message_user(
                    request,
                    _("%(item)s: you may not change this item.") % {"item": item},
                    messages.ERROR,
                )
                continue
            try:
                run(item)
                done += 1
            except ApplicationError as exc:
                detail = "; ".join(str(e) for e in exc.errors) or str(exc)
                self.message_user(request, f"{item}: {detail}", messages.ERROR)
        if done:
            self.message_user(
                request, _("%(count)s items done.") % {"count": done}, messages.SUCCESS
            )


@admin.register(ServiceItemVersion)
class ServiceItemVersionAdmin(PermissionAdminMixin, admin.ModelAdmin):
    view_action = Action.CATALOG_VIEW_DRAFT
    change_action = Action.CATALOG_VIEW_DRAFT
    department_path = "item__department_id"
    list_display = ("item", "number", "created_at", "created_by", "change_note")
    list_select_related = ("item", "created_by")
    search_fields = ("item__name", "item__implementation_code")
    readonly_fields = (
        "item",
        "number",
        "snapshot",
        "content_hash",
        "created_at",
        "created_by",
        "change_note",
    )

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LifeEventTopic)
class LifeEventTopicAdmin(PermissionAdminMixin, admin.ModelAdmin):
    view_action = Action.ORG_VIEW
    change_action = Action.CATALOG_IMPORT
    list_display = ("code", "name", "audience", "order")
    list_filter = ("audience",)
    search_fields = ("code", "name")


@admin.register(CatalogImportJob)
class CatalogImportJobAdmin(PermissionAdminMixin, admin.ModelAdmin):
    view_action = Action.CATALOG_IMPORT
    change_action = Action.CATALOG_IMPORT
    list_display = (
        "original_name",
        "status",
        "processed_rows",
        "total_rows",
        "created_by",
        "created_at",
    )
    # The workbook is offered through the permission-checked staff page, never as /media/.
    fields = readonly_fields = tuple(
        "workbook" if f.name == "file" else f.name
        for f in CatalogImportJob._meta.fields
        if f.name != "id"
    )

    @admin.display(description=_("workbook"))
    def workbook(self, obj: CatalogImportJob) -> str:
        if not obj.file:
            return "-"
        url = reverse("catalog_manage:import_job_workbook", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.original_name)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
