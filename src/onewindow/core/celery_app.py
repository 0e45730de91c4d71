"""Celery entry point for production (TASK_BACKEND=celery).

Start a worker with ``celery -A onewindow.core.celery_app worker`` and the scheduler of the
``periodic`` tasks with ``celery -A onewindow.core.celery_app beat``. Celery is an optional
dependency (``pip install onewindow[celery]``); the embedded default never imports this module.
"""

from __future__ import annotations

import os
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.config.settings")

import django

django.setup()

from celery import Celery  # noqa: E402
from django.conf import settings  # noqa: E402

from onewindow.core.requestid import TASK_HEADER, request_id_bound  # noqa: E402
from onewindow.core.tasks import discover_tasks, periodic_tasks, run_registered  # noqa: E402

app = Celery("onewindow", broker=settings.CELERY_BROKER_URL)
app.conf.task_acks_late = True
app.conf.worker_prefetch_multiplier = 1
# The worker logs through Django's LOGGING (the request id filter, JSON with LOG_FORMAT=json).
app.conf.worker_hijack_root_logger = False
# Publishing from a request: one short try. An unreachable broker costs the request about a
# second, not kombu's retries; the sweeps deliver what was not queued (core.tasks._dispatch).
app.conf.task_publish_retry = False
app.conf.broker_connection_timeout = settings.CELERY_PUBLISH_TIMEOUT_SECONDS
app.conf.broker_transport_options = {
    "socket_connect_timeout": settings.CELERY_PUBLISH_TIMEOUT_SECONDS,
    # kombu's own reconnect loop for a publisher's channel (about 2 s of retries by default);
    # the worker's consumer reconnects by broker_connection_retry, not by this.
    "max_retries": 0,
}

# Every task marked ``periodic`` runs through the one generic task below, on its interval.
discover_tasks()
app.conf.beat_schedule = {
    name: {"task": "onewindow.run_task", "schedule": seconds, "args": (name, {})}
    for name, seconds in periodic_tasks().items()
}


@app.task(name="onewindow.run_task", bind=True)
def run_task(self: Any, name: str, kwargs: dict[str, Any]) -> Any:
    # The id of the request that queued the call, when there was one (core.requestid).
    with request_id_bound(self.request.get(TASK_HEADER)):
        return run_registered(name, kwargs)
