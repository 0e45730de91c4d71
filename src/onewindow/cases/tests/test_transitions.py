"""Every allowed and every forbidden move of a case, through the one state mover."""

import itertools

import pytest
from django.db import transaction

from onewindow.cases.errors import StaleCase, TransitionNotAllowed
from onewindow.cases.models import Case, CaseEvent
from onewindow.cases.services import case_accept, case_transition
from onewindow.cases.transitions import (
    CASE_TRANSITIONS,
    NEW,
    TASK_TRANSITIONS,
    CaseState,
    TaskState,
    case_target_state,
    task_target_state,
)

S = CaseState
# Written out independently of CASE_TRANSITIONS: (action, from) -> to.
ALLOWED = {
    ("request_supplement", NEW): S.SUPPLEMENT_REQUESTED,
    ("accept", NEW): S.ACCEPTED,
    ("accept", S.SUPPLEMENT_REQUESTED): S.ACCEPTED,
    ("refuse", NEW): S.REFUSED,
    ("refuse", S.SUPPLEMENT_REQUESTED): S.REFUSED,
    ("complete_instant", NEW): S.DECIDED,
    ("suspend", S.ACCEPTED): S.SUSPENDED,
    ("resume", S.SUSPENDED): S.ACCEPTED,
    ("decide", S.ACCEPTED): S.DECIDED,
    ("deliver", S.DECIDED): S.DELIVERED,
    ("withdraw", S.SUPPLEMENT_REQUESTED): S.WITHDRAWN,
    ("withdraw", S.ACCEPTED): S.WITHDRAWN,
    ("withdraw", S.SUSPENDED): S.WITHDRAWN,
}
ALL_STATES = [NEW, *S.values]
PAIRS = list(itertools.product(sorted(CASE_TRANSITIONS), ALL_STATES))


@pytest.mark.parametrize(("action", "state"), PAIRS)
def test_transition_table(action, state):
    assert case_target_state(action, state) == ALLOWED.get((action, state))


def test_unknown_action_is_refused():
    assert case_target_state("approve_everything", S.ACCEPTED) is None


T = TaskState
TASK_ALLOWED = {
    ("open", T.WAITING): T.OPEN,
    ("claim", T.OPEN): T.CLAIMED,
    ("assign", T.OPEN): T.CLAIMED,
    ("assign", T.CLAIMED): T.CLAIMED,
    ("release", T.CLAIMED): T.OPEN,
    ("complete", T.CLAIMED): T.DONE,
    ("cancel", T.WAITING): T.CANCELLED,
    ("cancel", T.OPEN): T.CANCELLED,
    ("cancel", T.CLAIMED): T.CANCELLED,
}


@pytest.mark.parametrize(
    ("action", "state"), list(itertools.product(sorted(TASK_TRANSITIONS), T.values))
)
def test_task_transition_table(action, state):
    assert task_target_state(action, state) == TASK_ALLOWED.get((action, state))


@pytest.fixture
def stored_case(city):
    return case_accept(intake=city.intake(materials=city.receipts()))


@pytest.mark.parametrize(("action", "state"), [(a, s) for a, s in PAIRS if s != NEW])
def test_case_transition_moves_or_refuses_and_changes_nothing(stored_case, city, action, state):
    Case.objects.filter(pk=stored_case.pk).update(state=state)
    case = Case.objects.get(pk=stored_case.pk)
    events_before = CaseEvent.objects.filter(case=case).count()
    expected = ALLOWED.get((action, state))
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if expected is None:
            with pytest.raises(TransitionNotAllowed):
                case_transition(case=locked, action=action, actor=city.clerk)
        else:
            event = case_transition(case=locked, action=action, actor=city.clerk, reason="测试")
            assert (event.from_state, event.to_state, event.actor_id) == (
                state,
                expected,
                city.clerk.pk,
            )
    case.refresh_from_db()
    if expected is None:
        assert (case.state, case.revision) == (state, stored_case.revision)
        assert CaseEvent.objects.filter(case=case).count() == events_before
    else:
        assert (case.state, case.revision) == (expected, stored_case.revision + 1)
        assert CaseEvent.objects.filter(case=case).count() == events_before + 1


def test_a_stale_revision_is_refused(stored_case, city):
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=stored_case.pk)
        with pytest.raises(StaleCase):
            case_transition(
                case=locked,
                action="suspend",
                actor=city.clerk,
                expected_revision=stored_case.revision - 1,
            )
    stored_case.refresh_from_db()
    assert stored_case.state == CaseState.ACCEPTED


def test_a_refused_move_says_what_in_both_languages():
    error = TransitionNotAllowed(action="deliver", state=S.ACCEPTED.label)
    assert error.as_dict()["message_en"] == (
        "The case is Accepted, being handled; it cannot hand over now. Reload the page."
    )
    assert "出件" in error.as_dict()["message"]
    assert error.status == 409


def test_every_event_a_whole_lift_case_writes_has_one_label_in_the_vocabulary(city):
    """The staff timeline, the progress page and the messages read one vocabulary; an event
    code written by a service but missing there would show as "Case updated"."""
    from onewindow.cases.events import CASE_EVENTS
    from onewindow.cases.services import case_withdraw
    from onewindow.cases.tests.test_progress import delivered_lift_case

    delivered = delivered_lift_case(city)
    withdrawn = case_accept(intake=city.intake())
    case_withdraw(case=withdrawn, actor=city.clerk, reason="申请人撤回")
    written = set(
        CaseEvent.objects.filter(case__in=[delivered, withdrawn]).values_list("action", flat=True)
    )
    assert {"accept", "task_claim", "task_approve", "decide", "deliver", "withdraw"} <= written
    assert "task_cancel" in written  # the withdrawn case's open steps left the queues
    assert written <= CASE_EVENTS.codes
    # Every move of both machines names an event type of the vocabulary.
    from onewindow.cases.transitions import CASE_MACHINE, TASK_MACHINE

    for machine in (CASE_MACHINE, TASK_MACHINE):
        for move in machine.moves:
            assert (move.event or move.action) in CASE_EVENTS
