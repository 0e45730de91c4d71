"""The ways to the progress page (#7, point 16): the public home, the header and the footer link
to it, and every case SMS ends with its short link ``/p/<number>`` — the number, never the
query code — which opens the page with the number filled in."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone, translation

from onewindow.cases.models import CaseEvent, LookupCounter, MaterialStatus
from onewindow.cases.notifications import MESSAGES, WITH_LINK, message_for_event
from onewindow.cases.services import (
    case_accept,
    case_refuse_at_intake,
    case_request_supplement,
)

BASE = "https://ywt.example.gov.cn"


@pytest.fixture(autouse=True)
def _public_base(settings):
    settings.PUBLIC_BASE_URL = BASE
    settings.NOTIFY_LANGUAGE = "zh-hans"


def links_to(html: str, href: str) -> list[str]:
    """The class (or "") of every ``<a>`` pointing at ``href``."""
    return [
        (match.group("cls") or "")
        for match in re.finditer(
            r'<a(?: class="(?P<cls>[^"]*)")?(?: id="[^"]*")? href="' + re.escape(href) + '"',
            html,
        )
    ]


def footer(html: str) -> str:
    return html[html.index('<footer class="site-footer">') :]


def test_the_public_home_links_to_the_progress_page_in_its_body_header_and_footer(client, city):
    html = client.get("/").content.decode()
    assert links_to(html, "/progress/") == ["site-progress-link", "button", ""]
    assert '<a class="button" id="home-progress-link" href="/progress/">办件进度查询</a>' in html
    assert '<a class="site-progress-link" href="/progress/">办件进度查询</a>' in html
    assert '<li><a href="/progress/">办件进度查询</a></li>' in footer(html)
    english = client.get("/en/").content.decode()
    assert links_to(english, "/en/progress/") == ["site-progress-link", "button", ""]
    assert "Check case progress</a>" in english


def test_other_public_pages_have_the_header_and_footer_link(client, city):
    for path in ("/progress/", "/power-list/"):
        html = client.get(path).content.decode()
        assert links_to(html, "/progress/").count("site-progress-link") == 1
        assert '<li><a href="/progress/">办件进度查询</a></li>' in footer(html)


def test_the_progress_page_carries_no_inline_script_or_style(client, city):
    case = case_accept(intake=city.intake())
    html = client.get(
        "/progress/", {"number": case.number, "code": case.query_code}
    ).content.decode()
    assert re.findall(r"<script(?![^>]*\ssrc=)[^>]*>", html) == []
    assert "<style" not in html
    assert " style=" not in html


def test_the_short_link_opens_the_page_with_the_number_filled_in(client, city):
    case = case_accept(intake=city.intake())
    response = client.get(f"/p/{case.number}")
    assert response.status_code == 302
    assert response["Location"] == f"/progress/?number={case.number}"
    assert response["Referrer-Policy"] == "no-referrer"
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert f'maxlength="40" required value="{case.number}">' in html
    # The code field waits, focused; no look-up ran and no failure was counted.
    assert 'required value="" autofocus>' in html
    assert 'class="message message--error' not in html
    assert "progress-card" not in html
    assert LookupCounter.objects.count() == 0


def test_the_short_link_answers_the_same_for_a_number_that_does_not_exist(client, city):
    response = client.get("/p/4401999999999999999")
    assert (response.status_code, response["Location"]) == (
        302,
        "/progress/?number=4401999999999999999",
    )


def test_the_english_short_link_opens_the_english_page(client, city):
    response = client.get("/en/p/4401042026120100001")
    assert response["Location"] == "/en/progress/?number=4401042026120100001"


def test_a_short_link_too_long_or_with_control_characters_is_not_found(client, city):
    assert client.get("/p/" + "1" * 41).status_code == 404
    # A control character is refused at the edge of every page (core.validation), as a 400.
    assert client.get("/p/44010%0142026").status_code == 400
    assert client.get("/p/%20").status_code == 404


def test_every_sms_ends_with_the_short_link_and_never_puts_the_code_in_it(city):
    wanting = city.receipts(**{"业主表决意见书": MaterialStatus.MISSING})
    deadline = timezone.localdate() + dt.timedelta(days=10)
    cases = [
        case_accept(intake=city.intake()),
        case_request_supplement(intake=city.intake(materials=wanting), deadline=deadline),
        case_refuse_at_intake(intake=city.intake(), reasons="不属于本机关职权范围"),
    ]
    for case in cases:
        event = CaseEvent.objects.filter(case=case, public=True).order_by("at", "id").first()
        _template, text = message_for_event(event)
        link = f"{BASE}/p/{case.number}"
        assert text.endswith(f"进度：{link}")
        assert case.query_code not in text.split("进度：")[1]
    accepted = cases[0]
    _code, text = message_for_event(accepted.events.get(action="accept"))
    due = timezone.localtime(accepted.due_at).date().isoformat()
    assert text == (
        f"您的既有住宅增设电梯申请已受理，办件号{accepted.number}，承诺{due}前办结。"
        f"查询码{accepted.query_code}。进度：{BASE}/p/{accepted.number}"
    )


def test_with_the_link_every_sms_text_fits_in_two_segments():
    """A long SMS is cut into 67-character segments (UCS-2): with a 19-digit number, a 6-character
    code, a 10-character item name and a 26-character base address, every text with its link
    stays within two (134 characters)."""
    number = "4401042026120100001"
    values = {
        "item": "城乡居民养老保险待遇",
        "number": number,
        "code": "ABC234",
        "date": "2026-12-31",
        "deadline": "2026-12-31",
        "centre": "区政务服务中心",
    }
    with translation.override("zh-hans"):
        lengths = {
            code: len(
                str(WITH_LINK) % {"message": str(text) % values, "link": f"{BASE}/p/{number}"}
            )
            for code, text in MESSAGES.items()
        }
    assert max(lengths.values()) <= 134, lengths
