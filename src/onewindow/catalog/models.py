"""The standardised service-item catalogue (事项目录 / 实施清单).

A ``ServiceItem`` is the editable implementation-list entry of one implementing department.
Every time a published item's content changes, ``ServiceItemVersion`` stores an immutable
snapshot (fields, materials, fees, steps); a case pins the version it was accepted under, so
later edits never change what an applicant was promised. Field names follow the national
implementation list (see ``shared/STANDARDS.md``); code values are in ``codes.py``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.catalog.codes import (
    FULL_ONLINE_DEPTH,
    Audience,
    CaseType,
    ExerciseLevel,
    FormFieldKind,
    FormPrefill,
    ItemStatus,
    ItemType,
    MaterialForm,
    MaterialNecessity,
    MaterialType,
    ResultType,
    StepKind,
    TimeUnit,
)
from onewindow.core.models import TimeStampedModel
from onewindow.org.models import Department, Region, Role
from onewindow.org.permissions import TargetScope
from onewindow.workflow.models import EventRecord


class LifeEventTopic(models.Model):
    """A life event (birth, marriage, opening a shop …) grouping items across departments."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    name_en = models.CharField(_("English name"), max_length=128, blank=True)
    audience = models.CharField(_("audience"), max_length=16, choices=Audience.choices)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("life-event topic")
        verbose_name_plural = _("life-event topics")
        ordering = ["audience", "order", "code"]

    def __str__(self) -> str:
        return self.name


