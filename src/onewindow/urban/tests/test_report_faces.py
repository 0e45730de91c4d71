"""The faces of reporting: the phone API (the category list with pinyin; a report as
multipart, 201 then 200 with the same number; errors in the platform's JSON with both
languages; the CSRF token; anonymous / other role refused and nothing changed), the phone page
and its service worker, the citizen's web report with its number and query code shown once,
and following a report by code or phone (public events only; a wrong answer the same 404)."""

from __future__ import annotations

import uuid

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from onewindow.org.codes import Role
from onewindow.papers.samples import sample_jpeg
from onewindow.testing.factories import staff_with_role
from onewindow.testing.grid_factories import category_make, grid_make, grid_worker_make
from onewindow.urban.models import CasePhoto, GridCase
from onewindow.urban.transitions import CaseState

API = "/api/urban"


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    settings.STAFF_SECOND_FACTOR_ROLES = []


@pytest.fixture
def world(db):
    cache.clear()
    grid = grid_make()
    category_make()
    category_make(code="E0102", name="道路不洁")
    return {"grid": grid, "worker": grid_worker_make(grid)}


def client_for(user, **kwargs):
    client = Client(**kwargs)
    client.force_login(user)
    return client


def body(world, **overrides):
    grid = world["grid"]
    fields = {
        "client_key": str(uuid.uuid4()),
        "category": "E0101",
        "description": "人行道上有暴露垃圾",
        "longitude": str(grid.label_lon),
        "latitude": str(grid.label_lat),
        "place": "沙面大街1号",
        "photos": SimpleUploadedFile("a.jpg", sample_jpeg(), content_type="image/jpeg"),
    }
    fields.update(overrides)
    return fields


def test_the_category_list_carries_pinyin_for_search(world, django_assert_max_num_queries):
    client = client_for(world["worker"])
    with django_assert_max_num_queries(8):
        response = client.get(f"{API}/categories")
    assert response.status_code == 200
    rows = {row["code"]: row for row in response.json()}
    assert set(rows) == {"E0101", "E0102"}
    assert rows["E0101"]["name"] == "暴露垃圾" and rows["E0101"]["major"] == "市容环境"
    assert (rows["E0101"]["pinyin"], rows["E0101"]["initials"]) == ("baolulaji", "bllj")


def test_a_report_sent_twice_answers_the_same_number_and_is_one_case(world):
    client = client_for(world["worker"])
    fields = body(world)
    first = client.post(f"{API}/reports", fields)
    assert first.status_code == 201
    number = first.json()["number"]
    fields["photos"] = SimpleUploadedFile("a.jpg", sample_jpeg(), content_type="image/jpeg")
    again = client.post(f"{API}/reports", fields)
    assert (again.status_code, again.json()["number"], again.json()["created"]) == (
        200,
        number,
        False,
    )
    assert GridCase.objects.count() == 1 and CasePhoto.objects.count() == 1
    assert GridCase.objects.get().state == CaseState.TO_FILE


def test_a_refused_report_answers_located_errors_in_both_languages(world):
    client = client_for(world["worker"])
    response = client.post(f"{API}/reports", body(world, description="x\x00", longitude="200"))
    assert response.status_code == 422
    data = response.json()
    assert data["message"] == "上报未保存，请更正标出的栏目。"
    assert data["message_en"] == "The report is not saved; correct the marked fields."
    fields = {(e["field"], e["code"]) for e in data["errors"]}
    assert fields == {("description", "control_characters"), ("longitude", "out_of_range")}
    assert GridCase.objects.count() == 0


def test_the_report_needs_the_csrf_token(world):
    client = client_for(world["worker"], enforce_csrf_checks=True)
    response = client.post(f"{API}/reports", body(world))
    assert (response.status_code, response.json()["code"]) == (403, "csrf_failed")
    assert GridCase.objects.count() == 0


@pytest.mark.parametrize("role", [None, Role.GRID_CHIEF, Role.HOTLINE_AGENT])
def test_only_grid_workers_use_the_phone_api_and_nothing_changes(world, role):
    client = Client() if role is None else client_for(staff_with_role(role))
    expected = 401 if role is None else 403
    assert client.get(f"{API}/categories").status_code == expected
    assert client.post(f"{API}/reports", body(world)).status_code == expected
    assert GridCase.objects.count() == 0


def test_the_phone_page_and_its_service_worker(world):
    client = client_for(world["worker"])
    page = client.get("/staff/urban/report/")
    assert page.status_code == 200
    assert 'capture="environment"' in page.content.decode()
    assert "geolocation=(self)" in page["Permissions-Policy"]
    worker = client.get("/staff/urban/sw.js")
    assert worker.status_code == 200
    assert worker["Content-Type"].startswith("text/javascript")
    assert worker["Service-Worker-Allowed"] == "/staff/urban/"
    text = worker.content.decode()
    assert '"/staff/urban/report/"' in text and '"/api/urban/categories"' in text
    assert "http://" not in text and "https://" not in text


