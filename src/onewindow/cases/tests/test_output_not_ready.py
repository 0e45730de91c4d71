"""The output desk on a case with no result waiting: it says the case's state and what is still
missing, within the clerk's own output centres only (another centre's case: as if missing)."""

from __future__ import annotations

import datetime as dt
import re

from django.urls import reverse
from django.utils import timezone

from onewindow.cases.models import MaterialStatus
from onewindow.cases.services import MaterialReceipt, case_accept, case_request_supplement
from onewindow.cases.tests.conftest import resident_id
from onewindow.core.models import AuditLog
from onewindow.org.models import Role
from onewindow.testing.factories import staff_with_role

DEFERRED = "房屋安全鉴定报告"
FIND = reverse("cases_staff:output_find")


def not_ready_section(html: str) -> str:
    match = re.search(r'<section class="panel output-not-ready".*?</section>', html, re.S)
    assert match, html
    return re.sub(r"\s+", " ", match.group(0))


def accepted_with_deferred_paper(city):
    due = timezone.localdate() + dt.timedelta(days=3)
    receipts = city.receipts(
        **{DEFERRED: MaterialReceipt(name=DEFERRED, status=MaterialStatus.DEFERRED, due_date=due)}
    )
    return case_accept(intake=city.intake(materials=receipts, promise_signed=True)), due


def test_a_case_being_approved_says_when_it_is_promised_and_the_papers_due(client, city):
    case, due = accepted_with_deferred_paper(city)
    client.force_login(city.output_clerk)
    answer = client.post(FIND, {"q": case.number})
    assert answer.status_code == 200
    html = answer.content.decode()
    assert 'class="panel output-case"' not in html  # nothing to hand over
    section = not_ready_section(html)
    promised = timezone.localtime(case.due_at).date().isoformat()
    assert f'id="not-ready-{case.number}"' in section
    assert '<strong class="state state--accepted">已受理，办理中</strong>' in section
    assert f"审批中，预计 {promised} 办结。" in section
    assert f"{DEFERRED} (容缺，须于 {due.isoformat()} 前补交)" in section
    assert "既有住宅增设电梯申请表" not in section  # received papers are not listed


def test_a_case_waiting_for_supplement_says_so_with_the_papers_and_the_deadline(client, city):
    deadline = timezone.localdate() + dt.timedelta(days=10)
    receipts = city.receipts(**{"业主表决意见书": MaterialStatus.MISSING})
    case = case_request_supplement(intake=city.intake(materials=receipts), deadline=deadline)
    client.force_login(city.output_clerk)
    section = not_ready_section(client.post(FIND, {"q": case.number}).content.decode())
    assert f"尚未受理：待补正，请于 {deadline.isoformat()} 前补齐材料。" in section
    assert '<strong class="state state--supplement_requested">待补正（未受理）</strong>' in section
    assert "<li>业主表决意见书 (缺少)</li>" in section
    assert DEFERRED not in section


def test_an_id_card_search_lists_the_persons_cases_not_ready(client, city):
    accepted, _due = accepted_with_deferred_paper(city)
    receipts = city.receipts(**{"业主表决意见书": MaterialStatus.MISSING})
    waiting = case_request_supplement(
        intake=city.intake(materials=receipts),
        deadline=timezone.localdate() + dt.timedelta(days=10),
    )
    client.force_login(city.output_clerk)
    html = client.post(FIND, {"q": resident_id()}).content.decode()
    section = not_ready_section(html)
    assert f'id="not-ready-{accepted.number}"' in section
    assert f'id="not-ready-{waiting.number}"' in section
    assert resident_id() not in html and "陈大文" not in html


def test_another_centres_case_answers_like_a_missing_number(client, city):
    case, _due = accepted_with_deferred_paper(city)
    elsewhere = staff_with_role(Role.OUTPUT_CLERK, centre=city.hall)
    client.force_login(elsewhere)
    html = client.post(FIND, {"q": case.number}).content.decode()
    missing = "4401032099010199999"
    html_missing = client.post(FIND, {"q": missing}).content.decode()
    assert "output-not-ready" not in html and "output-not-ready" not in html_missing
    strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
    assert strip.sub("", html).replace(case.number, "N") == strip.sub("", html_missing).replace(
        missing, "N"
    )
    # Both probes audited as refusals, with the same row but for the number typed.
    rows = [
        (r.actor_id, r.action, r.allowed, r.object_type, r.object_id, r.object_repr, r.detail)
        for r in AuditLog.objects.filter(allowed=False).order_by("pk")
    ]
    assert rows == [
        (
            elsewhere.pk,
            "denied:case.deliver",
            False,
            "cases.case",
            "",
            "",
            {"number": number, "reason": "not_found_or_not_yours"},
        )
        for number in (case.number, missing)
    ]


def test_a_case_found_at_the_clerks_own_centre_writes_no_refusal(client, city):
    case, _due = accepted_with_deferred_paper(city)
    client.force_login(city.output_clerk)
    assert "output-not-ready" in client.post(FIND, {"q": case.number}).content.decode()
    assert not AuditLog.objects.filter(allowed=False).exists()


def test_a_case_sent_back_for_papers_by_the_department_says_what_was_asked(client, city):
    from onewindow.cases.models import TaskOutcome
    from onewindow.cases.services import task_claim, task_complete

    case, _due = accepted_with_deferred_paper(city)
    department = city.joint_departments[0]
    task = case.tasks.get(kind="review", department=department)
    task_claim(task=task, actor=city.approvers[department.pk])
    task.refresh_from_db()
    task_complete(
        task=task,
        actor=city.approvers[department.pk],
        outcome=TaskOutcome.RETURN_FOR_SUPPLEMENT,
        opinion="请补充结构图纸",
    )
    client.force_login(city.output_clerk)
    section = not_ready_section(client.post(FIND, {"q": case.number}).content.decode())
    today = timezone.localdate().isoformat()
    assert f"已暂停：部门于 {today} 要求补正（待补正）：请补充结构图纸" in section
