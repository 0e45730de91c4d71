"""The task interface: after commit, on each backend, now or after a delay; periodic marks."""

from __future__ import annotations

import datetime as dt
import logging
import sys
import types

import pytest
from django.apps import apps
from django.utils.module_loading import module_has_submodule

from onewindow.core import tasks as core_tasks
from onewindow.core.requestid import TASK_HEADER, request_id_bound
from onewindow.core.tasks import periodic, periodic_tasks, task
from onewindow.testing.celery import celery_broker_unreachable

__all__ = ["celery_broker_unreachable"]  # the fixture, imported to be used here

pytestmark = pytest.mark.django_db
CALLS: list[int] = []
NAME = "onewindow.core.tests.test_tasks.remember"


@periodic(every=dt.timedelta(minutes=5))
@task
def remember(*, value: int = 0) -> int:
    CALLS.append(value)
    return value


@pytest.fixture(autouse=True)
def _calls():
    CALLS.clear()
    yield
    CALLS.clear()


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple] = []


def test_sync_runs_at_commit_and_leaves_a_delayed_call_to_its_sweep(
    settings, django_capture_on_commit_callbacks
):
    settings.TASK_BACKEND = "sync"
    with django_capture_on_commit_callbacks(execute=True):
        remember.enqueue(value=1)
        remember.enqueue_later(dt.timedelta(minutes=1), value=2)
        assert CALLS == []  # nothing before the commit
    assert CALLS == [1]


def test_thread_runs_a_delayed_call_on_a_daemon_timer(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.TASK_BACKEND = "thread"
    timers = Recorder()

    class Timer:
        def __init__(self, interval, function, args):
            self.interval, self.function, self.args, self.daemon = interval, function, args, False

        def start(self):
            timers.calls.append((self.interval, self.function, self.args, self.daemon))

    monkeypatch.setattr(core_tasks.threading, "Timer", Timer)
    with django_capture_on_commit_callbacks(execute=True):
        remember.enqueue_later(dt.timedelta(seconds=90), value=3)
        remember.enqueue_later(dt.timedelta(seconds=-5), value=4)  # in the past: at once
    assert timers.calls == [
        (90.0, core_tasks._run_in_thread, (NAME, {"value": 3}), True),
        (0.0, core_tasks._run_in_thread, (NAME, {"value": 4}), True),
    ]
    assert CALLS == []


def test_celery_gets_a_countdown_for_a_delayed_call_and_the_request_id_in_a_header(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.TASK_BACKEND = "celery"
    sent = Recorder()

    class RunTask:
        def apply_async(self, *, args, headers, retry, countdown=None):
            # One try only: an unreachable broker must not hold the request in retries.
            sent.calls.append((args, countdown, headers, retry))

    fake = types.ModuleType("onewindow.core.celery_app")
    fake.run_task = RunTask()  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "onewindow.core.celery_app", fake)
    with django_capture_on_commit_callbacks(execute=True):
        remember.enqueue(value=5)
        remember.enqueue_later(dt.timedelta(minutes=2), value=6)
        # Enqueued while a request is served: its id travels in a message header.
        with request_id_bound("req-0123456789"):
            remember.enqueue(value=7)
            remember.enqueue_later(dt.timedelta(seconds=30), value=8)
    assert sent.calls == [
        ((NAME, {"value": 5}), None, {}, False),
        ((NAME, {"value": 6}), 120.0, {}, False),
        ((NAME, {"value": 7}), None, {TASK_HEADER: "req-0123456789"}, False),
        ((NAME, {"value": 8}), 30.0, {TASK_HEADER: "req-0123456789"}, False),
    ]


def test_periodic_tasks_are_listed_with_their_interval_and_every_apps_tasks_are_found():
    assert periodic_tasks()[NAME] == 300.0
    core_tasks.discover_tasks()
    for app_config in apps.get_app_configs():
        if module_has_submodule(app_config.module, "tasks"):
            assert f"{app_config.name}.tasks" in sys.modules


def test_periodic_tasks_are_due_first_at_once_then_after_their_interval():
    every = periodic_tasks()[NAME]
    assert every == 300.0
    assert NAME in core_tasks.periodic_due({}, now=1000.0)
    assert NAME not in core_tasks.periodic_due({NAME: 1000.0}, now=1000.0 + every - 1)
    assert NAME in core_tasks.periodic_due({NAME: 1000.0}, now=1000.0 + every)


def test_the_periodic_thread_starts_once_per_process(monkeypatch):
    started: list[str] = []

    class Thread:
        def __init__(self, target, name, daemon):
            self.target, self.name, self.daemon = target, name, daemon

        def start(self):
            started.append((self.name, self.daemon, self.target))

    monkeypatch.setattr(core_tasks.threading, "Thread", Thread)
    monkeypatch.setattr(core_tasks, "_periodic_thread", [])
    assert core_tasks.periodic_thread_start() is True
    assert core_tasks.periodic_thread_start() is False
    assert started == [("onewindow-periodic", True, core_tasks._periodic_loop)]


def test_an_unreachable_broker_is_one_warning_and_no_error_for_the_caller(
    celery_broker_unreachable, caplog, django_capture_on_commit_callbacks
):
    with (
        caplog.at_level(logging.WARNING, logger="onewindow.core.tasks"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        remember.enqueue(value=9)
    warnings = [r for r in caplog.records if r.name == "onewindow.core.tasks"]
    assert [r.levelno for r in warnings] == [logging.WARNING]
    assert (
        warnings[0].getMessage().startswith(f"task {NAME} not queued, the broker is unreachable: ")
    )
    assert "Connection refused" in warnings[0].getMessage()
    assert CALLS == []
