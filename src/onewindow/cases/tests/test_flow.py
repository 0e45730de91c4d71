"""The lift item through the whole flow, at the service level, and the instant item."""

import datetime as dt

import pytest
from django.utils import timezone

from onewindow.cases.errors import MaterialsIncomplete, MaterialsOutstanding
from onewindow.cases.models import Case, CaseTask, MaterialStatus, Outcome, TaskOutcome
from onewindow.cases.selectors import case_public_progress
from onewindow.cases.services import (
    MaterialReceipt,
    case_accept,
    case_complete_instant,
    case_deliver,
    case_request_supplement,
    case_supplement_received,
    task_claim,
    task_complete,
)
from onewindow.cases.transitions import CaseState, TaskState

DEFERRED = "房屋安全鉴定报告"


def accept_lift_with_deferred_paper(city):
    today = timezone.localdate()
    receipts = city.receipts(
        **{
            DEFERRED: MaterialReceipt(
                name=DEFERRED, status=MaterialStatus.DEFERRED, due_date=today + dt.timedelta(days=3)
            ),
        }
    )
    return case_accept(intake=city.intake(materials=receipts, promise_signed=True))


def work(task, user, outcome=TaskOutcome.APPROVE, opinion="同意"):
    task_claim(task=task, actor=user)
    task.refresh_from_db()
    return task_complete(task=task, actor=user, outcome=outcome, opinion=opinion)


def test_lift_item_with_eight_departments_in_parallel(city):
    case = accept_lift_with_deferred_paper(city)
    assert case.state == CaseState.ACCEPTED
    assert case.item_version.number == 2
    assert case.due_at is not None
    reviews = list(case.tasks.filter(kind="review").order_by("id"))
    assert len(reviews) == 9
    assert [t.state for t in reviews] == [TaskState.OPEN] * 9
    assert sum(t.is_lead for t in reviews) == 1
    assert set(case.tasks.exclude(kind="review").values_list("state", flat=True)) == {
        TaskState.WAITING
    }

    # Seven joint departments approve; one asks for papers (补正): the clock pauses.
    asking = city.joint_departments[0]
    for department in city.joint_departments[1:]:
        task = case.tasks.get(kind="review", department=department)
        work(task, city.approvers[department.pk])
    task = case.tasks.get(kind="review", department=asking)
    task_claim(task=task, actor=city.approvers[asking.pk])
    task_complete(
        task=task,
        actor=city.approvers[asking.pk],
        outcome=TaskOutcome.RETURN_FOR_SUPPLEMENT,
        opinion="请补充结构图纸",
    )
    case.refresh_from_db()
    assert case.state == CaseState.SUSPENDED
    assert case.paused_since is not None
    due_before = case.due_at

    # The papers arrive at the window: the clock resumes, nothing was lost.
    case_supplement_received(
        case=case, actor=city.clerk, receipts=[MaterialReceipt(name="业主表决意见书")]
    )
    case.refresh_from_db()
    assert case.state == CaseState.ACCEPTED
    assert case.due_at == due_before  # same-day pause: no working day lost
    task.refresh_from_db()
    task_complete(
        task=task,
        actor=city.approvers[asking.pk],
        outcome=TaskOutcome.REJECT,
        opinion="不同意：影响消防通道",
    )

    # The lead's own review, then the decision step opens for the lead department only.
    lead = city.lead_department
    work(case.tasks.get(kind="review", department=lead, is_lead=True), city.approvers[lead.pk])
    decide = case.tasks.get(kind="decide")
    assert decide.state == TaskState.OPEN
    assert decide.department == lead

    # The 容缺 paper has not arrived: no decision yet.
    task_claim(task=decide, actor=city.leads[lead.pk])
    decide.refresh_from_db()
    with pytest.raises(MaterialsOutstanding):
        task_complete(
            task=decide, actor=city.leads[lead.pk], outcome=TaskOutcome.APPROVE, opinion="同意"
        )
    case_supplement_received(case=case, actor=city.clerk, receipts=[MaterialReceipt(name=DEFERRED)])
    decide.refresh_from_db()
    # The lead sees the joint rejection and decides anyway.
    task_complete(
        task=decide,
        actor=city.leads[lead.pk],
        outcome=TaskOutcome.APPROVE,
        opinion="经协调消防通道不受影响，同意",
    )
    work(case.tasks.get(kind="complete"), city.approvers[lead.pk], opinion="办结")
    case.refresh_from_db()
    assert (case.state, case.outcome) == (CaseState.DECIDED, Outcome.APPROVED)

    case_deliver(case=case, actor=city.output_clerk, method="window", collector_id_checked=True)
    case.refresh_from_db()
    assert case.state == CaseState.DELIVERED

    progress = case_public_progress(number=case.number, query_code=case.query_code)
    state_moves = [e.action for e in case.events.exclude(from_state=e_same())]
    assert state_moves == ["accept", "suspend", "resume", "decide", "deliver"]
    assert [s.action for s in progress.steps if s.action in state_moves] == state_moves
    assert "陈大文" not in repr(progress)


def e_same():
    from django.db.models import F

    return F("to_state")


