"""Local corrections to the official working-day calendar."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.org.permissions import TargetScope


class CalendarOverride(models.Model):
    """One day whose working status differs from (or is missing in) the official calendar.

    Used for a year the bundled official calendar does not cover yet (the State Council
    publishes next year's holidays late in the year), and for local closures.
    """

    day = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("working day"))
    reason = models.CharField(_("reason"), max_length=128)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.reason}"

    def permission_scope(self) -> TargetScope:
        return TargetScope()  # the calendar is the whole district's
