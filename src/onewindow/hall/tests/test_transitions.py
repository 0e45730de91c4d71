"""The moves of a booking and of a queue ticket, written out a second time and checked for
every action × state pair (the table in ``hall/transitions.py`` is not read to build this)."""

from __future__ import annotations

import pytest

from onewindow.hall.codes import BookingState, TicketState
from onewindow.hall.transitions import BOOKING_MACHINE, TICKET_MACHINE
from onewindow.org.permissions import Action
from onewindow.workflow.machine import NEW

B, T = BookingState, TicketState

BOOKING_TABLE = {
    ("book", NEW): B.BOOKED,
    ("cancel", B.BOOKED): B.CANCELLED,
    ("check_in", B.BOOKED): B.CHECKED_IN,
    ("no_show", B.BOOKED): B.NO_SHOW,
}

TICKET_TABLE = {
    ("issue", NEW): T.WAITING,
    ("call", T.WAITING): T.CALLED,
    ("recall", T.CALLED): T.RECALLED,
    ("recall", T.RECALLED): T.RECALLED,
    ("start", T.CALLED): T.SERVING,
    ("start", T.RECALLED): T.SERVING,
    ("finish", T.CALLED): T.DONE,
    ("finish", T.RECALLED): T.DONE,
    ("finish", T.SERVING): T.DONE,
    ("skip", T.CALLED): T.SKIPPED,
    ("skip", T.RECALLED): T.SKIPPED,
    ("requeue", T.SKIPPED): T.WAITING,
}

BOOKING_ACTIONS = ["book", "cancel", "check_in", "no_show"]
TICKET_ACTIONS = ["issue", "call", "recall", "start", "finish", "skip", "requeue"]


@pytest.mark.parametrize("action", BOOKING_ACTIONS)
@pytest.mark.parametrize("state", [NEW, *BookingState.values])
def test_every_booking_move_is_as_written(action, state):
    assert BOOKING_MACHINE.target(action, state) == BOOKING_TABLE.get((action, state))


@pytest.mark.parametrize("action", TICKET_ACTIONS)
@pytest.mark.parametrize("state", [NEW, *TicketState.values])
def test_every_ticket_move_is_as_written(action, state):
    assert TICKET_MACHINE.target(action, state) == TICKET_TABLE.get((action, state))


def test_the_machines_have_exactly_these_actions_and_terminal_states():
    assert BOOKING_MACHINE.actions == BOOKING_ACTIONS
    assert TICKET_MACHINE.actions == TICKET_ACTIONS
    assert BOOKING_MACHINE.terminal == {B.CHECKED_IN, B.CANCELLED, B.NO_SHOW}
    assert TICKET_MACHINE.terminal == {T.DONE}


def test_every_window_move_needs_the_serve_permission_and_taking_a_ticket_none():
    assert TICKET_MACHINE.move_for("issue").permission is None
    for action in TICKET_ACTIONS[1:]:
        assert TICKET_MACHINE.permission_for(action) == Action.HALL_SERVE
