"""The grids' public address, ``/grid/outlines.geojson``: the base map the citizen's report page
draws — for anyone, read-only, cached, its ``?region=`` checked as on the staff maps."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from onewindow.grid.services import grids_import
from onewindow.grid.tests.conftest import FIRST, SECOND, STREET, collection, layout

pytestmark = pytest.mark.django_db
OUTLINES = "/grid/outlines.geojson"


@pytest.fixture
def imported(district, admin):
    grids_import(actor=admin, data=collection(*layout()))
    return district


def test_anyone_gets_the_districts_outlines_cached_for_five_minutes(
    imported, django_assert_num_queries
):
    client = Client()
    with django_assert_num_queries(2):
        response = client.get(OUTLINES)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert response["Cache-Control"] == "public, max-age=300"
    assert "sessionid" not in response.cookies
    data = json.loads(response.content)
    assert data["type"] == "FeatureCollection"
    assert [(f["properties"]["level"], f["properties"]["code"]) for f in data["features"]] == [
        ("street", STREET),
        ("community", FIRST),
        ("community", SECOND),
        ("grid", f"{FIRST}01"),
        ("grid", f"{FIRST}02"),
        ("grid", f"{SECOND}01"),
        ("grid", f"{SECOND}02"),
    ]
    # The base map only: level, code, name (and a grid's label point) — nothing else.
    assert {key for f in data["features"] for key in f["properties"]} == {
        "level",
        "code",
        "name",
        "label",
    }
    first = data["features"][3]
    assert first["properties"]["name"] == "沙面第1网格"
    assert first["properties"]["label"] == [113.231, 23.111]
    assert first["geometry"]["type"] == "Polygon"


def test_a_region_gives_its_street_and_what_lies_under_it(imported):
    response = Client().get(OUTLINES, {"region": SECOND})
    assert response.status_code == 200
    assert [f["properties"]["code"] for f in json.loads(response.content)["features"]] == [
        STREET,
        SECOND,
        f"{SECOND}01",
        f"{SECOND}02",
    ]
    assert Client().head(OUTLINES, {"region": SECOND}).status_code == 200


@pytest.mark.parametrize("region", ["abc", "4" * 15, "４４０１", "4401 03", "-1"])
def test_a_bad_region_answers_422_in_the_platforms_error_format(imported, region):
    response = Client().get(OUTLINES, {"region": region})
    assert response.status_code == 422
    data = response.json()
    assert data["code"] == "invalid"
    assert [(e["field"], e["code"]) for e in data["errors"]] == [("region", "invalid")]
    assert data["errors"][0]["message_en"] == "Give the digits of a region code (at most 14)."
    assert response["Cache-Control"] == "no-store"


def test_a_control_character_is_refused_before_the_view(imported):
    assert Client().get(OUTLINES, {"region": "44\x00"}).status_code == 400


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_outlines_are_read_only(imported, method):
    response = getattr(Client(), method)(OUTLINES, {"region": FIRST})
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


def test_no_grid_yet_is_an_empty_map_not_an_error(db):
    response = Client().get(OUTLINES)
    assert response.status_code == 200
    assert json.loads(response.content) == {"type": "FeatureCollection", "features": []}
