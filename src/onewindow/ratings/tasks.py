"""Background work of ratings: the defaults after the rating period (periodic; Celery beat or
the server's periodic thread run it, ``core.tasks``)."""

from __future__ import annotations

import datetime as dt

from onewindow.core.tasks import periodic, task
from onewindow.ratings.services.rate import ratings_default_sweep

DEFAULTS_EVERY = dt.timedelta(hours=1)


@periodic(every=DEFAULTS_EVERY)
@task
def ratings_defaults_give() -> int:
    """Give ``RATING_DEFAULT_LEVEL`` to every completed case whose online rating period ended
    without a rating (idempotent: safe to run twice at once)."""
    return ratings_default_sweep()
