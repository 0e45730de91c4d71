"""The grid case's table, spelled out a second time: every action × state pair."""

from __future__ import annotations

from onewindow.org.permissions import Action
from onewindow.urban.transitions import CASE_MACHINE, NEW, CaseState

S = CaseState
EXPECTED = {
    "report": {NEW: S.TO_FILE},
    "report_public": {NEW: S.TO_VERIFY},
    "self_handle": {NEW: S.CLOSED},
    "verify": {S.TO_VERIFY: S.TO_FILE},
    "file": {S.TO_FILE: S.TO_DISPATCH},
    "refuse": {S.TO_VERIFY: S.NOT_FILED, S.TO_FILE: S.NOT_FILED},
    "dispatch": {S.TO_DISPATCH: S.HANDLING},
    "redispatch": {S.HANDLING: S.HANDLING},
    "return": {S.HANDLING: S.TO_DISPATCH},
    "extend": {S.HANDLING: S.HANDLING},
    "feedback": {S.HANDLING: S.TO_CHECK},
    "check": {S.TO_CHECK: S.TO_CLOSE},
    "rework": {S.TO_CHECK: S.HANDLING, S.TO_CLOSE: S.HANDLING},
    "close": {S.TO_CLOSE: S.CLOSED},
    "park": {S.HANDLING: S.PARKED},
    "unpark": {S.PARKED: S.HANDLING},
    "void": {
        S.TO_VERIFY: S.VOID,
        S.TO_FILE: S.VOID,
        S.TO_DISPATCH: S.VOID,
        S.HANDLING: S.VOID,
        S.PARKED: S.VOID,
    },
}
PERMISSIONS = {
    "report": Action.URBAN_REPORT,
    "report_public": None,
    "self_handle": Action.URBAN_REPORT,
    "verify": Action.URBAN_VERIFY,
    "file": Action.URBAN_FILE,
    "refuse": Action.URBAN_FILE,
    "dispatch": Action.URBAN_DISPATCH,
    "redispatch": Action.URBAN_DISPATCH,
    "return": Action.URBAN_HANDLE,
    "extend": Action.URBAN_FILE,
    "feedback": Action.URBAN_HANDLE,
    "check": Action.URBAN_VERIFY,
    "rework": Action.URBAN_VERIFY,
    "close": Action.URBAN_FILE,
    "park": Action.URBAN_FILE,
    "unpark": Action.URBAN_FILE,
    "void": Action.URBAN_FILE,
}


def test_every_action_from_every_state():
    assert set(CASE_MACHINE.actions) == set(EXPECTED)
    for action, allowed in EXPECTED.items():
        for state in [NEW, *S.values]:
            assert CASE_MACHINE.target(action, state) == allowed.get(state), (action, state)


def test_each_move_asks_its_permission():
    for action, permission in PERMISSIONS.items():
        assert CASE_MACHINE.move_for(action).permission == permission, action


def test_the_clock_runs_while_a_unit_holds_the_case_and_three_states_are_final():
    assert CASE_MACHINE.running == {S.HANDLING}
    assert CASE_MACHINE.terminal == {S.CLOSED, S.NOT_FILED, S.VOID}


def test_the_public_reporter_is_told_of_intake_filing_dispatch_feedback_and_the_end():
    told = {m.action for m in CASE_MACHINE.moves if m.notifies}
    assert told == {"report_public", "file", "refuse", "feedback", "close", "void"}
    hidden = {m.action for m in CASE_MACHINE.moves if not m.public}
    assert hidden == {
        "report",
        "self_handle",
        "redispatch",
        "return",
        "extend",
        "check",
        "rework",
        "park",
        "unpark",
    }
