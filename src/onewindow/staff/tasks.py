"""The staff app's background work, through the task interface (``core.tasks``)."""

from __future__ import annotations

import datetime as dt

from onewindow.core.tasks import periodic, task
from onewindow.staff.enrolment import clean_pending

CLEAN_EVERY = dt.timedelta(hours=1)


@periodic(every=CLEAN_EVERY)
@task
def pending_enrolments_clean() -> dict[str, int]:
    """Delete unconfirmed devices and unused, expired enrolment codes older than
    ``STAFF_PENDING_ENROLMENT_HOURS`` (``enrolment.clean_pending``).

    Run every hour by Celery beat on ``TASK_BACKEND=celery``, by the server's periodic thread on
    ``thread`` with ``ONEWINDOW_PERIODIC_THREAD=1`` (``make run``); elsewhere by cron through
    ``manage.py staff_clean_pending``."""
    return clean_pending()
