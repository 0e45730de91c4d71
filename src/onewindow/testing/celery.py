"""A real Celery worker on the local Redis, in the test process (``TASK_BACKEND=celery``).

``celery_worker`` starts the project's Celery app (``core.celery_app``) as a worker in a thread
of the test (``celery.contrib.testing.worker.start_worker``, the solo pool) against
``TEST_REDIS_URL`` (default Redis database 15 on 127.0.0.1, kept for tests), on a queue of this
test process's own (so two test runs on one machine never take each other's messages; its keys
are deleted first). Tasks run in the worker's thread with its own database connection, so tests
that use it are ``django_db(transaction=True)``: the worker must see committed rows. Wait for
what the worker does with ``wait_until`` — a bounded poll on a condition, never a sleep.

Import the fixture into the test module: ``from onewindow.testing.celery import celery_worker``.
``celery_broker_unreachable`` instead points the app at a closed port (``UNREACHABLE_BROKER``,
no worker): publishing fails for real, as it does when the broker is down.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connections

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
# Port 1 (tcpmux) is not served here: a connect is refused at once.
UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"
# kombu keeps a queue's messages of priority n (n > 0) in lists named like this.
_PRIORITY_KEYS = ("\x06\x163", "\x06\x166", "\x06\x169")


def wait_until(condition: Callable[[], Any], *, seconds: float = 20.0) -> Any:
    """Poll ``condition`` until it returns something true and return that; fail the test after
    ``seconds`` (a bound on waiting, not a measurement)."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"still not true after {seconds} s: {condition.__doc__ or condition}")
        time.sleep(0.05)


def _use_broker(app: Any, url: str, queue: str) -> None:
    app.conf.broker_url = url
    app.conf.task_default_queue = queue
    # Pools made for another broker address are dropped (Celery's own after-fork reset; kombu
    # keeps the pools themselves, by address, for whoever uses that address again).
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def celery_worker(settings: Any) -> Iterator[Any]:
    import redis
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun

    from onewindow.core.celery_app import app

    queue = f"onewindow-test-{os.getpid()}"
    client = redis.Redis.from_url(TEST_REDIS_URL)
    client.ping()  # the local Redis must answer: a test on Celery never runs without it
    client.delete(queue, *(queue + suffix for suffix in _PRIORITY_KEYS))
    before = (app.conf.broker_url, app.conf.task_default_queue)
    _use_broker(app, TEST_REDIS_URL, queue)
    settings.TASK_BACKEND = "celery"

    def close_connections(**_: Any) -> None:
        # In the worker's thread: its connection must not outlive the test database.
        connections.close_all()

    task_postrun.connect(close_connections, weak=False)
    try:
        with start_worker(
            app,
            pool="solo",
            concurrency=1,
            queues=[queue],
            perform_ping_check=False,
            loglevel="WARNING",
            shutdown_timeout=20,
        ) as worker:
            yield worker
    finally:
        task_postrun.disconnect(close_connections)
        _use_broker(app, *before)
        client.close()


@pytest.fixture
def celery_broker_unreachable(settings: Any) -> Iterator[Any]:
    """``TASK_BACKEND=celery`` with the project's app pointed at a closed port: every publish
    meets a real refused connection (kombu's ``OperationalError``)."""
    from onewindow.core.celery_app import app

    before = (app.conf.broker_url, app.conf.task_default_queue)
    _use_broker(app, UNREACHABLE_BROKER, f"onewindow-test-{os.getpid()}")
    settings.TASK_BACKEND = "celery"
    try:
        yield app
    finally:
        _use_broker(app, *before)
