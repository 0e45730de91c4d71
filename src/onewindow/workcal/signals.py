"""Keep the process calendar (``calendar.calendar_current``) in step with the override rows.

A signal rather than a call in each service: overrides are also written by the admin, by
``calendar_year`` and by tests, and a stale calendar would put wrong dates on every case.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from onewindow.workcal.calendar import calendar_changing, calendar_invalidate
from onewindow.workcal.models import CalendarOverride


@receiver(post_save, sender=CalendarOverride)
@receiver(post_delete, sender=CalendarOverride)
def _override_changed(**_kwargs: Any) -> None:
    # Now: this process reads afresh until the commit (a rollback leaves nothing behind); after
    # commit: every process drops the calendar it loaded before the change was visible.
    calendar_changing()
    transaction.on_commit(calendar_invalidate)
