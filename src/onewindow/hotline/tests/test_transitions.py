"""The work order's table, spelled out a second time: every action × state pair."""

from __future__ import annotations

from onewindow.hotline.transitions import NEW, WORK_ORDER_MACHINE, OrderState

S = OrderState
EXPECTED = {
    "submit": {NEW: S.SUBMITTED},
    "take": {NEW: S.TO_DISPATCH, S.SUBMITTED: S.TO_DISPATCH},
    "answer": {NEW: S.CLOSED, S.SUBMITTED: S.CLOSED},
    "refuse": {NEW: S.NOT_ACCEPTED, S.SUBMITTED: S.NOT_ACCEPTED},
    "dispatch": {S.TO_DISPATCH: S.DISPATCHED},
    "sign": {S.DISPATCHED: S.HANDLING},
    "return": {S.DISPATCHED: S.TO_DISPATCH, S.HANDLING: S.TO_DISPATCH},
    "reply": {S.HANDLING: S.REPLIED},
    "redo": {S.REPLIED: S.HANDLING},
    "close": {S.REPLIED: S.CLOSED},
    "merge": {
        S.SUBMITTED: S.MERGED,
        S.TO_DISPATCH: S.MERGED,
        S.DISPATCHED: S.MERGED,
        S.HANDLING: S.MERGED,
    },
    "split": {S.TO_DISPATCH: S.SPLIT},
    "close_split": {S.SPLIT: S.CLOSED},
}


def test_every_action_from_every_state():
    assert set(WORK_ORDER_MACHINE.actions) == set(EXPECTED)
    for action, allowed in EXPECTED.items():
        for state in [NEW, *S.values]:
            assert WORK_ORDER_MACHINE.target(action, state) == allowed.get(state), (action, state)


def test_the_clock_runs_while_a_unit_holds_the_order_and_three_states_are_final():
    assert WORK_ORDER_MACHINE.running == {S.DISPATCHED, S.HANDLING}
    assert WORK_ORDER_MACHINE.terminal == {S.CLOSED, S.NOT_ACCEPTED, S.MERGED}


def test_the_caller_is_told_of_intake_the_reply_a_redo_and_the_close_only():
    told = {m.action for m in WORK_ORDER_MACHINE.moves if m.notifies}
    assert told == {"submit", "take", "answer", "refuse", "reply", "redo", "close", "close_split"}
    hidden = {m.action for m in WORK_ORDER_MACHINE.moves if not m.public}
    assert hidden == {"return", "merge", "split"}
