"""An online application (网上办事): a citizen's application for one item, filled in and sent
from home, pre-reviewed (预审) by a centre and, once accepted, a case (ADR 0018).

``OnlineApplication`` is its own aggregate with one state machine (``transitions.py``); its
answers are kept as the item version's form asks them — the non-personal ones in ``answers``,
the personal ones (phone, ID number, address) only encrypted in ``personal_encrypted`` with
masked copies in ``personal_masked``. Each paper of the checklist is an ``ApplicationPaper``
(an uploaded or reused ``papers.Paper``); every step is an ``OnlineEvent``.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.cases.models import ApplicantType, OutputMethod
from onewindow.online.events import ONLINE_EVENTS
from onewindow.online.transitions import OnlineState
from onewindow.org.permissions import TargetScope
from onewindow.workflow.models import EventRecord

PERSONAL_CONTEXT = "online.application.personal"
POSTAL_CONTEXT = "online.application.postal_address"


class OnlineApplication(models.Model):
    reference = models.CharField(_("reference"), max_length=32, unique=True)
    account = models.ForeignKey(
        "citizens.CitizenAccount",
        verbose_name=_("citizen account"),
        on_delete=models.PROTECT,
        related_name="online_applications",
    )
    applicant_type = models.CharField(
        _("applicant type"),
        max_length=16,
        choices=ApplicantType.choices,
        default=ApplicantType.NATURAL_PERSON,
    )
    person = models.ForeignKey(
        "applicants.Person",
        verbose_name=_("applicant (person)"),
        on_delete=models.PROTECT,
        related_name="online_applications",
    )
    company = models.ForeignKey(
        "citizens.CompanyAccount",
        verbose_name=_("applying company"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="online_applications",
    )
    item = models.ForeignKey(
        "catalog.ServiceItem",
        verbose_name=_("item"),
        on_delete=models.PROTECT,
        related_name="online_applications",
    )
    item_version = models.ForeignKey(
        "catalog.ServiceItemVersion",
        verbose_name=_("item version"),
        on_delete=models.PROTECT,
        related_name="online_applications",
    )
    centre = models.ForeignKey(
        "org.ServiceCentre",
        verbose_name=_("pre-reviewing centre"),
        on_delete=models.PROTECT,
        related_name="online_applications",
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    personal_encrypted = models.TextField(_("personal answers (encrypted)"), blank=True)
    personal_masked = models.JSONField(_("personal answers (masked)"), default=dict, blank=True)
    output_method = models.CharField(
        _("how to get the result"),
        max_length=16,
        choices=OutputMethod.choices,
        default=OutputMethod.ELECTRONIC,
    )
    postal_address_encrypted = models.TextField(_("postal address (encrypted)"), blank=True)
    postal_address_masked = models.CharField(_("postal address"), max_length=64, blank=True)
    state = models.CharField(_("state"), max_length=32, choices=OnlineState.choices)
    revision = models.PositiveIntegerField(_("revision"), default=0)
    # The problems of the last 补正 (per material and per field), for the applicant.
    problems = models.JSONField(_("problems to correct"), default=list, blank=True)
    note = models.TextField(_("note from the centre"), blank=True)
    created_at = models.DateTimeField(_("started at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("pre-reviewed at"), null=True, blank=True)
    case = models.OneToOneField(
        "cases.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="online_application",
    )

    class Meta:
        verbose_name = _("online application")
        verbose_name_plural = _("online applications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["account", "created_at"], name="online_account_idx"),
            models.Index(
                fields=["centre", "submitted_at"],
                name="online_queue_idx",
                condition=Q(state="submitted"),
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def permission_scope(self) -> TargetScope:
        return TargetScope(centre_id=self.centre_id, region_code=self.centre.region.code)


class ApplicationPaper(models.Model):
    """One paper for one material of the checklist: uploaded, or reused from "my papers"."""

    application = models.ForeignKey(
        OnlineApplication, on_delete=models.CASCADE, related_name="papers"
    )
    material_name = models.CharField(_("material"), max_length=255)
    paper = models.ForeignKey(
        "papers.Paper", verbose_name=_("file"), on_delete=models.PROTECT, related_name="+"
    )
    kept_paper = models.ForeignKey(
        "papers.PersonPaper",
        verbose_name=_("reused from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    consent_at = models.DateTimeField(_("applicant agreed at"), null=True, blank=True)
    added_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        verbose_name = _("application paper")
        verbose_name_plural = _("application papers")
        ordering = ["application", "added_at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id} {self.material_name}"


class Submission(models.Model):
    """One sending of an application (first, or again after 补正) under its idempotency key
    (the API's ``Idempotency-Key``, the page's form key): a replay with the same key and the
    same payload is answered as the first time; another payload under the key is refused."""

    key = models.CharField(max_length=64, unique=True)
    application = models.ForeignKey(
        OnlineApplication, on_delete=models.CASCADE, related_name="submissions"
    )
    fingerprint = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")

    def __str__(self) -> str:
        return self.key


class OnlineSequence(models.Model):
    """The last reference number handed out for one day."""

    prefix = models.CharField(max_length=32, unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.prefix}:{self.last}"


class OnlineEvent(EventRecord):
    """One step of an online application. The applicant's own steps carry the account (a
    citizen is not a staff user, so ``actor`` is empty then)."""

    application = models.ForeignKey(
        OnlineApplication, on_delete=models.CASCADE, related_name="events"
    )
    account = models.ForeignKey(
        "citizens.CitizenAccount", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("action"), max_length=32, choices=ONLINE_EVENTS.choices)

    class Meta(EventRecord.Meta):
        verbose_name = _("online application event")
        verbose_name_plural = _("online application events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id} {self.action}"
