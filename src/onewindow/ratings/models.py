"""Ratings (好差评) and the rectification of every bad one (差评整改).

A ``Rating`` is one applicant's judgement of one occasion: a visit at a window (on site, one
rating per visit) or a whole case (online, one per case). It names what is rated — the case,
its item and version, the department, the centre and window, and the staff (``RatedStaff``:
the window clerk and the back-office staff who handled the case) — and carries the national
field list for exchange with a provincial 好差评 system. The rater is the case's applicant
(real name: a call-back is possible); no page shown to rated staff names them.

A ``Rectification`` is the aggregate of the bad-rating loop on the workflow kernel: opened for
every 差评, owned by the responsible department (and person), called back within a working
day, then fixed at once, put on the ledger with a deadline, explained, or appealed by the rated
staff and reviewed by the centre manager. An upheld appeal takes the rating out of the scores
(``Rating.counts_in_scores``), never out of the record.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.org.permissions import TargetScope
from onewindow.ratings.codes import Channel, Level, Occasion, RatedRole
from onewindow.ratings.events import RECTIFICATION_EVENTS
from onewindow.ratings.transitions import RectificationState
from onewindow.workflow.clock import Clocked
from onewindow.workflow.models import EventRecord


class Rating(models.Model):
    # One rating per occasion: "visit:<case id>:<case event id>" for a visit at a window,
    # "case:<case id>" for a case rated online (unique: a second try is refused, not doubled).
    occasion_key = models.CharField(_("occasion"), max_length=64, unique=True)
    occasion = models.CharField(_("rated occasion"), max_length=8, choices=Occasion.choices)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    # {dimension code: level} of the form's dimensions (codes.dimensions_for).
    dimensions = models.JSONField(_("dimensions"), default=dict, blank=True)
    # Option codes ticked, from the form of ``form_version`` for the level chosen.
    options = models.JSONField(_("options"), default=list, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    form_version = models.CharField(_("rating form version"), max_length=16)
    # Given by the platform after the rating period without an active rating (counted apart).
    is_default = models.BooleanField(_("default rating"), default=False)
    rated_at = models.DateTimeField(_("rated at"), default=timezone.now)

    # What is rated (the national field list).
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="ratings"
    )
    case_number = models.CharField(_("case number"), max_length=40)
    case_name = models.CharField(_("case name"), max_length=255)
    case_state = models.CharField(_("case state at rating"), max_length=32)
    item = models.ForeignKey(
        "catalog.ServiceItem", verbose_name=_("item"), on_delete=models.PROTECT, related_name="+"
    )
    item_code = models.CharField(_("item code"), max_length=64)
    item_version_number = models.PositiveIntegerField(_("item version"))
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="ratings",
    )
    centre = models.ForeignKey(
        "org.ServiceCentre",
        verbose_name=_("centre"),
        on_delete=models.PROTECT,
        related_name="ratings",
    )
    window = models.ForeignKey(
        "org.Window",
        verbose_name=_("window"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ratings",
    )
    region_code = models.CharField(_("region code"), max_length=12)
    applicant_type = models.CharField(_("applicant type"), max_length=16)
    # The pad (评价器) that gave it, for a rating given on a pad.
    pad = models.ForeignKey(
        "ratings.RatingPad",
        verbose_name=_("rating pad"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ratings",
    )

    # Scores: an upheld appeal takes the rating out of every score and ranking (not out of
    # the record, nor out of the published counts of ratings received).
    counts_in_scores = models.BooleanField(_("counts in the scores"), default=True)
    excluded_reason = models.CharField(_("why it does not count"), max_length=255, blank=True)
    # Handed to the provincial system (the export of ratings in the national field list).
    reported_at = models.DateTimeField(_("reported to the province at"), null=True, blank=True)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["-rated_at", "-id"]
        indexes = [
            models.Index(fields=["department", "rated_at"], name="rating_department_at_idx"),
            models.Index(fields=["centre", "rated_at"], name="rating_centre_at_idx"),
            models.Index(fields=["item", "rated_at"], name="rating_item_at_idx"),
            models.Index(fields=["case", "occasion"], name="rating_case_occasion_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=5), name="rating_level_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_number} {self.level}"

    @property
    def is_bad(self) -> bool:
        return self.level <= 2

    def permission_scope(self) -> TargetScope:
        return TargetScope(
            department_ids=frozenset({self.department_id}),
            centre_id=self.centre_id,
            region_code=self.region_code,
        )


class RatedStaff(models.Model):
    """A member of staff a rating is about: the window clerk of the visit, or the back-office
    staff who handled the case's steps."""

    rating = models.ForeignKey(Rating, on_delete=models.CASCADE, related_name="rated_staff")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff"),
        on_delete=models.PROTECT,
        related_name="ratings_received",
    )
    role = models.CharField(_("rated as"), max_length=16, choices=RatedRole.choices)
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("rated staff")
        verbose_name_plural = _("rated staff")
        constraints = [
            models.UniqueConstraint(fields=["rating", "user", "role"], name="rated_staff_once"),
        ]
        indexes = [models.Index(fields=["user", "rating"], name="rated_staff_user_idx")]

    def __str__(self) -> str:
        return f"{self.rating_id} {self.role} {self.user_id}"


