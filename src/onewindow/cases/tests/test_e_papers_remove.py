"""The window sets a wrong scan aside: no longer listed or served, kept in the record with who,
when and why; an applicant's online upload, a closed case, an empty reason and an outsider are
refused with nothing changed."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from onewindow.cases.models import CasePaper, CasePaperVia
from onewindow.cases.services import case_accept
from onewindow.cases.services.papers import (
    case_paper_add,
    case_paper_keep_for_applicant,
    case_paper_remove,
    case_papers_for_user,
)
from onewindow.cases.tests.test_e_papers_api import client_for
from onewindow.core.errors import ApplicationError, NotFoundOrForbidden, ValidationFailed
from onewindow.org.models import Role
from onewindow.papers.models import PersonPaper
from onewindow.papers.samples import sample_jpeg, sample_pdf
from onewindow.testing.audit import audit_mark, audit_since
from onewindow.testing.factories import DepartmentFactory, staff_with_role

pytestmark = pytest.mark.django_db


def scanned(city, case, name="错的.pdf"):
    return case_paper_add(
        case=case,
        upload=SimpleUploadedFile(name, sample_pdf()),
        name=name,
        actor=city.clerk,
        material_id=case.materials.first().pk,
    )


def test_a_wrong_scan_is_set_aside_on_the_page_and_kept_in_the_record(city):
    case = case_accept(intake=city.intake())
    wrong = scanned(city, case)
    right = scanned(city, case, "对的.pdf")
    kept = case_paper_keep_for_applicant(link=wrong, consent=True, actor=city.clerk)
    clerk = client_for(city.clerk)
    mark = audit_mark()
    answer = clerk.post(
        reverse("cases_staff:case_paper_remove", args=[case.number, wrong.pk]),
        {"reason": "扫错了文件"},
    )
    assert answer.status_code == 302
    assert answer["Location"].endswith(f"/{case.number}/#e-papers")
    wrong.refresh_from_db()
    assert (wrong.removed_by, wrong.removal_reason) == (city.clerk, "扫错了文件")
    assert wrong.removed_at is not None
    kept.refresh_from_db()
    assert kept.withdrawn_at is not None
    row = audit_since(mark).get(action="cases.paper_remove")
    assert (row.detail["reason"], row.detail["kept_papers_withdrawn"]) == ("扫错了文件", [kept.pk])
    approver = city.approvers[city.joint_departments[0].pk]
    assert [p.pk for p in case_papers_for_user(case=case, user=approver)] == [right.pk]
    page = clerk.get(reverse("cases_staff:case_detail", args=[case.number])).content.decode()
    assert f'id="e-paper-{right.pk}"' in page
    assert f'id="e-paper-{wrong.pk}"' not in page
    gone = client_for(approver).get(f"/api/cases/{case.number}/papers/{wrong.pk}/file")
    assert gone.status_code == 404
    mark = audit_mark()
    again = clerk.post(
        f"/api/cases/{case.number}/papers/{wrong.pk}/remove",
        {"reason": "再来一次"},
        content_type="application/json",
    )
    missing = clerk.post(
        f"/api/cases/{case.number}/papers/{wrong.pk + 100}/remove",
        {"reason": "再来一次"},
        content_type="application/json",
    )
    assert (again.status_code, missing.status_code) == (404, 404)
    assert again.json() == missing.json()
    refused = audit_since(mark).filter(action="denied:cases.paper_remove", allowed=False)
    assert sorted(refused.values_list("object_id", flat=True)) == sorted(
        [str(wrong.pk), str(wrong.pk + 100)]
    )


def test_the_api_sets_aside_and_refuses_a_reason_with_a_nul_or_none(city):
    case = case_accept(intake=city.intake())
    link = scanned(city, case)
    clerk = client_for(city.clerk)
    url = f"/api/cases/{case.number}/papers/{link.pk}/remove"
    for body in ({"reason": "扫错\x00了"}, {"reason": ""}, {}):
        refused = clerk.post(url, body, content_type="application/json")
        assert refused.status_code == 422, body
    link.refresh_from_db()
    assert link.removed_at is None
    done = clerk.post(url, {"reason": "材料放错了栏目"}, content_type="application/json")
    assert done.status_code == 204
    listed = clerk.get(f"/api/cases/{case.number}/papers").json()
    assert listed == []


def test_the_service_refuses_blank_reason_closed_case_online_paper_and_outsiders(city):
    case = case_accept(intake=city.intake())
    link = scanned(city, case)
    with pytest.raises(ValidationFailed) as blank:
        case_paper_remove(case=case, paper_id=link.pk, reason="   ", actor=city.clerk)
    assert [e.code for e in blank.value.errors] == ["required"]
    with pytest.raises(ValidationFailed) as long:
        case_paper_remove(case=case, paper_id=link.pk, reason="长" * 201, actor=city.clerk)
    assert [e.code for e in long.value.errors] == ["too_long"]
    outsider = staff_with_role(Role.INTAKE_CLERK, department=DepartmentFactory(name="区教育局"))
    mark = audit_mark()
    with pytest.raises(NotFoundOrForbidden):
        case_paper_remove(case=case, paper_id=link.pk, reason="扫错了", actor=outsider)
    assert audit_since(mark).filter(allowed=False).count() == 1
    CasePaper.objects.filter(pk=link.pk).update(via=CasePaperVia.ONLINE)
    with pytest.raises(ApplicationError) as online:
        case_paper_remove(case=case, paper_id=link.pk, reason="扫错了", actor=city.clerk)
    assert (online.value.status, online.value.code) == (409, "paper_from_applicant")
    CasePaper.objects.filter(pk=link.pk).update(via=CasePaperVia.WINDOW)
    type(case).objects.filter(pk=case.pk).update(state="delivered")
    case.refresh_from_db()
    with pytest.raises(ApplicationError) as closed:
        case_paper_remove(case=case, paper_id=link.pk, reason="扫错了", actor=city.clerk)
    assert (closed.value.status, closed.value.code) == (409, "papers_closed")
    link.refresh_from_db()
    assert (link.removed_at, link.removal_reason) == (None, "")
    assert PersonPaper.objects.count() == 0


def test_a_reused_paper_set_aside_stays_in_my_papers(city):
    case = case_accept(intake=city.intake())
    first = case_paper_add(
        case=case,
        upload=SimpleUploadedFile("身份证.jpg", sample_jpeg()),
        name="身份证.jpg",
        actor=city.clerk,
    )
    kept = case_paper_keep_for_applicant(link=first, consent=True, actor=city.clerk)
    from onewindow.cases.services.papers import case_paper_reuse

    second_case = case_accept(intake=city.intake())
    reused = case_paper_reuse(case=second_case, kept=kept, consent=True, actor=city.clerk)
    case_paper_remove(case=second_case, paper_id=reused.pk, reason="这次不需要", actor=city.clerk)
    kept.refresh_from_db()
    assert kept.withdrawn_at is None
