"""The public pages of the published results: exact numbers, no personal data, 400 for a bad
month, a fixed number of queries."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from onewindow.ratings.tests.conftest import rating_of
from onewindow.ratings.tests.publish.conftest import (
    EXPLANATION,
    FIX_TEXT,
    at,
    build_october,
    instant_case,
)


def _text(response) -> str:
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _row(response, row_id: str) -> str:
    html = response.content.decode()
    match = re.search(rf'<tr id="{row_id}">(.*?)</tr>', html, re.S)
    assert match, row_id
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match[1])).strip()


def test_the_index_lists_october_by_department(client, october):
    response = client.get(reverse("ratings_public:results") + "?month=2026-10")
    assert response.status_code == 200
    assert _row(response, f"department-{october.department.pk}") == (
        "区社会保险基金管理局 6 50.0 % 80.0 % 3 50.0 %"
    )
    assert _row(response, f"department-{october.city.lead_department.pk}") == (
        "区住房和建设局 1 100.0 % — 0 —"
    )
    assert "全部部门：7 条评价" in _text(response)


def test_the_department_page_has_twelve_months_its_items_and_the_fixes(client, october):
    url = reverse("ratings_public:results_department", args=[october.department.pk])
    response = client.get(url + "?month=2026-11")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<tr id="month-') == 12
    assert _row(response, "month-2026-10").startswith("2026-10 6 ")
    assert "50.0 %" in _row(response, "month-2026-10")
    assert "80.0 %" in _row(response, "month-2026-10")
    assert "50.0 %" in _row(response, "month-2026-10")
    assert _row(response, "month-2026-09") == "2026-09 0 — — 0 —"
    assert _row(response, f"item-{october.item.pk}") == "城乡居民养老保险待遇核定 7 57.1 % 3 50.0 %"
    assert FIX_TEXT in html
    assert "2026-10-31" in html


def test_the_item_page(client, october):
    response = client.get(
        reverse("ratings_public:results_item", args=[october.item.pk]) + "?month=2026-10"
    )
    assert response.status_code == 200
    assert "50.0 %" in _row(response, "month-2026-10")
    assert FIX_TEXT in response.content.decode()
    # The catalogue's guide links here by address only.
    guide = client.get(reverse("catalog:item", args=[october.item.pk]))
    assert reverse("ratings_public:results_item", args=[october.item.pk]) in guide.content.decode()


def test_no_personal_data_on_the_public_pages(client, october):
    person = october.city.person
    clerk = october.city.clerk
    forbidden = [
        "陈大文",
        "陈*文",
        "13800138000",
        person.phone_masked,
        person.id_number_masked,
        october.cases["c3"].number,
        "恶意差评",  # the appeal's reason
        "等候时间长",  # the call-back's finding
        clerk.username,
    ]
    if clerk.first_name:
        forbidden.append(clerk.first_name)
    pages = [
        reverse("ratings_public:results") + "?month=2026-10",
        reverse("ratings_public:results_department", args=[october.department.pk])
        + "?month=2026-10",
        reverse("ratings_public:results_item", args=[october.item.pk]) + "?month=2026-10",
    ]
    for page in pages:
        html = client.get(page).content.decode()
        for text in forbidden:
            assert text not in html, (page, text)


@pytest.mark.parametrize("month", ["2026-13", "2026-1", "26-10", "1999-12", "2099-01", "x"])
def test_a_bad_month_answers_400_with_the_reason(client, october, month):
    for url in (
        reverse("ratings_public:results"),
        reverse("ratings_public:results_department", args=[october.department.pk]),
        reverse("ratings_public:results_item", args=[october.item.pk]),
    ):
        response = client.get(url, {"month": month})
        assert response.status_code == 400
        assert "YYYY-MM" in response.content.decode()


def test_unknown_department_or_item_answers_404(client, october):
    assert (
        client.get(reverse("ratings_public:results_department", args=[999999])).status_code == 404
    )
    assert client.get(reverse("ratings_public:results_item", args=[999999])).status_code == 404


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_pages_run_the_same_queries_for_one_rating_or_many(client, city):
    case = instant_case(city, at(10, 2))
    rating_of(case, 2, rated_at=at(10, 2))
    department = city.instant.department
    urls = [
        reverse("ratings_public:results") + "?month=2026-10",
        reverse("ratings_public:results_department", args=[department.pk]) + "?month=2026-10",
        reverse("ratings_public:results_item", args=[city.instant.pk]) + "?month=2026-10",
    ]
    before = [_queries(client, url) for url in urls]
    build_october(city)
    after = [_queries(client, url) for url in urls]
    assert after == before


def test_english_pages(client, october):
    response = client.get("/en" + reverse("ratings_public:results") + "?month=2026-10")
    assert response.status_code == 200
    assert "All departments: 7 ratings" in _text(response)
    assert EXPLANATION not in response.content.decode()


def test_an_id_beyond_a_database_integer_answers_404_never_500(client, october):
    for path in (
        "/ratings/results/departments/99999999999999999999/",
        "/ratings/results/items/99999999999999999999/",
        "/ratings/results/departments/0/",
    ):
        assert client.get(path).status_code == 404, path


def test_a_number_typed_into_a_published_fix_is_masked(client, october):
    from onewindow.ratings.models import Rectification

    Rectification.objects.filter(rating=october.ratings["r3"]).update(
        fix_summary="已回电13800138000，身份证440103199001011234，座机020-83331234。"
    )
    url = reverse("ratings_public:results_department", args=[october.department.pk])
    html = client.get(url + "?month=2026-10").content.decode()
    assert "已回电***，身份证***，座机***。" in html
    for number in ("13800138000", "440103199001011234", "83331234"):
        assert number not in html
