"""Grid management's section of the assessment (``assess.grid``) over the hand-built grid
November (``urban/tests/figscene.py``): the district's row is the street's, a street centre
sees its communities, another street nothing; the page and its Excel export; authorization;
the same queries for few or many cases."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any
from unittest import mock

import openpyxl
import pytest
from django.test import Client

from onewindow.assess.grid import CODES, grid_table
from onewindow.assess.tables import Period, Unit
from onewindow.org.models import CentreLevel, Role
from onewindow.testing.factories import CentreFactory, StreetFactory, staff_with_role
from onewindow.testing.grid_factories import grid_case_make
from onewindow.urban.tests.figscene import NOW, figscene, nov

pytestmark = pytest.mark.django_db

PERIOD = Period(2026, 11)


@pytest.fixture(autouse=True)
def at_now():
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        yield


@pytest.fixture
def s() -> Any:
    s = figscene()
    s.district = s.street.parent
    s.hall = CentreFactory(
        level=CentreLevel.DISTRICT_HALL, region=s.district, name="区政务服务中心"
    )
    s.street_centre = CentreFactory(
        level=CentreLevel.STREET_CENTRE, region=s.street, name="彩虹中心"
    )
    s.other_centre = CentreFactory(
        level=CentreLevel.STREET_CENTRE, region=StreetFactory(), name="岭南中心"
    )
    s.hall_manager = staff_with_role(Role.CENTRE_MANAGER, centre=s.hall)
    s.street_manager = staff_with_role(Role.CENTRE_MANAGER, centre=s.street_centre)
    s.other_manager = staff_with_role(Role.CENTRE_MANAGER, centre=s.other_centre)
    return s


def client_of(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def rates(row: Any) -> dict[str, Decimal | None]:
    return {c.code: c.rate for c in row.cells}


def test_the_district_row_is_the_street_with_its_score(s):
    table = grid_table(unit=Unit.of_centre(s.hall), period=PERIOD)
    assert table.level == "street"
    [street] = table.rows
    assert (street.name, street.parked, street.score) == ("彩虹街道", 2, Decimal("62.2"))
    assert rates(street) == {
        "valid_report": Decimal("75.0"),
        "file_on_time": Decimal("88.9"),
        "dispatch_accurate": Decimal("88.9"),
        "handle_on_time": Decimal("57.1"),
        "close_on_time": Decimal("42.9"),
        "rework": Decimal("28.6"),
        "extension": Decimal("11.1"),
    }
    assert [c.code for c in street.cells] == list(CODES)
    assert table.total.score == Decimal("62.2")


def test_a_street_sees_its_communities_and_another_street_nothing(s):
    table = grid_table(unit=Unit.of_centre(s.street_centre), period=PERIOD)
    assert table.level == "community"
    assert [(r.name, r.parked) for r in table.rows] == [("西华社区", 0), ("华贵社区", 2)]
    c1 = table.rows[0]
    # C1 = G1 + G2: due to be handled 4 (1, 2, 15 fed back; 5 overdue), on time 2 (1, 15).
    assert next(c for c in c1.cells if c.code == "handle_on_time").numerator == 2
    assert next(c for c in c1.cells if c.code == "handle_on_time").denominator == 4
    assert grid_table(unit=Unit.of_centre(s.other_centre), period=PERIOD).rows == []


def q(centre: Any) -> str:
    return f"unit=c:{centre.code}&month=2026-11"


def test_the_page_the_tab_and_the_export(s):
    manager = client_of(s.hall_manager)
    page = manager.get(f"/staff/assess/grid/?{q(s.hall)}")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="assess-grid-table"' in body and "彩虹街道" in body and "62.2" in body
    tables = manager.get(f"/staff/assess/?{q(s.hall)}").content.decode()
    assert 'id="assess-tab-grid"' in tables
    answer = manager.get(f"/staff/assess/export/grid/?{q(s.hall)}&format=xlsx")
    assert answer.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(answer.content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    street = next(r for r in rows if r and r[0] == "彩虹街道")
    assert street[1] == pytest.approx(0.75) and street[4] == pytest.approx(0.571)
    assert street[-2:] == [2, pytest.approx(62.2)]
    assert manager.get(f"/staff/assess/export/grid/?{q(s.hall)}&format=pdf").status_code == 200


def test_authorization(s):
    street = client_of(s.street_manager)
    assert street.get(f"/staff/assess/grid/?{q(s.hall)}").status_code == 404
    assert street.get(f"/staff/assess/grid/?{q(s.other_centre)}").status_code == 404
    assert client_of(s.w1).get(f"/staff/assess/grid/?{q(s.hall)}").status_code == 403
    assert Client().get(f"/staff/assess/grid/?{q(s.hall)}").status_code == 302


def test_the_page_costs_the_same_for_more_cases(s, django_assert_max_num_queries):
    manager = client_of(s.hall_manager)
    path = f"/staff/assess/grid/?{q(s.hall)}"
    manager.get(path)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        assert manager.get(path).status_code == 200
    for n in range(25):
        grid_case_make(
            grid=[s.g1, s.g3][n % 2],
            category=s.cases[1].category,
            reported_by=s.w1,
            reported_at=nov(21),
            filed_at=nov(21, 11),
            unit=s.u2,
            dispatched_at=nov(21, 12),
        )
    with django_assert_max_num_queries(len(first)):
        assert manager.get(path).status_code == 200
