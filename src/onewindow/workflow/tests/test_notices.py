"""Told moves are a durable intent: the event carries ``notify_pending`` from its INSERT until
its notifier has run; a notifier that fails leaves it pending, and the sweep tells it later,
once. A catalogue item serves as the aggregate, with a machine of this test's own whose
notifier is a task below (the case's own notifier: ``cases/tests/test_notifications.py``)."""

from __future__ import annotations

import datetime as dt
import io
import logging

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from onewindow.catalog.codes import ItemStatus
from onewindow.catalog.models import ServiceItemEvent
from onewindow.catalog.transitions import ITEM_MACHINE
from onewindow.core.tasks import periodic_tasks, task
from onewindow.testing.factories import create_item
from onewindow.workflow import machine as workflow_machine
from onewindow.workflow import mover
from onewindow.workflow.machine import Move, StateMachine, machine_named
from onewindow.workflow.tasks import notices_deliver_due, told_machines

pytestmark = pytest.mark.django_db
told_ids: list[int] = []
FAILING: list[bool] = []
NOTHING = {"told": 0, "skipped": 0, "failed": 0}


@task
def tell_item(*, event_id: int) -> None:
    if FAILING:
        raise RuntimeError("gateway of this test refuses")
    told_ids.append(event_id)


@pytest.fixture
def told_item_machine():
    """The item's table with a told cancel, declared (and so registered) for this test only."""
    told_ids.clear()
    FAILING.clear()
    declared = StateMachine(
        name="test.told_item",
        model="catalog.ServiceItem",
        states=ItemStatus,
        state_field="status",
        revision_field=None,
        events=ITEM_MACHINE.events,
        moves=[
            Move("cancel", {ItemStatus.DRAFT}, ItemStatus.CANCELLED, notifies=True),
            Move("publish", {ItemStatus.DRAFT, ItemStatus.CANCELLED}, ItemStatus.PUBLISHED),
        ],
        event_model="catalog.ServiceItemEvent",
        event_fields=ITEM_MACHINE.event_fields,
        notifier=f"{__name__}.tell_item",
    )
    yield declared
    workflow_machine._machines.pop(declared.name)
    told_ids.clear()
    FAILING.clear()


def test_the_sweep_runs_every_minute_and_finds_the_machines_that_tell():
    assert periodic_tasks()["onewindow.workflow.tasks.event_notices_sweep"] == 60.0
    # Every app's transitions module is read; the case, the online application and the
    # rectification of a bad rating tell.
    assert [m.name for m in told_machines()] == [
        "cases.case",
        "online.application",
        "ratings.rectification",
        "hotline.work_order",
        "urban.grid_case",
    ]
    assert machine_named("catalog.item") is ITEM_MACHINE
    with pytest.raises(LookupError, match=r"no state machine 'nope\.nothing'"):
        machine_named("nope.nothing")


@pytest.mark.django_db(transaction=True)
def test_a_failing_notifier_leaves_the_move_pending_and_the_sweep_tells_it_once(
    told_item_machine, caplog
):
    item = create_item(publish=False)
    FAILING.append(True)
    with transaction.atomic():  # a real commit: the mover's robust after-commit step runs
        event = mover.move(told_item_machine, item, "cancel", actor=None)
    # The move stands; the failure was logged after commit, and the intent stayed.
    item.refresh_from_db()
    assert item.status == ItemStatus.CANCELLED
    assert "gateway of this test refuses" in caplog.text
    assert ServiceItemEvent.objects.get(pk=event.pk).notify_pending is True
    assert told_ids == []

    later = event.at + dt.timedelta(seconds=61)
    with caplog.at_level(logging.ERROR, logger="onewindow.workflow.tasks"):
        assert notices_deliver_due(now=later) == {"told": 0, "skipped": 0, "failed": 1}
    assert f"test.told_item: telling event {event.pk} failed; it stays pending" in caplog.text
    assert ServiceItemEvent.objects.get(pk=event.pk).notify_pending is True

    FAILING.clear()
    assert notices_deliver_due(now=event.at + dt.timedelta(seconds=59)) == NOTHING
    assert notices_deliver_due(now=later) == {"told": 1, "skipped": 0, "failed": 0}
    assert told_ids == [event.pk]
    assert ServiceItemEvent.objects.get(pk=event.pk).notify_pending is False
    assert notices_deliver_due(now=later) == NOTHING
    assert told_ids == [event.pk]


def test_a_move_that_is_not_told_and_a_recorded_event_carry_no_intent(
    told_item_machine, django_capture_on_commit_callbacks
):
    item = create_item(publish=False)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        published = mover.move(told_item_machine, item, "publish", actor=None)
        noted = mover.record(told_item_machine, item, "cancel", actor=None)
    assert ServiceItemEvent.objects.get(pk=published.pk).notify_pending is False
    assert ServiceItemEvent.objects.get(pk=noted.pk).notify_pending is False
    assert told_ids == []


def test_a_told_move_on_the_sync_backend_is_told_after_commit_and_cleared(
    told_item_machine, django_capture_on_commit_callbacks
):
    item = create_item(publish=False)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        event = mover.move(told_item_machine, item, "cancel", actor=None)
        # Inside the move's transaction the intent is stored and nothing is told yet.
        assert ServiceItemEvent.objects.get(pk=event.pk).notify_pending is True
        assert told_ids == []
    assert told_ids == [event.pk]
    assert ServiceItemEvent.objects.get(pk=event.pk).notify_pending is False


def test_the_cron_command_reports_what_it_told(told_item_machine):
    item = create_item(publish=False)
    with transaction.atomic():
        event = mover.move(told_item_machine, item, "cancel", actor=None)
    ServiceItemEvent.objects.filter(pk=event.pk).update(at=timezone.now() - dt.timedelta(hours=1))
    out = io.StringIO()
    call_command("workflow_notices", stdout=out)
    # In the site's language (zh-Hans).
    assert out.getvalue() == "已通知：1，跳过：0，失败（仍待通知）：0。\n"
    assert told_ids == [event.pk]
