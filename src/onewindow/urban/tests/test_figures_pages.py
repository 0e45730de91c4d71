"""The figures page, its exports, the leaders' page and the map data: authorization (anonymous,
no grid role, another community), exact cells of the workbook, and a number of queries that
does not grow with the cases."""

from __future__ import annotations

import io
from decimal import Decimal
from unittest import mock

import openpyxl
import pytest
from django.utils import timezone

from onewindow.core.models import AuditLog
from onewindow.org.codes import Role
from onewindow.testing.factories import staff_with_role
from onewindow.testing.grid_factories import grid_case_make
from onewindow.urban.figures_reports import columns_of
from onewindow.urban.tests.figscene import NOW, figscene, nov
from onewindow.urban.transitions import CaseState as S

pytestmark = pytest.mark.django_db

FIGURES, TODAY = "/staff/urban/figures/", "/staff/urban/today/"
POINTS, HEAT = "/staff/urban/map/points.json", "/staff/urban/map/heat.json"


@pytest.fixture
def s():
    return figscene()


@pytest.fixture
def chief():
    return staff_with_role(Role.GRID_CHIEF)


@pytest.fixture(autouse=True)
def at_now():
    """Every page seen on 15 December 2026 (signed in then too: the session's clock)."""
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        yield


def test_anonymous_is_sent_to_sign_in_and_no_grid_role_is_refused(client, s):
    for url in (FIGURES, TODAY, POINTS, HEAT):
        assert client.get(url).status_code == 302
    client.force_login(staff_with_role(Role.INTAKE_CLERK))
    for url in (FIGURES, TODAY, POINTS, HEAT):
        assert client.get(url).status_code == 403


def test_the_chief_sees_the_street_rows_and_the_score(client, s, chief):
    client.force_login(chief)
    if True:
        response = client.get(FIGURES, {"month": "2026-11", "level": "street"})
    assert response.status_code == 200
    report = response.context["report"]
    [row] = report.rows
    assert row["name"] == "彩虹街道" and row["reports"] == 12 and row["parked"] == 2
    assert row["handle_on_time"] == Decimal("57.1") / 100
    score = response.context["score"]
    assert score.totals["score"] == Decimal("62.2")
    assert [(r["name"], r["score"]) for r in score.rows] == [
        ("彩虹街道", Decimal("62.2")),
        ("区城管执法局", Decimal("57.0")),
        ("彩虹街环卫站", Decimal("69.2")),
    ]


def test_a_grid_worker_sees_their_community_only(client, s):
    client.force_login(s.w2)  # posted in C2
    if True:
        response = client.get(FIGURES, {"month": "2026-11", "level": "grid"})
        assert [r["name"] for r in response.context["report"].rows] == [f"{s.g3.code} {s.g3.name}"]
        assert response.context["report"].totals["reports"] == 5
        assert client.get(FIGURES, {"month": "2026-11", "region": s.c1.code}).status_code == 404
        assert (
            client.get(FIGURES, {"month": "2026-11", "region": "440103999999"}).status_code == 404
        )
        assert client.get(POINTS, {"region": s.c1.code}).status_code == 404
        points = client.get(POINTS).json()
    assert {g["grid"] for g in points["grids"]} == {s.g3.code}


@pytest.mark.parametrize(
    "query",
    [{"month": "2026-13"}, {"month": "abc"}, {"level": "planet"}, {"month": "２０２６-１１"}],
)
def test_bad_parameters_are_clear_errors(client, s, chief, query):
    client.force_login(chief)
    response = client.get(FIGURES, query)
    assert response.status_code == 422


