"""A body larger than REQUEST_BODY_MAX_BYTES is refused before anything reads it: no paper,
no file on disk, a bilingual 413 on the page and in the API's error format."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import MULTIPART_CONTENT, encode_multipart
from django.urls import reverse

from onewindow.cases.models import CasePaper
from onewindow.cases.services import case_accept
from onewindow.cases.tests.test_e_papers_api import client_for, stored_files
from onewindow.papers.models import Paper
from onewindow.papers.samples import sample_pdf

BOUNDARY = "BoUnDaRyOneWindow"


def multipart(material_id: int) -> bytes:
    return encode_multipart(
        BOUNDARY, {"file": SimpleUploadedFile("表.pdf", sample_pdf()), "material_id": material_id}
    )


def post(client: Client, url: str, body: bytes, **extra: str):
    return client.generic(
        "POST", url, body, content_type=f"multipart/form-data; boundary={BOUNDARY}", **extra
    )


def test_a_body_one_byte_over_the_limit_is_refused_on_the_page_and_in_the_api(city, settings):
    case = case_accept(intake=city.intake())
    material = case.materials.first()
    body = multipart(material.pk)
    settings.REQUEST_BODY_MAX_BYTES = len(body) - 1
    clerk = client_for(city.clerk)
    before = stored_files()
    page = post(clerk, reverse("cases_staff:case_paper_upload", args=[case.number]), body)
    api = post(clerk, f"/api/cases/{case.number}/papers", body)
    assert page.status_code == 413
    text = page.content.decode()
    assert "MB" in text and "上传的文件大于" in text and "The upload is larger than" in text
    assert api.status_code == 413
    assert api.json()["code"] == "request_too_large"
    assert api.json()["message_en"].startswith("The upload is larger than")
    assert (CasePaper.objects.count(), Paper.objects.count()) == (0, 0)
    assert stored_files() == before


def test_a_body_at_the_limit_reaches_the_upload(city, settings):
    case = case_accept(intake=city.intake())
    material = case.materials.first()
    body = multipart(material.pk)
    settings.REQUEST_BODY_MAX_BYTES = len(body)
    answer = post(client_for(city.clerk), f"/api/cases/{case.number}/papers", body)
    assert answer.status_code == 200, answer.content
    assert CasePaper.objects.filter(case=case).count() == 1


def test_a_length_that_is_not_a_number_answers_400(city):
    clerk = client_for(city.clerk)
    answer = clerk.generic(
        "POST", "/api/cases/X/papers", b"", content_type=MULTIPART_CONTENT, CONTENT_LENGTH="12a"
    )
    assert answer.status_code == 400
    assert answer.json()["code"] == "bad_content_length"


def test_the_default_limit_is_the_workbook_limit_and_a_megabyte_for_the_fields(settings):
    from onewindow.catalog.imports import MAX_WORKBOOK_BYTES

    assert settings.PAPER_MAX_BYTES < MAX_WORKBOOK_BYTES
    assert settings.REQUEST_BODY_MAX_BYTES == MAX_WORKBOOK_BYTES + 1024 * 1024
