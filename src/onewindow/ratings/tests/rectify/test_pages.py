"""The staff pages of the loop: who sees what, the moves through the forms, the masked phone
and its audited reveal, "my ratings" without the rater, the appeal review, and query counts
that do not grow with the rows."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from onewindow.core.models import AuditLog
from onewindow.org.models import Role
from onewindow.ratings.models import Rating, Rectification
from onewindow.ratings.services import rectify
from onewindow.ratings.tests.rectify.conftest import fresh, rating_of
from onewindow.testing.factories import staff_with_role

pytestmark = pytest.mark.django_db
QUEUE = "/staff/ratings/rectifications/"
MINE = "/staff/ratings/mine/"
APPEALS = "/staff/ratings/appeals/"


def page(url: str) -> str:
    return f"/staff/ratings/rectifications/{url}/"


def text(response) -> str:
    return response.content.decode()


def numbers(html: str) -> list[str]:
    return re.findall(r'<tr class="light-row--\w+" data-number="(\w+)">', html)


def verify(r, actor):
    rectify.rectification_verify(
        rectification=r,
        actor=actor,
        callback_result="reached",
        finding="属实",
        expected_revision=fresh(r).revision,
    )


def test_the_queue_is_the_scope_of_the_user(client, bad, lead, manager, other_lead, city):
    client.force_login(lead)
    html = text(client.get(QUEUE))
    assert numbers(html) == [bad.number]
    assert 'data-deadline="callback"' in html
    client.force_login(manager)
    assert numbers(text(client.get(QUEUE))) == [bad.number]
    client.force_login(other_lead)
    assert numbers(text(client.get(QUEUE))) == []
    client.force_login(city.clerk)
    assert client.get(QUEUE).status_code == 403
    client.logout()
    assert client.get(QUEUE)["Location"].startswith("/staff/sign-in/")


def test_the_filters_and_the_indicators(client, bad, lead, instant_case):
    late = Rectification.objects.get(rating=rating_of(instant_case, 2, key="late"))
    # Its call-back's deadline passed an hour ago.
    Rectification.objects.filter(pk=late.pk).update(
        callback_due_at=timezone.now() - dt.timedelta(hours=1)
    )
    done = Rectification.objects.get(rating=rating_of(instant_case, 1, key="done"))
    verify(done, lead)
    rectify.rectification_explain(
        rectification=done, actor=lead, explanation="已说明", expected_revision=fresh(done).revision
    )
    client.force_login(lead)
    assert numbers(text(client.get(QUEUE, {"show": "overdue"}))) == [late.number]
    assert numbers(text(client.get(QUEUE, {"show": "closed"}))) == [done.number]
    html = text(client.get(QUEUE, {"show": "nonsense"}))
    assert numbers(html) == [late.number, bad.number]  # nearest deadline first
    figures = dict(re.findall(r'<dd data-figure="(\w+)">([^<]*)', html))
    assert figures == {
        "bad": "3",
        "rectified": "1",
        "upheld": "0",
        "rectified_rate": "33.3 % ",
        "callback_rate": "33.3 % ",
        "overdue": "1",
    }
    assert '<span class="small">目标 100 %</span>' in html


def test_the_queue_costs_the_same_queries_for_3_or_12_rows(
    client, lead, instant_case, django_assert_max_num_queries
):
    client.force_login(lead)
    for i in range(3):
        rating_of(instant_case, 1, key=f"q{i}")
    client.get(QUEUE)
    with django_assert_max_num_queries(8) as few:
        client.get(QUEUE)
    for i in range(3, 12):
        rating_of(instant_case, 1, key=f"q{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(QUEUE)
    assert len(numbers(text(response))) == 12


def test_the_detail_shows_the_rating_and_only_the_moves_allowed_now(
    client, bad, lead, other_lead, manager, city
):
    rating = Rating.objects.get(pk=bad.rating_id)
    rating.comment = "等了一个小时"
    rating.options = ["wait_long", "attitude"]
    rating.dimensions = {"overall": 1, "attitude": 1}
    rating.occasion = "visit"
    rating.save()
    client.force_login(lead)
    html = text(client.get(page(bad.number)))
    assert "等了一个小时" in html
    assert rating.case_number in html
    assert "陈大文" in html and "138****8000" in html and "13800138000" not in html
    assert re.findall(r'id="move-(\w+)"', html) == ["verify"]
    client.force_login(other_lead)
    assert client.get(page(bad.number)).status_code == 404
    assert client.get(page("ZG-nothing")).status_code == 404
    client.force_login(city.clerk)
    assert client.get(page(bad.number)).status_code == 404
    verify(bad, lead)
    client.force_login(manager)
    assert re.findall(r'id="move-(\w+)"', text(client.get(page(bad.number)))) == [
        "fix_now",
        "ledger",
        "explain",
    ]


def test_a_move_through_its_form_and_its_errors(client, bad, lead, other_lead):
    client.force_login(lead)
    url = page(bad.number) + "do/verify/"
    response = client.post(
        url, {"revision": bad.revision, "callback_result": "reached", "finding": ""}
    )
    assert response.status_code == 422
    html = text(response)
    assert "回访未登记，请更正标出的内容。" in html
    assert "请填写回访核实情况（发生了什么，评价人怎么说）。" in html
    response = client.post(url, {"callback_result": "reached", "finding": "属实"})
    assert response.status_code == 409
    assert "该整改单已被他人修改，请刷新页面核对后再操作。" in text(response)
    assert fresh(bad).state == "callback"
    client.force_login(other_lead)
    assert (
        client.post(
            url, {"revision": bad.revision, "callback_result": "reached", "finding": "x"}
        ).status_code
        == 404
    )
    assert client.post(page(bad.number) + "do/nonsense/", {}).status_code == 404
    client.force_login(lead)
    response = client.post(
        url, {"revision": bad.revision, "callback_result": "reached", "finding": "属实"}
    )
    assert response["Location"] == page(bad.number)
    assert fresh(bad).state == "verified"


def test_the_phone_is_revealed_to_call_and_the_reveal_is_audited(client, bad, lead, other_lead):
    client.force_login(other_lead)
    assert client.post(page(bad.number) + "reveal-phone/").status_code == 404
    assert not AuditLog.objects.filter(action="applicants.person_reveal").exists()
    client.force_login(lead)
    html = text(client.post(page(bad.number) + "reveal-phone/"))
    assert '<span class="mono phone" data-phone>13800138000</span>' in html
    row = AuditLog.objects.get(action="applicants.person_reveal")
    assert row.actor == lead
    assert (row.detail["field"], row.detail["purpose"]) == ("phone", rectify.CALLBACK_PURPOSE)
    assert row.detail["case_number"] == bad.rating.case_number


def test_my_ratings_never_name_the_rater_and_carry_the_appeal(client, bad, lead, city, manager):
    rating = Rating.objects.get(pk=bad.rating_id)
    rating.comment = "态度不好"
    rating.save()
    client.force_login(city.clerk)
    html = text(client.get(MINE))
    assert "态度不好" in html
    for never in (
        "陈大文",
        "138****8000",
        "13800138000",
        rating.case_number,
        city.person.id_number_masked,
    ):
        assert never not in html
    assert 'class="stack appeal-form"' not in html  # not verified yet
    verify(bad, lead)
    html = text(client.get(MINE))
    assert f'action="/staff/ratings/mine/{rating.pk}/appeal/"' in html
    response = client.post(
        f"/staff/ratings/mine/{rating.pk}/appeal/", {"revision": fresh(bad).revision, "reason": ""}
    )
    assert response.status_code == 422
    assert "请填写申诉理由（窗口当时的情况）。" in text(response)
    response = client.post(
        f"/staff/ratings/mine/{rating.pk}/appeal/",
        {"revision": fresh(bad).revision, "reason": "恶意差评"},
    )
    assert response["Location"] == MINE
    assert fresh(bad).state == "appealed"
    # Another clerk of the centre, not rated in it: the one 404.
    client.force_login(city.output_clerk)
    assert (
        client.post(
            f"/staff/ratings/mine/{rating.pk}/appeal/", {"revision": 1, "reason": "x"}
        ).status_code
        == 404
    )
    client.force_login(manager)
    html = text(client.get(APPEALS))
    assert f'data-number="{bad.number}"' in html and "恶意差评" in html
    assert re.findall(r'id="move-(\w+)"', text(client.get(page(bad.number)))) == [
        "uphold_appeal",
        "reject_appeal",
    ]
    client.force_login(lead)
    assert client.get(APPEALS).status_code == 403
    client.force_login(staff_with_role(Role.AUDITOR))
    assert client.get(MINE).status_code == 403


def test_the_lists_cost_the_same_queries_for_more_rows(
    client, city, manager, lead, instant_case, django_assert_max_num_queries
):
    for i in range(2):
        r = Rectification.objects.get(rating=rating_of(instant_case, 1, key=f"a{i}"))
        verify(r, lead)
    client.force_login(city.clerk)
    client.get(MINE)
    with django_assert_max_num_queries(8) as few:
        client.get(MINE)
    for i in range(2, 8):
        r = Rectification.objects.get(rating=rating_of(instant_case, 1, key=f"a{i}"))
        verify(r, lead)
        rectify.rectification_appeal(
            rectification=r, actor=city.clerk, reason="x", expected_revision=fresh(r).revision
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert text(client.get(MINE)).count('class="panel rating rating--1"') == 8
    client.force_login(manager)
    client.get(APPEALS)
    with django_assert_max_num_queries(7):
        assert text(client.get(APPEALS)).count("<tr data-number=") == 6


def test_the_detail_costs_the_same_queries_for_a_longer_timeline(
    client, bad, lead, django_assert_max_num_queries
):
    client.force_login(lead)
    client.get(page(bad.number))
    with django_assert_max_num_queries(12) as few:
        client.get(page(bad.number))
    verify(bad, lead)
    rectify.rectification_ledger(
        rectification=bad, actor=lead, days=5, plan="整改", expected_revision=fresh(bad).revision
    )
    rectify.reminders_due_sweep(now=fresh(bad).due_at + dt.timedelta(seconds=1))
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = text(client.get(page(bad.number)))
    assert html.count('<li class="timeline__event') == 4


def test_an_appeal_for_a_rating_id_beyond_a_database_integer_answers_404(client, city):
    client.force_login(city.clerk)
    response = client.post(
        "/staff/ratings/mine/99999999999999999999/appeal/", {"revision": 1, "reason": "x"}
    )
    assert response.status_code == 404


def test_my_ratings_show_the_day_only_and_mask_numbers_in_the_comment(client, bad, city):
    local = timezone.make_aware(dt.datetime(2026, 10, 20, 14, 37))
    Rating.objects.filter(pk=bad.rating_id).update(
        rated_at=local, comment="我是13912345678，身份证44010319900101123X"
    )
    client.force_login(city.clerk)
    html = text(client.get(MINE))
    assert '<span class="small">2026-10-20 · ' in html
    assert "14:37" not in html
    assert "我是***，身份证***" in html
    assert "13912345678" not in html and "44010319900101123X" not in html


def test_the_published_texts_forms_say_they_are_published_without_names(client, bad, lead):
    note = (
        "Published on the public results page, without names: write no names, phone numbers "
        "or ID numbers here."
    )
    verify(bad, lead)
    client.force_login(lead)
    html = text(client.get("/en" + page(bad.number)))
    assert html.count(note) == 2  # fix at once, explain
    assert 'aria-describedby="fix_now-summary-published"' in html
    assert 'aria-describedby="explain-explanation-published"' in html
    rectify.rectification_ledger(
        rectification=fresh(bad),
        actor=lead,
        days=5,
        plan="增开窗口",
        expected_revision=fresh(bad).revision,
    )
    html = text(client.get("/en" + page(bad.number)))
    assert html.count(note) == 1
    assert 'aria-describedby="submit_fix-summary-published"' in html


def test_a_move_a_colleague_made_impossible_says_so_at_the_top(client, bad, lead):
    """Two tabs: the ledger in one, then an explanation in the other — the form is gone from
    the page, so the refusal is shown at its top (it used to vanish with the form)."""
    verify(bad, lead)
    revision = fresh(bad).revision
    rectify.rectification_ledger(
        rectification=bad, actor=lead, days=5, plan="增开窗口", expected_revision=revision
    )
    client.force_login(lead)
    response = client.post(
        page(bad.number) + "do/explain/", {"revision": revision + 1, "explanation": "依法说明"}
    )
    assert response.status_code == 409
    html = response.content.decode()
    summary = html[html.index('id="error-summary"') : html.index('class="case-grid"')]
    assert (
        "该整改单当前状态为“已列入台账，限期整改中”，现在不能登记解释说明。请刷新页面。" in summary
    )
    assert fresh(bad).state == "ledger"


def test_the_auditor_reads_the_queue_and_the_page_but_moves_nothing(client, bad):
    auditor = staff_with_role(Role.AUDITOR)
    client.force_login(auditor)
    assert numbers(text(client.get(QUEUE))) == [bad.number]
    assert client.get(page(bad.number)).status_code == 200
    response = client.post(
        page(bad.number) + "do/verify/",
        {"revision": bad.revision, "callback_result": "reached", "finding": "属实"},
    )
    assert response.status_code == 404
    assert fresh(bad).state == "callback"
