"""``/healthz``: is this server able to do its work? For load balancers and monitoring.

Three checks, each answered ``ok`` or ``fail`` (nothing more: no error text, no version, no
personal data):

- ``database``: one query on the default database;
- ``broker``: a connection to ``CELERY_BROKER_URL`` (Redis or RabbitMQ) on ``TASK_BACKEND=celery``;
- ``worker``: at least one Celery worker answers a ping within ``HEALTH_WORKER_TIMEOUT`` seconds.

On the ``thread`` and ``sync`` backends there is no broker and no worker apart from this process:
both read ``in-process``. The answer is JSON ``{"status": "ok"|"fail", "checks": {...}}``,
200 when every check passes and 503 otherwise, never stored (``Cache-Control: no-store``), open
to anyone (it says nothing but ok or fail) and not audited. What failed is logged here, with the
exception's type only (a broker address may carry a password).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils.cache import patch_cache_control
from django.utils.module_loading import import_string
from django.views.decorators.http import require_safe

logger = logging.getLogger("onewindow.health")
CELERY_APP = "onewindow.core.celery_app.app"
OK, FAIL, IN_PROCESS = "ok", "fail", "in-process"


def _celery_app() -> Any | None:
    """The Celery app when tasks go through a broker, else None (looked up by name: Celery is
    optional, and its module is imported only on that backend)."""
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
    app = _celery_app()
    if app is None:
        return IN_PROCESS
    with app.connection_for_write(connect_timeout=_timeout() * 2) as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=_timeout())
    return OK


def check_worker() -> str:
    app = _celery_app()
    if app is None:
        return IN_PROCESS
    # Returns at the first answer; an empty list after the timeout when no worker answers.
    replies = app.control.ping(timeout=_timeout(), limit=1)
    return OK if replies else FAIL


CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "broker": check_broker,
    "worker": check_worker,
}


def health() -> dict[str, Any]:
    """Run every check; ``{"status": ..., "checks": {name: "ok" | "fail" | "in-process"}}``."""
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception as exc:  # a failing dependency is an answer, never a 500
            logger.warning("health check %s failed: %s", name, type(exc).__name__)
            results[name] = FAIL
        if name == "broker" and results[name] == FAIL:
            results["worker"] = FAIL  # no worker can be reached without the broker
            break
    status = OK if all(value != FAIL for value in results.values()) else FAIL
    return {"status": status, "checks": results}


@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    body = health()
    response = JsonResponse(body, status=200 if body["status"] == OK else 503)
    patch_cache_control(response, no_store=True)
    return response
