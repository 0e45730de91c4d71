"""Comprehensive enforcement (综合行政执法): a task for the one enforcement team, opened from a
grid case (or on the team's own patrol), worked through an on-site inspection (现场检查笔录), a
rectification notice with a deadline (责令整改通知书), a re-inspection (复查) and, where the party
did not rectify, a penalty decision (行政处罚决定书).

The party (当事人) is a person — name kept, ID number and phone encrypted with blind indexes of
the applicants' contexts and masked, as the hotline keeps its callers — or a company identified
by its unified social credit code, kept in clear (a company's code and its penalties are public:
``PenaltyDecision.disclosable`` marks the ones the business-disclosure work publishes)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.core import crypto
from onewindow.enforcement.codes import Outcome, PartyKind, PenaltyKind
from onewindow.enforcement.events import TASK_EVENTS
from onewindow.enforcement.transitions import TaskState
from onewindow.org.permissions import TargetScope
from onewindow.workflow.models import EventRecord

NUMBER_PREFIX = "ZF"
# Encryption contexts (bound to each ciphertext); the blind-index contexts are the applicants'
# (``applicants.models.ID_NUMBER_INDEX_CONTEXT``, ``PHONE_INDEX_CONTEXT``), so one indexed
# look-up finds a person across cases, 12345 orders and enforcement parties.
PARTY_ID_NUMBER_CONTEXT = "enforcement.party.id_number"
PARTY_PHONE_CONTEXT = "enforcement.party.phone"
PARTY_ADDRESS_CONTEXT = "enforcement.party.address"


class EnforcementTask(models.Model):
    number = models.CharField(_("task number"), max_length=24, unique=True)
    state = models.CharField(_("state"), max_length=16, choices=TaskState.choices)
    revision = models.PositiveIntegerField(_("revision"), default=0)
    team = models.ForeignKey(
        "org.Department",
        verbose_name=_("enforcement team"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Where it came from: a grid case's number (the grid case points here), or empty.
    origin = models.CharField(_("origin"), max_length=24, blank=True)
    matter = models.CharField(_("matter"), max_length=120)
    place = models.CharField(_("place"), max_length=255, blank=True)
    region_code = models.CharField(_("region code"), max_length=12, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The task's own deadline (a grid case's stage deadline), and the party's rectification
    # deadline (the end of the notice's last day) while the notice runs.
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    rectify_due_at = models.DateTimeField(_("rectify by"), null=True, blank=True)
    concluded_at = models.DateTimeField(_("concluded at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    drop_reason = models.TextField(_("why dropped"), blank=True)

    class Meta:
        verbose_name = _("enforcement task")
        verbose_name_plural = _("enforcement tasks")
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["team", "state", "due_at"], name="enf_task_team_state_idx"),
            models.Index(fields=["origin"], name="enf_task_origin_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    def permission_scope(self) -> TargetScope:
        return TargetScope(
            department_ids=frozenset({self.team_id}), region_code=self.region_code or None
        )


class Party(models.Model):
    """The party (当事人) of a task: a person or a company."""

    task = models.ForeignKey(EnforcementTask, on_delete=models.CASCADE, related_name="parties")
    kind = models.CharField(_("kind of party"), max_length=8, choices=PartyKind.choices)
    # A person's name, or the company's registered name.
    name = models.CharField(_("name"), max_length=128)
    id_number_encrypted = models.TextField(_("ID number (encrypted)"), blank=True)
    id_number_index = models.CharField(_("ID number (blind index)"), max_length=64, blank=True)
    id_number_masked = models.CharField(_("ID number"), max_length=32, blank=True)
    phone_encrypted = models.TextField(_("phone (encrypted)"), blank=True)
    phone_index = models.CharField(_("phone (blind index)"), max_length=64, blank=True)
    phone_masked = models.CharField(_("phone"), max_length=32, blank=True)
    uscc = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    legal_representative = models.CharField(_("legal representative"), max_length=64, blank=True)
    # A company's business address is public registry data (kept in clear); a person's is
    # personal data: encrypted in ``address_encrypted``, ``address`` holds only its mask.
    address = models.CharField(_("address"), max_length=255, blank=True)
    address_encrypted = models.TextField(_("address (encrypted)"), blank=True)

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["task", "id"]
        indexes = [
            models.Index(fields=["id_number_index"], name="enf_party_id_idx"),
            models.Index(fields=["uscc"], name="enf_party_uscc_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="person") & Q(uscc="")) | (Q(kind="company") & ~Q(uscc="")),
                name="enf_party_kind_fields",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def identifier_masked(self) -> str:
        return self.uscc if self.kind == PartyKind.COMPANY else self.id_number_masked

    def id_number_clear(self) -> str:
        """The ID number in clear: callers go through ``services.party_id_number_reveal``."""
        if not self.id_number_encrypted:
            return ""
        return crypto.decrypt(self.id_number_encrypted, context=PARTY_ID_NUMBER_CONTEXT)


class Inspection(models.Model):
    """The on-site inspection record (现场检查笔录): two officers at least."""

    task = models.OneToOneField(
        EnforcementTask, on_delete=models.CASCADE, related_name="inspection"
    )
    at = models.DateTimeField(_("inspected at"))
    place = models.CharField(_("place"), max_length=255)
    officers: models.ManyToManyField = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("officers"), related_name="+"
    )
    findings = models.TextField(_("findings"))
    violation_found = models.BooleanField(_("violation found"))
    party = models.ForeignKey(
        Party,
        verbose_name=_("party"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("on-site inspection")
        verbose_name_plural = _("on-site inspections")

    def __str__(self) -> str:
        return f"{self.task_id} {self.at:%Y-%m-%d}"


class RectificationNotice(models.Model):
    """责令(限期)整改通知书: what to put right, by when, on what legal basis."""

    task = models.OneToOneField(EnforcementTask, on_delete=models.CASCADE, related_name="notice")
    number = models.CharField(_("notice number"), max_length=48, unique=True)
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    deadline = models.DateField(_("rectify by"))
    requirements = models.TextField(_("what to rectify"))
    law = models.CharField(_("law or regulation"), max_length=200)
    article = models.CharField(_("article"), max_length=64)

    class Meta:
        verbose_name = _("rectification notice")
        verbose_name_plural = _("rectification notices")

    def __str__(self) -> str:
        return self.number


class Reinspection(models.Model):
    """复查: back on site after the deadline, two officers at least."""

    task = models.OneToOneField(
        EnforcementTask, on_delete=models.CASCADE, related_name="reinspection"
    )
    at = models.DateTimeField(_("re-inspected at"))
    officers: models.ManyToManyField = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("officers"), related_name="+"
    )
    rectified = models.BooleanField(_("rectified"))
    findings = models.TextField(_("findings"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("re-inspection")
        verbose_name_plural = _("re-inspections")

    def __str__(self) -> str:
        return f"{self.task_id} {self.at:%Y-%m-%d}"


class PenaltyDecision(models.Model):
    """行政处罚决定书, decided by the team's lead. A company's decision is ``disclosable``: the
    business-disclosure work publishes it (``selectors.company_penalties``); a person's is not."""

    task = models.OneToOneField(EnforcementTask, on_delete=models.CASCADE, related_name="penalty")
    number = models.CharField(_("decision number"), max_length=48, unique=True)
    decided_at = models.DateTimeField(_("decided at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    law = models.CharField(_("law or regulation"), max_length=200)
    article = models.CharField(_("article"), max_length=64)
    facts = models.TextField(_("facts of the violation"))
    kind = models.CharField(_("penalty"), max_length=16, choices=PenaltyKind.choices)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    party = models.ForeignKey(
        Party, verbose_name=_("party"), on_delete=models.PROTECT, related_name="penalties"
    )
    disclosable = models.BooleanField(_("to be disclosed"))

    class Meta:
        verbose_name = _("penalty decision")
        verbose_name_plural = _("penalty decisions")
        ordering = ["-decided_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="enf_penalty_amount_gte_0")
        ]

    def __str__(self) -> str:
        return self.number


class TaskPhoto(models.Model):
    """A photo of an inspection or a re-inspection, kept as an electronic paper
    (``papers.Paper``: content-checked, no EXIF, encrypted)."""

    task = models.ForeignKey(EnforcementTask, on_delete=models.CASCADE, related_name="photos")
    paper = models.ForeignKey(
        "papers.Paper", verbose_name=_("file"), on_delete=models.PROTECT, related_name="+"
    )
    inspection = models.ForeignKey(
        Inspection, null=True, blank=True, on_delete=models.CASCADE, related_name="photos"
    )
    reinspection = models.ForeignKey(
        Reinspection, null=True, blank=True, on_delete=models.CASCADE, related_name="photos"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    added_at = models.DateTimeField(_("added at"))

    class Meta:
        verbose_name = _("photo of an enforcement task")
        verbose_name_plural = _("photos of enforcement tasks")
        ordering = ["task", "added_at", "id"]

    def __str__(self) -> str:
        return f"{self.task_id} {self.paper_id}"


class TaskEvent(EventRecord):
    task = models.ForeignKey(EnforcementTask, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=32, choices=TASK_EVENTS.choices)

    class Meta(EventRecord.Meta):
        verbose_name = _("enforcement task event")
        verbose_name_plural = _("enforcement task events")
        ordering = ["at", "id"]
        indexes = [
            *EventRecord.Meta.indexes,
            models.Index(fields=["task", "at"], name="enf_task_event_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.task_id} {self.action}"
