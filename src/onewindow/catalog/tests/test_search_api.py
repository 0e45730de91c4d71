"""``GET /api/catalog/search``: optional filters (department, online, instant), English words,
and the answer's fields unchanged (one result per implementation)."""

from __future__ import annotations

import pytest
from django.test import Client

from onewindow.catalog.codes import CaseType, OnlineDepth
from onewindow.testing.factories import DepartmentFactory, create_item

pytestmark = pytest.mark.django_db

RESULT_FIELDS = {"score", "item"}
ITEM_FIELDS = {
    "id",
    "implementation_code",
    "basic_code",
    "name",
    "name_en",
    "department_id",
    "department_name",
    "item_type",
    "case_type",
    "promised_limit",
    "promised_limit_unit",
    "status",
    "version",
}


@pytest.fixture
def food_items():
    market, health = DepartmentFactory(), DepartmentFactory()
    counter = create_item(
        name="食品经营许可（新办）",
        name_en="Food business licence (new)",
        keywords="开饭店",
        department=market,
    )
    online = create_item(
        name="食品经营许可（延续）",
        name_en="Food business licence (renewal)",
        keywords="开饭店",
        department=market,
        is_online=True,
        online_depth=[OnlineDepth.RECEIVE, OnlineDepth.PRE_REVIEW],
    )
    instant = create_item(
        name="食品经营许可（补办）",
        name_en="Food business licence (reissue)",
        keywords="开饭店",
        department=health,
        case_type=CaseType.INSTANT,
        promised_limit=0,
    )
    return market, health, counter, online, instant


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [result["item"]["id"] for result in response.json()]


def test_search_api_filters_by_department_online_and_instant(food_items):
    market, health, counter, online, instant = food_items
    client = Client()
    url = "/api/catalog/search"
    assert ids(client.get(url, {"q": "开饭店"})) == [counter.pk, online.pk, instant.pk]
    assert ids(client.get(url, {"q": "开饭店", "department": market.pk})) == [
        counter.pk,
        online.pk,
    ]
    assert ids(client.get(url, {"q": "开饭店", "online": "true"})) == [online.pk]
    assert ids(client.get(url, {"q": "开饭店", "online": "false"})) == [counter.pk, instant.pk]
    assert ids(client.get(url, {"q": "开饭店", "instant": "true"})) == [instant.pk]
    assert ids(client.get(url, {"q": "开饭店", "department": health.pk, "online": "true"})) == []


def test_search_api_finds_english_words_and_keeps_its_fields(food_items):
    response = Client().get("/api/catalog/search", {"q": "food licences"})
    assert [result["item"]["name_en"] for result in response.json()] == [
        "Food business licence (new)",
        "Food business licence (renewal)",
        "Food business licence (reissue)",
    ]
    for result in response.json():
        assert set(result) == RESULT_FIELDS
        assert set(result["item"]) == ITEM_FIELDS


@pytest.mark.parametrize(
    "params",
    [
        {"department": "99999999999999999999"},
        {"department": "0"},
        {"department": "abc"},
        {"online": "maybe"},
        {"instant": "2"},
    ],
)
def test_search_api_refuses_malformed_filters(food_items, params):
    response = Client().get("/api/catalog/search", {"q": "开饭店", **params})
    assert response.status_code == 422


def test_search_api_documents_the_filters():
    schema = Client().get("/api/openapi.json").json()
    operation = schema["paths"]["/api/catalog/search"]["get"]
    assert operation["operationId"] == "onewindow_catalog_api_search"
    assert [parameter["name"] for parameter in operation["parameters"]] == [
        "q",
        "limit",
        "department",
        "online",
        "instant",
    ]
