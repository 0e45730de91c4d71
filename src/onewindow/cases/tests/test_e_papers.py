"""Electronic papers of a case (电子材料): the window scans them in, every department of the
lift's joint review opens the same files, each opening is audited, and anyone else gets the same
404 as for a paper that does not exist. A refused file leaves nothing behind."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from onewindow.cases.models import CasePaper, CasePaperVia
from onewindow.cases.services import case_accept
from onewindow.cases.services.papers import case_paper_add, case_paper_open, case_paper_reuse
from onewindow.core.errors import ApplicationError, NotFoundOrForbidden, ValidationFailed
from onewindow.org.models import Role
from onewindow.papers.models import Paper, PersonPaper
from onewindow.papers.samples import sample_jpeg, sample_pdf, sample_png
from onewindow.papers.services import paper_bytes, person_paper_keep
from onewindow.testing.audit import audit_mark, audit_since
from onewindow.testing.factories import DepartmentFactory, staff_with_role

FORM = "既有住宅增设电梯申请表"


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "papers"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def same_page(html: bytes) -> bytes:
    """The page without its per-answer CSRF token."""
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", html)


def upload(data: bytes, name: str, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def add(city, case, data: bytes, name: str, material: str | None = FORM) -> CasePaper:
    material_id = case.materials.get(name=material).pk if material else None
    return case_paper_add(
        case=case, upload=upload(data, name), name=name, actor=city.clerk, material_id=material_id
    )


@pytest.fixture
def case(city):
    return case_accept(intake=city.intake())


def page_url(case) -> str:
    return reverse("cases_staff:case_detail", args=[case.number])


def file_url(case, link_id: int, thumbnail: bool = False) -> str:
    name = "cases_staff:case_paper_thumbnail" if thumbnail else "cases_staff:case_paper_file"
    return reverse(name, args=[case.number, link_id])


def test_a_scan_is_kept_encrypted_under_a_random_name_with_its_hash(city, case):
    data = sample_pdf(pages=2)
    mark = audit_mark()
    link = add(city, case, data, "申请表.pdf")
    paper = link.paper
    assert (link.via, link.material.name, link.added_by) == (CasePaperVia.WINDOW, FORM, city.clerk)
    assert (paper.content_type, paper.pages, paper.size) == ("application/pdf", 2, len(data))
    import hashlib

    assert paper.sha256 == paper.upload_sha256 == hashlib.sha256(data).hexdigest()
    files = stored_files()
    assert len(files) == 1 and files[0].name.endswith(".pdf.enc")
    assert "申请表" not in files[0].name and len(files[0].name) == len("0" * 32 + ".pdf.enc")
    on_disk = files[0].read_bytes()
    assert b"%PDF" not in on_disk and on_disk.startswith(b"OWB1")
    assert paper_bytes(paper=paper) == data
    rows = list(audit_since(mark).values_list("action", "object_repr", "allowed"))
    assert rows == [("cases.paper_add", case.number, True)]


def test_a_swapped_file_is_refused_with_a_clear_error_and_a_missing_one_is_not_found(
    client, city, case
):
    """The storage name is bound to the ciphertext: a file swapped under another paper's name
    is refused (409, in both languages), never shown as that paper; a file lost (a restore
    without the files) answers "not found"."""
    first = add(city, case, sample_pdf(), "a.pdf")
    second = add(city, case, sample_pdf(pages=2), "b.pdf")
    root = Path(settings.MEDIA_ROOT)
    (root / first.paper.file_name).write_bytes((root / second.paper.file_name).read_bytes())
    client.force_login(city.clerk)
    damaged = client.get(file_url(case, first.pk))
    assert damaged.status_code == 409
    assert "无法读取" in damaged.text and "cannot be read" in damaged.text
    assert b"%PDF" not in damaged.content
    (root / second.paper.file_name).unlink()
    assert client.get(file_url(case, second.pk)).status_code == 404
    api = client.get(f"/api/cases/{case.number}/papers/{first.pk}/file")
    assert (api.status_code, api.json()["code"]) == (409, "paper_file_damaged")


def test_every_department_of_the_joint_review_opens_the_same_paper_and_each_view_is_audited(
    city, case
):
    data = sample_png()
    link = add(city, case, data, "业主表决.png", material="业主表决意见书")
    kept = paper_bytes(paper=link.paper)
    departments = [city.lead_department, *city.joint_departments]
    assert len(departments) == 9  # the lead department and the eight joint ones
    assert set(case.tasks.values_list("department_id", flat=True)) == {d.pk for d in departments}
    mark = audit_mark()
    for department in departments:
        approver = city.approvers[department.pk]
        client = logged_in(approver)
        page = client.get(page_url(case))
        assert page.status_code == 200
        assert file_url(case, link.pk) in page.text
        assert file_url(case, link.pk, thumbnail=True) in page.text
        answer = client.get(file_url(case, link.pk))
        assert answer.status_code == 200
        assert answer.content == kept
        assert answer["Content-Type"] == "image/png"
        assert answer["X-Content-Type-Options"] == "nosniff"
        assert answer["Cache-Control"] == "no-store"
        assert answer["X-Frame-Options"] == "SAMEORIGIN"
        assert answer["Content-Disposition"].startswith("inline; filename")
        assert answer["Content-Security-Policy"] == (
            "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; "
            "frame-ancestors 'self'; sandbox"
        )
    reads = audit_since(mark).filter(action="cases.paper_read")
    assert reads.count() == 9
    assert sorted(reads.values_list("actor_id", flat=True)) == sorted(
        city.approvers[d.pk].pk for d in departments
    )
    for row in reads:
        assert row.object_type == "cases.casepaper" and row.object_id == str(link.pk)
        assert row.detail == {
            "case_number": case.number,
            "paper": link.paper.pk,
            "material": "业主表决意见书",
            "content_type": "image/png",
            "sha256": link.paper.sha256,
            "purpose": "file",
        }


def test_a_department_without_a_step_gets_the_404_of_a_missing_paper_and_both_are_audited(
    city, case
):
    link = add(city, case, sample_pdf(), "申请表.pdf")
    outsider = staff_with_role(Role.DEPT_APPROVER, department=DepartmentFactory(name="区教育局"))
    client = logged_in(outsider)
    mark = audit_mark()
    theirs = client.get(file_url(case, link.pk))
    missing = client.get(file_url(case, link.pk + 1000))
    thumbnail = client.get(file_url(case, link.pk, thumbnail=True))
    assert (theirs.status_code, missing.status_code, thumbnail.status_code) == (404, 404, 404)
    assert same_page(theirs.content) == same_page(
        missing.content.replace(
            f"/papers/{link.pk + 1000}/".encode(), f"/papers/{link.pk}/".encode()
        )
    )
    assert b"%PDF" not in theirs.content
    rows = list(audit_since(mark).values_list("action", "allowed"))
    assert rows == [("denied:case.paper_view", False)] * 3
    assert not audit_since(mark).filter(action="cases.paper_read").exists()


def test_the_administrator_and_the_auditor_see_the_case_but_not_its_scans(city, case):
    link = add(city, case, sample_pdf(), "申请表.pdf")
    for role in (Role.ADMIN, Role.AUDITOR):
        user = staff_with_role(role)
        client = logged_in(user)
        page = client.get(page_url(case))
        assert page.status_code == 200
        assert 'id="e-papers"' not in page.text
        assert client.get(file_url(case, link.pk)).status_code == 404


def test_the_case_page_uploads_a_scan_and_shows_its_thumbnail_and_viewer(client, city, case):
    client.force_login(city.clerk)
    material = case.materials.get(name=FORM)
    answer = client.post(
        reverse("cases_staff:case_paper_upload", args=[case.number]),
        {"material": str(material.pk), "file": upload(sample_jpeg(with_exif=True), "表.jpg")},
    )
    assert answer.status_code == 302
    assert answer["Location"] == page_url(case) + "#e-papers"
    link = CasePaper.objects.get(case=case)
    assert len(stored_files()) == 2  # the image and its thumbnail
    page = client.get(page_url(case)).text
    assert f'src="{file_url(case, link.pk, thumbnail=True)}"' in page
    assert f'<img class="e-paper__image" src="{file_url(case, link.pk)}"' in page
    assert "已保存材料：表.jpg" in page
    pdf = add(city, case, sample_pdf(pages=3), "b.pdf")
    page = client.get(page_url(case)).text
    assert f'<iframe class="e-paper__pdf" src="{file_url(case, pdf.pk)}"' in page
    assert "3 页" in page
    thumb = client.get(file_url(case, link.pk, thumbnail=True))
    assert (thumb.status_code, thumb["Content-Type"]) == (200, "image/jpeg")
    full = client.get(file_url(case, pdf.pk))
    assert full["Content-Security-Policy"] == (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"
    )
    assert full["Content-Type"] == "application/pdf"


@pytest.mark.parametrize(
    ("data", "name", "zh", "en"),
    [
        (
            sample_png(),
            "身份证.pdf",
            "文件名为“身份证.pdf”，但其内容是 PNG：与文件名不符。",
            "The file is named “身份证.pdf” but its content is PNG: it is not what its name says.",
        ),
        (
            b"%PDF-" + b"0" * (11 * 1024 * 1024),
            "big.pdf",
            "文件大小为 11.0 MB，每份材料最多 10 MB。",
            "The file is 11.0 MB; a paper may be at most 10 MB.",
        ),
    ],
    ids=["not-what-its-name-says", "oversized"],
)
def test_a_bad_file_on_the_page_is_a_clear_error_and_nothing_is_written(
    client, city, case, data, name, zh, en
):
    client.force_login(city.clerk)
    mark = audit_mark()
    answer = client.post(
        reverse("cases_staff:case_paper_upload", args=[case.number]),
        {"material": "", "file": upload(data, name)},
    )
    assert answer.status_code == 422
    assert zh in answer.text and en in answer.text
    assert "无法作为材料保存，未保存任何内容。" in answer.text
    assert (Paper.objects.count(), CasePaper.objects.count(), stored_files()) == (0, 0, [])
    assert not audit_since(mark).filter(action="cases.paper_add").exists()


def test_a_failure_after_the_files_are_written_removes_them(city, case, monkeypatch):
    from onewindow.cases.services import papers as service

    def broken(**kwargs):
        raise RuntimeError("the audit table is gone")

    monkeypatch.setattr(service, "audit_record", broken)
    with pytest.raises(RuntimeError):
        add(city, case, sample_jpeg(), "a.jpg")
    assert (Paper.objects.count(), CasePaper.objects.count(), stored_files()) == (0, 0, [])


def test_only_the_window_of_the_case_adds_papers_and_an_outsider_learns_nothing(city, case):
    other_clerk = staff_with_role(Role.INTAKE_CLERK, centre=city.hall)
    approver = city.approvers[city.lead_department.pk]
    for user in (other_clerk, approver):
        mark = audit_mark()
        with pytest.raises(NotFoundOrForbidden):
            case_paper_add(
                case=case, upload=upload(sample_pdf(), "a.pdf"), name="a.pdf", actor=user
            )
        assert list(audit_since(mark).values_list("action", flat=True)) == ["denied:case.paper_add"]
    assert (Paper.objects.count(), stored_files()) == (0, [])
    client = logged_in(other_clerk)
    answer = client.post(
        reverse("cases_staff:case_paper_upload", args=[case.number]),
        {"file": upload(sample_pdf(), "a.pdf")},
    )
    assert answer.status_code == 404 and Paper.objects.count() == 0


def test_a_closed_case_takes_no_more_papers(city, case):
    from onewindow.cases.services import case_withdraw

    case_withdraw(case=case, actor=city.clerk, reason="申请人撤回")
    case.refresh_from_db()
    with pytest.raises(ApplicationError) as caught:
        add(city, case, sample_pdf(), "a.pdf")
    assert (caught.value.code, caught.value.status) == ("papers_closed", 409)
    assert (Paper.objects.count(), stored_files()) == (0, [])


def test_a_kept_id_card_copy_is_reused_only_with_consent(city, case):
    link = add(city, case, sample_jpeg(), "身份证复印件.jpg", material=None)
    with pytest.raises(ApplicationError) as refused:
        person_paper_keep(
            person=city.person,
            paper=link.paper,
            label="身份证复印件",
            consent=False,
            actor=city.clerk,
        )
    assert refused.value.code == "consent_needed" and PersonPaper.objects.count() == 0
    mark = audit_mark()
    kept = person_paper_keep(
        person=city.person, paper=link.paper, label="身份证复印件", consent=True, actor=city.clerk
    )
    second = case_accept(intake=city.intake())
    with pytest.raises(ApplicationError) as no_consent:
        case_paper_reuse(case=second, kept=kept, consent=False, actor=city.clerk)
    assert no_consent.value.code == "consent_needed"
    assert CasePaper.objects.filter(case=second).count() == 0
    reused = case_paper_reuse(case=second, kept=kept, consent=True, actor=city.clerk)
    assert (reused.paper_id, reused.via, reused.kept_paper) == (
        link.paper_id,
        CasePaperVia.REUSED,
        kept,
    )
    assert reused.consent_at is not None
    assert len(stored_files()) == 2  # one file and its thumbnail, shared by both cases
    rows = {r.action: r.detail for r in audit_since(mark)}
    assert rows["papers.person_paper_keep"]["consent"] is True
    assert rows["cases.paper_reuse"]["consent"] is True
    assert rows["cases.paper_reuse"]["kept_paper"] == kept.pk
    # Someone else's kept paper is "not found" for this case.
    other = city.person.__class__.objects.exclude(pk=city.person.pk).first()
    assert other is None
    foreign = PersonPaper(pk=kept.pk, person_id=city.person.pk + 99, paper=kept.paper, label="x")
    with pytest.raises(NotFoundOrForbidden):
        case_paper_reuse(case=second, kept=foreign, consent=True, actor=city.clerk)


def test_opening_a_paper_in_code_is_audited_like_the_page(city, case):
    link = add(city, case, sample_png(), "a.png")
    approver = city.approvers[city.joint_departments[3].pk]
    mark = audit_mark()
    opened, data = case_paper_open(number=case.number, paper_id=link.pk, user=approver)
    assert opened == link and data == paper_bytes(paper=link.paper)
    assert audit_since(mark).filter(action="cases.paper_read", actor=approver).count() == 1


def test_the_case_page_reads_its_papers_in_a_fixed_number_of_queries(
    client, city, case, django_assert_max_num_queries
):
    client.force_login(city.approvers[city.lead_department.pk])
    add(city, case, sample_pdf(), "a.pdf")
    client.get(page_url(case))
    import django.db
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(django.db.connection) as one:
        assert client.get(page_url(case)).status_code == 200
    for n in range(4):
        add(city, case, sample_png(), f"p{n}.png")
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get(page_url(case)).status_code == 200


def test_a_validation_error_names_the_file_field(city, case):
    with pytest.raises(ValidationFailed) as caught:
        add(city, case, b"GIF89a", "x.gif")
    assert caught.value.as_dict()["errors"][0]["field"] == "file"


def test_the_window_keeps_a_paper_and_reuses_it_on_a_later_case_only_with_consent(
    client, city, case
):
    link = add(city, case, sample_jpeg(), "身份证复印件.jpg", material="业主表决意见书")
    client.force_login(city.clerk)
    keep = reverse("cases_staff:case_paper_keep", args=[case.number, link.pk])
    page = client.get(page_url(case)).text
    assert f'action="{keep}"' in page
    refused = client.post(keep, {})
    assert refused.status_code == 422
    assert "申请人尚未同意" in refused.text and "The applicant has not agreed" in refused.text
    assert PersonPaper.objects.count() == 0
    assert client.post(keep, {"consent": "yes"}).status_code == 302
    kept = PersonPaper.objects.get()
    assert (kept.person, kept.paper, kept.label) == (city.person, link.paper, "业主表决意见书")
    assert "已存入申请人材料库。" in client.get(page_url(case)).text

    later = case_accept(intake=city.intake())
    reuse = reverse("cases_staff:case_paper_reuse", args=[later.number])
    page = client.get(page_url(later)).text
    assert f'<input type="hidden" name="kept" value="{kept.pk}">' in page
    material = later.materials.get(name="业主表决意见书")
    refused = client.post(reuse, {"kept": str(kept.pk), "material": str(material.pk)})
    assert refused.status_code == 422 and "申请人尚未同意" in refused.text
    assert CasePaper.objects.filter(case=later).count() == 0
    done = client.post(
        reuse, {"kept": str(kept.pk), "material": str(material.pk), "consent": "yes"}
    )
    assert done.status_code == 302
    reused = CasePaper.objects.get(case=later)
    assert (reused.via, reused.paper, reused.material) == (
        CasePaperVia.REUSED,
        link.paper,
        material,
    )
    page = client.get(page_url(later)).text
    assert f'src="{file_url(later, reused.pk, thumbnail=True)}"' in page
    assert f'name="kept" value="{kept.pk}"' not in page  # on the case now: not offered again
    # A department reviewing the later case opens the reused paper like any other.
    approver = city.approvers[city.joint_departments[5].pk]
    assert logged_in(approver).get(file_url(later, reused.pk)).status_code == 200
    # Another window cannot keep or reuse.
    other = logged_in(staff_with_role(Role.INTAKE_CLERK, centre=city.hall))
    assert other.post(keep, {"consent": "yes"}).status_code == 404
    assert other.post(reuse, {"kept": str(kept.pk), "consent": "yes"}).status_code == 404
    assert CasePaper.objects.filter(case=later).count() == 1


@pytest.mark.parametrize("junk", ["²", "١٢", "3\u00b3", "99999999999", "-1"])
def test_a_junk_checklist_entry_or_kept_paper_id_is_no_500(client, city, case, junk):
    # "²" and "١٢" are digits to str.isdigit but not to int(): taken as "no entry" / "no such
    # kept paper", never a server error.
    client.force_login(city.clerk)
    answer = client.post(
        reverse("cases_staff:case_paper_upload", args=[case.number]),
        {"material": junk, "file": upload(sample_png(), "a.png")},
    )
    assert answer.status_code == 302
    assert CasePaper.objects.get(case=case).material is None
    reuse = reverse("cases_staff:case_paper_reuse", args=[case.number])
    assert client.post(reuse, {"kept": junk, "consent": "yes"}).status_code == 404
    link = CasePaper.objects.get(case=case)
    kept = person_paper_keep(
        person=city.person, paper=link.paper, label="x", consent=True, actor=city.clerk
    )
    later = case_accept(intake=city.intake())
    answer = client.post(
        reverse("cases_staff:case_paper_reuse", args=[later.number]),
        {"kept": str(kept.pk), "material": junk, "consent": "yes"},
    )
    assert answer.status_code == 302
    assert CasePaper.objects.get(case=later).material is None
