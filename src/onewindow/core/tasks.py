"""One interface for background work.

    @task
    def catalog_import_run(*, job_id: int) -> None: ...

    catalog_import_run.enqueue(job_id=job.pk)

``enqueue`` always waits for the surrounding transaction to commit (so the worker sees the rows
it is given) and then hands the call to the configured backend:

- ``sync``: runs it at once in this thread (tests, management commands);
- ``thread``: runs it in a daemon thread of this process (the embedded default: no extra server;
  work in flight is lost if the process stops, so tasks must be safe to run again);
- ``celery``: sends it to Celery through ``CELERY_BROKER_URL`` (Redis or RabbitMQ).

Task arguments are keyword-only and JSON-serialisable so every backend can carry them.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable
from typing import Any, Generic, ParamSpec

from django.conf import settings
from django.db import close_old_connections, transaction

logger = logging.getLogger(__name__)

P = ParamSpec("P")

_registry: dict[str, Callable[..., Any]] = {}


class Task(Generic[P]):
    def __init__(self, func: Callable[P, Any]):
        self.func = func
        self.name = f"{func.__module__}.{func.__qualname__}"
        _registry[self.name] = func

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> Any:
        return self.func(*args, **kwargs)

    def enqueue(self, **kwargs: Any) -> None:
        transaction.on_commit(lambda: _dispatch(self.name, kwargs))


def task(func: Callable[P, Any]) -> Task[P]:
    return Task(func)


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


def _dispatch(name: str, kwargs: dict[str, Any]) -> None:
    backend = getattr(settings, "TASK_BACKEND", "thread")
    if backend == "sync":
        run_registered(name, kwargs)
    elif backend == "thread":
        threading.Thread(target=_run_in_thread, args=(name, kwargs), daemon=True).start()
    elif backend == "celery":
        from onewindow.core.celery_app import run_task

        run_task.delay(name, kwargs)
    else:
        raise ValueError(f"Unknown TASK_BACKEND {backend!r}: use sync, thread or celery")