def test_accept_refuses_missing_key_paper_and_writes_nothing(city):
    receipts = city.receipts(
        **{
            "业主表决意见书": MaterialStatus.MISSING,
            DEFERRED: MaterialReceipt(name=DEFERRED, status=MaterialStatus.DEFERRED),
        }
    )
    with pytest.raises(MaterialsIncomplete) as caught:
        case_accept(intake=city.intake(materials=receipts))
    assert sorted((e.field, e.code) for e in caught.value.errors) == [
        ("materials[1]", "missing"),
        ("materials[2]", "due_date_required"),
        ("promise_signed", "promise_required"),
    ]
    assert Case.objects.count() == 0
    assert CaseTask.objects.count() == 0


def test_supplement_notice_lists_every_paper_and_the_clock_does_not_start(city):
    receipts = city.receipts(
        **{
            "业主表决意见书": MaterialReceipt(name="业主表决意见书", status=MaterialStatus.MISSING),
            "既有住宅增设电梯申请表": MaterialReceipt(
                name="既有住宅增设电梯申请表", status=MaterialStatus.FAULTY, problem="缺签名"
            ),
        }
    )
    deadline = timezone.localdate() + dt.timedelta(days=10)
    case = case_request_supplement(intake=city.intake(materials=receipts), deadline=deadline)
    assert case.state == CaseState.SUPPLEMENT_REQUESTED
    assert (case.accepted_at, case.due_at) == (None, None)
    notice = case.events.get(action="request_supplement")
    assert notice.data["papers"] == [
        {"name": "既有住宅增设电梯申请表", "status": "faulty", "problem": "缺签名"},
        {"name": "业主表决意见书", "status": "missing", "problem": ""},
    ]
    assert case.tasks.count() == 0
    case_supplement_received(
        case=case,
        actor=city.clerk,
        receipts=[
            MaterialReceipt(name="业主表决意见书"),
            MaterialReceipt(name="既有住宅增设电梯申请表"),
        ],
    )
    case.refresh_from_db()
    assert case.state == CaseState.ACCEPTED
    assert case.due_at is not None
    assert case.tasks.filter(state=TaskState.OPEN).count() == 9


def test_instant_item_finished_at_a_delegated_window(city):
    intake = city.intake(item=city.instant, window=city.instant_window)
    case = case_complete_instant(intake=intake)
    assert (case.state, case.outcome) == (CaseState.DECIDED, Outcome.APPROVED)
    case_deliver(case=case, actor=city.clerk, method="window", collector_id_checked=True)
    case.refresh_from_db()
    assert case.state == CaseState.DELIVERED
    assert [e.action for e in case.events.all()] == ["complete_instant", "deliver"]


def test_instant_completion_at_a_window_without_the_seal_is_refused(city):
    from onewindow.core.errors import ApplicationError

    with pytest.raises(ApplicationError) as caught:
        case_complete_instant(intake=city.intake(item=city.instant))
    assert caught.value.code == "not_delegated"
    assert Case.objects.count() == 0


def test_instant_item_at_a_window_without_the_seal_goes_to_the_department(city):
    case = case_accept(intake=city.intake(item=city.instant))
    assert case.state == CaseState.ACCEPTED
    assert timezone.localtime(case.due_at).date() == timezone.localdate()
    roles = list(case.tasks.order_by("step_order").values_list("kind", "role"))
    assert roles == [
        ("review", "dept_approver"),
        ("decide", "dept_lead"),
        ("complete", "dept_approver"),
    ]


def test_instant_completion_lists_every_missing_paper(city):
    receipts = city.receipts(
        city.instant, **{"申请表": MaterialStatus.MISSING, "身份证": MaterialStatus.FAULTY}
    )
    with pytest.raises(MaterialsIncomplete) as caught:
        case_complete_instant(
            intake=city.intake(item=city.instant, window=city.instant_window, materials=receipts)
        )
    assert [(e.field, e.code) for e in caught.value.errors] == [
        ("materials[0]", "missing"),
        ("materials[1]", "missing"),
    ]
    assert Case.objects.count() == 0


def test_a_deferred_paper_due_after_the_promised_date_is_refused(city):
    receipts = city.receipts(
        **{
            DEFERRED: MaterialReceipt(
                name=DEFERRED,
                status=MaterialStatus.DEFERRED,
                due_date=timezone.localdate() + dt.timedelta(days=90),
            )
        }
    )
    with pytest.raises(MaterialsIncomplete) as caught:
        case_accept(intake=city.intake(materials=receipts, promise_signed=True))
    assert [(e.field, e.code) for e in caught.value.errors] == [
        ("materials[2].due_date", "deferred_after_due")
    ]
    assert Case.objects.count() == 0


def test_withdrawal_cancels_the_open_work(city):
    from onewindow.cases.errors import TransitionNotAllowed
    from onewindow.cases.selectors import task_queue_for_user
    from onewindow.cases.services import case_withdraw

    case = case_accept(intake=city.intake(materials=city.receipts()))
    approver = city.approvers[city.lead_department.pk]
    assert len(task_queue_for_user(approver)) == 1
    case_withdraw(case=case, actor=city.clerk, reason="申请人书面申请撤回")
    case.refresh_from_db()
    assert case.state == CaseState.WITHDRAWN
    assert set(case.tasks.values_list("state", flat=True)) == {TaskState.CANCELLED}
    assert list(task_queue_for_user(approver)) == []
    assert case.events.order_by("-id").first().reason == "申请人书面申请撤回"
    with pytest.raises(TransitionNotAllowed):
        case_withdraw(case=case, actor=city.clerk, reason="再次撤回")
