"""A grid case and the enforcement team's task: opened at dispatch to the team (the matter on
one line), fed back only once the task is concluded, and no longer binding once the case has
gone to another unit."""

from __future__ import annotations

import pytest

from onewindow.enforcement.models import EnforcementTask
from onewindow.enforcement.tests.conftest import scene_make
from onewindow.testing.grid_factories import category_make
from onewindow.urban.errors import GridCaseRefused
from onewindow.urban.services.centre import case_dispatch, case_redispatch
from onewindow.urban.services.unit import case_feedback, case_return
from onewindow.urban.tests.conftest import MONDAY, case_in, jpeg
from onewindow.urban.transitions import CaseState
from onewindow.workflow.clock import TimeUnit


@pytest.fixture
def building(scene):
    law = scene_make()
    category = category_make(
        code="E0301",
        name="违法建设",
        stages=(("停工", 4, TimeUnit.WORKING_HOUR), ("处罚", 7, TimeUnit.WORKING_DAY)),
        units=(law.team,),
        enforcement=True,
    )
    case = case_in(scene, CaseState.TO_DISPATCH, category=category, description="天台\n加建铁皮房")
    return law, case


def test_dispatch_to_the_team_opens_its_task_and_feedback_waits_for_it(scene, building):
    law, case = building
    row = case_dispatch(
        actor=scene.dispatcher, case=case, revision=case.revision, department=law.team, now=MONDAY
    )
    task = EnforcementTask.objects.get()
    assert row.enforcement_task == task
    assert (task.origin, task.team, task.matter, task.state) == (
        case.number,
        law.team,
        "违法建设：天台 加建铁皮房",
        "open",
    )
    with pytest.raises(GridCaseRefused) as refused:
        case_feedback(
            actor=law.officer, case=row, revision=row.revision, note="已处理", photos=[jpeg()]
        )
    assert refused.value.code == "enforcement_open"
    assert case.__class__.objects.get(pk=case.pk).state == CaseState.HANDLING


def test_a_case_returned_by_the_team_and_sent_elsewhere_is_fed_back_without_the_task(
    scene, building
):
    law, case = building
    row = case_dispatch(
        actor=scene.dispatcher, case=case, revision=case.revision, department=law.team, now=MONDAY
    )
    row = case_return(actor=law.officer, case=row, revision=row.revision, reason="非拆违事项")
    assert row.enforcement_task is None
    row = case_dispatch(
        actor=scene.dispatcher, case=row, revision=row.revision, department=scene.bureau
    )
    row = case_feedback(
        actor=scene.bureau_staff, case=row, revision=row.revision, note="已处理", photos=[jpeg()]
    )
    assert row.state == CaseState.TO_CHECK


def test_a_redispatch_away_from_the_team_unbinds_the_task(scene, building):
    law, case = building
    row = case_dispatch(
        actor=scene.dispatcher, case=case, revision=case.revision, department=law.team, now=MONDAY
    )
    row = case_redispatch(
        actor=scene.dispatcher, case=row, revision=row.revision, department=scene.bureau
    )
    assert row.enforcement_task is None
    row = case_feedback(
        actor=scene.bureau_staff, case=row, revision=row.revision, note="已处理", photos=[jpeg()]
    )
    assert row.state == CaseState.TO_CHECK
