"""The figures page and its exports: scoped rows, a bad month answered clearly, a constant
number of queries."""

from __future__ import annotations

import io

import openpyxl
import pytest

from onewindow.core.models import AuditLog
from onewindow.hotline.tests.test_indicators import build_november

URL = "/staff/hotline/figures/"


@pytest.fixture
def november(scene):
    build_november(scene)
    return scene


def rows_of(response):
    return [r["unit"] for r in response.context["report"].rows]


def test_the_centre_sees_every_unit_and_the_city(client, november, django_assert_max_num_queries):
    s = november
    client.force_login(s.agent)
    client.get(URL, {"month": "2026-11"})  # the session and the navigation warmed
    with django_assert_max_num_queries(30):
        response = client.get(URL, {"month": "2026-11"})
    assert response.status_code == 200
    assert sorted(rows_of(response)) == sorted([s.cgj.name, s.zjj.name])
    totals = response.context["report"].totals
    assert totals["dispatched"] == 5
    assert "首呼解决率" in str(response.context["report"].footnotes[0])
    assert "1 / 4" in str(response.context["report"].footnotes[0])


def test_a_units_staff_see_only_their_own_row(client, november):
    s = november
    client.force_login(s.zjj_staff)
    response = client.get(URL, {"month": "2026-11"})
    assert response.status_code == 200
    assert rows_of(response) == [s.zjj.name]
    assert response.context["report"].totals["dispatched"] == 3
    assert s.cgj.name not in response.content.decode()
    assert response.context["hotspots"].rows == []
    assert response.context["weeks"].rows == []


def test_the_week_grid_counts_category_street_and_week(client, november):
    from onewindow.hotline.hotspots import week_counts

    client.force_login(november.agent)
    response = client.get(URL, {"month": "2026-11"})
    import datetime as dt

    expected = [
        {"week": w.week, "category": w.category, "street": w.street, "count": w.count}
        for w in week_counts(since=dt.date(2026, 11, 1), until=dt.date(2026, 12, 1))
    ]
    assert expected and response.context["weeks"].rows == expected
    export = client.get(
        "/staff/hotline/figures/export/weeks/", {"month": "2026-11", "format": "xlsx"}
    )
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert expected[0]["week"] in values


def test_the_auditor_sees_all(client, november):
    client.force_login(november.auditor)
    response = client.get(URL, {"month": "2026-11"})
    assert sorted(rows_of(response)) == sorted([november.cgj.name, november.zjj.name])


@pytest.mark.parametrize("month", ["2026-13", "abc", "2026-11-01", "１２"])
def test_a_bad_month_is_a_clear_error_not_a_500(client, scene, month):
    client.force_login(scene.agent)
    response = client.get(URL, {"month": month})
    assert response.status_code == 422  # ValidationFailed: the page with its message
    assert "YYYY-MM" in response.content.decode()


def test_anonymous_is_sent_to_sign_in_and_a_citizen_less_user_without_role_is_refused(
    client, scene, django_user_model
):
    response = client.get(URL)
    assert response.status_code in (302, 403, 404)
    nobody = django_user_model.objects.create_user(username="nobody", password="x")
    client.force_login(nobody)
    assert client.get(URL).status_code in (403, 404)


def test_the_excel_export_is_scoped_and_audited(client, november):
    s = november
    client.force_login(s.zjj_staff)
    response = client.get(URL + "export/indicators/", {"month": "2026-11", "format": "xlsx"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert s.zjj.name in cells and s.cgj.name not in cells
    assert AuditLog.objects.filter(action="hotline.indicators_export").count() == 1


def test_exports_refuse_an_unknown_table_and_format(client, scene):
    client.force_login(scene.agent)
    assert client.get(URL + "export/nothing/", {"format": "xlsx"}).status_code == 404
    assert client.get(URL + "export/indicators/", {"format": "doc"}).status_code == 400
    hot = client.get(URL + "export/hotspots/", {"month": "2026-11", "format": "xlsx"})
    assert hot.status_code == 200
