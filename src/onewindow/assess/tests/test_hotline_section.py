"""The 12345 hotline section of the assessment (``assess.hotline``): over the hotline's hand-built
November (``hotline/tests/test_indicators.py::build_november``, two district bureaus) and one
order of the street office, the section's figures are ``month_indicators``' own, scoped to the
handling units of the unit's region; the page costs the same queries for few or many orders;
the Excel and PDF exports carry it; another street's manager sees nothing of it."""

from __future__ import annotations

import io
import subprocess
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.test.utils import CaptureQueriesContext

from onewindow.assess.hotline import CODES, hotline_table
from onewindow.assess.tables import Period, Unit
from onewindow.core.models import AuditLog
from onewindow.hotline.indicators import month_indicators
from onewindow.hotline.tests.conftest import scene  # noqa: F401 (the hotline's scene fixture)
from onewindow.hotline.tests.test_indicators import (
    NOVEMBER,
    at,
    build_november,
    dispatched,
    signed,
    taken,
)
from onewindow.org.models import CentreLevel, Role
from onewindow.testing.factories import CentreFactory, staff_with_role

pytestmark = pytest.mark.django_db

PERIOD = Period(2026, 11)


@pytest.fixture
def month(scene: Any) -> Any:  # noqa: F811
    """November built; the street office given one order (dispatched on 2 November, signed for
    late on the 6th); a district hall and a centre of each street, each with its manager."""
    s = scene
    build_november(s)
    vending = taken(s, at(2, 16), title="沙面大街有人摆摊占道", category_code="0201")
    order = dispatched(s, vending, s.street_office, at(2, 16, 5))
    signed(s.street_staff, order, at(6, 9))
    s.hall = CentreFactory(
        level=CentreLevel.DISTRICT_HALL, region=s.district, name="区政务服务中心"
    )
    s.street_centre = CentreFactory(
        level=CentreLevel.STREET_CENTRE, region=s.street, name="沙面中心"
    )
    s.other_centre = CentreFactory(
        level=CentreLevel.STREET_CENTRE, region=s.other_street, name="岭南中心"
    )
    s.hall_manager = staff_with_role(Role.CENTRE_MANAGER, centre=s.hall)
    s.street_manager = staff_with_role(Role.CENTRE_MANAGER, centre=s.street_centre)
    s.other_manager = staff_with_role(Role.CENTRE_MANAGER, centre=s.other_centre)
    return s


