"""The grid categories' staff pages: the list in a constant number of queries, the import
with its errors listed, the export, and who may open them."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from onewindow.core.models import AuditLog
from onewindow.org.models import Role
from onewindow.staff.navigation import workstations_for
from onewindow.testing.factories import staff_with_role
from onewindow.urban.models import Category
from onewindow.urban.tests.test_categories_import import (
    Scene,
    edit,
    good_sheets,
    scene_make,
    stored,
    workbook,
)

pytestmark = pytest.mark.django_db

LIST = "/staff/urban/categories/"
IMPORT = "/staff/urban/categories/import/"
EXPORT = "/staff/urban/categories/export/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def scene() -> Scene:
    return scene_make()


def upload(data: bytes, content_type: str = XLSX) -> SimpleUploadedFile:
    return SimpleUploadedFile("categories.xlsx", data, content_type=content_type)


def test_the_administrator_imports_lists_and_exports(client, scene, django_assert_max_num_queries):
    client.force_login(scene.admin)
    response = client.post(IMPORT, {"workbook": upload(workbook(good_sheets()))}, follow=True)
    assert response.redirect_chain == [(LIST, 302)]
    page = response.content.decode()
    assert "3 subclasses" in page or "3 个小类" in page
    assert 'data-category="E0301"' in page
    assert "停工 4" in page and "拆除 20" in page
    assert "沙面街道环卫站 (沙面街道)" in page
    client.get(LIST)  # the session and the navigation warmed
    with django_assert_max_num_queries(16):
        response = client.get(LIST)
    assert response.status_code == 200
    groups = response.context["catalogue"]
    assert [(g.kind, [m.code for m in g.majors]) for g in groups] == [
        ("component", ["C01"]),
        ("event", ["E01", "E03"]),
    ]
    # Twice the categories: the same number of queries.
    sheets = good_sheets()
    for number in range(2, 10):
        sheets["小类"].append(["事件", f"010{number}", f"小类{number}", "有", "无", "", "否"])
        sheets["责任单位"].append([f"E010{number}", "440103001000", "沙面街道环卫站", 1])
        sheets["时限"].append([f"E010{number}", 1, "处置", 1, "工作日"])
    client.post(IMPORT, {"workbook": upload(workbook(sheets))})
    assert Category.objects.count() == 14
    with django_assert_max_num_queries(16):
        assert client.get(LIST).status_code == 200
    export = client.get(EXPORT)
    assert export.status_code == 200
    assert export["Content-Type"] == XLSX
    assert "attachment" in export["Content-Disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(export.content))
    assert len(list(wb["小类"].iter_rows())) == 1 + 11


def test_a_bad_workbook_lists_every_error_and_stores_nothing(client, scene):
    client.force_login(scene.admin)
    sheets = good_sheets()
    edit(sheets, "责任单位", 2, 3, "荔湾区不存在局")
    edit(sheets, "时限", 3, 5, "分钟")
    response = client.post(IMPORT, {"workbook": upload(workbook(sheets))})
    assert response.status_code == 422
    errors = response.context["error"]["errors"]
    assert [(e["sheet"], e["row"], e["column"], e["code"]) for e in errors] == [
        ("责任单位", 2, "C 单位名称 / department", "unknown_department"),
        ("时限", 3, "E 单位 / unit", "invalid_code"),
    ]
    page = response.content.decode()
    assert 'id="import-errors"' in page and "荔湾区不存在局" in page
    assert Category.objects.count() == 0


@pytest.mark.parametrize(
    ("post", "code"),
    [
        ({}, "required"),
        ({"workbook": upload(b"name,code\n", "text/csv")}, "not_xlsx"),
        ({"workbook": upload(b"%PDF-1.7")}, "not_xlsx"),
    ],
)
def test_a_wrong_file_is_a_clear_error_not_a_500(client, scene, post, code):
    client.force_login(scene.admin)
    response = client.post(IMPORT, post)
    assert response.status_code == 422
    assert [e["code"] for e in response.context["error"]["errors"]] == [code]
    assert Category.objects.count() == 0


def test_an_oversized_file_is_refused_by_its_size(client, scene, monkeypatch):
    from onewindow.urban.services import categories as service
    from onewindow.urban.views import staff_categories

    monkeypatch.setattr(service, "MAX_WORKBOOK_BYTES", 100)
    monkeypatch.setattr(staff_categories, "MAX_WORKBOOK_BYTES", 100)
    client.force_login(scene.admin)
    response = client.post(IMPORT, {"workbook": upload(workbook(good_sheets()))})
    assert response.status_code == 422
    assert [e["code"] for e in response.context["error"]["errors"]] == ["too_large"]


def test_who_may_open_the_pages(client, scene):
    data = workbook(good_sheets())
    # Anonymous: to the sign-in, nothing stored.
    assert client.get(LIST).status_code == 302
    assert client.post(IMPORT, {"workbook": upload(data)}).status_code == 302
    assert client.get(EXPORT).status_code == 302
    for role in (Role.GRID_CHIEF, Role.GRID_DISPATCHER, Role.GRID_WORKER):
        scope = {"region": scene.sanitation.region} if role == Role.GRID_WORKER else {}
        user = staff_with_role(role, **scope)
        client.force_login(user)
        assert client.get(LIST).status_code == 403
        assert client.post(IMPORT, {"workbook": upload(data)}).status_code == 403
        assert client.get(EXPORT).status_code == 403
        assert "urban.categories" not in [w.key for w in workstations_for(user)]
    assert Category.objects.count() == 0
    assert stored()["units"] == []
    assert AuditLog.objects.filter(action="denied:urban.manage").count() == 9
    assert "urban.categories" in [w.key for w in workstations_for(scene.admin)]
