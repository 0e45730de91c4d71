"""``/metrics``: Prometheus metrics, for the monitoring system only.

Request counts and latency come from django-prometheus's two middlewares (first and last in
``settings.MIDDLEWARE``); the database and migration wrappers of django-prometheus are not
used (the engines stay Django's own). This module adds the platform's own gauges, computed when
Prometheus scrapes:

- ``onewindow_task_queue_depth{queue}`` — messages waiting in the Celery queue (Redis list
  length, or RabbitMQ's message count), on ``TASK_BACKEND=celery`` only;
- ``onewindow_outbox_pending`` — notifications waiting to be sent (pending or failed, not yet
  given up);
- ``onewindow_cases{state}`` — open cases by state (every state but the terminal ones), one
  ``GROUP BY`` over the state index: constant in the closed cases, which a city adds by the
  million (2,000,000 cases: 36 ms for the open ones against 690 ms for all). Closed cases are
  counted by the reports, not on every scrape.

The two database figures are computed by one worker at a time and shared by all through the
shared cache (``core.sharedcache``; Redis under the production profile) for
``METRICS_CACHE_SECONDS`` (default 30): however many workers are scraped, the two count queries
run at most once in that time.

Who may read (``core.health.monitoring_allowed``, the same rule as ``/readyz``): a request
from an address in ``METRICS_ALLOWED_ADDRESSES`` (addresses or networks; default the machine
itself; the client address as ``core.client`` reads it, behind a trusted proxy), or one with
``Authorization: Bearer <METRICS_TOKEN>`` when that token is set. Anyone else gets the same 404
as an unknown address. Under gunicorn's several workers the production profile
sets ``PROMETHEUS_MULTIPROC_DIR`` (``scripts/serve.sh``): each scrape then adds up every worker's
figures.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.module_loading import import_string
from django.views.decorators.http import require_safe
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from onewindow.cases.models import Case
from onewindow.cases.transitions import TERMINAL_STATES, CaseState
from onewindow.core.health import CELERY_APP, monitoring_allowed
from onewindow.core.sharedcache import computed_once
from onewindow.notify.models import Notification
from onewindow.notify.transitions import SENDABLE

logger = logging.getLogger("onewindow.metrics")


def task_queue_depth() -> tuple[str, int] | None:
    """The Celery queue's name and how many messages wait in it; None off Celery."""
    if getattr(settings, "TASK_BACKEND", "thread") != "celery":
        return None
    app = import_string(CELERY_APP)
    queue = app.conf.task_default_queue
    with app.connection_for_read(connect_timeout=2) as conn:
        try:
            declared = conn.default_channel.queue_declare(queue, passive=True)
        except conn.channel_errors:  # no such queue yet (Redis drops an empty list)
            return queue, 0
    return queue, int(declared.message_count)


METRICS_CACHE_KEY = "onewindow:metrics:counts"


def _database_counts() -> tuple[dict[str, int], int]:
    open_states = [state for state in CaseState.values if state not in TERMINAL_STATES]
    by_state = dict(
        Case.objects.filter(state__in=open_states)
        .order_by()
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    return by_state, Notification.objects.filter(status__in=SENDABLE).count()


def database_counts() -> tuple[dict[str, int], int] | None:
    """Open cases by state and the pending outbox, computed by one process at a time and shared by
    every worker for ``METRICS_CACHE_SECONDS`` (``core.sharedcache``); None while another worker
    computes the first figures."""
    value = computed_once(
        METRICS_CACHE_KEY,
        fresh_seconds=float(getattr(settings, "METRICS_CACHE_SECONDS", 10)),
        compute=_database_counts,
        lock_seconds=60,
    )
    if value is None:
        return None
    by_state, pending = value
    return dict(by_state), int(pending)


class PlatformCollector(Collector):
    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            depth = task_queue_depth()
        except Exception as exc:  # the broker is down: the gauge is missing, the scrape works
            logger.warning("metrics: task queue depth unavailable: %s", type(exc).__name__)
            depth = None
        if depth is not None:
            gauge = GaugeMetricFamily(
                "onewindow_task_queue_depth", "Tasks waiting in the broker queue", labels=["queue"]
            )
            gauge.add_metric([depth[0]], depth[1])
            yield gauge
        try:
            counts = database_counts()
        except Exception as exc:
            logger.warning("metrics: database counts unavailable: %s", type(exc).__name__)
            return
        if counts is None:
            return
        by_state, pending = counts
        yield GaugeMetricFamily(
            "onewindow_outbox_pending", "Notifications waiting to be sent", value=pending
        )
        cases = GaugeMetricFamily(
            "onewindow_cases", "Open cases by state (terminal states not counted)", labels=["state"]
        )
        for state, count in sorted(by_state.items()):
            cases.add_metric([state], count)
        yield cases


PLATFORM = PlatformCollector()
_registered: list[bool] = []


def _registry() -> Any:
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=directory)
        registry.register(PLATFORM)
        return registry
    if not _registered:
        REGISTRY.register(PLATFORM)
        _registered.append(True)
    return REGISTRY


# The same rule as /readyz (core.health).
may_read = monitoring_allowed


@require_safe
def metrics(request: HttpRequest) -> HttpResponse:
    if not may_read(request):
        raise Http404
    response = HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)
    patch_cache_control(response, no_store=True)
    return response
