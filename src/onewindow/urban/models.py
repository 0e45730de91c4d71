"""Grid management (城市网格化管理, GB/T 30428): the categories of components and events with
their conditions, responsible units and staged time limits; the grid case that runs through
信息采集 → 立案 → 派遣 → 处置 → 反馈 → 核查 → 结案; its stages, photos, requests and events."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.core import crypto
from onewindow.org.permissions import TargetScope
from onewindow.urban.codes import (
    CaseKind,
    PhotoKind,
    RequestDecision,
    RequestKind,
    Source,
)
from onewindow.urban.events import CASE_EVENTS
from onewindow.urban.transitions import CaseState
from onewindow.workflow.clock import Clocked, TimeUnit
from onewindow.workflow.models import EventRecord

NUMBER_PREFIX = "WG"
# Encryption contexts (bound to each ciphertext); the phone's blind index shares the applicants'
# context on purpose (one look-up finds a phone's cases, orders and reports).
REPORTER_PHONE_CONTEXT = "urban.reporter.phone"
QUERY_CODE_CONTEXT = "urban.case.query_code"
PHONE_INDEX_CONTEXT = "person.phone"


def query_code_index(code: str) -> str:
    return crypto.blind_index(code.strip().upper(), context=QUERY_CODE_CONTEXT)


class Category(models.Model):
    """A major class (大类, no parent) or a subclass (小类) of components or events. The
    subclass carries the rules: when a report is filed (立案条件), when a case is closed
    (结案条件), who handles it, and its staged time limits."""

    kind = models.CharField(_("components or events"), max_length=16, choices=CaseKind.choices)
    # 部件 and 事件 each number their classes: 01 … for a major class, 0101 … for a subclass;
    # the code is kept with the kind's letter ("C0101", "E0101") so one column is unique.
    code = models.CharField(_("category code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=64)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("major class"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    filing_condition = models.TextField(_("filing condition (立案条件)"), blank=True)
    closing_condition = models.TextField(_("closing condition (结案条件)"), blank=True)
    keywords = models.CharField(_("keywords"), max_length=255, blank=True)
    # Cases of this subclass go to the comprehensive enforcement team (an enforcement task).
    enforcement = models.BooleanField(_("comprehensive enforcement matter"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("grid category")
        verbose_name_plural = _("grid categories")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CategoryUnit(models.Model):
    """Who handles a subclass: in one street (``region``), or anywhere (no region). The most
    specific rule wins; the first by ``order`` is proposed."""

    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.CASCADE, related_name="units"
    )
    region = models.ForeignKey(
        "org.Region",
        verbose_name=_("street"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("responsible unit"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    order = models.PositiveSmallIntegerField(_("order"), default=1)

    class Meta:
        verbose_name = _("responsible unit of a category")
        verbose_name_plural = _("responsible units of categories")
        ordering = ["category", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "region", "department"], name="category_unit_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.category_id} → {self.department_id}"


class CategoryStage(models.Model):
    """One stage of a subclass's handling limit, in order: exposed rubbish has one (4 working
    hours); an illegal building three (stop work 4 working hours, penalty 7 working days,
    demolition 20 working days). Each stage's limit runs from the end of the one before."""

    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.CASCADE, related_name="stages"
    )
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("stage"), max_length=32)
    limit = models.PositiveIntegerField(_("time limit"))
    unit = models.CharField(_("unit"), max_length=2, choices=TimeUnit.choices)

    class Meta:
        verbose_name = _("stage of a category's time limit")
        verbose_name_plural = _("stages of categories' time limits")
        ordering = ["category", "order"]
        constraints = [
            models.UniqueConstraint(fields=["category", "order"], name="category_stage_order")
        ]

    def __str__(self) -> str:
        return f"{self.category_id} {self.order} {self.name}"