def test_the_phone_page_is_refused_to_others(world):
    assert (
        client_for(staff_with_role(Role.GRID_CHIEF)).get("/staff/urban/report/").status_code == 403
    )
    anonymous = Client()
    assert anonymous.get("/staff/urban/report/").status_code == 302
    assert anonymous.get("/staff/urban/sw.js").status_code == 403


# --- the citizen ------------------------------------------------------------------------------


def public_post(client, world, **overrides):
    grid = world["grid"]
    fields = {
        "client_key": str(uuid.uuid4()),
        "category": "E0101",
        "description": "小区门口垃圾没人清运",
        "longitude": str(grid.label_lon),
        "latitude": str(grid.label_lat),
        "place": "沙面大街2号",
        "phone": "13800138000",
    }
    fields.update(overrides)
    return client.post("/grid/report/", fields)


def test_a_citizen_reports_sees_the_number_and_code_once_and_follows_it(world):
    client = Client()
    assert client.get("/grid/report/").status_code == 200
    response = public_post(client, world)
    assert response.status_code == 303 and response["Location"] == "/grid/report/thanks/"
    thanks = client.get("/grid/report/thanks/").content.decode()
    case = GridCase.objects.get()
    assert case.number in thanks and case.query_code in thanks
    assert case.query_code not in client.get("/grid/report/thanks/").content.decode()
    by_code = client.post("/grid/track/", {"number": case.number, "secret": case.query_code})
    assert by_code.status_code == 200
    page = by_code.content.decode()
    assert "已收到您的上报" in page or "We have received your report" in page
    by_phone = client.post("/grid/track/", {"number": case.number, "secret": "138 0013 8000"})
    assert by_phone.status_code == 200 and case.number in by_phone.content.decode()


def test_a_wrong_code_or_phone_is_the_same_not_found(world):
    client = Client()
    public_post(client, world)
    case = GridCase.objects.get()
    wrong_code = client.post("/grid/track/", {"number": case.number, "secret": "ZZZZZZ"})
    wrong_phone = client.post("/grid/track/", {"number": case.number, "secret": "13900139000"})
    wrong_number = client.post("/grid/track/", {"number": "WG20990101000001", "secret": "ABCDEF"})
    assert wrong_code.status_code == wrong_phone.status_code == wrong_number.status_code == 404


def test_a_refused_citizen_report_shows_the_problems_and_keeps_nothing(world):
    response = public_post(Client(), world, description="", longitude="abc")
    assert response.status_code == 422
    page = response.content.decode()
    assert 'data-field="description"' in page and 'data-field="longitude"' in page
    assert GridCase.objects.count() == 0


def test_the_citizens_form_is_limited_per_address(world, settings):
    settings.URBAN_PUBLIC_REPORTS_PER_HOUR = 1
    client = Client()
    assert public_post(client, world).status_code == 303
    assert public_post(client, world).status_code == 429
    assert GridCase.objects.count() == 1


def test_the_citizens_page_has_the_districts_map_to_tap_and_no_inline_script(world):
    response = Client().get("/grid/report/")
    html = response.content.decode()
    assert (
        'data-gridmap data-outlines="/grid/outlines.geojson" '
        'data-pick-lon="public-longitude" data-pick-lat="public-latitude"'
    ) in html
    assert "vendor/echarts.min.js" in html and "grid/gridmap.js" in html
    assert "grid/gridmap.css" in html
    assert 'id="public-locate"' in html and 'id="public-longitude"' in html
    assert "<script>" not in html  # no inline script under the CSP
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert 'id="public-photos-again"' not in html


def test_a_report_without_a_position_says_so_once_and_keeps_what_was_typed(world):
    photo = SimpleUploadedFile("a.jpg", sample_jpeg(), content_type="image/jpeg")
    response = public_post(
        Client(), world, longitude="", latitude="", photos=photo, place="沙面大街<3>号"
    )
    assert response.status_code == 422
    html = response.content.decode()
    error = response.context["error"]
    assert [(e["field"], e["code"]) for e in error["errors"]] == [("longitude", "required")]
    assert html.count("请提供位置") == 1
    assert error["errors"][0]["message_en"] == (
        "Give the location: tap the map, use your position, or type it."
    )
    assert 'value="沙面大街&lt;3&gt;号"' in html
    assert "小区门口垃圾没人清运</textarea>" in html
    assert 'value="13800138000"' in html
    assert '<option value="E0101" selected>' in html
    # The photo cannot come back in a file input: the page says to choose it again.
    assert '<p class="grid-report__error" id="public-photos-again">请重新选择照片</p>' in html
    assert 'aria-describedby="public-photos-again"' in html
    assert GridCase.objects.count() == 0


def test_one_missing_coordinate_is_its_own_problem(world):
    response = public_post(Client(), world, latitude="  ")
    assert response.status_code == 422
    fields = [(e["field"], e["code"]) for e in response.context["error"]["errors"]]
    assert fields == [("latitude", "required")]
    assert 'id="public-photos-again"' not in response.content.decode()  # none was sent
