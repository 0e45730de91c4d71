"""The electronic papers over the API: the same checks, the same 404, the same audit rows as
the case page."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from onewindow.cases.models import CasePaper
from onewindow.cases.services import case_accept
from onewindow.org.models import Role
from onewindow.papers.models import Paper
from onewindow.papers.samples import sample_jpeg, sample_pdf
from onewindow.testing.audit import audit_mark, audit_since
from onewindow.testing.factories import DepartmentFactory, staff_with_role

API = "/api/cases"
FORM = "既有住宅增设电梯申请表"


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "papers"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_clerk_uploads_and_each_joint_department_reads_the_file(city):
    case = case_accept(intake=city.intake())
    material = case.materials.get(name=FORM)
    clerk = client_for(city.clerk)
    answer = clerk.post(
        f"{API}/{case.number}/papers",
        {
            "file": SimpleUploadedFile("表.jpg", sample_jpeg(with_exif=True)),
            "material_id": material.pk,
        },
    )
    assert answer.status_code == 200, answer.content
    body = answer.json()
    link = CasePaper.objects.get(case=case)
    assert body["id"] == link.pk
    assert (body["material"], body["material_id"], body["via"]) == (FORM, material.pk, "window")
    assert (body["content_type"], body["pages"], body["has_thumbnail"]) == ("image/jpeg", 1, True)
    assert body["sha256"] == link.paper.sha256
    listed = client_for(city.approvers[city.joint_departments[7].pk]).get(
        f"{API}/{case.number}/papers"
    )
    assert [row["id"] for row in listed.json()] == [link.pk]
    mark = audit_mark()
    for department in city.joint_departments:
        client = client_for(city.approvers[department.pk])
        got = client.get(f"{API}/{case.number}/papers/{link.pk}/file")
        assert (got.status_code, got["Content-Type"]) == (200, "image/jpeg")
        assert b"SampleCameraMaker" not in got.content
        thumb = client.get(f"{API}/{case.number}/papers/{link.pk}/thumbnail")
        assert (thumb.status_code, thumb["Content-Type"]) == (200, "image/jpeg")
    assert audit_since(mark).filter(action="cases.paper_read").count() == 16


def test_outsiders_get_404_for_the_list_the_file_and_the_upload(city):
    case = case_accept(intake=city.intake())
    link = client_for(city.clerk).post(
        f"{API}/{case.number}/papers", {"file": SimpleUploadedFile("a.pdf", sample_pdf())}
    )
    paper_id = link.json()["id"]
    outsider = staff_with_role(Role.DEPT_APPROVER, department=DepartmentFactory(name="区教育局"))
    client = client_for(outsider)
    mark = audit_mark()
    theirs = client.get(f"{API}/{case.number}/papers/{paper_id}/file")
    missing = client.get(f"{API}/{case.number}/papers/{paper_id + 50}/file")
    assert (theirs.status_code, missing.status_code) == (404, 404)
    assert theirs.json() == missing.json()
    assert client.get(f"{API}/{case.number}/papers").status_code == 404
    upload = client.post(
        f"{API}/{case.number}/papers", {"file": SimpleUploadedFile("b.pdf", sample_pdf())}
    )
    assert upload.status_code == 404
    assert Paper.objects.count() == 1 and len(stored_files()) == 1
    assert not audit_since(mark).filter(allowed=True).exists()
    assert audit_since(mark).filter(allowed=False).count() == 4
    anonymous = Client().get(f"{API}/{case.number}/papers/{paper_id}/file")
    assert anonymous.status_code == 401


def test_a_bad_upload_is_422_in_both_languages_and_leaves_nothing(city, settings):
    case = case_accept(intake=city.intake())
    clerk = client_for(city.clerk)
    settings.PAPER_MAX_BYTES = 1024
    cases = {
        "not_what_its_name_says": SimpleUploadedFile("身份证.jpg", sample_pdf()),
        "too_large": SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * 2048),
        "type_not_allowed": SimpleUploadedFile("run.exe", b"MZ\x90\x00"),
    }
    for code, upload in cases.items():
        answer = clerk.post(f"{API}/{case.number}/papers", {"file": upload})
        assert answer.status_code == 422
        body = answer.json()
        assert body["code"] == "paper_refused"
        assert body["message"] == "此文件无法作为材料保存，未保存任何内容。"
        assert body["message_en"] == "This file cannot be kept as a paper; nothing was saved."
        assert [e["code"] for e in body["errors"]] == [code]
        assert body["errors"][0]["field"] == "file"
        assert body["errors"][0]["message"] and body["errors"][0]["message_en"]
    missing_file = clerk.post(f"{API}/{case.number}/papers", {})
    assert missing_file.status_code == 422
    assert (Paper.objects.count(), CasePaper.objects.count(), stored_files()) == (0, 0, [])
