"""Who decides a case (ADR 0007): the decision step; without one, the lead department at the
joint review. The final step (办结) carries the decision out and cannot overturn it."""

from __future__ import annotations

import pytest

from onewindow.cases.errors import DecisionStands
from onewindow.cases.models import Outcome, TaskOutcome
from onewindow.cases.services import case_accept, task_claim, task_complete
from onewindow.cases.services.tasks import deciding_task
from onewindow.cases.transitions import CaseState, TaskState
from onewindow.catalog.codes import ItemType, StepKind
from onewindow.catalog.models import ProcessStep
from onewindow.catalog.services import ItemContent, item_save
from onewindow.core.models import AuditLog
from onewindow.org.models import Role
from onewindow.testing.factories import create_item, material


def work(task, user, outcome, opinion):
    task_claim(task=task, actor=user)
    task.refresh_from_db()
    return task_complete(task=task, actor=user, outcome=outcome, opinion=opinion)


@pytest.fixture
def review_then_complete(city):
    """A joint item without a decision step: 受理 → 审查 (lead + two joint) → 办结 → 送达."""
    item = create_item(
        name="户外广告设置备案",
        department=city.lead_department,
        item_type=ItemType.CONFIRMATION,
        materials=[material(name="备案表")],
    )
    steps = [
        ProcessStep(order=1, kind=StepKind.ACCEPT, name="受理", role=Role.INTAKE_CLERK),
        ProcessStep(order=2, kind=StepKind.REVIEW, name="审查", role=Role.DEPT_APPROVER),
        ProcessStep(order=3, kind=StepKind.COMPLETE, name="办结", role=Role.DEPT_APPROVER),
        ProcessStep(order=4, kind=StepKind.DELIVER, name="送达", role=Role.OUTPUT_CLERK),
    ]
    content = ItemContent(
        item=item,
        materials=list(item.materials.all()),
        steps=steps,
        joint_department_ids=[d.pk for d in city.joint_departments[:2]],
    )
    item = item_save(content=content)
    case = case_accept(intake=city.intake(item=item))
    assert [(t.kind, t.is_lead) for t in case.tasks.order_by("step_order", "-is_lead", "id")] == [
        (StepKind.REVIEW, True),
        (StepKind.REVIEW, False),
        (StepKind.REVIEW, False),
        (StepKind.COMPLETE, False),
    ]
    return case


def review_by_all(city, case, lead_outcome, joint_outcome=TaskOutcome.APPROVE):
    for department in city.joint_departments[:2]:
        task = case.tasks.get(kind=StepKind.REVIEW, department=department)
        work(task, city.approvers[department.pk], joint_outcome, "协办意见")
    lead = case.tasks.get(kind=StepKind.REVIEW, is_lead=True)
    work(lead, city.approvers[city.lead_department.pk], lead_outcome, "主办意见：不符合设置规划")
    return lead


def test_the_final_step_cannot_approve_what_the_lead_department_refused(city, review_then_complete):
    case = review_then_complete
    lead = review_by_all(city, case, TaskOutcome.REJECT)
    assert deciding_task(case).pk == lead.pk
    final = case.tasks.get(kind=StepKind.COMPLETE)
    assert final.state == TaskState.OPEN
    approver = city.approvers[city.lead_department.pk]
    task_claim(task=final, actor=approver)
    final.refresh_from_db()
    with pytest.raises(DecisionStands) as refused:
        task_complete(task=final, actor=approver, outcome=TaskOutcome.APPROVE, opinion="办结")
    assert refused.value.as_dict()["code"] == "decision_stands"
    assert refused.value.status == 409
    assert refused.value.as_dict()["message"] == (
        "区住房和建设局的审查已决定“不同意”。本环节执行该决定，不能改变它：请选择“不同意”，"
        "或退回补正。"
    )
    assert refused.value.as_dict()["message_en"] == (
        "审查 by 区住房和建设局 decided “Reject”. This step carries that decision out and "
        "cannot change it: choose “Reject”, or send the case back for papers."
    )
    final.refresh_from_db()
    case.refresh_from_db()
    assert (final.state, final.outcome, case.state) == (TaskState.CLAIMED, "", CaseState.ACCEPTED)

    # Carried out as decided: the case is not approved, with the lead's reasons.
    task_complete(task=final, actor=approver, outcome=TaskOutcome.REJECT, opinion="办结")
    case.refresh_from_db()
    assert (case.state, case.outcome) == (CaseState.DECIDED, Outcome.REJECTED)
    decide = case.events.get(action="decide")
    assert decide.reason == "主办意见：不符合设置规划"
    assert AuditLog.objects.filter(action="cases.decide").count() == 1


def test_the_final_step_cannot_refuse_what_the_lead_department_approved(city, review_then_complete):
    case = review_then_complete
    # A joint department's rejection is an opinion; the lead approves.
    review_by_all(city, case, TaskOutcome.APPROVE, joint_outcome=TaskOutcome.REJECT)
    final = case.tasks.get(kind=StepKind.COMPLETE)
    approver = city.approvers[city.lead_department.pk]
    with pytest.raises(DecisionStands):
        work(final, approver, TaskOutcome.REJECT, "办结")
    final.refresh_from_db()
    task_complete(task=final, actor=approver, outcome=TaskOutcome.APPROVE, opinion="办结")
    case.refresh_from_db()
    assert (case.state, case.outcome) == (CaseState.DECIDED, Outcome.APPROVED)


def test_with_a_decision_step_the_lead_decides_and_the_final_step_follows(city):
    case = case_accept(intake=city.intake())
    deferred = case.materials.filter(status="deferred")
    assert not deferred.exists()
    for department in [city.lead_department, *city.joint_departments]:
        task = case.tasks.get(kind=StepKind.REVIEW, department=department)
        work(task, city.approvers[department.pk], TaskOutcome.APPROVE, "同意")
    decide = case.tasks.get(kind=StepKind.DECIDE)
    assert deciding_task(case).pk == decide.pk
    work(decide, city.leads[city.lead_department.pk], TaskOutcome.REJECT, "不予许可")
    final = case.tasks.get(kind=StepKind.COMPLETE)
    with pytest.raises(DecisionStands):
        work(final, city.approvers[city.lead_department.pk], TaskOutcome.APPROVE, "办结")
    case.refresh_from_db()
    assert case.state == CaseState.ACCEPTED and case.outcome == ""
