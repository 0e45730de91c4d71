"""The assessment's own records: the weights of a centre's staff score (versioned: every change
is a new row, audited with the weights before and after) and the monthly honours (服务之星,
流动红旗), proposed from the ranking and confirmed by the centre's manager."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.assess.codes import DEFAULT_WEIGHTS, HonourKind
from onewindow.org.permissions import TargetScope


class ScoreWeights(models.Model):
    """One version of a centre's weights; the newest row is the one in force."""

    centre = models.ForeignKey(
        "org.ServiceCentre",
        verbose_name=_("centre"),
        on_delete=models.PROTECT,
        related_name="score_weights",
    )
    volume = models.PositiveSmallIntegerField(_("weight of the work done"))
    on_time = models.PositiveSmallIntegerField(_("weight of the on-time share"))
    accuracy = models.PositiveSmallIntegerField(_("weight of the cases without return"))
    rating = models.PositiveSmallIntegerField(_("weight of the rating"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    set_at = models.DateTimeField(_("set at"), default=timezone.now)

    class Meta:
        verbose_name = _("score weights")
        verbose_name_plural = _("score weights")
        ordering = ["centre", "-set_at", "-id"]
        indexes = [models.Index(fields=["centre", "-set_at", "-id"], name="weights_centre_at_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(volume__lte=100, on_time__lte=100, accuracy__lte=100, rating__lte=100),
                name="weights_at_most_100",
            ),
            models.CheckConstraint(
                condition=Q(volume__gt=0) | Q(on_time__gt=0) | Q(accuracy__gt=0) | Q(rating__gt=0),
                name="weights_sum_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.centre_id} {self.as_dict()}"

    def as_dict(self) -> dict[str, int]:
        return {figure: int(getattr(self, figure)) for figure in DEFAULT_WEIGHTS}

    def permission_scope(self) -> TargetScope:
        return TargetScope(centre_id=self.centre_id, region_code=self.centre.region.code)


class Honour(models.Model):
    """The service star (a member of staff) or the model window (a window) of one centre for
    one month. ``proposed_*``: the ranking's first at confirmation; the named one may differ
    (the manager's choice, with a reason)."""

    month = models.DateField(_("month"))  # the first day of the month
    centre = models.ForeignKey(
        "org.ServiceCentre", verbose_name=_("centre"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("honour"), max_length=16, choices=HonourKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="honours",
    )
    window = models.ForeignKey(
        "org.Window",
        verbose_name=_("window"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="honours",
    )
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1)
    proposed_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed staff"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    proposed_window = models.ForeignKey(
        "org.Window",
        verbose_name=_("proposed window"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), default=timezone.now)

    class Meta:
        verbose_name = _("honour")
        verbose_name_plural = _("honours")
        ordering = ["-month", "centre", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["month", "centre", "kind"], name="honour_once_per_month"
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind=HonourKind.SERVICE_STAR, user__isnull=False, window__isnull=True)
                    | Q(kind=HonourKind.MODEL_WINDOW, window__isnull=False, user__isnull=True)
                ),
                name="honour_names_staff_or_window",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.centre_id} {self.kind}"

    def permission_scope(self) -> TargetScope:
        return TargetScope(centre_id=self.centre_id, region_code=self.centre.region.code)
