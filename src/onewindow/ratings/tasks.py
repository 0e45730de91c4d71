"""Background work of ratings: the rectification reminder sweep (periodic)."""

from __future__ import annotations

import datetime as dt

from onewindow.core.tasks import periodic, task
from onewindow.ratings.services.rectify import reminders_due_sweep


@periodic(every=dt.timedelta(minutes=15))
@task
def rectification_reminders_sweep() -> int:
    """A reminder (once) on every call-back and every ledger past its deadline."""
    return reminders_due_sweep()