class GridCase(Clocked):
    """One report and, once filed, the case (案件). ``due_at`` (``Clocked``) is the current
    stage's deadline while a unit holds it."""

    number = models.CharField(_("case number"), max_length=24, unique=True)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    kind = models.CharField(_("components or events"), max_length=16, choices=CaseKind.choices)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="cases"
    )
    description = models.TextField(_("description"))
    place = models.CharField(_("place"), max_length=255, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    grid = models.ForeignKey(
        "grid.Grid",
        verbose_name=_("grid"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    # The community's 12-digit division code (the grid's, or the one chosen when the point
    # is in no grid): scope, and every per-street and per-community figure.
    region_code = models.CharField(_("region code"), max_length=12, blank=True, db_index=True)
    # The phone's key for this report (a UUID): a report sent twice is one case.
    client_key = models.CharField(
        _("client key"), max_length=64, null=True, blank=True, unique=True
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reporter_account = models.ForeignKey(
        "citizens.CitizenAccount",
        verbose_name=_("citizen's account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # A public reporter's phone for the answer (encrypted, blind index, masked).
    reporter_phone_encrypted = models.TextField(_("reporter's phone (encrypted)"), blank=True)
    reporter_phone_index = models.CharField(
        _("reporter's phone (blind index)"), max_length=64, blank=True
    )
    reporter_phone_masked = models.CharField(_("reporter's phone"), max_length=32, blank=True)
    # A public report's query code (查询码), shown once to the reporter: encrypted, with a
    # blind index for the look-up (as a work order's).
    query_code_encrypted = models.TextField(_("query code (encrypted)"), blank=True, editable=False)
    query_code_index = models.CharField(
        _("query code (blind index)"), max_length=64, blank=True, editable=False, db_index=True
    )
    hotline_order = models.OneToOneField(
        "hotline.WorkOrder",
        verbose_name=_("12345 work order"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grid_case",
    )

    state = models.CharField(_("state"), max_length=16, choices=CaseState.choices)
    revision = models.PositiveIntegerField(_("revision"), default=0)
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now)
    verify_due_at = models.DateTimeField(_("verify by"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    # 核实: was the public report true (None: not a public report, or not yet verified)?
    verified_true = models.BooleanField(_("found as reported"), null=True, blank=True)
    file_due_at = models.DateTimeField(_("file by"), null=True, blank=True)
    filed_at = models.DateTimeField(_("filed at"), null=True, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    refusal = models.TextField(_("why not filed"), blank=True)
    unit = models.ForeignKey(
        "org.Department",
        verbose_name=_("unit handling it"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    # The first dispatch went to the unit that handled it (准确派遣: no return, no redispatch).
    dispatch_accurate = models.BooleanField(_("dispatched accurately"), null=True, blank=True)
    handled_at = models.DateTimeField(_("fed back at"), null=True, blank=True)
    handled_on_time = models.BooleanField(_("handled on time"), null=True, blank=True)
    check_due_at = models.DateTimeField(_("check by"), null=True, blank=True)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    checked_on_time = models.BooleanField(_("checked on time"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_on_time = models.BooleanField(_("closed on time"), null=True, blank=True)
    parked_at = models.DateTimeField(_("parked at"), null=True, blank=True)
    park_review_due = models.DateField(_("parked: review by"), null=True, blank=True)
    rework_count = models.PositiveSmallIntegerField(_("reworks"), default=0)
    redispatch_count = models.PositiveSmallIntegerField(_("redispatches"), default=0)
    return_count = models.PositiveSmallIntegerField(_("returns"), default=0)
    extension_count = models.PositiveSmallIntegerField(_("extensions"), default=0)
    enforcement_task = models.OneToOneField(
        "enforcement.EnforcementTask",
        verbose_name=_("enforcement task"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grid_case",
    )

    class Meta:
        verbose_name = _("grid case")
        verbose_name_plural = _("grid cases")
        ordering = ["-reported_at", "-id"]
        indexes = [
            models.Index(fields=["state", "due_at"], name="gridcase_state_due_idx"),
            models.Index(fields=["unit", "state", "due_at"], name="gridcase_unit_state_idx"),
            models.Index(fields=["region_code", "state"], name="gridcase_region_state_idx"),
            models.Index(fields=["grid", "state"], name="gridcase_grid_state_idx"),
            models.Index(fields=["reported_at"], name="gridcase_reported_idx"),
            models.Index(fields=["category", "reported_at"], name="gridcase_category_idx"),
            models.Index(fields=["reported_by", "reported_at"], name="gridcase_reporter_idx"),
            # The monthly indicators (urban.indicators): one family of counts per moment.
            models.Index(fields=["filed_at"], name="gridcase_filed_idx"),
            models.Index(fields=["dispatched_at"], name="gridcase_dispatched_idx"),
            models.Index(fields=["handled_at"], name="gridcase_handled_idx"),
            models.Index(fields=["closed_at"], name="gridcase_closed_idx"),
            models.Index(fields=["checked_at"], name="gridcase_checked_idx"),
            models.Index(
                fields=["parked_at"],
                name="gridcase_parked_idx",
                condition=models.Q(parked_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def query_code(self) -> str:
        if not self.query_code_encrypted:
            return ""
        return crypto.decrypt(self.query_code_encrypted, context=QUERY_CODE_CONTEXT)

    def query_code_set(self, code: str) -> None:
        self.query_code_encrypted = crypto.encrypt(code, context=QUERY_CODE_CONTEXT)
        self.query_code_index = query_code_index(code)

    def permission_scope(self) -> TargetScope:
        return TargetScope(
            department_ids=frozenset({self.unit_id}) if self.unit_id else frozenset(),
            region_code=self.region_code or None,
        )


class CaseStage(models.Model):
    """A stage of the case's handling limit, copied from the category when the case is
    dispatched (a later change of the category does not move a running deadline)."""

    case = models.ForeignKey(GridCase, on_delete=models.CASCADE, related_name="stages")
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("stage"), max_length=32)
    limit = models.PositiveIntegerField(_("time limit"))
    unit = models.CharField(_("unit"), max_length=2, choices=TimeUnit.choices)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        verbose_name = _("stage of a grid case")
        verbose_name_plural = _("stages of grid cases")
        ordering = ["case", "order"]
        constraints = [models.UniqueConstraint(fields=["case", "order"], name="case_stage_order")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.order}"


class CasePhoto(models.Model):
    """A photo of a case: when reported, verified, handled, and the "after" photo of the check.
    The file is an electronic paper (``papers.Paper``: content-checked, no EXIF, encrypted)."""

    case = models.ForeignKey(GridCase, on_delete=models.CASCADE, related_name="photos")
    paper = models.ForeignKey(
        "papers.Paper", verbose_name=_("file"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("taken"), max_length=16, choices=PhotoKind.choices)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    added_at = models.DateTimeField(_("added at"))

    class Meta:
        verbose_name = _("photo of a grid case")
        verbose_name_plural = _("photos of grid cases")
        ordering = ["case", "added_at", "id"]
        indexes = [models.Index(fields=["case", "kind"], name="case_photo_kind_idx")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


class CaseRequest(models.Model):
    """A unit asks for an extension (延期) or for the case to be parked (挂账); the supervision
    centre approves or refuses."""

    case = models.ForeignKey(GridCase, on_delete=models.CASCADE, related_name="requests")
    kind = models.CharField(_("request"), max_length=16, choices=RequestKind.choices)
    reason = models.TextField(_("reason"))
    # An extension: how much longer (in the current stage's unit).
    extra = models.PositiveIntegerField(_("extra time"), null=True, blank=True)
    department = models.ForeignKey(
        "org.Department", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    asked_at = models.DateTimeField(_("asked at"))
    decision = models.CharField(
        _("decision"),
        max_length=16,
        choices=RequestDecision.choices,
        default=RequestDecision.PENDING,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        verbose_name = _("request on a grid case")
        verbose_name_plural = _("requests on grid cases")
        ordering = ["case", "asked_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(decision="pending"),
                name="case_request_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


class GridCaseEvent(EventRecord):
    case = models.ForeignKey(GridCase, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=32, choices=CASE_EVENTS.choices)

    class Meta(EventRecord.Meta):
        verbose_name = _("grid case event")
        verbose_name_plural = _("grid case events")
        ordering = ["at", "id"]
        indexes = [
            *EventRecord.Meta.indexes,
            models.Index(fields=["case", "at"], name="gridcase_event_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action}"


class ScoreWeights(models.Model):
    """One version of the weights of the district's monthly grid score (urban.score); the
    newest row is the one in force. Each weight is a whole number; they add up to 100."""

    handling = models.PositiveSmallIntegerField(_("weight of the handling rate (处置率)"))
    handle_on_time = models.PositiveSmallIntegerField(_("weight of on-time handling (按期处置率)"))
    rework = models.PositiveSmallIntegerField(_("weight of 1 − rework rate (返工率)"))
    overdue_pending = models.PositiveSmallIntegerField(
        _("weight of 1 − overdue, not handled (超期未处置率)")
    )
    extension = models.PositiveSmallIntegerField(_("weight of 1 − extension rate (延期率)"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    set_at = models.DateTimeField(_("set at"), default=timezone.now)

    class Meta:
        verbose_name = _("grid score weights")
        verbose_name_plural = _("grid score weights")
        ordering = ["-set_at", "-id"]
        indexes = [models.Index(fields=["-set_at", "-id"], name="urban_weights_at_idx")]

    def __str__(self) -> str:
        return f"{self.set_at:%Y-%m-%d %H:%M}"