class CallbackResult(models.TextChoices):
    REACHED = "reached", _("Reached the rater")
    NOT_REACHED = "not_reached", _("Could not reach the rater")


class Resolution(models.TextChoices):
    FIXED_AT_ONCE = "fixed_at_once", _("Fixed at once (立行立改)")
    LEDGER = "ledger", _("Fixed within a deadline (限期整改)")
    EXPLAINED = "explained", _("Explained (解释说明)")
    APPEAL_UPHELD = "appeal_upheld", _("Appeal upheld (申诉复核)")


class Rectification(Clocked):
    """The rectification of one bad rating (差评整改). ``callback_due_at``: the call-back's
    deadline (``RATING_CALLBACK_WORKING_DAYS``); the ``Clocked`` fields: the ledger's deadline
    (限期整改, running in ``ledger``)."""

    number = models.CharField(_("rectification number"), max_length=40, unique=True)
    rating = models.OneToOneField(
        Rating, verbose_name=_("rating"), on_delete=models.PROTECT, related_name="rectification"
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("responsible department"),
        on_delete=models.PROTECT,
        related_name="rectifications",
    )
    centre = models.ForeignKey(
        "org.ServiceCentre",
        verbose_name=_("centre"),
        on_delete=models.PROTECT,
        related_name="rectifications",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rectifications_owned",
    )
    state = models.CharField(_("state"), max_length=16, choices=RectificationState.choices)
    revision = models.PositiveIntegerField(_("revision"), default=0)
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    callback_due_at = models.DateTimeField(_("call back by"))
    callback_at = models.DateTimeField(_("called back at"), null=True, blank=True)
    callback_result = models.CharField(
        _("call-back"), max_length=16, choices=CallbackResult.choices, blank=True
    )
    finding = models.TextField(_("what the call-back found"), blank=True)
    resolution = models.CharField(
        _("resolution"), max_length=16, choices=Resolution.choices, blank=True
    )
    # The fix made (published without personal data) and its evidence.
    fix_summary = models.TextField(_("what was fixed"), blank=True)
    evidence = models.TextField(_("evidence of the fix"), blank=True)
    fixed_at = models.DateTimeField(_("fixed at"), null=True, blank=True)
    explanation = models.TextField(_("explanation given"), blank=True)
    appeal_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("appealed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    appeal_reason = models.TextField(_("reason of the appeal"), blank=True)
    appeal_decision = models.TextField(_("decision on the appeal"), blank=True)
    rater_told_at = models.DateTimeField(_("rater told at"), null=True, blank=True)
    # The second call-back, after the fix: the rater's view of it (a level, 1–5).
    recheck_at = models.DateTimeField(_("called back after the fix at"), null=True, blank=True)
    recheck_level = models.PositiveSmallIntegerField(
        _("rater's view of the fix"), null=True, blank=True, choices=Level.choices
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["department", "state"], name="rectify_department_state_idx"),
            models.Index(fields=["centre", "state"], name="rectify_centre_state_idx"),
            models.Index(fields=["opened_at"], name="rectify_opened_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    def permission_scope(self) -> TargetScope:
        return TargetScope(
            department_ids=frozenset({self.department_id}),
            centre_id=self.centre_id,
            region_code=self.rating.region_code,
        )


class RectificationEvent(EventRecord):
    rectification = models.ForeignKey(
        Rectification, on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("action"), max_length=32, choices=RECTIFICATION_EVENTS.choices)

    class Meta(EventRecord.Meta):
        verbose_name = _("rectification event")
        verbose_name_plural = _("rectification events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.rectification_id} {self.action}"


class RatingPad(models.Model):
    """A rating pad (评价器): a tablet beside one window, paired by the centre's manager (never
    by a clerk: a clerk must not hold the pad of a window they may be rated at). Its address
    carries a random secret; only the SHA-256 is stored. It sees the visits of its own window
    only, and is revoked (never deleted) when it is lost or moved."""

    window = models.ForeignKey(
        "org.Window", verbose_name=_("window"), on_delete=models.PROTECT, related_name="+"
    )
    token_hash = models.CharField(_("token (SHA-256)"), max_length=64, unique=True, editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("paired by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("paired at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("rating pad")
        verbose_name_plural = _("rating pads")
        ordering = ["window", "-issued_at", "-id"]

    def __str__(self) -> str:
        return f"{self.window_id} {self.issued_at:%Y-%m-%d}"

    def permission_scope(self) -> TargetScope:
        return self.window.centre.permission_scope()
