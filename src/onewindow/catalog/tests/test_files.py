"""Uploaded files are never served from /media/: each goes through a view that checks who may
read it — an import's workbook for importers only, an item's forms while its guide is readable."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.urls import clear_url_caches, reverse

from onewindow.catalog.models import CatalogImportJob
from onewindow.config import urls as site_urls
from onewindow.org.models import Role
from onewindow.testing.factories import CentreFactory, create_item, staff_with_role

WORKBOOK = b"PK\x03\x04 not really a workbook, but bytes to compare"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def job(media) -> CatalogImportJob:
    job = CatalogImportJob(original_name="街道目录.xlsx")
    job.file.save("uploaded.xlsx", ContentFile(WORKBOOK), save=False)
    job.save()
    return job


@pytest.fixture
def debug_urls(settings):
    """The site's URLs as the embedded default (DEBUG=1) builds them."""
    settings.DEBUG = True
    importlib.reload(site_urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(site_urls)
    clear_url_caches()


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.mark.django_db
def test_an_uploaded_workbook_under_media_answers_404_to_anonymous_and_to_a_signed_in_user(
    client, job, debug_urls
):
    assert job.file.name.startswith("catalog/imports/")
    assert Path(job.file.storage.path(job.file.name)).read_bytes() == WORKBOOK
    media_url = f"/media/{job.file.name}"
    assert job.file.url == media_url

    assert client.get(media_url).status_code == 404
    client.force_login(staff_with_role(Role.ADMIN))
    assert client.get(media_url).status_code == 404


@pytest.mark.django_db
def test_the_uploaded_workbook_is_served_to_an_importer_and_to_nobody_else(client, job):
    url = reverse("catalog_manage:import_job_workbook", args=[job.pk])
    assert url == f"/staff/catalog/import/{job.pk}/workbook/"

    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("staff:sign_in"))

    client.force_login(staff_with_role(Role.INTAKE_CLERK, centre=CentreFactory()))
    assert client.get(url).status_code == 403

    client.force_login(staff_with_role(Role.ADMIN))
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E8%A1%97%E9%81%93%E7%9B%AE%E5%BD%95.xlsx"
    )
    assert "no-store" in response["Cache-Control"]
    assert response.content == WORKBOOK

    job_page = client.get(reverse("catalog_manage:import_job", args=[job.pk])).content.decode()
    assert f'href="{url}"' in job_page
    assert "/media/" not in job_page


@pytest.mark.django_db
def test_an_items_blank_form_is_served_while_its_guide_is_public_and_never_from_media(
    client, media
):
    published = create_item(name="食品经营许可")
    form = published.materials.order_by("order", "id").first()
    form.blank_form.save("申请表.docx", ContentFile(b"blank form"), save=True)
    draft = create_item(name="草稿事项", publish=False)
    draft_form = draft.materials.order_by("order", "id").first()
    draft_form.blank_form.save("草稿.docx", ContentFile(b"draft form"), save=True)

    url = reverse("catalog:item_material_file", args=[published.pk, form.pk, "blank-form"])
    guide = client.get(reverse("catalog:item", args=[published.pk])).content.decode()
    assert f'href="{url}"' in guide
    assert "/media/" not in guide
    response = client.get(url)
    assert response.status_code == 200
    assert _body(response) == b"blank form"
    assert client.get(f"/media/{form.blank_form.name}").status_code == 404

    # A draft's form, another item's material, an unknown kind: 404 like a missing file.
    for missing in (
        reverse("catalog:item_material_file", args=[draft.pk, draft_form.pk, "blank-form"]),
        reverse("catalog:item_material_file", args=[published.pk, draft_form.pk, "blank-form"]),
        reverse("catalog:item_material_file", args=[published.pk, form.pk, "sample"]),
        reverse("catalog:item_material_file", args=[published.pk, form.pk, "other"]),
        reverse("catalog:item_result_sample", args=[published.pk]),
    ):
        assert client.get(missing).status_code == 404, missing


@pytest.mark.django_db
def test_the_admin_links_no_upload_to_media(client, job):
    item = create_item(name="食品经营许可")
    form = item.materials.order_by("order", "id").first()
    form.blank_form.save("申请表.docx", ContentFile(b"blank form"), save=True)
    client.force_login(staff_with_role(Role.ADMIN))

    item_page = client.get(f"/admin/catalog/serviceitem/{item.pk}/change/")
    assert item_page.status_code == 200
    html = item_page.content.decode()
    assert form.blank_form.name in html
    assert "/media/" not in html

    job_page = client.get(f"/admin/catalog/catalogimportjob/{job.pk}/change/")
    assert job_page.status_code == 200
    html = job_page.content.decode()
    workbook = reverse("catalog_manage:import_job_workbook", args=[job.pk])
    assert f'<a href="{workbook}">街道目录.xlsx</a>' in html
    assert "/media/" not in html