class ServiceItem(TimeStampedModel):
    # Basic directory (基本目录)
    basic_code = models.CharField(_("basic code"), max_length=12, db_index=True)
    implementation_code = models.CharField(_("implementation code"), max_length=36, unique=True)
    business_code = models.CharField(_("business item code"), max_length=64, blank=True)
    name = models.CharField(_("item name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=255, blank=True)
    item_type = models.CharField(_("item type"), max_length=2, choices=ItemType.choices)
    exercise_level = models.CharField(
        _("exercise level"), max_length=1, choices=ExerciseLevel.choices
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ItemStatus.choices, default=ItemStatus.DRAFT
    )
    version = models.PositiveIntegerField(_("version"), default=0, editable=False)
    effective_date = models.DateField(_("effective date"), null=True, blank=True)
    cancel_date = models.DateField(_("cancellation date"), null=True, blank=True)

    # Implementation list (实施清单)
    department = models.ForeignKey(
        Department,
        verbose_name=_("implementing department"),
        on_delete=models.PROTECT,
        related_name="items",
    )
    entrusted_department = models.CharField(_("entrusted department"), max_length=128, blank=True)
    power_source = models.CharField(_("source of power"), max_length=64, blank=True)
    service_objects = models.JSONField(_("service objects"), default=list)
    legal_basis = models.TextField(_("legal basis"))
    conditions = models.TextField(_("acceptance conditions"))
    case_type = models.CharField(_("case type"), max_length=1, choices=CaseType.choices)
    handling_forms = models.CharField(_("handling forms"), max_length=128, blank=True)
    special_procedures = models.TextField(_("special procedures"), blank=True)
    statutory_limit = models.PositiveIntegerField(_("statutory time limit"))
    statutory_limit_unit = models.CharField(
        _("statutory limit unit"),
        max_length=1,
        choices=TimeUnit.choices,
        default=TimeUnit.WORKING_DAY,
    )
    statutory_limit_note = models.CharField(_("statutory limit note"), max_length=255, blank=True)
    promised_limit = models.PositiveIntegerField(
        _("promised time limit"), help_text=_("0 for an instant item.")
    )
    promised_limit_unit = models.CharField(
        _("promised limit unit"),
        max_length=1,
        choices=TimeUnit.choices,
        default=TimeUnit.WORKING_DAY,
    )
    promised_limit_note = models.CharField(_("promised limit note"), max_length=255, blank=True)
    visits = models.PositiveSmallIntegerField(_("visits to the site"), default=1)
    visit_reason = models.CharField(_("reason for visiting the site"), max_length=255, blank=True)
    online_pc_url = models.CharField(_("online address (PC)"), max_length=255, blank=True)
    online_mobile_url = models.CharField(_("online address (mobile)"), max_length=255, blank=True)
    charges_fee = models.BooleanField(_("charges a fee"), default=False)
    fee_basis = models.TextField(_("fee basis"), blank=True)
    is_online = models.BooleanField(_("can be handled online"), default=False)
    online_depth = models.JSONField(_("online handling depth"), default=list, blank=True)
    accepts_post = models.BooleanField(_("accepts postal submission and delivery"), default=False)
    supports_online_payment = models.BooleanField(_("online payment"), default=False)
    supports_appointment = models.BooleanField(_("appointment"), default=True)
    supports_kiosk = models.BooleanField(_("self-service kiosk"), default=False)
    in_hall = models.BooleanField(_("handled in the service hall"), default=True)
    # 通办范围: which centre levels may accept it, and in which regions (none = everywhere).
    handled_at_levels = models.JSONField(_("centre levels that accept it"), default=list)
    handled_in_regions = models.ManyToManyField(
        Region, verbose_name=_("regions where it is accepted"), blank=True, related_name="+"
    )
    joint_departments = models.ManyToManyField(
        Department, verbose_name=_("joint departments"), blank=True, related_name="joint_items"
    )
    intermediary_services = models.TextField(_("intermediary services"), blank=True)
    result_type = models.CharField(_("result type"), max_length=1, choices=ResultType.choices)
    result_name = models.CharField(_("result name"), max_length=200)
    result_sample = models.FileField(_("result sample"), upload_to="catalog/results/", blank=True)
    handling_location = models.CharField(_("handling location"), max_length=255, blank=True)
    handling_hours = models.CharField(_("handling hours"), max_length=128, blank=True)
    consult_phone = models.CharField(_("consultation"), max_length=128, blank=True)
    complaint_phone = models.CharField(_("supervision and complaints"), max_length=128, blank=True)
    topics = models.ManyToManyField(
        LifeEventTopic, verbose_name=_("life-event topics"), blank=True, related_name="items"
    )

    # Plain-language guide (民话), shown before the official text.
    guide_summary = models.TextField(_("in one sentence"), blank=True)
    guide_you_get = models.TextField(_("what you get"), blank=True)
    guide_who = models.TextField(_("who can apply"), blank=True)
    guide_bring = models.TextField(_("what to bring"), blank=True)
    guide_how_long = models.CharField(_("how long it takes"), max_length=255, blank=True)
    guide_how_much = models.CharField(_("how much it costs"), max_length=255, blank=True)
    keywords = models.CharField(
        _("search keywords"),
        max_length=500,
        blank=True,
        help_text=_("Everyday words people use for this item, separated by spaces."),
    )

    class Meta:
        verbose_name = _("service item")
        verbose_name_plural = _("service items")
        ordering = ["department__name", "implementation_code"]
        indexes = [models.Index(fields=["status", "department"])]

    def __str__(self) -> str:
        return self.name

    def permission_scope(self) -> TargetScope:
        return TargetScope(department_ids=frozenset({self.department_id}))

    def clean(self) -> None:
        from onewindow.catalog.rules import item_fields_check

        item_fields_check(self).raise_for_django()

    @property
    def is_instant(self) -> bool:
        return self.case_type == CaseType.INSTANT

    @property
    def is_full_online(self) -> bool:
        return set(self.online_depth or []) >= FULL_ONLINE_DEPTH


class Material(models.Model):
    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="materials")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("material name"), max_length=255)
    material_type = models.CharField(_("material type"), max_length=1, choices=MaterialType.choices)
    form = models.CharField(_("material form"), max_length=1, choices=MaterialForm.choices)
    necessity = models.CharField(_("necessity"), max_length=1, choices=MaterialNecessity.choices)
    paper_copies = models.PositiveSmallIntegerField(_("paper copies"), default=0)
    paper_spec = models.CharField(_("paper size"), max_length=32, blank=True)
    source_channel = models.CharField(_("source"), max_length=128, blank=True)
    acceptance_standard = models.TextField(_("acceptance standard"), blank=True)
    basis = models.TextField(_("basis for requiring it"), blank=True)
    notes = models.TextField(_("filling instructions"), blank=True)
    blank_form = models.FileField(_("blank form"), upload_to="catalog/forms/", blank=True)
    sample_file = models.FileField(_("filled-in sample"), upload_to="catalog/samples/", blank=True)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["item", "order", "id"]

    def __str__(self) -> str:
        return self.name


class FeeItem(models.Model):
    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="fee_items")
    name = models.CharField(_("fee name"), max_length=128)
    standard = models.CharField(_("fee standard"), max_length=255)
    basis = models.TextField(_("fee basis"))
    reducible = models.BooleanField(_("may be reduced or waived"), default=False)

    class Meta:
        verbose_name = _("fee item")
        verbose_name_plural = _("fee items")
        ordering = ["item", "id"]

    def __str__(self) -> str:
        return self.name


class ProcessStep(models.Model):
    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("order"))
    kind = models.CharField(_("step kind"), max_length=16, choices=StepKind.choices)
    name = models.CharField(_("step name"), max_length=64)
    role = models.CharField(_("role that works it"), max_length=32, choices=Role.choices)
    time_limit = models.PositiveIntegerField(_("step time limit"), null=True, blank=True)
    time_limit_unit = models.CharField(
        _("unit"), max_length=1, choices=TimeUnit.choices, default=TimeUnit.WORKING_DAY
    )

    class Meta:
        verbose_name = _("process step")
        verbose_name_plural = _("process steps")
        ordering = ["item", "order"]
        constraints = [models.UniqueConstraint(fields=["item", "order"], name="step_order_unique")]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"


