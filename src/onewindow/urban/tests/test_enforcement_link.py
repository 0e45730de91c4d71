"""A grid case and the enforcement team's task: opened at dispatch to the team (the matter on
one line), fed back only once the task is concluded, and dropped (撤销, with the case's reason)
once the case leaves the team — returned, sent elsewhere or voided — while a concluded task
stays as it was."""

from __future__ import annotations

import pytest

from onewindow.core.models import AuditLog
from onewindow.enforcement.codes import Outcome
from onewindow.enforcement.errors import EnforcementRefused
from onewindow.enforcement.models import EnforcementTask, TaskEvent
from onewindow.enforcement.tests.conftest import scene_make
from onewindow.enforcement.tests.test_services import inspect
from onewindow.testing.grid_factories import category_make
from onewindow.urban.errors import GridCaseRefused
from onewindow.urban.services.centre import case_dispatch, case_redispatch, case_void
from onewindow.urban.services.unit import case_feedback, case_return
from onewindow.urban.tests.conftest import MONDAY, case_in, fresh, jpeg
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
    task = EnforcementTask.objects.get()
    assert (task.state, task.outcome, task.drop_reason) == (
        "dropped",
        Outcome.DROPPED,
        f"网格案件 {case.number} 已回退指挥中心：非拆违事项",
    )
    assert list(TaskEvent.objects.filter(task=task).values_list("action", "actor")) == [
        ("open", scene.dispatcher.pk),
        ("drop", law.officer.pk),
    ]
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
    task = EnforcementTask.objects.get()
    assert (task.state, task.drop_reason) == (
        "dropped",
        f"网格案件 {case.number} 已改派至{scene.bureau.name}。",
    )
    assert (
        AuditLog.objects.filter(
            action="enforcement.task_drop", object_id=str(task.pk), actor=scene.dispatcher
        ).count()
        == 1
    )
    row = case_feedback(
        actor=scene.bureau_staff, case=row, revision=row.revision, note="已处理", photos=[jpeg()]
    )
    assert row.state == CaseState.TO_CHECK


def test_a_redispatch_to_another_team_drops_the_first_task_and_opens_one_there(scene, building):
    law, case = building
    row = case_dispatch(
        actor=scene.dispatcher, case=case, revision=case.revision, department=law.team, now=MONDAY
    )
    first = row.enforcement_task
    row = case_redispatch(
        actor=scene.dispatcher, case=row, revision=row.revision, department=law.other_team
    )
    tasks = {t.team_id: t.state for t in EnforcementTask.objects.all()}
    assert tasks == {law.team.pk: "dropped", law.other_team.pk: "open"}
    assert row.enforcement_task.team == law.other_team
    assert row.enforcement_task.pk != first.pk


def test_voiding_the_case_drops_its_open_task(scene, building):
    law, case = building
    row = case_dispatch(
        actor=scene.dispatcher, case=case, revision=case.revision, department=law.team, now=MONDAY
    )
    row = case_void(actor=scene.chief, case=row, revision=row.revision, reason="重复上报")
    assert (row.state, row.enforcement_task) == (CaseState.VOID, None)
    task = EnforcementTask.objects.get()
    assert (task.state, task.drop_reason) == (
        "dropped",
        f"网格案件 {case.number} 已作废：重复上报",
    )


def test_a_concluded_task_stays_concluded_when_the_case_moves_on(scene, building):
    law, case = building
    row = case_dispatch(
        actor=scene.dispatcher, case=case, revision=case.revision, department=law.team, now=MONDAY
    )
    task = inspect(law, row.enforcement_task, violation_found=False, party=None)
    assert task.state == "concluded"
    row = case_redispatch(
        actor=scene.dispatcher, case=row, revision=row.revision, department=scene.bureau
    )
    task.refresh_from_db()
    assert (task.state, task.outcome, task.drop_reason) == (
        "concluded",
        Outcome.NO_VIOLATION,
        "",
    )
    assert TaskEvent.objects.filter(task=task, action="drop").count() == 0


def _inspected(law, row):
    """The team's task with a violation found and its party on record."""
    return inspect(law, row.enforcement_task)


def test_an_officer_may_not_drop_an_inspected_task_by_returning_the_case(scene, building):
    law, case = building
    row = case_dispatch(
        actor=scene.dispatcher, case=case, revision=case.revision, department=law.team, now=MONDAY
    )
    task = _inspected(law, row)
    assert task.state == "inspected"
    row = fresh(row)
    with pytest.raises(EnforcementRefused) as refused:
        case_return(actor=law.officer, case=row, revision=row.revision, reason="非拆违事项")
    assert refused.value.code == "task_has_records"
    assert task.number in str(refused.value.as_dict()["message"])
    # Nothing moved: the case is still with the team, its task as it was; the refusal audited.
    row = fresh(row)
    task.refresh_from_db()
    assert (row.state, row.unit_id, row.enforcement_task_id) == (
        CaseState.HANDLING,
        law.team.pk,
        task.pk,
    )
    assert (task.state, task.drop_reason) == ("inspected", "")
    denied = AuditLog.objects.get(allowed=False, object_id=str(task.pk))
    assert (denied.actor, denied.action, denied.detail) == (
        law.officer,
        "denied:enforcement.decide",
        {"reason": "records_kept", "via": "return", "state": "inspected"},
    )
    # The chief may not void it past the team's lead either.
    with pytest.raises(EnforcementRefused):
        case_void(actor=scene.chief, case=row, revision=row.revision, reason="重复上报")
    assert fresh(row).state == CaseState.HANDLING


def test_the_teams_lead_returns_a_case_whose_task_has_records_and_it_is_dropped(scene, building):
    law, case = building
    row = case_dispatch(
        actor=scene.dispatcher, case=case, revision=case.revision, department=law.team, now=MONDAY
    )
    task = _inspected(law, row)
    row = case_return(
        actor=law.lead, case=fresh(row), revision=fresh(row).revision, reason="属规划部门"
    )
    task.refresh_from_db()
    assert (row.state, task.state) == (CaseState.TO_DISPATCH, "dropped")
    drop = AuditLog.objects.get(action="enforcement.task_drop", object_id=str(task.pk))
    assert (drop.actor, drop.detail["via"], drop.detail["case"]) == (
        law.lead,
        "return",
        case.number,
    )


def test_the_dispatcher_sends_elsewhere_a_case_whose_task_has_records(scene, building):
    law, case = building
    row = case_dispatch(
        actor=scene.dispatcher, case=case, revision=case.revision, department=law.team, now=MONDAY
    )
    task = _inspected(law, row)
    row = fresh(row)
    row = case_redispatch(
        actor=scene.dispatcher, case=row, revision=row.revision, department=scene.bureau
    )
    task.refresh_from_db()
    assert (row.unit_id, row.enforcement_task_id, task.state) == (scene.bureau.pk, None, "dropped")


def test_the_drop_reason_is_kept_in_the_platforms_language_whatever_the_page_shows(scene, building):
    from django.utils import translation

    law, case = building
    row = case_dispatch(
        actor=scene.dispatcher, case=case, revision=case.revision, department=law.team, now=MONDAY
    )
    with translation.override("en"):
        case_redispatch(
            actor=scene.dispatcher, case=row, revision=row.revision, department=scene.bureau
        )
    assert EnforcementTask.objects.get().drop_reason == (
        f"网格案件 {case.number} 已改派至{scene.bureau.name}。"
    )
