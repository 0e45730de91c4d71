"""Abstract models an aggregate's own tables build on. The kernel keeps no table of its own:
each aggregate has its own typed event table (Saleor's ``OrderEvent``), so its log is queried
with plain foreign keys and indexes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class EventRecord(models.Model):
    """One event of an aggregate: who, when, from which state to which, why, with what data.

    A subclass adds the foreign key to its aggregate (and whatever else it needs), sets
    ``action``'s choices from its ``EventVocabulary`` and derives its ``Meta`` from
    ``EventRecord.Meta`` (the partial index of pending notices).

    ``notify_pending``: the move is to be told (its machine has a notifier and the move
    ``notifies``) and that is not done yet. The mover sets it in the event's own INSERT, in
    the move's transaction; ``workflow.notices`` clears it in the transaction that runs the
    notifier (the outbox row), and its periodic sweep tells every event still pending after
    the grace period — a notice lost with the broker or a restarted worker is told later."""

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
    notify_pending = models.BooleanField(_("notice pending"), default=False, editable=False)

    class Meta:
        abstract = True
        indexes = [
            # Nearly empty: only the moves whose notice is not handed over yet (the sweep).
            models.Index(fields=["at"], name="%(class)s_pending", condition=Q(notify_pending=True)),
        ]
