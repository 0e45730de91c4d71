"""Racing approvers, replayed submissions, and a department that is not in the case."""

import inspect
import threading

import pytest
from django.db import close_old_connections

from onewindow.cases.errors import StaleCase, TransitionNotAllowed
from onewindow.cases.models import Case, CaseTask, PauseKind
from onewindow.cases.selectors import case_get_for_user, task_queue_for_user
from onewindow.cases.services import case_accept, case_suspend, task_assign, task_claim
from onewindow.cases.services.tasks import task_move
from onewindow.cases.transitions import CaseState, TaskState
from onewindow.core.errors import NotFoundOrForbidden
from onewindow.core.models import AuditLog
from onewindow.org.models import Role
from onewindow.testing.factories import DepartmentFactory, staff_with_role


def lead_review(case, city):
    return case.tasks.get(kind="review", department=city.lead_department)


def test_two_approvers_claim_one_task_one_wins(city):
    case = case_accept(intake=city.intake(materials=city.receipts()))
    task = lead_review(case, city)
    first = city.approvers[city.lead_department.pk]
    second = staff_with_role(Role.DEPT_APPROVER, department=city.lead_department)
    stale_revision = task.revision
    task_claim(task=task, actor=first, expected_revision=stale_revision)
    with pytest.raises(TransitionNotAllowed):
        task_claim(task=task, actor=second)
    task.refresh_from_db()
    assert (task.state, task.assignee_id) == (TaskState.CLAIMED, first.pk)


def test_a_stale_claim_or_assignment_is_refused_once_before_anything_moves(city):
    case = case_accept(intake=city.intake(materials=city.receipts()))
    task = lead_review(case, city)
    approver = city.approvers[city.lead_department.pk]
    other = staff_with_role(Role.DEPT_APPROVER, department=city.lead_department)
    seen = task.revision
    task_claim(task=task, actor=approver, expected_revision=seen)
    task.refresh_from_db()
    after_claim = (task.state, task.assignee_id, task.revision)
    assert after_claim == (TaskState.CLAIMED, approver.pk, seen + 1)
    for stale in (
        lambda: task_claim(task=task, actor=other, expected_revision=seen),
        lambda: task_assign(task=task, actor=other, assignee=other, expected_revision=seen),
    ):
        with pytest.raises(StaleCase):
            stale()
        task.refresh_from_db()
        assert (task.state, task.assignee_id, task.revision) == after_claim
    # The revision is checked once, by the service before its other refusals; the move itself
    # takes no revision to check again.
    assert "expected_revision" not in inspect.signature(task_move).parameters


def test_a_stale_page_cannot_overwrite(city):
    case = case_accept(intake=city.intake(materials=city.receipts()))
    lead = city.leads[city.lead_department.pk]
    revision_seen = case.revision
    case_suspend(
        case=case,
        actor=lead,
        kind=PauseKind.EXPERT_REVIEW,
        reason="专家评审",
        expected_revision=revision_seen,
    )
    with pytest.raises(StaleCase):
        case_suspend(
            case=case,
            actor=lead,
            kind=PauseKind.HEARING,
            reason="听证",
            expected_revision=revision_seen,
        )
    assert case.pauses.count() == 1


