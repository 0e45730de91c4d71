"""``/healthz`` and ``/readyz``: is this server able to do its work? For load balancers and
monitoring.

``/healthz`` (liveness, open to anyone, cheap): one query on the default database. It answers
``{"status": "ok"|"fail", "checks": {"database": "ok"|"fail"}}``.

``/readyz`` (readiness, for the monitoring system only — the same rule as ``/metrics``:
``METRICS_ALLOWED_ADDRESSES`` or ``Authorization: Bearer <METRICS_TOKEN>``, anyone else the
ordinary 404) adds the task machinery on ``TASK_BACKEND=celery``:

- ``broker``: a connection to ``CELERY_BROKER_URL`` (Redis or RabbitMQ);
- ``worker``: at least one Celery worker answers a ping within ``HEALTH_WORKER_TIMEOUT`` seconds.

On the ``thread`` and ``sync`` backends there is no broker and no worker apart from this process:
both read ``in-process``. Those two probes can take seconds, so their answer is computed by one
process at a time and shared for ``HEALTH_CACHE_SECONDS`` (default 5) through the shared cache
(``core.sharedcache``): however often ``/readyz`` is asked, the broker sees one ping every few
seconds and no gunicorn worker waits on it but the one computing (the others answer ``pending``
until the first answer exists).

Each check reads ``ok``, ``fail``, ``in-process`` or ``pending`` (nothing more: no error text, no
version, no personal data); 200 when all pass, 503 otherwise; never stored
(``Cache-Control: no-store``) and not audited. What failed is logged here with the exception's
type only (a broker address may carry a password).
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.cache import patch_cache_control
from django.utils.module_loading import import_string
from django.views.decorators.http import require_safe

from onewindow.core.client import client_address
from onewindow.core.sharedcache import computed_once

logger = logging.getLogger("onewindow.health")
# The Celery app, by name (Celery is optional; imported only on that backend). The one place
# that names it for the probes (here) and the metrics (config.metrics).
CELERY_APP = "onewindow.core.celery_app.app"
OK, FAIL, IN_PROCESS, PENDING = "ok", "fail", "in-process", "pending"
READY_CACHE_KEY = "onewindow:readyz"


def celery_app() -> Any | None:
    """The Celery app when tasks go through a broker, else None."""
    if getattr(settings, "TASK_BACKEND", "thread") != "celery":
        return None
    return import_string(CELERY_APP)


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        row = cursor.fetchone()
    return OK if row is not None and row[0] == 1 else FAIL


def _timeout() -> float:
    return float(getattr(settings, "HEALTH_WORKER_TIMEOUT", 1.0))


def check_broker() -> str:
    app = celery_app()
    if app is None:
        return IN_PROCESS
    with app.connection_for_write(connect_timeout=_timeout() * 2) as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=_timeout())
    return OK


def check_worker() -> str:
    app = celery_app()
    if app is None:
        return IN_PROCESS
    # Returns at the first answer; an empty list after the timeout when no worker answers.
    replies = app.control.ping(timeout=_timeout(), limit=1)
    return OK if replies else FAIL


CHECKS: dict[str, Callable[[], str]] = {"database": check_database}
READY_CHECKS: dict[str, Callable[[], str]] = {"broker": check_broker, "worker": check_worker}


def _run(checks: dict[str, Callable[[], str]]) -> dict[str, str]:
    results: dict[str, str] = {}
    for name, check in checks.items():
        try:
            results[name] = check()
        except Exception as exc:  # a failing dependency is an answer, never a 500
            logger.warning("health check %s failed: %s", name, type(exc).__name__)
            results[name] = FAIL
        if name == "broker" and results[name] == FAIL:
            results["worker"] = FAIL  # no worker can be reached without the broker
            break
    return results


def _answer(results: dict[str, str]) -> dict[str, Any]:
    status = OK if all(value in (OK, IN_PROCESS) for value in results.values()) else FAIL
    return {"status": status, "checks": results}


def health() -> dict[str, Any]:
    """The liveness answer: ``{"status": ..., "checks": {"database": ...}}``."""
    return _answer(_run(CHECKS))


def readiness() -> dict[str, Any]:
    """The database now, and the broker and worker as last probed (shared, a few seconds old)."""
    fresh = float(getattr(settings, "HEALTH_CACHE_SECONDS", 5))
    probed = computed_once(
        READY_CACHE_KEY,
        fresh_seconds=fresh,
        compute=lambda: _run(READY_CHECKS),
        lock_seconds=_timeout() * 4 + 5,
    )
    if probed is None:
        probed = {name: PENDING for name in READY_CHECKS}
    return _answer({**_run(CHECKS), **probed})


def monitoring_allowed(request: HttpRequest) -> bool:
    """May this request read ``/metrics`` and ``/readyz``? From ``METRICS_ALLOWED_ADDRESSES``
    (the client address as ``core.client`` reads it), or with the bearer ``METRICS_TOKEN``."""
    token = getattr(settings, "METRICS_TOKEN", "")
    if token:
        given = request.headers.get("Authorization", "")
        if hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return True
    try:
        address = ipaddress.ip_address(client_address(request))
    except ValueError:
        return False
    for entry in getattr(settings, "METRICS_ALLOWED_ADDRESSES", []):
        try:
            if address in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def _json(body: dict[str, Any]) -> JsonResponse:
    response = JsonResponse(body, status=200 if body["status"] == OK else 503)
    patch_cache_control(response, no_store=True)
    return response


@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    return _json(health())


@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    if not monitoring_allowed(request):
        raise Http404
    return _json(readiness())
