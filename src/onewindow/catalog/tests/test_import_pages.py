"""Staff pages for the catalogue workbook: who may use them, and what they show."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from onewindow.catalog.excel import catalog_export, catalog_template
from onewindow.catalog.models import CatalogImportJob, ImportStatus, ServiceItem
from onewindow.org.models import Role
from onewindow.testing.factories import (
    CentreFactory,
    DepartmentFactory,
    create_item,
    staff_with_role,
)

UPLOAD = reverse("catalog_manage:import_upload")
EXPORT = reverse("catalog_manage:export")
TEMPLATE = reverse("catalog_manage:template")


def _xlsx(data: bytes, name: str = "catalogue.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def _job(**values) -> CatalogImportJob:
    return CatalogImportJob.objects.create(
        file="catalog/imports/x.xlsx", original_name="x.xlsx", **values
    )


def _exported_item_codes(data: bytes) -> list[str]:
    wb = load_workbook(io.BytesIO(data))
    return [row[0] for row in wb["事项 Items"].iter_rows(min_row=2, values_only=True)]


@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in_and_nothing_is_created(client):
    job = _job()
    urls = [
        UPLOAD,
        EXPORT,
        TEMPLATE,
        reverse("catalog_manage:import_job", args=[job.pk]),
        reverse("catalog_manage:import_job_progress", args=[job.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("staff:sign_in")), url
    response = client.post(UPLOAD, {"workbook": _xlsx(catalog_template())})
    assert response.status_code == 302
    assert CatalogImportJob.objects.count() == 1


@pytest.mark.django_db
def test_intake_clerk_is_refused_and_no_job_is_created(client):
    clerk = staff_with_role(Role.INTAKE_CLERK, centre=CentreFactory())
    client.force_login(clerk)
    job = _job()
    for url in (
        UPLOAD,
        EXPORT,
        TEMPLATE,
        reverse("catalog_manage:import_job", args=[job.pk]),
        reverse("catalog_manage:import_job_progress", args=[job.pk]),
    ):
        assert client.get(url).status_code == 403, url
    response = client.post(UPLOAD, {"workbook": _xlsx(catalog_template())})
    assert response.status_code == 403
    assert list(CatalogImportJob.objects.values_list("pk", flat=True)) == [job.pk]


@pytest.mark.django_db
def test_admin_upload_creates_a_job_that_runs(client, django_capture_on_commit_callbacks):
    admin = staff_with_role(Role.ADMIN)
    client.force_login(admin)
    create_item()
    data = catalog_export()
    page = client.get(UPLOAD)
    assert page.status_code == 200
    assert 'name="workbook"' in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(UPLOAD, {"workbook": _xlsx(data)})

    job = CatalogImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("catalog_manage:import_job", args=[job.pk])
    assert job.created_by == admin
    assert job.original_name == "catalogue.xlsx"
    assert job.status == ImportStatus.DONE
    assert job.summary["updated"] == 1
    html = client.get(response["Location"]).content.decode()
    assert 'value="100"' in html
    assert "100%" in html
    assert 'hx-trigger="every 1s"' not in html
    assert "catalogue.xlsx" in html


@pytest.mark.django_db
def test_upload_of_another_kind_of_file_is_refused_with_a_message(client):
    client.force_login(staff_with_role(Role.ADMIN))
    response = client.post(UPLOAD, {"workbook": _xlsx(b"a;b", "catalogue.csv")})
    assert response.status_code == 422
    assert "Upload an Excel workbook ending in .xlsx." in response.content.decode()
    response = client.post(UPLOAD, {})
    assert response.status_code == 422
    assert "Choose a workbook to upload." in response.content.decode()
    assert CatalogImportJob.objects.count() == 0


@pytest.mark.django_db
def test_running_job_page_polls_its_progress_every_second(client):
    client.force_login(staff_with_role(Role.ADMIN))
    job = _job(status=ImportStatus.RUNNING, processed_rows=30, total_rows=60)
    with translation.override("en"):  # the English pages live under /en/
        page_url = reverse("catalog_manage:import_job", args=[job.pk])
        progress_url = reverse("catalog_manage:import_job_progress", args=[job.pk])

    html = client.get(page_url).content.decode()
    assert f'hx-get="{progress_url}"' in html
    assert 'hx-trigger="every 1s"' in html
    assert '<progress max="100" value="50"' in html
    assert "50%" in html

    fragment = client.get(progress_url).content.decode()
    assert "<html" not in fragment
    assert 'hx-trigger="every 1s"' in fragment
    assert "30 of 60 rows checked" in fragment


@pytest.mark.django_db
def test_failed_job_lists_each_error_with_sheet_row_and_column(
    client, django_capture_on_commit_callbacks
):
    client.force_login(staff_with_role(Role.ADMIN))
    wb = load_workbook(io.BytesIO(catalog_template()))
    wb["事项 Items"].append(["X"])
    buffer = io.BytesIO()
    wb.save(buffer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(UPLOAD, {"workbook": _xlsx(buffer.getvalue())})
    job = CatalogImportJob.objects.get()
    assert job.status == ImportStatus.FAILED
    assert ServiceItem.objects.count() == 0

    fragment = client.get(
        reverse("catalog_manage:import_job_progress", args=[job.pk])
    ).content.decode()
    assert 'hx-trigger="every 1s"' not in fragment
    assert "<td>事项 Items</td>" in fragment
    assert "<td>2</td>" in fragment
    assert "<td>B 基本编码 / basic_code</td>" in fragment
    assert "<code>basic_code</code>" in fragment
    assert "This column is required." in fragment
    assert fragment.count("<tr>") == len(job.errors) + 1


@pytest.mark.django_db
def test_export_of_a_department_lead_holds_only_their_items(client):
    own = DepartmentFactory()
    own_item = create_item(department=own)
    other_item = create_item(department=DepartmentFactory())
    client.force_login(staff_with_role(Role.DEPT_LEAD, department=own))
    response = client.get(EXPORT)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    assert _exported_item_codes(response.content) == [own_item.implementation_code]

    client.force_login(staff_with_role(Role.ADMIN))
    response = client.get(EXPORT)
    assert sorted(_exported_item_codes(response.content)) == sorted(
        [own_item.implementation_code, other_item.implementation_code]
    )


@pytest.mark.django_db
def test_template_download(client):
    client.force_login(staff_with_role(Role.ADMIN))
    response = client.get(TEMPLATE)
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    assert "事项 Items" in wb.sheetnames
