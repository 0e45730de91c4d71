"""One interface for background work.

    @task
    def catalog_import_run(*, job_id: int) -> None: ...

    catalog_import_run.enqueue(job_id=job.pk)
    catalog_import_run.enqueue_later(dt.timedelta(minutes=5), job_id=job.pk)

``enqueue`` always waits for the surrounding transaction to commit (so the worker sees the rows
it is given) and then hands the call to the configured backend:

- ``sync``: runs it at once in this thread (tests, management commands);
- ``thread``: runs it in a daemon thread of this process (the embedded default: no extra server;
  work in flight is lost if the process stops, so tasks must be safe to run again);
- ``celery``: sends it to Celery through ``CELERY_BROKER_URL`` (Redis or RabbitMQ), in one try
  with a short connect timeout; an unreachable broker is logged as one warning and the call is
  dropped, so work that must happen has a durable record and a periodic sweep behind it.

``enqueue_later(delay, ...)`` runs the call no earlier than ``delay`` after commit: a
``threading.Timer`` on ``thread``, ``apply_async(countdown=...)`` on ``celery``. ``sync`` has no
clock and does **not** run a delayed call: whoever delays work must also have a periodic sweep
that finds it (a delayed call is a shortcut, never the only way the work gets done — timers are
lost when the process stops, and Celery may deliver a late call twice).

``periodic(every=...)`` marks a task to be run on a schedule. Celery beat runs the marked tasks
(``celery -A onewindow.core.celery_app beat``). On the ``thread`` backend a server started with
``ONEWINDOW_PERIODIC_THREAD=1`` (``make run`` sets it) runs them in one daemon thread
(``periodic_thread_start``); elsewhere the app that owns a task offers a management command for
cron. Periodic tasks must be safe to run twice at once (two workers, two threads).

Task arguments are keyword-only and JSON-serialisable so every backend can carry them. A call
enqueued during a request carries the request's id (``core.requestid``) to the Celery worker in
a message header, so that the worker's log lines name the request that queued the work.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Generic, ParamSpec

from django.apps import apps
from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils.module_loading import import_string, module_has_submodule

from onewindow.core.requestid import TASK_HEADER, current_request_id

logger = logging.getLogger(__name__)
CELERY_RUN_TASK = "onewindow.core.celery_app.run_task"
# What publishing raises when the broker cannot be reached (kombu, with Celery).
CELERY_PUBLISH_ERROR = "kombu.exceptions.OperationalError"

P = ParamSpec("P")

_registry: dict[str, Callable[..., Any]] = {}
_periodic: dict[str, float] = {}
_registry_lock = threading.Lock()


class Task(Generic[P]):
    def __init__(self, func: Callable[P, Any]):
        self.func = func
        self.name = f"{func.__module__}.{func.__qualname__}"
        _registry[self.name] = func

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> Any:
        return self.func(*args, **kwargs)

    def enqueue(self, **kwargs: Any) -> None:
        request_id = current_request_id()
        transaction.on_commit(lambda: _dispatch(self.name, kwargs, request_id=request_id))

    def enqueue_later(self, delay: dt.timedelta, /, **kwargs: Any) -> None:
        """Like ``enqueue``, but run no earlier than ``delay`` after commit (never on ``sync``)."""
        seconds = max(delay.total_seconds(), 0.0)
        request_id = current_request_id()
        transaction.on_commit(
            lambda: _dispatch(self.name, kwargs, delay_seconds=seconds, request_id=request_id)
        )


def task(func: Callable[P, Any]) -> Task[P]:
    return Task(func)


def periodic(*, every: dt.timedelta) -> Callable[[Task[P]], Task[P]]:
    """Mark a task (decorate above ``@task``) to run every ``every`` without arguments."""

    def mark(marked: Task[P]) -> Task[P]:
        _periodic[marked.name] = every.total_seconds()
        return marked

    return mark


def periodic_tasks() -> dict[str, float]:
    """Name → interval in seconds of every periodic task imported so far."""
    return dict(_periodic)


PERIODIC_TICK_SECONDS = 15.0
_periodic_thread: list[threading.Thread] = []


def periodic_due(last_run: dict[str, float], now: float) -> list[str]:
    """The periodic tasks due at ``now`` (monotonic seconds), given when each last ran."""
    return [
        name
        for name, every in sorted(_periodic.items())
        if name not in last_run or now - last_run[name] >= every
    ]


def _periodic_loop() -> None:
    time.sleep(PERIODIC_TICK_SECONDS)  # let the server finish starting
    discover_tasks()
    last_run: dict[str, float] = {}
    while True:
        now = time.monotonic()
        for name in periodic_due(last_run, now):
            last_run[name] = now
            _run_in_thread(name, {})
        time.sleep(PERIODIC_TICK_SECONDS)


def periodic_thread_start() -> bool:
    """Run the periodic tasks in one daemon thread of this process (the embedded server on the
    ``thread`` backend). Returns whether a thread was started (at most one per process)."""
    with _registry_lock:
        if _periodic_thread:
            return False
        thread = threading.Thread(target=_periodic_loop, name="onewindow-periodic", daemon=True)
        _periodic_thread.append(thread)
    thread.start()
    return True


def discover_tasks() -> None:
    """Import the ``tasks`` module of every installed app, so that their tasks are registered
    (the Celery worker and beat call this; core names no app)."""
    for app_config in apps.get_app_configs():
        if module_has_submodule(app_config.module, "tasks"):
            importlib.import_module(f"{app_config.name}.tasks")


def run_registered(name: str, kwargs: dict[str, Any]) -> Any:
    """Run a registered task by name (used by workers)."""
    if name not in _registry:
        module_name = name.rsplit(".", 1)[0]
        importlib.import_module(module_name)
    return _registry[name](**kwargs)


def _run_in_thread(name: str, kwargs: dict[str, Any]) -> None:
    try:
        run_registered(name, kwargs)
    except Exception:  # a background failure must be logged, never crash the server
        logger.exception("background task %s failed", name)
    finally:
        close_old_connections()


def _dispatch(
    name: str,
    kwargs: dict[str, Any],
    *,
    delay_seconds: float | None = None,
    request_id: str | None = None,
) -> None:
    backend = getattr(settings, "TASK_BACKEND", "thread")
    if backend == "sync":
        if delay_seconds is not None:
            logger.debug("sync backend: delayed task %s left to its periodic sweep", name)
            return
        run_registered(name, kwargs)
    elif backend == "thread":
        if delay_seconds is not None:
            timer = threading.Timer(delay_seconds, _run_in_thread, args=(name, kwargs))
            timer.daemon = True
            timer.start()
        else:
            threading.Thread(target=_run_in_thread, args=(name, kwargs), daemon=True).start()
    elif backend == "celery":
        # Looked up by name, not imported: the Celery adapter imports this module (and Celery
        # itself is optional, installed only where the backend is used).
        run_task = import_string(CELERY_RUN_TASK)
        headers = {TASK_HEADER: request_id} if request_id else {}
        options: dict[str, Any] = {"headers": headers, "retry": False}
        if delay_seconds is not None:
            options["countdown"] = delay_seconds
        try:
            run_task.apply_async(args=(name, kwargs), **options)
        except import_string(CELERY_PUBLISH_ERROR) as error:
            # One try, a short connect timeout (core.celery_app): an unreachable broker costs
            # the request no retries. The work is not lost where it matters: whoever queues it
            # keeps a durable record a periodic sweep finds (workflow notices, the outbox).
            logger.warning("task %s not queued, the broker is unreachable: %s", name, error)
    else:
        raise ValueError(f"Unknown TASK_BACKEND {backend!r}: use sync, thread or celery")
