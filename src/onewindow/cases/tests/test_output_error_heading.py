"""A refused hand-over at the output desk is headed by what is missing, not by a sentence that
reads as if the result were not ready."""

from __future__ import annotations

import re

from django.urls import reverse

from onewindow.cases.services import case_complete_instant
from onewindow.cases.transitions import CaseState


def error_summary(html: str) -> str:
    found = re.search(r'<div class="message message--error staff-error".*?</div>', html, re.S)
    assert found, "the error summary is shown"
    return found.group(0)


def test_a_hand_over_without_the_id_check_is_headed_by_the_id_check(client, city):
    case = case_complete_instant(intake=city.intake(item=city.instant, window=city.instant_window))
    client.force_login(city.output_clerk)
    response = client.post(
        reverse("cases_staff:output_deliver", args=[case.number]),
        {"method": "window", "revision": case.revision},
    )
    assert response.status_code == 422
    summary = error_summary(response.content.decode())
    assert (
        '<p><span lang="zh-Hans">请核验领取人的身份证，或代领人的书面授权委托书。</span><br>'
        '<span lang="en" class="en">Check the collector&#x27;s ID card, or a proxy&#x27;s '
        "written authorisation.</span></p>"
    ) in summary
    assert "暂不能出件" not in summary and "cannot be handed over yet" not in summary
    assert "<li>" not in summary  # the one failed check is the heading, not repeated below
    case.refresh_from_db()
    assert case.state == CaseState.DECIDED


def test_a_post_hand_over_without_a_tracking_number_is_headed_by_it(client, city):
    case = case_complete_instant(intake=city.intake(item=city.instant, window=city.instant_window))
    client.force_login(city.output_clerk)
    response = client.post(
        reverse("cases_staff:output_deliver", args=[case.number]),
        {"method": "post", "revision": case.revision},
    )
    assert response.status_code == 422
    summary = error_summary(response.content.decode())
    assert "Enter the postal tracking number." in summary
    assert "暂不能出件" not in summary
