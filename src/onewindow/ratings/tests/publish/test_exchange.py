"""The exchange of rating records (``/api/ratings/exchange``): the national field list for a
hand-built rating exactly, the files, the period's validation, permissions and the audit."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from onewindow.core.models import AuditLog
from onewindow.org.codes import Role
from onewindow.ratings import exchange
from onewindow.ratings.codes import Channel, Occasion, RatedRole
from onewindow.ratings.models import Rating
from onewindow.ratings.tests.conftest import rating_of
from onewindow.ratings.tests.publish.conftest import at, instant_case
from onewindow.testing.factories import staff_with_role

URL = "/api/ratings/exchange"
OCTOBER = {"date_from": "2026-10-01", "date_to": "2026-10-31"}


@pytest.fixture
def scene(city):
    case = instant_case(city, at(10, 20, 11))
    approver = staff_with_role(Role.DEPT_APPROVER, department=city.instant.department)
    rating = rating_of(
        case,
        2,
        occasion=Occasion.VISIT,
        channel=Channel.PAD,
        rated_at=at(10, 20, 14, 5),
        staff=((city.clerk, RatedRole.WINDOW), (approver, RatedRole.BACK_OFFICE)),
        key=f"visit:{case.pk}:7",
    )
    Rating.objects.filter(pk=rating.pk).update(
        dimensions={"overall": 2, "service_efficiency": 1, "competence": 3, "attitude": 2},
        options=["wait_long", "attitude"],
        item_code=case.item.implementation_code,
    )
    rating.refresh_from_db()
    lead = staff_with_role(Role.DEPT_LEAD, department=city.instant.department)
    other_lead = staff_with_role(Role.DEPT_LEAD, department=city.lead_department)
    auditor = staff_with_role(Role.AUDITOR)
    return {
        "case": case,
        "rating": rating,
        "approver": approver,
        "lead": lead,
        "other_lead": other_lead,
        "auditor": auditor,
    }


def expected_row(city, scene) -> dict:
    case, rating, approver = scene["case"], scene["rating"], scene["approver"]
    department = city.instant.department
    return {
        "rating_id": rating.pk,
        "case_number": case.number,
        "case_name": "城乡居民养老保险待遇核定",
        "item_code": case.item.implementation_code,
        "item_version": case.item_version.number,
        "department_name": "区社会保险基金管理局",
        "department_code": department.uscc,
        "applicant_type": "1",
        "applicant_name": "陈*文",
        "applicant_id_number": city.person.id_number_masked,
        "applicant_phone": "138****8000",
        "channel": "pad",
        "occasion": "visit",
        "case_state": "delivered",
        "region_code": city.street_centre.region.code,
        "centre_name": "街道中心",
        "window_number": "02",
        "window_staff": [{"name": "测试用户", "account": city.clerk.username}],
        "back_office_staff": [{"name": "测试用户", "account": approver.username}],
        "rated_at": "2026-10-20T14:05:00+08:00",
        "level": 2,
        "dimensions": {"overall": 2, "service_efficiency": 1, "competence": 3, "attitude": 2},
        "options": ["wait_long", "attitude"],
        "form_version": "2026.1",
        "is_default": False,
        "counts_in_scores": True,
        "reported_at": None,
    }


def test_the_rows_carry_the_national_field_list_exactly(client, city, scene):
    client.force_login(scene["lead"])
    response = client.get(URL, OCTOBER)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 1 and body["offset"] == 0 and body["next_offset"] is None
    assert [f["key"] for f in body["fields"]] == list(exchange.KEYS)
    assert body["fields"][1] == {"key": "case_number", "label": "办件编号"}
    assert body["rows"] == [expected_row(city, scene)]
    assert len(city.person.id_number_masked) == 18 and "*" in city.person.id_number_masked
    assert "陈大文" not in response.content.decode()
    assert "13800138000" not in response.content.decode()


def test_the_csv_and_the_workbook_hold_the_same_row(client, city, scene):
    client.force_login(scene["auditor"])
    response = client.get(URL + "/file", {**OCTOBER, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="ratings-20261001-20261031.csv"'
    assert response.content.startswith("\ufeff".encode())
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0] == [f.label for f in exchange.FIELDS]
    assert lines[1] == list(exchange.KEYS)
    row = dict(zip(lines[1], lines[2], strict=True))
    assert row["applicant_name"] == "陈*文"
    assert row["window_staff"] == f"测试用户({city.clerk.username})"
    assert row["dimensions"] == (
        '{"attitude": 2, "competence": 3, "overall": 2, "service_efficiency": 1}'
    )
    assert row["options"] == "wait_long;attitude"
    assert row["is_default"] == "否"
    assert row["rated_at"] == "2026-10-20T14:05:00+08:00"
    assert len(lines) == 3

    response = client.get(URL + "/file", {**OCTOBER, "format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in r] for r in sheet.iter_rows()]
    assert values[1] == list(exchange.KEYS)
    assert values[2][list(exchange.KEYS).index("case_number")] == scene["case"].number
    assert values[2][list(exchange.KEYS).index("level")] == 2


@pytest.mark.parametrize(
    "params, field, code",
    [
        ({"date_from": "2026-13-01", "date_to": "2026-10-31"}, "date_from", None),
        ({"date_from": "yesterday", "date_to": "2026-10-31"}, "date_from", None),
        ({"date_from": "2026-10-01"}, "date_to", None),
        ({"date_from": "2026-10-31", "date_to": "2026-10-01"}, "date_to", "before_date_from"),
        ({"date_from": "2025-10-01", "date_to": "2026-10-31"}, "date_to", "period_too_long"),
        ({**OCTOBER, "limit": "0"}, "limit", None),
        ({**OCTOBER, "department_id": "abc"}, "department_id", None),
    ],
)
def test_a_bad_period_answers_422_naming_the_field(client, scene, params, field, code):
    client.force_login(scene["lead"])
    for url in (URL, URL + "/file") if field != "limit" else (URL,):
        response = client.get(url, params)
        assert response.status_code == 422, response.content
        errors = response.json()["errors"]
        assert [e["field"] for e in errors] == [field]
        if code:
            assert errors[0]["code"] == code
        assert errors[0]["message"] and errors[0]["message_en"]


def test_the_file_format_is_checked(client, scene):
    client.force_login(scene["lead"])
    response = client.get(URL + "/file", {**OCTOBER, "format": "pdf"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "format"


def test_anonymous_answers_401_and_no_permission_403_audited(client, city, scene):
    assert client.get(URL, OCTOBER).status_code == 401
    assert client.post(
        URL + "/reported", {"ids": [1]}, content_type="application/json"
    ).status_code in (401, 403)
    client.force_login(city.clerk)  # an intake clerk may not view ratings
    response = client.get(URL, {"date_from": "bad"})
    assert response.status_code == 403  # refused before the query is read
    denied = AuditLog.objects.get(action="denied:rating.view")
    assert (denied.actor, denied.allowed, denied.detail["path"]) == (city.clerk, False, URL)
    assert not AuditLog.objects.filter(action="ratings.exchange_export").exists()


def test_another_department_s_lead_sees_nothing_of_it(client, city, scene):
    client.force_login(scene["other_lead"])
    mine = client.get(URL, OCTOBER).json()
    asked = client.get(URL, {**OCTOBER, "department_id": city.instant.department.pk}).json()
    unknown = client.get(URL, {**OCTOBER, "department_id": 999999}).json()
    assert mine["count"] == asked["count"] == unknown["count"] == 0
    assert mine["rows"] == asked["rows"] == unknown["rows"] == []


def test_every_export_is_audited_with_its_period_and_count(client, city, scene):
    client.force_login(scene["lead"])
    client.get(URL, {**OCTOBER, "department_id": city.instant.department.pk})
    client.get(URL + "/file", {**OCTOBER, "format": "csv"})
    rows = list(AuditLog.objects.filter(action="ratings.exchange_export").order_by("id"))
    assert [(r.actor, r.detail["format"], r.detail["rows"]) for r in rows] == [
        (scene["lead"], "json", 1),
        (scene["lead"], "csv", 1),
    ]
    assert rows[0].detail["date_from"] == "2026-10-01"
    assert rows[0].detail["date_to"] == "2026-10-31"
    assert rows[0].detail["department_id"] == city.instant.department.pk


def test_mark_as_reported_is_the_administrators_and_idempotent(client, city, scene):
    rating = scene["rating"]
    # The readers (the auditor, the department's lead, another lead) may not write the mark:
    # 403 before the body is read, audited, nothing stamped.
    for reader in (scene["auditor"], scene["lead"], scene["other_lead"]):
        client.force_login(reader)
        for body in ({"ids": [rating.pk]}, {"ids": []}):
            refused = client.post(URL + "/reported", body, content_type="application/json")
            assert refused.status_code == 403
    denied = AuditLog.objects.filter(action="denied:rating.report").order_by("id")
    assert [(d.actor, d.allowed, d.detail["path"]) for d in denied] == [
        (reader, False, URL + "/reported")
        for reader in (scene["auditor"], scene["lead"], scene["other_lead"])
        for _ in range(2)
    ]
    rating.refresh_from_db()
    assert rating.reported_at is None

    client.force_login(staff_with_role(Role.ADMIN))
    first = client.post(
        URL + "/reported", {"ids": [rating.pk, rating.pk]}, content_type="application/json"
    )
    assert first.status_code == 200 and first.json() == {"marked": 1, "already": 0}
    rating.refresh_from_db()
    stamped = rating.reported_at
    assert stamped is not None
    again = client.post(URL + "/reported", {"ids": [rating.pk]}, content_type="application/json")
    assert again.json() == {"marked": 0, "already": 1}
    rating.refresh_from_db()
    assert rating.reported_at == stamped
    assert client.get(URL, {**OCTOBER, "unreported": "true"}).json()["count"] == 0
    audit = AuditLog.objects.filter(action="ratings.exchange_reported").order_by("id")
    assert [(a.detail["marked"], a.detail["already"]) for a in audit] == [(1, 0), (0, 1)]
    # A mix of one known and one unknown marks nothing.
    bad = client.post(
        URL + "/reported", {"ids": [rating.pk, 999999]}, content_type="application/json"
    )
    assert bad.status_code == 404
    assert (
        client.post(URL + "/reported", {"ids": []}, content_type="application/json").status_code
        == 422
    )


def test_the_rows_take_the_same_queries_for_one_rating_or_many(client, city, scene):
    client.force_login(scene["auditor"])

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL, OCTOBER).status_code == 200
        return len(captured.captured_queries)

    one = count()
    for day in range(1, 6):
        rating_of(instant_case(city, at(10, day)), 5, rated_at=at(10, day))
    assert count() == one
    assert client.get(URL, OCTOBER).json()["count"] == 6


def test_times_go_out_to_the_second_in_local_time():
    import datetime as dt

    from onewindow.ratings.exchange import _iso

    moment = dt.datetime(2026, 10, 20, 6, 5, 28, 672286, tzinfo=dt.UTC)
    assert _iso(moment) == "2026-10-20T14:05:28+08:00"
    assert _iso(None) is None
