"""The online application's table, spelled out a second time: every action from every state."""

from __future__ import annotations

import pytest

from onewindow.online.transitions import NEW, ONLINE_MACHINE, OnlineState
from onewindow.org.permissions import Action

S = OnlineState
# action: (from-states, to-state, staff permission or None for the applicant's own moves)
EXPECTED = {
    "start": ({NEW}, S.DRAFT, None),
    "submit": ({S.DRAFT, S.CORRECTION_REQUESTED}, S.SUBMITTED, None),
    "request_correction": ({S.SUBMITTED}, S.CORRECTION_REQUESTED, Action.CASE_ACCEPT),
    "accept": ({S.SUBMITTED}, S.ACCEPTED, Action.CASE_ACCEPT),
    "refuse": ({S.SUBMITTED}, S.REFUSED, Action.CASE_ACCEPT),
    "withdraw": ({S.DRAFT, S.SUBMITTED, S.CORRECTION_REQUESTED}, S.WITHDRAWN, None),
}
STATES = [NEW, *OnlineState.values]


def test_the_table_is_exactly_the_expected_one():
    assert ONLINE_MACHINE.table() == {
        action: (frozenset(str(s) for s in sources), str(target))
        for action, (sources, target, _permission) in EXPECTED.items()
    }
    assert ONLINE_MACHINE.terminal == {S.ACCEPTED, S.REFUSED, S.WITHDRAWN}
    assert ONLINE_MACHINE.running == frozenset()


@pytest.mark.parametrize("action", list(EXPECTED))
@pytest.mark.parametrize("state", STATES)
def test_every_action_from_every_state(action, state):
    sources, target, _permission = EXPECTED[action]
    expected = str(target) if state in {str(s) for s in sources} else None
    assert ONLINE_MACHINE.target(action, state) == expected


@pytest.mark.parametrize("action", list(EXPECTED))
def test_the_permission_and_the_telling_of_each_move(action):
    move = ONLINE_MACHINE.move_for(action)
    assert move is not None
    assert move.permission == EXPECTED[action][2]
    told = {"submit", "request_correction", "accept", "refuse"}
    assert move.notifies == (action in told)
    assert move.public is True
