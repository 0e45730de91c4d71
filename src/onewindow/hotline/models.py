"""12345 work orders (工单) and what they are dispatched by.

A ``WorkOrder`` is one matter a caller brought (GB/T 33358: the caller, the matter, the handling,
the supervision and the call-back result). It is the aggregate of the hotline's closed loop
on the workflow kernel (受理, 派单, 签收, 办理, 回复, 回访, 办结; ``transitions.py``): units it is
dispatched to hold it as ``OrderUnit`` rows (one lead, any assisting); the lead's handling form is a
``HandlingReply``; each caller is called back (``Callback``). Callers are kept apart
(``OrderCaller``): phone and ID number encrypted, with blind indexes of the same contexts as the
applicants', so one indexed look-up finds a phone's earlier orders *and* cases; a duplicate merged
into an order brings its callers along, and every one of them is answered.

The dispatch catalogue (派单目录) maps a category, and a street where the answer differs there, to
the lead unit and the assisting units (``DispatchCategory``, ``DispatchRule``); ``HandlingUnit``
says what kind of unit a department is (a street office may not be given a matter of a functional
department). Time limits per type and urgency are data (``TimeLimitRule``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.core import crypto
from onewindow.hotline.codes import (
    AttachmentKind,
    CallbackOutcome,
    Channel,
    ExtensionDecision,
    NotAccepted,
    OrderType,
    Truth,
    UnitKind,
    UnitRole,
    Urgency,
)
from onewindow.hotline.events import WORK_ORDER_EVENTS
from onewindow.hotline.transitions import OrderState
from onewindow.org.permissions import TargetScope
from onewindow.workflow.clock import Clocked, TimeUnit
from onewindow.workflow.models import EventRecord

# Encryption contexts (bound to each ciphertext); blind-index contexts shared with applicants
# on purpose (``applicants.models.PHONE_INDEX_CONTEXT``, ``ID_NUMBER_INDEX_CONTEXT``).
CALLER_PHONE_CONTEXT = "hotline.caller.phone"
CALLER_ID_NUMBER_CONTEXT = "hotline.caller.id_number"
CALLER_ADDRESS_CONTEXT = "hotline.caller.address"
QUERY_CODE_CONTEXT = "hotline.order.query_code"
PHONE_INDEX_CONTEXT = "person.phone"
ID_NUMBER_INDEX_CONTEXT = "person.id_number"


def query_code_index(code: str) -> str:
    return crypto.blind_index(code.strip().upper(), context=QUERY_CODE_CONTEXT)


class HandlingUnit(models.Model):
    """The hotline's view of a department as a handling unit (承办单位)."""

    department = models.OneToOneField(
        "org.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="hotline_unit",
    )
    kind = models.CharField(_("kind of unit"), max_length=16, choices=UnitKind.choices)
    # The street a street office serves (its matters there).
    region = models.ForeignKey(
        "org.Region",
        verbose_name=_("street served"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The unit's own office hours for limits in working hours (grid cases): pairs of
    # "HH:MM" like [["08:30", "12:00"], ["14:30", "18:00"]]; empty: the platform's
    # (settings.WORKING_HOURS).
    office_hours = models.JSONField(_("office hours"), default=list, blank=True)

    class Meta:
        verbose_name = _("handling unit")
        verbose_name_plural = _("handling units")
        ordering = ["department__name"]

    def __str__(self) -> str:
        return str(self.department)


class DispatchCategory(models.Model):
    """One entry of the dispatch catalogue (派单目录): two levels, e.g. 市政设施 › 路灯."""

    code = models.CharField(_("category code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=64)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Words callers use, for the dispatch proposal ("路灯 灯不亮 黑灯").
    keywords = models.CharField(_("keywords"), max_length=255, blank=True)
    # A matter of a functional department: never dispatched to a street office as lead.
    functional = models.BooleanField(_("matter of a functional department"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("dispatch category")
        verbose_name_plural = _("dispatch categories")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.parent.name} › {self.name}" if self.parent_id and self.parent else self.name


class DispatchRule(models.Model):
    """Who handles a category: city-wide (no region) or in one street (a region overrides)."""

    category = models.ForeignKey(
        DispatchCategory, verbose_name=_("category"), on_delete=models.CASCADE, related_name="rules"
    )
    region = models.ForeignKey(
        "org.Region",
        verbose_name=_("street"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    lead = models.ForeignKey(
        "org.Department", verbose_name=_("lead unit"), on_delete=models.PROTECT, related_name="+"
    )
    assists: models.ManyToManyField = models.ManyToManyField(
        "org.Department", verbose_name=_("assisting units"), blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("dispatch rule")
        verbose_name_plural = _("dispatch rules")
        constraints = [
            models.UniqueConstraint(
                fields=["category", "region"], name="dispatch_rule_unique_region"
            ),
            models.UniqueConstraint(
                fields=["category"],
                condition=Q(region__isnull=True),
                name="dispatch_rule_unique_citywide",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category} → {self.lead}"


class TimeLimitRule(models.Model):
    """The handling limit of an order of one type and urgency (an empty field matches any);
    the most specific rule wins (``limits.handling_limit``)."""

    order_type = models.CharField(
        _("type of call"), max_length=16, choices=OrderType.choices, blank=True
    )
    urgency = models.CharField(_("urgency"), max_length=16, choices=Urgency.choices, blank=True)
    limit = models.PositiveIntegerField(_("time limit"))
    unit = models.CharField(_("unit"), max_length=2, choices=TimeUnit.choices)

    class Meta:
        verbose_name = _("time-limit rule")
        verbose_name_plural = _("time-limit rules")
        ordering = ["order_type", "urgency"]
        constraints = [
            models.UniqueConstraint(fields=["order_type", "urgency"], name="time_limit_rule_unique")
        ]

    def __str__(self) -> str:
        return f"{self.order_type or '*'}/{self.urgency or '*'}: {self.limit} {self.unit}"


class Closure(models.TextChoices):
    DIRECT_ANSWER = "direct_answer", _("Answered directly (直接答复)")
    CALLBACK = "callback", _("Closed after the call-back")
    NOT_REACHED = "not_reached", _("Closed: the caller could not be reached")
    CHILDREN = "children", _("Closed: every split order closed")
    NO_CALLBACK = "no_callback", _("Closed: no call-back possible (anonymous, or no reply wanted)")


class WorkOrder(Clocked):
    number = models.CharField(_("work order number"), max_length=24, unique=True)
    query_code_encrypted = models.TextField(_("query code (encrypted)"), editable=False)
    query_code_index = models.CharField(
        _("query code (blind index)"), max_length=64, editable=False
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    order_type = models.CharField(_("type of call"), max_length=16, choices=OrderType.choices)
    urgency = models.CharField(
        _("urgency"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL
    )
    category = models.ForeignKey(
        DispatchCategory,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    title = models.CharField(_("subject"), max_length=120)
    content = models.TextField(_("main content"))
    # The place of the matter (not the caller's address, which is kept encrypted with them).
    place = models.CharField(_("place"), max_length=255, blank=True)
    region = models.ForeignKey(
        "org.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    region_code = models.CharField(_("region code"), max_length=12, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    wants_reply = models.BooleanField(_("reply wanted"), default=True)
    # 是否保密: the handling units never see who called.
    confidential = models.BooleanField(_("confidential caller"), default=False)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case concerned"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="work_orders",
    )
    item = models.ForeignKey(
        "catalog.ServiceItem",
        verbose_name=_("service item concerned"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Where it came from, when it is not a call: the Open311 client, the bad rating.
    source_key = models.CharField(_("source"), max_length=80, null=True, blank=True, unique=True)

    state = models.CharField(_("state"), max_length=16, choices=OrderState.choices)
    revision = models.PositiveIntegerField(_("revision"), default=0)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    # 首接负责制: the agent who took it answers for it until it is closed.
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("first-contact agent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    taken_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    not_accepted = models.CharField(
        _("why not accepted"), max_length=16, choices=NotAccepted.choices, blank=True
    )
    # A direct answer: what was said, and the knowledge article it came from.
    answer = models.TextField(_("answer given"), blank=True)
    answer_article = models.CharField(_("knowledge article"), max_length=16, blank=True)
    answer_article_version = models.PositiveIntegerField(
        _("knowledge article version"), null=True, blank=True
    )
    lead_unit = models.ForeignKey(
        "org.Department",
        verbose_name=_("lead unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    sign_due_at = models.DateTimeField(_("sign for by"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signed for at"), null=True, blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    # The handling deadline of the reply that was given (for 按时办结率).
    replied_on_time = models.BooleanField(_("replied on time"), null=True, blank=True)
    callback_due_at = models.DateTimeField(_("call back by"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closure = models.CharField(_("closed as"), max_length=16, choices=Closure.choices, blank=True)
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction"), null=True, blank=True)
    solved = models.BooleanField(_("solved"), null=True, blank=True)
    returns_count = models.PositiveSmallIntegerField(_("returns"), default=0)
    redo_count = models.PositiveSmallIntegerField(_("redos"), default=0)
    extension_count = models.PositiveSmallIntegerField(_("extensions"), default=0)
    reminder_count = models.PositiveSmallIntegerField(_("reminders"), default=0)
    supervised_at = models.DateTimeField(_("supervision order issued at"), null=True, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("split from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
    )

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["state", "due_at"], name="order_state_due_idx"),
            models.Index(fields=["lead_unit", "state", "due_at"], name="order_unit_state_idx"),
            models.Index(fields=["received_at"], name="order_received_idx"),
            models.Index(fields=["category", "received_at"], name="order_category_idx"),
            models.Index(fields=["query_code_index"], name="order_query_code_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def query_code(self) -> str:
        return crypto.decrypt(self.query_code_encrypted, context=QUERY_CODE_CONTEXT)

    def query_code_set(self, code: str) -> None:
        self.query_code_encrypted = crypto.encrypt(code, context=QUERY_CODE_CONTEXT)
        self.query_code_index = query_code_index(code)

    def permission_scope(self) -> TargetScope:
        """The units that hold it (or held it and have not returned it): one query."""
        held = self.units.filter(returned_at__isnull=True).values_list("department_id", flat=True)
        return TargetScope(department_ids=frozenset(held), region_code=self.region_code or None)


class OrderCaller(models.Model):
    """One caller of an order (several, once duplicates are merged in)."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="callers")
    # The order the caller first called about (a duplicate merged in keeps its own number).
    first_order = models.ForeignKey(
        WorkOrder, on_delete=models.PROTECT, related_name="+", verbose_name=_("first order")
    )
    anonymous = models.BooleanField(_("anonymous"), default=False)
    name = models.CharField(_("name"), max_length=64, blank=True)
    phone_encrypted = models.TextField(_("phone (encrypted)"), blank=True)
    phone_index = models.CharField(_("phone (blind index)"), max_length=64, blank=True)
    phone_masked = models.CharField(_("phone"), max_length=32, blank=True)
    id_number_encrypted = models.TextField(_("ID number (encrypted)"), blank=True)
    id_number_index = models.CharField(_("ID number (blind index)"), max_length=64, blank=True)
    id_number_masked = models.CharField(_("ID number"), max_length=32, blank=True)
    address_encrypted = models.TextField(_("caller's address (encrypted)"), blank=True)
    # The citizen account that filed it (my orders).
    account = models.ForeignKey(
        "citizens.CitizenAccount",
        verbose_name=_("citizen account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("caller")
        verbose_name_plural = _("callers")
        ordering = ["order", "id"]
        indexes = [
            models.Index(fields=["phone_index"], name="order_caller_phone_idx"),
            models.Index(fields=["id_number_index"], name="order_caller_id_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.phone_masked}"


# ``OrderUnit.return_reason`` of the units of a duplicate merged away: they let go of it, they
# did not return it (退单) — the indicators tell the two apart.
MERGED_AWAY = "merged"


class OrderUnit(models.Model):
    """A unit an order is dispatched to: the lead (主办) or an assisting unit (协办)."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="units")
    department = models.ForeignKey(
        "org.Department", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("role"), max_length=8, choices=UnitRole.choices)
    dispatched_at = models.DateTimeField(_("dispatched at"))
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dispatched by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("dispatch note (转办意见)"), blank=True)
    sign_due_at = models.DateTimeField(_("sign for by"))
    signed_at = models.DateTimeField(_("signed for at"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed for by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    return_reason = models.TextField(_("why returned"), blank=True)
    opinion = models.TextField(_("assisting opinion"), blank=True)
    opinion_at = models.DateTimeField(_("opinion given at"), null=True, blank=True)

    class Meta:
        verbose_name = _("order unit")
        verbose_name_plural = _("order units")
        ordering = ["order", "dispatched_at", "id"]
        indexes = [
            models.Index(fields=["department", "returned_at"], name="order_unit_dept_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.role} {self.department_id}"


class HandlingReply(models.Model):
    """The lead unit's handling form (办理回复)."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="replies")
    department = models.ForeignKey(
        "org.Department", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    truth = models.CharField(
        _("is the matter true (诉求属实)"), max_length=8, choices=Truth.choices
    )
    beyond_duty = models.BooleanField(_("beyond the unit's duty (超职责)"), default=False)
    solved = models.BooleanField(_("solved (是否解决)"))
    unsolved_reason = models.TextField(_("why not solved (未解决原因)"), blank=True)
    handling = models.TextField(_("what was done (办理情况)"))
    public_reply = models.TextField(_("reply to the caller (公开答复)"))
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("replied by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    replied_at = models.DateTimeField(_("replied at"))
    on_time = models.BooleanField(_("on time"))

    class Meta:
        verbose_name = _("handling reply")
        verbose_name_plural = _("handling replies")
        ordering = ["order", "round", "id"]

    def __str__(self) -> str:
        return f"{self.order_id} #{self.round}"


class OrderAttachment(models.Model):
    """A file of an order (附件): an electronic paper (``papers.Paper``: content-checked,
    without EXIF, encrypted) given at intake by the hotline centre, or by the lead unit while it
    handles the order — with its handling form (``reply``) or before it. Opened only through
    ``services.attachments`` (authorised, audited)."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="attachments")
    paper = models.ForeignKey(
        "papers.Paper", verbose_name=_("file"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("given"), max_length=16, choices=AttachmentKind.choices)
    reply = models.ForeignKey(
        HandlingReply,
        verbose_name=_("handling reply"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attachments",
    )
    # The unit that gave it (none: the hotline centre).
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    added_at = models.DateTimeField(_("added at"))

    class Meta:
        verbose_name = _("work order attachment")
        verbose_name_plural = _("work order attachments")
        ordering = ["order", "added_at", "id"]
        indexes = [models.Index(fields=["order", "added_at"], name="order_attachment_idx")]

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind} {self.paper_id}"


class Extension(models.Model):
    """A unit's request for more time, decided by the hotline centre."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="extensions")
    department = models.ForeignKey(
        "org.Department", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    working_days = models.PositiveSmallIntegerField(_("working days asked for"))
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked for by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("asked for at"))
    decision = models.CharField(
        _("decision"),
        max_length=8,
        choices=ExtensionDecision.choices,
        default=ExtensionDecision.PENDING,
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
    decision_note = models.TextField(_("note on the decision"), blank=True)

    class Meta:
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        ordering = ["order", "requested_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(decision="pending"),
                name="extension_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.order_id} +{self.working_days}"


class Callback(models.Model):
    """One call-back (回访) of one caller after a reply (or one attempt that did not reach)."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="callbacks")
    caller = models.ForeignKey(OrderCaller, on_delete=models.CASCADE, related_name="callbacks")
    round = models.PositiveSmallIntegerField(_("round"))
    outcome = models.CharField(_("outcome"), max_length=16, choices=CallbackOutcome.choices)
    solved = models.BooleanField(_("solved in the caller's view"), null=True, blank=True)
    level = models.PositiveSmallIntegerField(_("satisfaction"), null=True, blank=True)
    # Unhappy through the unit's fault: the order is handled again (重办).
    unit_fault = models.BooleanField(_("the unit's fault"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("called back by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("called back at"))

    class Meta:
        verbose_name = _("call-back")
        verbose_name_plural = _("call-backs")
        ordering = ["order", "at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__isnull=True) | Q(level__gte=1, level__lte=5),
                name="callback_level_1_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.outcome}"


class WorkOrderEvent(EventRecord):
    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=32, choices=WORK_ORDER_EVENTS.choices)

    class Meta(EventRecord.Meta):
        verbose_name = _("work order event")
        verbose_name_plural = _("work order events")
        ordering = ["at", "id"]
        indexes = [
            *EventRecord.Meta.indexes,
            models.Index(fields=["order", "at"], name="order_event_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.action}"


class IncomingCall(models.Model):
    """A call the telephony system (CTI) rang through to an agent: its number, so the agent's
    screen shows the caller's earlier orders and cases before a word is typed. Kept as the
    callers are (encrypted, blind index, masked); ``call_id`` (the CTI's) makes a repeat of the
    same ring one row."""

    call_id = models.CharField(_("call id"), max_length=64, unique=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    phone_encrypted = models.TextField(_("phone (encrypted)"))
    phone_index = models.CharField(_("phone (blind index)"), max_length=64)
    phone_masked = models.CharField(_("phone"), max_length=32)
    rang_at = models.DateTimeField(_("rang at"))
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)

    class Meta:
        verbose_name = _("incoming call")
        verbose_name_plural = _("incoming calls")
        ordering = ["-rang_at", "-id"]
        indexes = [models.Index(fields=["agent", "rang_at"], name="incoming_call_agent_idx")]

    def __str__(self) -> str:
        return f"{self.call_id} {self.phone_masked}"


class Open311Client(models.Model):
    """A client application of the Open311 GeoReport v2 face (``open311/``): its API key is kept
    as a SHA-256 digest only (the key itself is shown once, when issued); issued and revoked by
    an administrator. Its requests of the current minute are counted on the row itself, with one
    ``UPDATE`` (every worker process shares the count)."""

    name = models.CharField(_("client name"), max_length=80)
    contact = models.CharField(_("contact"), max_length=120)
    key_digest = models.CharField(_("key (SHA-256)"), max_length=64, unique=True, editable=False)
    # The first characters of the key, to tell keys apart on the staff page.
    key_prefix = models.CharField(_("key begins with"), max_length=8, editable=False)
    per_minute = models.PositiveIntegerField(_("requests a minute"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("issued at"))
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    # The minute (since the epoch) being counted, and the requests counted in it.
    window_minute = models.BigIntegerField(default=0, editable=False)
    window_count = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("Open311 client")
        verbose_name_plural = _("Open311 clients")
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return self.name
