"""Background work of the hall: the no-show sweep (periodic; ``manage.py hall_no_shows``
for cron)."""

from __future__ import annotations

import datetime as dt

from onewindow.core.tasks import periodic, task
from onewindow.hall.services import bookings_no_show_sweep


@periodic(every=dt.timedelta(minutes=5))
@task
def hall_no_shows_sweep() -> int:
    """Mark every booking whose slot ended without a check-in as a no-show."""
    return bookings_no_show_sweep()
