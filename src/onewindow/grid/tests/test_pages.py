"""The grids' staff pages: the list of a street with its map, one grid, the import (errors
listed by feature), the export download and the outlines for maps; who may open which."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from onewindow.core.models import AuditLog
from onewindow.grid.models import Boundary, Grid, GridPost
from onewindow.grid.services import grids_import
from onewindow.grid.tests.conftest import FIRST, SECOND, STREET, collection, layout
from onewindow.org.codes import Role
from onewindow.testing.factories import CommunityFactory, staff_with_role
from onewindow.testing.grid_factories import grid_make, grid_worker_make

pytestmark = pytest.mark.django_db
LIST = "/staff/grid/"


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    settings.STAFF_SECOND_FACTOR_ROLES = []


@pytest.fixture
def imported(district, admin):
    grids_import(actor=admin, data=collection(*layout()))
    return district


def test_the_list_shows_the_chosen_streets_grids_and_its_map(client, imported, admin):
    client.force_login(admin)
    response = client.get(LIST, {"street": STREET})
    assert response.status_code == 200
    html = response.content.decode()
    for code in (f"{FIRST}01", f"{FIRST}02", f"{SECOND}01", f"{SECOND}02"):
        assert f'href="/staff/grid/{code}/"' in html
    assert 'data-gridmap data-outlines="/staff/grid/outlines.geojson?region=440103001"' in html
    assert "vendor/echarts.min.js" in html and "grid/gridmap.js" in html
    assert "<script>" not in html  # no inline script under the CSP


def test_the_list_costs_the_same_queries_for_ten_or_forty_grids(
    client, district, admin, django_assert_max_num_queries
):
    def add(count, start):
        for n in range(count):
            community = CommunityFactory(parent=district["street"])
            grid = grid_make(community=community, lon=113.0 + (start + n) * 0.003)
            grid_worker_make(grid)

    add(10, 0)
    client.force_login(admin)
    client.get(LIST)  # the session and the navigation warmed up
    with django_assert_max_num_queries(12) as first:
        assert client.get(LIST, {"street": STREET}).status_code == 200
    add(30, 10)
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(LIST, {"street": STREET})
    assert response.content.decode().count('href="/staff/grid/4401030') == 40


def test_a_grid_worker_lists_only_the_grids_of_their_community(client, imported):
    worker = staff_with_role(Role.GRID_WORKER, region=imported["second"])
    client.force_login(worker)
    html = client.get(LIST).content.decode()
    assert f"/staff/grid/{SECOND}01/" in html
    assert f"/staff/grid/{FIRST}01/" not in html


def test_the_detail_shows_the_workers_and_the_map_of_the_community(client, imported, admin):
    grid = Grid.objects.get(code=f"{FIRST}01")
    worker = grid_worker_make(grid)
    client.force_login(admin)
    response = client.get(f"/staff/grid/{grid.code}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert f">{worker.get_full_name() or worker.get_username()}</td>" in html
    assert ">2026-01-01</td>" in html
    assert f'data-outlines="/staff/grid/outlines.geojson?region={FIRST}"' in html
    assert 'id="map-points" type="application/json"' in html


def test_someone_elses_grid_and_a_missing_grid_answer_the_same_404(client, imported):
    client.force_login(staff_with_role(Role.GRID_WORKER, region=imported["second"]))
    mine = client.get(f"/staff/grid/{SECOND}01/")
    theirs = client.get(f"/staff/grid/{FIRST}01/")
    missing = client.get(f"/staff/grid/{FIRST}99/")
    junk = client.get("/staff/grid/%00x/")
    assert (mine.status_code, theirs.status_code, missing.status_code) == (200, 404, 404)
    assert junk.status_code == 400  # a NUL in the address: refused before any view


@pytest.mark.parametrize(
    "path",
    [
        LIST,
        f"/staff/grid/{FIRST}01/",
        "/staff/grid/import/",
        "/staff/grid/export.geojson",
        "/staff/grid/outlines.geojson",
    ],
)
def test_anonymous_is_sent_to_sign_in_and_a_clerk_is_refused(client, imported, path):
    response = client.get(path)
    assert response.status_code == 302 and "/staff/sign-in/" in response["Location"]
    client.force_login(staff_with_role(Role.INTAKE_CLERK))
    assert client.get(path).status_code in (403, 404)


def test_the_import_page_imports_a_file_and_reports_the_counts(client, district, admin):
    client.force_login(admin)
    assert client.get("/staff/grid/import/").status_code == 200
    upload = SimpleUploadedFile("grids.geojson", collection(*layout()), "application/geo+json")
    response = client.post("/staff/grid/import/", {"file": upload})
    assert response.status_code == 200
    assert 'id="import-result"' in response.content.decode()
    assert Grid.objects.count() == 4
    assert Boundary.objects.count() == 3


def test_a_bad_file_is_listed_by_feature_and_nothing_is_written(client, district, admin):
    features = layout()
    features[5]["properties"]["code"] = "44010300199901"
    client.force_login(admin)
    upload = SimpleUploadedFile("grids.geojson", collection(*features), "application/geo+json")
    response = client.post("/staff/grid/import/", {"file": upload})
    html = response.content.decode()
    assert response.status_code == 422
    assert '<table class="stack" id="import-errors">' in html
    assert re.search(
        r'>5</td><td data-label="[^"]+">44010300199901</td><td data-label="[^"]+">code<', html
    )
    assert Grid.objects.count() == 0 and Boundary.objects.count() == 0
    empty = client.post("/staff/grid/import/", {})
    assert empty.status_code == 422


def test_only_an_administrator_opens_the_import(client, district):
    chief = staff_with_role(Role.GRID_CHIEF)
    client.force_login(chief)
    upload = SimpleUploadedFile("grids.geojson", collection(*layout()), "application/geo+json")
    assert client.post("/staff/grid/import/", {"file": upload}).status_code == 403
    assert Grid.objects.count() == 0
    assert AuditLog.objects.filter(actor=chief, action="denied:grid.manage").exists()


def test_the_export_downloads_geojson_that_imports_again(client, imported, admin):
    client.force_login(admin)
    response = client.get("/staff/grid/export.geojson", {"region": "440103001"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert response["Content-Disposition"].startswith('attachment; filename="grids-440103001-')
    data = json.loads(response.content)
    assert data == {"type": "FeatureCollection", "features": layout()}
    assert grids_import(actor=admin, data=response.content).grids_updated == 4


def test_the_outlines_hold_the_street_communities_and_grids_in_two_queries(
    client, imported, admin, django_assert_num_queries
):
    client.force_login(admin)
    client.get(LIST)
    response = client.get("/staff/grid/outlines.geojson", {"region": FIRST})
    data = json.loads(response.content)
    assert [(f["properties"]["level"], f["properties"]["code"]) for f in data["features"]] == [
        ("street", STREET),
        ("community", FIRST),
        ("grid", f"{FIRST}01"),
        ("grid", f"{FIRST}02"),
    ]
    assert data["features"][2]["properties"]["label"] == [113.231, 23.111]
    from onewindow.grid.selectors import grids_geojson

    with django_assert_num_queries(2):
        grids_geojson(prefix="440103001")


def test_a_departments_lead_gets_the_outlines_for_the_leaders_map(client, imported):
    """The leaders' page draws its map on them: ``urban.view`` is enough (no ``grid.view``)."""
    lead = staff_with_role(Role.DEPT_LEAD)
    client.force_login(lead)
    assert client.get(LIST).status_code == 403  # the grid pages themselves stay closed
    response = client.get("/staff/grid/outlines.geojson", {"region": FIRST})
    assert response.status_code == 200
    assert [f["properties"]["code"] for f in json.loads(response.content)["features"]] == [
        STREET,
        FIRST,
        f"{FIRST}01",
        f"{FIRST}02",
    ]
    client.force_login(staff_with_role(Role.INTAKE_CLERK))
    refused = AuditLog.objects.filter(allowed=False).count()
    assert client.get("/staff/grid/outlines.geojson").status_code == 403
    assert AuditLog.objects.filter(allowed=False).count() == refused + 1


