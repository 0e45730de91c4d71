"""A colleague acted first: the case page and the queue row answer "this case changed" on a
panel drawn afresh, never an unrelated refusal or an empty answer."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from onewindow.cases.models import TaskOutcome
from onewindow.cases.services import case_accept, task_assign, task_claim, task_complete
from onewindow.org.models import Role
from onewindow.testing.factories import staff_with_role

CHANGED_ZH = (
    "此办件已在别处更新（可能是同事，或您在另一个页面）。页面现已显示其最新状态，请核对后再操作。"
)
CHANGED_EN = (
    "This case was updated elsewhere while your page was open (perhaps by a colleague, or by "
    "you in another page). The page now shows it as it is; check it before you act again."
)


@pytest.fixture
def two_approvers(city):
    """The lead department's approver and a colleague, and a lift case with its review open."""
    case = case_accept(intake=city.intake())
    department = city.lead_department
    colleague = staff_with_role(Role.DEPT_APPROVER, department=department)
    task = case.tasks.get(kind="review", department=department)
    return case, task, city.approvers[department.pk], colleague


def revision_on_page(html: str, task_id: int, action: str) -> str:
    match = re.search(
        rf'action="[^"]*/{task_id}/{action}/"[^>]*>\s*<input[^>]*>\s*'
        r'<input type="hidden" name="revision" value="(\d+)">',
        html,
    )
    assert match, html
    return match.group(1)


def test_a_claim_on_a_page_drawn_before_a_colleague_finished_says_the_case_changed(
    client, two_approvers
):
    case, task, approver, colleague = two_approvers
    client.force_login(approver)
    url = reverse("cases_staff:case_detail", args=[case.number])
    page = client.get(url).content.decode()
    revision = revision_on_page(page, task.pk, "claim")

    # The colleague claims and approves meanwhile.
    task_claim(task=task, actor=colleague)
    task.refresh_from_db()
    task_complete(task=task, actor=colleague, outcome=TaskOutcome.APPROVE, opinion="同意")

    claim_url = reverse("cases_staff:case_task_claim", args=[case.number, task.pk])
    assert f'action="{claim_url}"' in page
    answer = client.post(claim_url, {"revision": revision})
    html = answer.content.decode()
    assert answer.status_code == 409
    summary = re.search(
        r'<div class="message message--error staff-error"[^>]*>.*?</div>', html, re.S
    )
    assert summary, html
    assert 'id="error-summary" autofocus' in summary.group(0)
    assert CHANGED_ZH in summary.group(0) and CHANGED_EN in summary.group(0)
    # The panel is drawn afresh: no claim of the finished task is offered any more.
    assert f'action="{claim_url}"' not in html
    assert f'id="task-action-{task.pk}"' not in html


def test_an_opinion_sent_from_a_stale_page_keeps_the_typed_text_and_says_the_case_changed(
    client, two_approvers
):
    case, task, approver, colleague = two_approvers
    task_claim(task=task, actor=approver)
    client.force_login(approver)
    page = client.get(reverse("cases_staff:case_detail", args=[case.number])).content.decode()
    revision = revision_on_page(page, task.pk, "complete")
    # The colleague takes the task over (a hand-over) and approves it.
    task.refresh_from_db()
    task_assign(task=task, actor=colleague, assignee=colleague)
    task.refresh_from_db()
    task_complete(task=task, actor=colleague, outcome=TaskOutcome.APPROVE, opinion="同意")

    answer = client.post(
        reverse("cases_staff:case_task_complete", args=[case.number, task.pk]),
        {"revision": revision, "outcome": "reject", "opinion": "不同意：图纸不全"},
    )
    html = answer.content.decode()
    assert answer.status_code == 409
    assert CHANGED_ZH in html
    assert "请先认领" not in html and "Claim the task before you work it" not in html
    task.refresh_from_db()
    assert (task.outcome, task.assignee_id) == (TaskOutcome.APPROVE, colleague.pk)


def test_the_queue_row_of_a_task_a_colleague_finished_says_so_with_a_link(client, two_approvers):
    case, task, approver, colleague = two_approvers
    client.force_login(approver)
    queue = client.get(reverse("cases_staff:queue")).content.decode()
    assert f'id="task-{task.pk}"' in queue
    revision = revision_on_page(queue, task.pk, "claim")
    task_claim(task=task, actor=colleague)
    task.refresh_from_db()
    task_complete(task=task, actor=colleague, outcome=TaskOutcome.APPROVE, opinion="同意")

    answer = client.post(
        reverse("cases_staff:queue_claim", args=[task.pk]),
        {"revision": revision},
        HTTP_HX_REQUEST="true",
    )
    html = answer.content.decode()
    assert answer.status_code == 200  # htmx swaps only a 2xx answer
    assert html.startswith(f'<tr id="task-{task.pk}" class="queue-row queue-row--gone">')
    assert CHANGED_ZH in html and CHANGED_EN in html
    assert reverse("cases_staff:case_detail", args=[case.number]) in html
    assert "<form" not in html
