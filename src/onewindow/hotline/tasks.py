"""Background work of the hotline (periodic; Celery beat or the server's periodic thread run it,
``core.tasks``): supervision orders and sign-for reminders; bad ratings into work orders."""

from __future__ import annotations

import datetime as dt

from onewindow.core.tasks import periodic, task
from onewindow.hotline.services import bad_ratings_to_orders, supervision_sweep


@periodic(every=dt.timedelta(minutes=30))
@task
def hotline_supervision_sweep() -> int:
    """督办 the day after a deadline, 催办 after a missed sign-for deadline (each once)."""
    return supervision_sweep()


@periodic(every=dt.timedelta(minutes=10))
@task
def hotline_bad_ratings_sweep() -> int:
    """Bad ratings into submitted complaints, where ``HOTLINE_FROM_BAD_RATINGS`` is on."""
    return bad_ratings_to_orders()
