"""The rectification machine's table, written out a second time: every action × state pair."""

from __future__ import annotations

import pytest

from onewindow.org.permissions import Action
from onewindow.ratings.transitions import NEW, RECTIFICATION_MACHINE, RectificationState

S = RectificationState
STATES = [NEW, *S.values]

# action: (from-states, to-state, permission, public, notifies)
EXPECTED = {
    "open": ({NEW}, S.CALLBACK, None, False, False),
    "verify": ({S.CALLBACK}, S.VERIFIED, Action.RECTIFY_WORK, True, False),
    "fix_now": ({S.VERIFIED}, S.FIXED, Action.RECTIFY_WORK, True, True),
    "ledger": ({S.VERIFIED}, S.LEDGER, Action.RECTIFY_WORK, True, True),
    "submit_fix": ({S.LEDGER}, S.FIXED, Action.RECTIFY_WORK, True, True),
    "explain": ({S.VERIFIED}, S.CLOSED, Action.RECTIFY_WORK, True, True),
    "appeal": ({S.VERIFIED}, S.APPEALED, Action.RATING_APPEAL, False, False),
    "uphold_appeal": ({S.APPEALED}, S.UPHELD, Action.RATING_APPEAL_REVIEW, False, False),
    "reject_appeal": ({S.APPEALED}, S.VERIFIED, Action.RATING_APPEAL_REVIEW, False, False),
    "recheck": ({S.FIXED}, S.CLOSED, Action.RECTIFY_WORK, True, False),
}


def test_the_machine_declares_exactly_these_moves():
    assert RECTIFICATION_MACHINE.actions == list(EXPECTED)
    for action, (_sources, _target, permission, public, notifies) in EXPECTED.items():
        move = RECTIFICATION_MACHINE.move_for(action)
        assert move is not None
        assert (move.permission, move.public, move.notifies) == (permission, public, notifies)
    assert RECTIFICATION_MACHINE.running == {S.LEDGER}
    assert RECTIFICATION_MACHINE.terminal == {S.CLOSED, S.UPHELD}


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", list(EXPECTED))
def test_every_action_from_every_state(action, state):
    sources, target, *_rest = EXPECTED[action]
    expected = target if state in sources else None
    assert RECTIFICATION_MACHINE.target(action, state) == expected


@pytest.mark.parametrize("state", STATES)
def test_the_moves_allowed_from_each_state(state):
    assert RECTIFICATION_MACHINE.allowed_actions(state) == [
        action for action, (sources, *_rest) in EXPECTED.items() if state in sources
    ]
