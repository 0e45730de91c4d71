"""The case page's "papers arrived at the window" box offers only the papers still outstanding
(容缺 promised, 补正 asked for), each checkbox laid on the line of its label."""

from __future__ import annotations

import datetime as dt
import re

from django.urls import reverse
from django.utils import timezone

from onewindow.cases.models import MaterialStatus
from onewindow.cases.services import MaterialReceipt, case_accept

DEFERRED = "房屋安全鉴定报告"
VOTES = "业主表决意见书"


def papers_box(html: str) -> str:
    found = re.search(r'<section[^>]*id="papers-arrived".*?</section>', html, re.S)
    assert found, "the papers box is shown"
    return found.group(0)


def test_the_box_lists_only_the_papers_still_outstanding(client, city):
    receipts = city.receipts(
        **{
            DEFERRED: MaterialReceipt(
                name=DEFERRED,
                status=MaterialStatus.DEFERRED,
                due_date=timezone.localdate() + dt.timedelta(days=2),
            )
        }
    )
    case = case_accept(intake=city.intake(materials=receipts, promise_signed=True))
    client.force_login(city.clerk)
    box = papers_box(client.get(reverse("cases_staff:case_detail", args=[case.number])).text)
    offered = re.findall(r'<input type="checkbox" name="papers" value="([^"]+)"', box)
    assert offered == [DEFERRED]
    assert VOTES not in box
    assert "(已收取)" not in box and "(Received)" not in box
    assert 'class="choice choice--check"' in box


def test_the_box_is_gone_once_every_paper_arrived(client, city):
    receipts = city.receipts(
        **{
            DEFERRED: MaterialReceipt(
                name=DEFERRED,
                status=MaterialStatus.DEFERRED,
                due_date=timezone.localdate() + dt.timedelta(days=2),
            )
        }
    )
    case = case_accept(intake=city.intake(materials=receipts, promise_signed=True))
    client.force_login(city.clerk)
    done = client.post(
        reverse("cases_staff:case_papers_arrived", args=[case.number]),
        {"revision": case.revision, "papers": [DEFERRED]},
    )
    assert done.status_code == 302
    page = client.get(reverse("cases_staff:case_detail", args=[case.number])).text
    assert 'id="papers-arrived"' not in page