@pytest.mark.parametrize(("region", "status"), [("abc", 422), ("4" * 15, 422), ("44\x00", 400)])
def test_a_bad_region_is_refused_not_500(client, imported, admin, region, status):
    client.force_login(admin)
    assert client.get("/staff/grid/outlines.geojson", {"region": region}).status_code == status
    assert client.get("/staff/grid/export.geojson", {"region": region}).status_code == status


def test_an_administrator_posts_a_worker_and_ends_the_post_on_the_grid_page(
    client, imported, admin
):
    grid = Grid.objects.get(code=f"{FIRST}01")
    worker = staff_with_role(Role.GRID_WORKER, region=imported["first"])
    elsewhere = staff_with_role(Role.GRID_WORKER, region=imported["second"])
    client.force_login(admin)
    html = client.get(f"/staff/grid/{grid.code}/").content.decode()
    assert f'<option value="{worker.pk}">' in html
    assert f'<option value="{elsewhere.pk}">' not in html
    response = client.post(
        f"/staff/grid/{grid.code}/posts/", {"user": worker.pk, "since": "2026-03-01"}
    )
    assert response.status_code == 302
    post = GridPost.objects.get(grid=grid)
    assert (post.user, post.since, post.until) == (worker, dt.date(2026, 3, 1), None)
    # Not one of the grid's workers, or a bad day: the page again with the problem, no post.
    refused = client.post(
        f"/staff/grid/{grid.code}/posts/", {"user": elsewhere.pk, "since": "2026-03-01"}
    )
    bad_day = client.post(
        f"/staff/grid/{grid.code}/posts/", {"user": worker.pk, "since": "2026-13-01"}
    )
    assert (refused.status_code, bad_day.status_code) == (422, 422)
    assert GridPost.objects.count() == 1
    early = client.post(f"/staff/grid/{grid.code}/posts/{post.pk}/end/", {"until": "2026-02-01"})
    assert early.status_code == 422
    ended = client.post(f"/staff/grid/{grid.code}/posts/{post.pk}/end/", {"until": "2026-04-01"})
    assert ended.status_code == 302
    assert GridPost.objects.get().until == dt.date(2026, 4, 1)
    wrong_grid = client.post(
        f"/staff/grid/{SECOND}01/posts/{post.pk}/end/", {"until": "2026-04-02"}
    )
    assert wrong_grid.status_code == 404


def test_a_chief_may_not_post_workers_and_nothing_changes(client, imported):
    grid = Grid.objects.get(code=f"{FIRST}01")
    worker = grid_worker_make(grid)
    post = GridPost.objects.get()
    chief = staff_with_role(Role.GRID_CHIEF)
    client.force_login(chief)
    assert 'id="post-add"' not in client.get(f"/staff/grid/{grid.code}/").content.decode()
    assert (
        client.post(
            f"/staff/grid/{grid.code}/posts/", {"user": worker.pk, "since": "2026-03-01"}
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"/staff/grid/{grid.code}/posts/{post.pk}/end/", {"until": "2026-04-01"}
        ).status_code
        == 404
    )
    assert GridPost.objects.get().until is None
    assert AuditLog.objects.filter(actor=chief, action="denied:grid.manage").count() == 2
