"""The catalogue API refuses what it cannot look up — with 422, never 500."""

import pytest
from django.test import Client

from onewindow.testing.factories import create_item

pytestmark = pytest.mark.django_db


def problems(response):
    body = response.json()
    assert sorted(body) == ["code", "errors", "message", "message_en"]
    return [(e["field"], e["code"]) for e in body["errors"]]


def test_an_offset_beyond_any_page_answers_422():
    response = Client().get("/api/catalog/items?offset=99999999999999999999")
    assert response.status_code == 422
    assert problems(response) == [("offset", "less_than_equal")]


def test_a_nul_byte_in_the_topic_answers_422():
    response = Client().get("/api/catalog/items?topic=%00")
    assert response.status_code == 422
    assert problems(response) == [("topic", "control_characters")]


def test_an_item_id_beyond_any_record_answers_422():
    response = Client().get("/api/catalog/items/99999999999999999999")
    assert response.status_code == 422
    assert problems(response) == [("item_id", "less_than_equal")]


def test_a_limit_outside_its_bounds_answers_422_and_a_bounded_one_pages():
    for _ in range(3):
        create_item()
    assert problems(Client().get("/api/catalog/items?limit=0")) == [("limit", "greater_than_equal")]
    assert problems(Client().get("/api/catalog/items?limit=201")) == [("limit", "less_than_equal")]
    page = Client().get("/api/catalog/items?limit=2&offset=1").json()
    assert (page["count"], len(page["items"])) == (3, 2)


def test_a_nul_byte_in_a_search_answers_422():
    response = Client().get("/api/catalog/search?q=%E5%8A%9E%00")
    assert response.status_code == 422
    assert problems(response) == [("q", "control_characters")]


def test_a_page_address_or_query_with_a_nul_byte_answers_400_before_any_look_up(
    django_assert_num_queries,
):
    for address in ("/topics/%00/", "/search/?q=%E5%8A%9E%00", "/progress/?number=1%01"):
        with django_assert_num_queries(0):
            response = Client().get(address)
        assert response.status_code == 400
        assert "不能含有控制字符" in response.content.decode()
