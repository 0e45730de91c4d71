"""The kernel on its own: declarations are checked, and the mover moves, refuses, records and
tells exactly as it promises. Catalogue items serve as the aggregate (no revision, own event
table); cases (revision, notifier) are covered in ``cases/tests/test_transitions.py``."""

from __future__ import annotations

import pytest
from django.db import models, transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from onewindow.catalog.codes import ItemStatus
from onewindow.catalog.models import ServiceItem, ServiceItemEvent
from onewindow.catalog.transitions import ITEM_MACHINE
from onewindow.core.models import AuditLog
from onewindow.testing.factories import create_item
from onewindow.workflow import mover
from onewindow.workflow.errors import StaleRevision, TransitionNotAllowed
from onewindow.workflow.machine import NEW, EventType, EventVocabulary, Move, StateMachine


class Colour(models.TextChoices):
    RED = "red", "red"
    GREEN = "green", "green"


VOCABULARY = EventVocabulary(
    [EventType("go", _("Go"), None, _("go")), EventType("stop", _("Stop"), _("Stopped"))],
    other_label="other",
    other_public_label="other public",
)


def machine(moves, **kwargs):
    return StateMachine(
        name="test.lamp", model="catalog.ServiceItem", states=Colour, events=VOCABULARY,
        moves=moves, **kwargs,
    )  # fmt: skip


def test_a_move_to_an_unknown_state_is_refused_at_declaration():
    with pytest.raises(ValueError, match="unknown"):
        machine([Move("go", {Colour.RED}, "blue")])


def test_a_move_without_an_event_type_is_refused_at_declaration():
    with pytest.raises(ValueError, match="no event type"):
        machine([Move("jump", {Colour.RED}, Colour.GREEN)])


def test_a_move_declared_twice_is_refused():
    with pytest.raises(ValueError, match="twice"):
        machine([Move("go", {Colour.RED}, Colour.GREEN), Move("go", {NEW}, Colour.RED)])


def test_a_terminal_state_with_a_move_out_is_refused():
    with pytest.raises(ValueError, match="terminal"):
        machine([Move("go", {Colour.RED}, Colour.GREEN)], terminal={Colour.RED})


def test_an_event_type_declared_twice_is_refused():
    with pytest.raises(ValueError, match="twice"):
        EventVocabulary(
            [EventType("go", "Go"), EventType("go", "Again")], other_label="", other_public_label=""
        )


def test_table_targets_allowed_actions_and_labels():
    lamp = machine(
        [Move("go", {NEW, Colour.RED}, Colour.GREEN), Move("stop", {Colour.GREEN}, Colour.RED)],
        running={Colour.GREEN},
    )
    assert lamp.target("go", NEW) == "green"
    assert lamp.target("go", Colour.GREEN) is None
    assert lamp.target("fly", Colour.RED) is None
    assert lamp.allowed_actions(Colour.GREEN) == ["stop"]
    assert lamp.table() == {
        "go": (frozenset({NEW, "red"}), "green"),
        "stop": (frozenset({"green"}), "red"),
    }
    assert (lamp.clock_runs_in(Colour.GREEN), lamp.clock_runs_in(Colour.RED)) == (True, False)
    with translation.override("en"):
        assert (VOCABULARY.label("go"), VOCABULARY.label("nope")) == ("Go", "other")
        assert (VOCABULARY.public_label("stop"), VOCABULARY.public_label("go")) == (
            "Stopped",
            "other public",
        )
    assert VOCABULARY.verb("stop") == "stop"  # no verb declared: the code itself
    with pytest.raises(LookupError):
        lamp.permission_for("go")


