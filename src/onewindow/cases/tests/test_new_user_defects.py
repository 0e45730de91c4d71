"""Defects a new user ran into at the window (issue 7, tried as a clerk): a 补正 deadline on a
Sunday, a receipt button for a case that has none, promised papers pre-ticked as arrived, and
"申请申请" in the SMS."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from onewindow.cases.forms import supplement_deadline_default
from onewindow.cases.models import CaseEvent
from onewindow.cases.notifications import message_for_event
from onewindow.cases.services import case_accept, case_request_supplement
from onewindow.cases.services.intake import MaterialReceipt
from onewindow.cases.services.tasks import task_claim
from onewindow.testing.factories import create_item

TZ = timezone.get_current_timezone()
DEFERRABLE = "房屋安全鉴定报告"


def test_the_default_supplement_deadline_is_five_working_days_not_a_sunday(db):
    # Tuesday 1 December 2026: five natural days is Sunday the 6th; five working days is
    # Tuesday the 8th.
    tuesday = dt.datetime(2026, 12, 1, 10, 0, tzinfo=TZ)
    assert supplement_deadline_default(tuesday) == dt.date(2026, 12, 8)
    # Over the National Day week (1–7 October 2026 off) it waits for the hall to open again.
    before_holiday = dt.datetime(2026, 9, 30, 10, 0, tzinfo=TZ)
    assert supplement_deadline_default(before_holiday).weekday() < 5
    assert supplement_deadline_default(before_holiday) > dt.date(2026, 10, 7)


def test_the_result_page_of_a_supplement_offers_its_notice_and_no_receipt(client, city):
    supplement = case_request_supplement(
        intake=city.intake(materials=city.receipts(**{"业主表决意见书": "missing"})),
        deadline=timezone.localdate() + dt.timedelta(days=10),
    )
    accepted = case_accept(intake=city.intake())
    client.force_login(city.clerk)
    page = client.get(reverse("cases_staff:intake_done", args=[supplement.number]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="print-receipt"' not in html and 'id="print-notice"' in html
    html = client.get(reverse("cases_staff:intake_done", args=[accepted.number])).content.decode()
    assert 'id="print-receipt"' in html and 'id="print-notice"' not in html


def test_papers_promised_under_rongque_are_not_pre_ticked_as_arrived(client, city):
    receipts = city.receipts(
        **{
            DEFERRABLE: MaterialReceipt(
                name=DEFERRABLE,
                status="deferred",
                due_date=timezone.localdate() + dt.timedelta(days=1),
            )
        }
    )
    case = case_accept(intake=city.intake(materials=receipts, promise_signed=True))
    client.force_login(city.clerk)
    html = client.get(reverse("cases_staff:case_detail", args=[case.number])).content.decode()
    boxes = re.findall(r'<input type="checkbox" name="papers"[^>]*>', html)
    assert f'<input type="checkbox" name="papers" value="{DEFERRABLE}">' in boxes
    assert [box for box in boxes if "checked" in box] == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("临时救助申请", "您的临时救助申请已受理"),
        ("既有住宅增设电梯", "您的既有住宅增设电梯申请已受理"),
    ],
)
def test_an_item_named_with_shenqing_is_not_doubled_in_the_chinese_sms(
    city, settings, name, expected
):
    settings.NOTIFY_LANGUAGE = "zh-hans"
    item = (
        create_item(name=name, department=city.lead_department)
        if name != "既有住宅增设电梯"
        else city.lift
    )
    case = case_accept(intake=city.intake(item=item, materials=city.receipts(item)))
    _code, text = message_for_event(CaseEvent.objects.get(case=case, action="accept"))
    assert text.startswith(expected)
    assert "申请申请" not in text


def test_the_staff_timeline_places_the_accept_at_the_centre_and_a_step_at_its_department(
    client, city
):
    # A new user saw "申请已受理 · 区住房和建设局" for a case accepted at a street centre.
    case = case_accept(intake=city.intake())
    task = case.tasks.filter(department=city.lead_department, state="open").first()
    assert task is not None
    task_claim(task=task, actor=city.approvers[city.lead_department.pk])
    client.force_login(city.clerk)
    html = client.get(reverse("cases_staff:case_detail", args=[case.number])).content.decode()
    timeline = html[html.index('id="timeline-heading"') :]
    accept = re.search(
        r'timeline__event--accept".*?<span class="timeline__dept">([^<]+)</span>', timeline, re.S
    )
    assert accept is not None and accept.group(1) == "街道中心"
    opened = re.search(
        r'timeline__event--task_claim.*?<span class="timeline__dept">([^<]+)</span>', timeline, re.S
    )
    assert opened is not None and opened.group(1) == "区住房和建设局"
