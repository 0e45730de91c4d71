"""Comprehensive enforcement (综合行政执法): a task for the one enforcement team, opened from a
grid case (or on the team's own patrol), worked through on-site inspection, a rectification
notice with a deadline, re-inspection and, where needed, a penalty decision."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.org.permissions import TargetScope


class EnforcementTask(models.Model):
    number = models.CharField(_("task number"), max_length=24, unique=True)
    state = models.CharField(_("state"), max_length=16)
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
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)

    class Meta:
        verbose_name = _("enforcement task")
        verbose_name_plural = _("enforcement tasks")
        ordering = ["-opened_at", "-id"]

    def __str__(self) -> str:
        return self.number

    def permission_scope(self) -> TargetScope:
        return TargetScope(
            department_ids=frozenset({self.team_id}), region_code=self.region_code or None
        )
