"""The enforcement task's table, spelled out a second time: every action × state pair."""

from __future__ import annotations

from onewindow.enforcement.transitions import NEW, TASK_MACHINE, TaskState
from onewindow.org.permissions import Action

S = TaskState
OPEN = (S.OPEN, S.INSPECTED, S.NOTIFIED, S.TO_PENALISE)
EXPECTED = {
    "open": {NEW: S.OPEN},
    "inspect": {S.OPEN: S.INSPECTED},
    "inspect_clear": {S.OPEN: S.CONCLUDED},
    "notify": {S.INSPECTED: S.NOTIFIED},
    "reinspect_rectified": {S.NOTIFIED: S.CONCLUDED},
    "reinspect_unrectified": {S.NOTIFIED: S.TO_PENALISE},
    "penalise": {S.TO_PENALISE: S.CONCLUDED},
    "drop": {state: S.DROPPED for state in OPEN},
}
PERMISSIONS = {
    "open": Action.ENFORCEMENT_WORK,
    "inspect": Action.ENFORCEMENT_WORK,
    "inspect_clear": Action.ENFORCEMENT_WORK,
    "notify": Action.ENFORCEMENT_WORK,
    "reinspect_rectified": Action.ENFORCEMENT_WORK,
    "reinspect_unrectified": Action.ENFORCEMENT_WORK,
    "penalise": Action.ENFORCEMENT_DECIDE,
    "drop": Action.ENFORCEMENT_DECIDE,
}


def test_every_action_from_every_state():
    assert TASK_MACHINE.actions == list(EXPECTED)
    for action, allowed in EXPECTED.items():
        for state in [NEW, *S.values]:
            assert TASK_MACHINE.target(action, state) == allowed.get(state), (action, state)


def test_who_may_make_each_move():
    assert {a: TASK_MACHINE.permission_for(a) for a in TASK_MACHINE.actions} == PERMISSIONS


def test_the_clock_runs_in_every_open_state_and_two_states_are_final():
    assert TASK_MACHINE.running == set(OPEN)
    assert TASK_MACHINE.terminal == {S.CONCLUDED, S.DROPPED}


def test_nothing_is_shown_or_told_to_the_public():
    assert not any(m.public or m.notifies for m in TASK_MACHINE.moves)
    assert TASK_MACHINE.notifier is None