def client_of(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def section(row: Any) -> dict[str, tuple[tuple[int, int], Decimal | None]]:
    return {c.code: ((c.numerator, c.denominator), c.rate) for c in row.cells}


def test_the_section_reads_month_indicators_for_the_units_of_the_region(
    month, django_assert_num_queries
):
    s = month
    city = month_indicators(month=NOVEMBER)
    with django_assert_num_queries(5):  # the departments of the region, then the four counts
        table = hotline_table(unit=Unit.of_centre(s.hall), period=PERIOD)
    assert [r.department_id for r in table.rows] == [u.department_id for u in city.units]
    assert {r.department_id for r in table.rows} == {s.cgj.pk, s.zjj.pk, s.street_office.pk}
    for row in table.rows:
        unit = city.unit(row.department_id)
        assert section(row) == {code: (unit.fraction(code), unit.rate(code)) for code in CODES}
    # The urban management bureau, by hand (test_indicators.py): O1 and O2.
    cgj = next(r for r in table.rows if r.department_id == s.cgj.pk)
    assert section(cgj) == {
        "sign_on_time": ((1, 2), Decimal("50.0")),
        "reply_on_time": ((2, 3), Decimal("66.7")),
        "satisfaction": ((2, 3), Decimal("66.7")),
        "redo": ((1, 2), Decimal("50.0")),
        "return": ((0, 2), Decimal("0.0")),
        "extension": ((1, 2), Decimal("50.0")),
    }
    office = next(r for r in table.rows if r.department_id == s.street_office.pk)
    assert section(office)["sign_on_time"] == ((0, 1), Decimal("0.0"))
    assert section(office)["satisfaction"] == ((0, 0), None)
    # The total row: the units' counts summed (O1 zjj+cgj, O2, O3, O6, the office's order).
    assert section(table.total)["sign_on_time"] == ((2, 6), Decimal("33.3"))
    # The district reads the same units; October is another month.
    district = hotline_table(unit=Unit.of_region(s.district), period=PERIOD)
    assert [section(r) for r in district.rows] == [section(r) for r in table.rows]
    october = hotline_table(unit=Unit.of_region(s.district), period=Period(2026, 10))
    assert [r.department_id for r in october.rows] == [s.cgj.pk]  # O0, never signed
    assert section(october.rows[0])["sign_on_time"] == ((0, 1), Decimal("0.0"))


def test_a_street_sees_its_street_office_only(month):
    s = month
    street = hotline_table(unit=Unit.of_centre(s.street_centre), period=PERIOD)
    assert [r.department_id for r in street.rows] == [s.street_office.pk]
    assert section(street.total) == section(street.rows[0])
    assert hotline_table(unit=Unit.of_region(s.street), period=PERIOD).rows == street.rows
    assert hotline_table(unit=Unit.of_centre(s.other_centre), period=PERIOD).rows == []


def q(centre: Any) -> str:
    return f"unit=c:{centre.code}&month=2026-11"


def test_the_page_shows_the_section_to_the_units_managers(month):
    s = month
    page = client_of(s.hall_manager).get(f"/staff/assess/hotline/?{q(s.hall)}")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="assess-tab-hotline"' in html and 'aria-current="page"' in html
    assert f'data-department="{s.cgj.pk}"' in html and f'data-department="{s.zjj.pk}"' in html
    assert '<td class="num" data-figure="satisfaction" title="2 / 3">66.7%</td>' in html
    assert f'data-department="{s.street_office.pk}"' in html
    street = client_of(s.street_manager).get(f"/staff/assess/hotline/?{q(s.street_centre)}")
    html = street.content.decode()
    assert f'data-department="{s.street_office.pk}"' in html
    assert f'data-department="{s.cgj.pk}"' not in html
    other = client_of(s.other_manager).get(f"/staff/assess/hotline/?{q(s.other_centre)}")
    assert "assess-hotline-total" not in other.content.decode()
    # The other tables' tab bar leads here too.
    tables = client_of(s.street_manager).get(f"/staff/assess/?{q(s.street_centre)}")
    assert "/staff/assess/hotline/?" in tables.content.decode()


def test_scoping_another_unit_is_not_found_and_a_hotline_agent_may_not_open_it(month):
    s = month
    street = client_of(s.street_manager)
    assert street.get(f"/staff/assess/hotline/?{q(s.hall)}").status_code == 404
    assert street.get(f"/staff/assess/hotline/?{q(s.other_centre)}").status_code == 404
    assert street.get(f"/staff/assess/hotline/?unit=r:{s.district.code}").status_code == 404
    assert street.get("/staff/assess/export/hotline/?unit=c:NOPE&format=xlsx").status_code == 404
    assert client_of(s.agent).get(f"/staff/assess/hotline/?{q(s.hall)}").status_code == 403
    answer = client_of(s.agent).get(f"/staff/assess/export/hotline/?{q(s.hall)}&format=xlsx")
    assert answer.status_code == 403
    assert client_of(s.auditor).get(f"/staff/assess/hotline/?{q(s.hall)}").status_code == 200
    assert not AuditLog.objects.filter(action="assess.export").exists()


def test_the_page_costs_the_same_queries_for_few_orders_or_many(
    month, django_assert_max_num_queries
):
    from django.db import connection

    s = month
    manager = client_of(s.hall_manager)
    path = f"/staff/assess/hotline/?{q(s.hall)}"
    manager.get(path)
    with CaptureQueriesContext(connection) as ctx:
        assert manager.get(path).status_code == 200
    for n in range(8):
        order = dispatched(s, taken(s, at(12, 9, n)), (s.cgj, s.zjj)[n % 2], at(12, 10, n))
        signed((s.cgj_staff, s.zjj_staff)[n % 2], order, at(12, 11, n))
    with django_assert_max_num_queries(len(ctx.captured_queries)):
        assert manager.get(path).status_code == 200


def test_the_section_in_excel_and_pdf(month):
    s = month
    manager = client_of(s.hall_manager)
    answer = manager.get(f"/staff/assess/export/hotline/?{q(s.hall)}&format=xlsx")
    assert answer.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(answer.content)).worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    cgj = next(r for r in rows if r and r[0] == s.cgj.name)
    assert cgj[1:7] == [0.5, pytest.approx(0.667), pytest.approx(0.667), 0.5, 0, 0.5]
    office = next(r for r in rows if r and r[0] == s.street_office.name)
    assert office[1] == 0 and office[3] is None
    assert next(r for r in rows if r and r[0] == "合计")[1] == pytest.approx(0.333)
    log = AuditLog.objects.get(action="assess.export", actor=s.hall_manager)
    assert log.object_id == f"hotline:c:{s.hall.code}:2026-11"
    pdf = manager.get(f"/staff/assess/export/hotline/?{q(s.hall)}&format=pdf")
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf.content, capture_output=True, check=True
    ).stdout.decode()
    assert "12345" in text and s.cgj.name in text and "66.7%" in text