class ItemFAQ(models.Model):
    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="faqs")
    question = models.CharField(_("question"), max_length=255)
    answer = models.TextField(_("answer"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("frequently asked question")
        verbose_name_plural = _("frequently asked questions")
        ordering = ["item", "order", "id"]

    def __str__(self) -> str:
        return self.question


class FormField(models.Model):
    """One field of the item's online application form (在线申请表单).

    The catalogue defines the form per item; a published version carries it in its snapshot,
    so an application is checked against the fields of the version it was started under
    (``catalog.formschema.answers_clean``). ``prefill`` names what the person gave before
    (fill once); ``kind`` decides the check and whether the answer is personal data.
    """

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="form_fields")
    order = models.PositiveSmallIntegerField(_("order"))
    key = models.CharField(
        _("field key"),
        max_length=32,
        help_text=_("Lower-case letters, digits and _, starting with a letter (e.g. shop_name)."),
    )
    label = models.CharField(_("label"), max_length=128)
    label_en = models.CharField(_("English label"), max_length=255, blank=True)
    kind = models.CharField(_("kind of answer"), max_length=16, choices=FormFieldKind.choices)
    required = models.BooleanField(_("required"), default=True)
    choices = models.JSONField(
        _("choices"),
        default=list,
        blank=True,
        help_text=_('For a choice: a list of {"value": …, "label": …, "label_en": …}.'),
    )
    max_length = models.PositiveIntegerField(_("maximum length"), null=True, blank=True)
    min_value = models.BigIntegerField(_("minimum"), null=True, blank=True)
    max_value = models.BigIntegerField(_("maximum"), null=True, blank=True)
    prefill = models.CharField(
        _("pre-filled from"), max_length=32, choices=FormPrefill.choices, blank=True, default=""
    )
    help_text = models.CharField(_("hint"), max_length=500, blank=True)
    help_text_en = models.CharField(_("English hint"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("online form field")
        verbose_name_plural = _("online form fields")
        ordering = ["item", "order"]
        constraints = [
            models.UniqueConstraint(fields=["item", "key"], name="form_field_key_unique"),
            models.UniqueConstraint(fields=["item", "order"], name="form_field_order_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.label}"

    def clean(self) -> None:
        from onewindow.catalog.formschema import form_field_errors

        errors = form_field_errors(self)
        for error in errors:
            # ``choices[2].label`` is reported on the model field ``choices``.
            error.field = error.field.split("[", 1)[0].split(".", 1)[0]
        errors.raise_for_django()


class ServiceItemVersion(models.Model):
    """An immutable snapshot of a published item. Cases point here, never at the live row."""

    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    snapshot = models.JSONField(_("content"))
    content_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    change_note = models.CharField(_("change note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("item version")
        verbose_name_plural = _("item versions")
        ordering = ["item", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="item_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.item} v{self.number}"


class SearchDocument(models.Model):
    """Pre-segmented search text for one item, rebuilt whenever the item is saved."""

    item = models.OneToOneField(
        ServiceItem, on_delete=models.CASCADE, related_name="search_document"
    )
    name_terms = models.TextField(default="")
    keyword_terms = models.TextField(default="")
    body_terms = models.TextField(default="")
    pinyin = models.TextField(default="")
    initials = models.TextField(default="")

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")

    def __str__(self) -> str:
        return f"search document of item {self.item_id}"


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Checking and importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Rejected")


class CatalogImportJob(TimeStampedModel):
    """One upload of a catalogue workbook, with its progress and its list of errors."""

    file = models.FileField(_("workbook"), upload_to="catalog/imports/")
    original_name = models.CharField(_("file name"), max_length=255)
    status = models.CharField(
        _("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("catalogue import")
        verbose_name_plural = _("catalogue imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status in {ImportStatus.DONE, ImportStatus.FAILED} else 0
        return min(100, int(self.processed_rows * 100 / self.total_rows))


class ServiceItemEvent(EventRecord):
    """One move of an item (published, cancelled), written by the workflow mover."""

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="events")

    class Meta(EventRecord.Meta):
        verbose_name = _("item event")
        verbose_name_plural = _("item events")
        ordering = ["item", "at", "id"]

    def __str__(self) -> str:
        return f"{self.item_id} {self.action}"


class CatalogImportJobEvent(EventRecord):
    """One move of an import job (started, imported, rejected), written by the mover."""

    job = models.ForeignKey(CatalogImportJob, on_delete=models.CASCADE, related_name="events")

    class Meta(EventRecord.Meta):
        verbose_name = _("import event")
        verbose_name_plural = _("import events")
        ordering = ["job", "at", "id"]

    def __str__(self) -> str:
        return f"{self.job_id} {self.action}"
