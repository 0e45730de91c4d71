"""Abstract models an aggregate's own tables build on. The kernel keeps no table of its own:
each aggregate has its own typed event table (Saleor's ``OrderEvent``), so its log is queried
with plain foreign keys and indexes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class EventRecord(models.Model):
    """One event of an aggregate: who, when, from which state to which, why, with what data.

    A subclass adds the foreign key to its aggregate (and whatever else it needs) and sets
    ``action``'s choices from its ``EventVocabulary``."""

    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("action"), max_length=32)
    from_state = models.CharField(_("from"), max_length=32, blank=True)
    to_state = models.CharField(_("to"), max_length=32, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    public = models.BooleanField(_("shown to the applicant"), default=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True