def test_the_workbook_cells(client, s, chief):
    client.force_login(chief)
    if True:
        response = client.get(
            "/staff/urban/figures/export/unit/", {"month": "2026-11", "format": "xlsx"}
        )
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(rows) if r and r[0] == "区城管执法局") - 1
    cols = {c.key: i for i, c in enumerate(columns_of("unit"))}
    assert len(rows[start]) == len(cols)
    u2 = rows[start + 1]
    assert u2[0] == "区城管执法局"
    assert u2[cols["reports"]] == 5
    assert u2[cols["due_to_handle"]] == 4
    assert u2[cols["handle_on_time"]] == pytest.approx(0.5)
    assert u2[cols["missed"]] == pytest.approx(0.4)
    u1 = rows[start + 2]
    assert u1[0] == "彩虹街环卫站" and u1[cols["parked"]] == 2
    total = rows[start + 3]
    assert total[0] in ("Total", "合计") and total[cols["reports"]] == 12
    assert total[cols["rework"]] == pytest.approx(0.286)
    log = AuditLog.objects.get(action="urban.figures_export")
    assert log.detail == {"format": "xlsx", "rows": 2, "month": "2026-11"}
    assert client.get("/staff/urban/figures/export/planet/", {"format": "xlsx"}).status_code == 404


def test_the_leaders_page_today(client, s, chief):
    client.force_login(chief)
    grid_case_make(grid=s.g1, category=s.cases[1].category, reported_at=NOW, state=S.TO_FILE)
    response = client.get(TODAY)
    assert response.status_code == 200
    counts = response.context["counts"]
    assert (counts.reported, counts.filed, counts.dispatched, counts.closed) == (1, 0, 0, 0)
    # Overdue now (15 Dec): 5 (12 Nov), 13 (28 Nov), 9 (2 Dec); not the parked ones.
    assert [c["number"] for c in response.context["overdue"]] == [
        s.cases[5].number,
        s.cases[13].number,
        s.cases[9].number,
    ]
    assert counts.overdue == 3 and counts.open == 9
    body = response.content.decode()
    assert 'id="urban-today-map"' in body and "/static/grid/gridmap.js" in body
    assert 'data-outlines="/staff/grid/outlines.geojson"' in body


def test_the_map_points_and_heat(client, s, chief):
    client.force_login(chief)
    if True:
        points = client.get(POINTS, {"region": s.street.code}).json()
        heat = client.get(HEAT, {"month": "2026-11", "region": s.c2.code}).json()
    numbers = {p["label"].split()[0]: p["light"] for p in points["points"]}
    assert numbers[s.cases[5].number] == "red"
    assert numbers[s.cases[7].number] == "paused"
    assert numbers[s.cases[6].number] == "stopped"  # fed back, to be checked: no unit clock
    assert len(points["points"]) == points["total_in_grids"] == 8
    by_grid = {g["grid"]: (g["open"], g["red"]) for g in points["grids"]}
    assert by_grid == {s.g1.code: (1, 1), s.g2.code: (1, 0), s.g3.code: (6, 2)}
    assert heat == {
        "month": "2026-11",
        "heat": [{"lon": s.g3.label_lon, "lat": s.g3.label_lat, "value": 5, "grid": s.g3.code}],
    }
    assert client.get(HEAT, {"category": "E01;--"}).status_code == 404


def test_pages_do_not_grow_with_the_cases(client, s, chief, django_assert_max_num_queries):
    client.force_login(chief)
    urls = [
        (FIGURES, {"month": "2026-11", "level": "worker"}),
        (FIGURES, {"month": "2026-11", "region": s.street.code}),
        (TODAY, {"region": s.street.code}),
        (POINTS, {"region": s.street.code}),
        (HEAT, {"month": "2026-11"}),
    ]
    if True:
        for url, query in urls:
            client.get(url, query)
        counted = {}
        for url, query in urls:
            with django_assert_max_num_queries(40) as captured:
                assert client.get(url, query).status_code == 200
            counted[(url, tuple(query))] = len(captured)
        for n in range(30):
            grid_case_make(
                grid=[s.g1, s.g2, s.g3][n % 3],
                category=s.cases[1].category,
                reported_by=s.w1,
                reported_at=nov(20),
                filed_at=nov(20, 11),
                unit=s.u1,
                dispatched_at=nov(20, 12),
                due_at=nov(21),
                state=S.HANDLING,
            )
        for url, query in urls:
            with django_assert_max_num_queries(counted[(url, tuple(query))]):
                assert client.get(url, query).status_code == 200
    assert timezone.now() == NOW
