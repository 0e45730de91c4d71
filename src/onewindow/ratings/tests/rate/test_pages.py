"""The public rating pages: the form of a rating link in two steps (level, then aspects and
reasons), the thank-you page, the pages of an invalid, expired, used or closed link, rating from
the progress page and from the citizen's account; no 500 on bad input; bounded queries."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone, translation

from onewindow.cases.notifications import message_for_event
from onewindow.cases.services import case_accept
from onewindow.cases.tests.conftest import resident_id
from onewindow.citizens import services as citizen_services
from onewindow.citizens.models import CitizenAccount
from onewindow.citizens.tests.conftest import browser_sign_in
from onewindow.core.models import AuditLog
from onewindow.ratings.codes import Channel, Level
from onewindow.ratings.links import rating_path, rating_token
from onewindow.ratings.models import Rating, Rectification
from onewindow.ratings.tests.rate.conftest import PERSONAL, dims

BASE = "https://ow.example.cn"


def zh(text) -> str:
    with translation.override("zh-hans"):
        return str(text)


def link(case, channel=Channel.SMS, **kwargs) -> str:
    return rating_path(rating_token(case_id=case.pk, channel=channel, **kwargs))


def answers(level: int, occasion: str = "case", **extra):
    data = {"level": str(level), **{f"dim_{k}": str(v) for k, v in dims(occasion, level).items()}}
    data.update(extra)
    return data


def test_the_sms_of_a_delivered_case_ends_with_its_short_rating_link(delivered, settings):
    settings.PUBLIC_BASE_URL = BASE
    event = delivered.events.get(action="deliver")
    with translation.override("zh-hans"):
        _code, text = message_for_event(event)
    found = re.search(r"评价：(\S+)$", text)
    assert found is not None, text
    url = found.group(1)
    assert url.startswith(f"{BASE}/r/")
    assert delivered.query_code not in text
    assert len(url) <= len(BASE) + 3 + 45
    # An SMS of two segments (67 UCS-2 characters each).
    assert len(text) <= 134, (len(text), text)


def test_the_sms_of_an_accepted_case_keeps_the_progress_link(city, settings):
    settings.PUBLIC_BASE_URL = BASE
    case = case_accept(intake=city.intake())
    with translation.override("zh-hans"):
        _code, text = message_for_event(case.events.get(action="accept"))
    assert text.endswith(f"进度：{BASE}/p/{case.number}")


def test_the_form_names_what_is_rated_and_offers_five_big_levels(client, delivered):
    response = client.get(link(delivered))
    assert response.status_code == 200
    html = response.content.decode()
    assert "既有住宅增设电梯" in html
    assert delivered.number in html
    assert "街道中心" in html
    for value, label in Level.choices:
        assert f'name="level" value="{value}"' in html
        assert zh(label) in html
    assert 'name="dim_' not in html
    for value in [*PERSONAL, resident_id(), delivered.query_code]:
        assert value not in html
    assert (
        response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
    )


def test_after_the_level_the_form_shows_the_aspects_and_that_levels_reasons(client, delivered):
    html = client.get(link(delivered) + "?level=1").content.decode()
    for code in ("overall", "efficiency", "guide", "convenience", "usability"):
        assert f'name="dim_{code}" value="1" checked' in html
    assert 'name="option" value="slow"' in html
    assert 'name="option" value="fast"' not in html
    html = client.get(link(delivered) + "?level=5").content.decode()
    assert 'name="option" value="fast"' in html
    assert 'name="option" value="slow"' not in html


def test_sending_the_form_stores_the_rating_and_thanks(client, delivered):
    data = answers(1, option=["slow", "more_visits"], comment="跑了三次")
    response = client.post(link(delivered), data)
    assert response.status_code == 302
    assert response["Location"] == "/rate/thanks/?bad=1"
    rating = Rating.objects.get()
    assert (rating.channel, rating.level, rating.options, rating.comment) == (
        "sms",
        1,
        ["slow", "more_visits"],
        "跑了三次",
    )
    assert Rectification.objects.filter(rating=rating).count() == 1
    # The 差评 is told of the call-back; a good rating is thanked only.
    assert "一个工作日内" in client.get("/rate/thanks/?bad=1").content.decode()
    assert "一个工作日内" not in client.get("/rate/thanks/").content.decode()
    # The link is used now: a clear page, not the form, and nothing more stored.
    again = client.get(link(delivered))
    assert again.status_code == 409
    assert 'data-state="used"' in again.content.decode()
    assert client.post(link(delivered), answers(5)).status_code == 409
    assert Rating.objects.count() == 1


def test_wrong_answers_come_back_with_every_message_and_nothing_stored(client, delivered):
    data = answers(2, option=["fast"], comment="x" * 501)
    data["dim_guide"] = "9"
    response = client.post(link(delivered), data)
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="rate-error"' in html
    with translation.override("zh-hans"):
        from onewindow.ratings.services.rate import INVALID_MESSAGE

        assert str(INVALID_MESSAGE) in html
    assert html.count('class="field-error"') == 3  # the aspect, the reason, the comment
    assert "x" * 501 in html  # what was typed is kept
    assert Rating.objects.count() == 0


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"level": "abc"},
        {"level": "1" * 50, "dim_overall": "\x00"},
        {"level": "5", "dim_" + "x" * 300: "5", "option": ["\x00" * 100] * 50},
        {"level": "-1", "comment": "\x01"},
    ],
)
def test_junk_is_refused_with_422_never_a_500(client, delivered, data):
    response = client.post(link(delivered), data)
    assert response.status_code == 422
    assert Rating.objects.count() == 0


def test_an_invalid_link_and_a_link_to_no_case_get_the_same_page(client, delivered):
    token = rating_token(case_id=delivered.pk, channel=Channel.SMS)
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    missing = rating_token(case_id=delivered.pk + 999, channel=Channel.SMS)
    pages = [client.get(f"/r/{t}") for t in (tampered, missing, "x", "a.b.c.d.e", "é" * 10)]
    assert [p.status_code for p in pages] == [404] * 5
    # The same answer (the page's own address aside: the language links carry it).
    bodies = {
        re.search(r'<section class="rate-state.*?</section>', p.content.decode(), re.S).group(0)
        for p in pages
    }
    assert len(bodies) == 1
    assert 'data-state="invalid"' in bodies.pop()
    assert client.post(f"/r/{missing}", answers(1)).status_code == 404
    assert Rating.objects.count() == 0


def test_an_expired_link_says_so(client, delivered, settings):
    settings.RATING_PERIOD_DAYS = 7
    old = timezone.now() - dt.timedelta(days=8, seconds=1)
    token = rating_token(case_id=delivered.pk, channel=Channel.SMS, now=old)
    response = client.get(f"/r/{token}")
    assert response.status_code == 410
    assert 'data-state="expired"' in response.content.decode()


def test_a_case_past_its_period_or_not_completed_has_its_own_page(client, delivered, city):
    type(delivered).objects.filter(pk=delivered.pk).update(
        delivered_at=timezone.now() - dt.timedelta(days=30)
    )
    response = client.get(link(delivered))
    assert response.status_code == 410
    assert 'data-state="closed"' in response.content.decode()
    accepted = case_accept(intake=city.intake())
    response = client.get(link(accepted))
    assert response.status_code == 409
    assert 'data-state="not_yet"' in response.content.decode()
    assert client.post(link(accepted), answers(5)).status_code == 409
    assert Rating.objects.count() == 0


def test_public_posts_are_limited_per_address(client, delivered, settings):
    settings.RATING_POSTS_PER_MINUTE = 2
    address = {"REMOTE_ADDR": "203.0.113.77"}
    codes = [client.post(link(delivered), {"level": "x"}, **address).status_code for _ in range(3)]
    assert codes == [422, 422, 429]
    assert AuditLog.objects.filter(action="denied:ratings.too_many_posts").count() == 1


def test_the_form_costs_a_bounded_number_of_queries(
    client, delivered, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        assert client.get(link(delivered) + "?level=3").status_code == 200


def test_the_progress_page_offers_the_rating_after_the_code_matched(client, delivered):
    before = client.get(f"/progress/?number={delivered.number}").content.decode()
    assert "progress-rate-link" not in before
    html = client.post(
        "/progress/", {"number": delivered.number, "code": delivered.query_code}
    ).content.decode()
    found = re.search(r'id="progress-rate-link" href="([^"]+)"', html)
    assert found is not None
    assert client.post(found.group(1), answers(4)).status_code == 302
    assert Rating.objects.get().channel == "progress"
    html = client.post(
        "/progress/", {"number": delivered.number, "code": delivered.query_code}
    ).content.decode()
    assert "progress-rate-link" not in html


def _signed_in(client, city) -> CitizenAccount:
    browser_sign_in(client, phone="13800138000")
    account = CitizenAccount.objects.get()
    citizen_services.real_name_bind(account=account, id_number=resident_id(), name="陈大文")
    account.refresh_from_db()
    return account


def test_a_signed_in_citizen_rates_their_case_from_my_cases(client, delivered, city):
    _signed_in(client, city)
    html = client.get("/my/").content.decode()
    found = re.search(rf'href="([^"]+)" data-rate="{delivered.number}"', html)
    assert found is not None and found.group(1) == f"/my/ratings/{delivered.number}/"
    assert client.get(found.group(1)).status_code == 200
    response = client.post(found.group(1), answers(5, option=["fast"]))
    assert response.status_code == 302
    rating = Rating.objects.get()
    assert (rating.channel, rating.level, rating.case_id) == ("account", 5, delivered.pk)


def test_an_account_cannot_rate_somebody_elses_case(client, delivered, city):
    browser_sign_in(client)  # not bound: the case is not theirs
    for method in (client.get, client.post):
        response = method(f"/my/ratings/{delivered.number}/", answers(1))
        assert response.status_code == 404
    assert client.get("/my/ratings/NO-SUCH/").status_code == 404
    assert Rating.objects.count() == 0
    assert AuditLog.objects.filter(action="denied:ratings.account_rate").count() == 3


def test_rating_from_an_account_needs_a_sign_in(client, delivered):
    response = client.get(f"/my/ratings/{delivered.number}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/my/sign-in/?next=")


def test_the_receipt_of_a_visit_carries_a_second_qr_code_for_rating_it(instant_case, settings):
    from onewindow.cases.receipts import rating_qr_text

    settings.PUBLIC_BASE_URL = BASE
    event = instant_case.events.get(action="complete_instant")
    text = rating_qr_text(case=instant_case)
    token = rating_token(
        case_id=instant_case.pk, channel=Channel.QR, event_id=event.pk, now=event.at
    )
    assert text == f"{BASE}/r/{token}"
    assert instant_case.query_code not in text
    # Made "at" the visit: the same receipt prints the same code (the receipt cache).
    assert rating_qr_text(case=instant_case) == text


def test_the_receipts_qr_code_opens_the_on_site_form_of_that_visit(client, instant_case):
    from onewindow.cases.receipts import rating_qr_text

    path = rating_qr_text(case=instant_case).split("://", 1)[1].split("/", 1)[1]
    html = client.get(f"/{path}?level=4").content.decode()
    for code in ("overall", "service_efficiency", "competence", "attitude"):
        assert f'name="dim_{code}" value="4" checked' in html
    assert 'name="dim_usability"' not in html
    assert 'name="option" value="polite"' in html
    data = {"level": "4", **{f"dim_{k}": "4" for k in dims("visit", 4)}, "option": ["polite"]}
    assert client.post(f"/{path}", data).status_code == 302
    event = instant_case.events.get(action="complete_instant")
    rating = Rating.objects.get()
    assert (rating.channel, rating.occasion_key) == ("qr", f"visit:{instant_case.pk}:{event.pk}")


def test_a_company_that_is_no_id_or_not_the_citizens_answers_404_and_rates_nothing(
    client, delivered, city
):
    _signed_in(client, city)
    for company in ("²", "99999999999", "x", "123456"):
        url = f"/my/ratings/{delivered.number}/?company={company}"
        assert client.get(url).status_code == 404, company
        assert client.post(url, answers(1)).status_code == 404, company
    assert Rating.objects.count() == 0