@pytest.mark.django_db(transaction=True)
def test_racing_approvers_in_two_threads(city):
    case = case_accept(intake=city.intake(materials=city.receipts()))
    task = lead_review(case, city)
    approvers = [
        city.approvers[city.lead_department.pk],
        staff_with_role(Role.DEPT_APPROVER, department=city.lead_department),
    ]
    outcomes = []
    barrier = threading.Barrier(2)

    def claim(user):
        try:
            barrier.wait(timeout=10)
            task_claim(task=CaseTask.objects.get(pk=task.pk), actor=user)
            outcomes.append("won")
        except (TransitionNotAllowed, StaleCase):
            outcomes.append("refused")
        finally:
            close_old_connections()

    threads = [threading.Thread(target=claim, args=(user,)) for user in approvers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["refused", "won"]
    task.refresh_from_db()
    assert task.state == TaskState.CLAIMED
    assert task.assignee_id in {user.pk for user in approvers}
    assert case.events.filter(action="task_claim").count() == 1


def test_a_replayed_submission_makes_one_case(city):
    intake = city.intake(materials=city.receipts(), idempotency_key="portal-7f3a")
    first = case_accept(intake=intake)
    again = case_accept(
        intake=city.intake(materials=city.receipts(), idempotency_key="portal-7f3a")
    )
    assert again.pk == first.pk
    assert Case.objects.count() == 1
    assert CaseTask.objects.filter(case=first).count() == 11


def test_another_department_cannot_open_or_touch_the_case(city):
    case = case_accept(intake=city.intake(materials=city.receipts()))
    outsider = staff_with_role(Role.DEPT_LEAD, department=DepartmentFactory(name="区教育局"))
    revision = case.revision
    with pytest.raises(NotFoundOrForbidden):
        case_get_for_user(number=case.number, user=outsider)
    with pytest.raises(NotFoundOrForbidden):
        case_suspend(case=case, actor=outsider, kind=PauseKind.HEARING, reason="越权")
    with pytest.raises(NotFoundOrForbidden):
        task_claim(task=lead_review(case, city), actor=outsider)
    case.refresh_from_db()
    assert (case.state, case.revision, case.pauses.count()) == (CaseState.ACCEPTED, revision, 0)
    assert lead_review(case, city).state == TaskState.OPEN
    denials = AuditLog.objects.filter(actor=outsider, allowed=False)
    assert sorted(denials.values_list("action", flat=True)) == [
        "denied:case.view",  # reading the case
        "denied:case.view",  # pausing its clock
        "denied:case.work",  # claiming a task
    ]
    assert list(task_queue_for_user(outsider)) == []
    # A joint department sees the case it works on.
    joint_approver = city.approvers[city.joint_departments[0].pk]
    assert case_get_for_user(number=case.number, user=joint_approver) == case


def test_the_chosen_output_centre_sees_and_hands_over_the_case(city):
    from onewindow.cases.services import case_deliver
    from onewindow.testing.factories import CentreFactory

    other = CentreFactory(region=city.street_centre.region)
    case = case_accept(intake=city.intake(materials=city.receipts(), output_centre=other))
    far_clerk = staff_with_role(Role.OUTPUT_CLERK, centre=other)
    assert case_get_for_user(number=case.number, user=far_clerk) == case
    Case.objects.filter(pk=case.pk).update(state=CaseState.DECIDED)
    with pytest.raises(NotFoundOrForbidden):
        case_deliver(case=case, actor=city.output_clerk, method="window", collector_id_checked=True)
    case_deliver(case=case, actor=far_clerk, method="window", collector_id_checked=True)
    case.refresh_from_db()
    assert case.state == CaseState.DELIVERED


def test_only_the_lead_department_stops_and_restarts_the_clock(city):
    from onewindow.cases.services import case_resume
    from onewindow.core.errors import PermissionDenied

    case = case_accept(intake=city.intake(materials=city.receipts()))
    joint_approver = city.approvers[city.joint_departments[3].pk]
    with pytest.raises(PermissionDenied):
        case_suspend(case=case, actor=joint_approver, kind=PauseKind.HEARING, reason="越权")
    assert case.pauses.count() == 0
    lead = city.leads[city.lead_department.pk]
    case_suspend(case=case, actor=lead, kind=PauseKind.HEARING, reason="听证")
    with pytest.raises(PermissionDenied):
        case_resume(case=case, actor=joint_approver, result="越权")
    case.refresh_from_db()
    assert case.state == CaseState.SUSPENDED
    assert AuditLog.objects.filter(actor=joint_approver, action="denied:case.work").count() == 2


def test_papers_cannot_arrive_after_hand_over_or_as_an_empty_list(city):
    from onewindow.cases.services import MaterialReceipt, case_supplement_received
    from onewindow.core.errors import ApplicationError

    case = case_accept(intake=city.intake(materials=city.receipts()))
    with pytest.raises(ApplicationError) as caught:
        case_supplement_received(case=case, actor=city.clerk, receipts=[])
    assert caught.value.code == "no_papers"
    with pytest.raises(ApplicationError) as caught:
        case_supplement_received(
            case=case, actor=city.clerk, receipts=[MaterialReceipt(name="业主表决意见书")]
        )
    assert caught.value.code == "already_received"
    Case.objects.filter(pk=case.pk).update(state=CaseState.DELIVERED)
    with pytest.raises(TransitionNotAllowed):
        case_supplement_received(
            case=case, actor=city.clerk, receipts=[MaterialReceipt(name="业主表决意见书")]
        )
    assert case.events.filter(action="papers_received").count() == 0


def test_a_used_key_cannot_carry_a_different_submission(city):
    import datetime as dt

    from django.utils import timezone

    from onewindow.cases.services import case_request_supplement
    from onewindow.core.errors import ApplicationError

    receipts = city.receipts(**{"业主表决意见书": "missing"})
    first = case_request_supplement(
        intake=city.intake(materials=receipts, idempotency_key="window-42"),
        deadline=timezone.localdate() + dt.timedelta(days=5),
    )
    with pytest.raises(ApplicationError) as caught:
        case_accept(intake=city.intake(materials=city.receipts(), idempotency_key="window-42"))
    assert (caught.value.code, caught.value.status) == ("idempotency_key_reused", 409)
    assert list(Case.objects.values_list("pk", flat=True)) == [first.pk]


def test_the_queue_shows_each_role_only_the_steps_it_works(city):
    case = case_accept(intake=city.intake(materials=city.receipts()))
    lead_dept = city.lead_department
    approver, lead = city.approvers[lead_dept.pk], city.leads[lead_dept.pk]
    # Review is the approver's; the lead's queue stays empty until the decision step opens.
    assert [t.kind for t in task_queue_for_user(approver)] == ["review"]
    assert list(task_queue_for_user(lead)) == []
    from onewindow.cases.services import task_complete

    for task in case.tasks.filter(kind="review"):
        worker = city.approvers[task.department_id]
        task_claim(task=task, actor=worker)
        task.refresh_from_db()
        task_complete(task=task, actor=worker, outcome="approve", opinion="同意")
    assert [t.kind for t in task_queue_for_user(lead)] == ["decide"]
    assert list(task_queue_for_user(approver)) == []


def test_the_page_offers_papers_only_when_the_service_takes_them(city):
    from onewindow.cases.services import case_papers_may_arrive

    complete = case_accept(intake=city.intake(materials=city.receipts()))
    assert case_papers_may_arrive(complete) is False  # nothing outstanding
    Case.objects.filter(pk=complete.pk).update(state=CaseState.SUSPENDED)
    complete.refresh_from_db()
    assert case_papers_may_arrive(complete) is True  # a 补正 may ask for a paper again
    Case.objects.filter(pk=complete.pk).update(state=CaseState.DELIVERED)
    complete.refresh_from_db()
    assert case_papers_may_arrive(complete) is False