@pytest.mark.django_db
def test_move_changes_state_writes_event_and_audit_in_one_go():
    item = create_item(publish=False)
    with transaction.atomic():
        event = mover.move(ITEM_MACHINE, item, "cancel", actor=None, reason="职能调整")
    item.refresh_from_db()
    assert item.status == ItemStatus.CANCELLED
    stored = ServiceItemEvent.objects.get(item=item)
    assert (stored.pk, stored.action, stored.from_state, stored.to_state, stored.reason) == (
        event.pk,
        "cancel",
        "draft",
        "cancelled",
        "职能调整",
    )
    audit = AuditLog.objects.get(action="catalog.item_cancel", object_id=str(item.pk))
    assert audit.detail == {"from": "draft", "to": "cancelled", "event": event.pk}


@pytest.mark.django_db
def test_a_move_the_table_refuses_writes_nothing():
    item = create_item(publish=False)
    events, audits = ServiceItemEvent.objects.count(), AuditLog.objects.count()
    with pytest.raises(TransitionNotAllowed) as caught, transaction.atomic():
        mover.move(ITEM_MACHINE, item, "publish", actor=None)  # draft → published is allowed
        mover.move(ITEM_MACHINE, item, "publish", actor=None)  # published → published is not
    assert caught.value.status == 409
    assert caught.value.code == "transition_not_allowed"
    # The refusal rolled the whole transaction back: the first move is gone too.
    item.refresh_from_db()
    assert item.status == ItemStatus.DRAFT
    assert (ServiceItemEvent.objects.count(), AuditLog.objects.count()) == (events, audits)


@pytest.mark.django_db(transaction=True)
def test_a_move_outside_a_transaction_is_a_programming_error():
    item = create_item(publish=False)
    with pytest.raises(RuntimeError, match="transaction"):
        mover.move(ITEM_MACHINE, item, "cancel", actor=None)
    item.refresh_from_db()
    assert item.status == ItemStatus.DRAFT


@pytest.mark.django_db
def test_a_row_changed_behind_the_callers_back_is_stale():
    item = create_item(publish=False)
    ServiceItem.objects.filter(pk=item.pk).update(status=ItemStatus.CANCELLED)
    # ``item`` still says draft: the mover locks the row, sees it differ, and refuses.
    with pytest.raises(StaleRevision), transaction.atomic():
        mover.move(ITEM_MACHINE, item, "cancel", actor=None)
    assert not ServiceItemEvent.objects.filter(item=item).exists()


@pytest.mark.django_db
def test_record_writes_an_event_without_moving():
    item = create_item(publish=False)
    with transaction.atomic():
        event = mover.record(ITEM_MACHINE, item, "publish", actor=None, public=False)
    item.refresh_from_db()
    assert item.status == ItemStatus.DRAFT
    assert (event.from_state, event.to_state, event.public) == ("draft", "draft", False)
    with pytest.raises(ValueError, match="unknown event type"), transaction.atomic():
        mover.record(ITEM_MACHINE, item, "explode", actor=None)


def test_check_revision_refuses_an_older_revision_with_the_machines_own_error():
    from types import SimpleNamespace

    from onewindow.cases.errors import StaleCase
    from onewindow.cases.transitions import CASE_MACHINE

    case = SimpleNamespace(revision=4)
    mover.check_revision(CASE_MACHINE, case, 4)
    mover.check_revision(CASE_MACHINE, case, None)
    with pytest.raises(StaleCase) as caught:
        mover.check_revision(CASE_MACHINE, case, 3)
    assert (caught.value.code, caught.value.status) == ("stale", 409)


@pytest.mark.django_db
def test_publishing_keeps_a_colleagues_newer_content():
    """An aggregate without a revision is saved by its move's own fields only."""
    from onewindow.catalog.services import item_publish

    item = create_item(publish=False, name="旧名称")
    ServiceItem.objects.filter(pk=item.pk).update(name="同事刚改的名称")
    item_publish(item=item)  # ``item`` still holds the old name
    stored = ServiceItem.objects.get(pk=item.pk)
    assert (stored.status, stored.name) == (ItemStatus.PUBLISHED, "同事刚改的名称")
