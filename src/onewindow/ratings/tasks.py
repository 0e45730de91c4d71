"""Background work of ratings (periodic; Celery beat or the server's periodic thread run it,
``core.tasks``): the defaults after the rating period, and the rectification reminders."""

from __future__ import annotations

import datetime as dt

from onewindow.core.tasks import periodic, task
from onewindow.ratings.services.rate import ratings_default_sweep
from onewindow.ratings.services.rectify import reminders_due_sweep

DEFAULTS_EVERY = dt.timedelta(hours=1)


@periodic(every=DEFAULTS_EVERY)
@task
def ratings_defaults_give() -> int:
    """Give ``RATING_DEFAULT_LEVEL`` to every completed case whose online rating period ended
    without a rating (idempotent: safe to run twice at once)."""
    return ratings_default_sweep()


@periodic(every=dt.timedelta(minutes=15))
@task
def rectification_reminders_sweep() -> int:
    """A reminder (once) on every call-back and every ledger past its deadline."""
    return reminders_due_sweep()
