"""The main path through the services: a draft, its answers and papers, sent, 补正, sent again,
accepted as a case with its papers attached."""

from __future__ import annotations

import pytest

from onewindow.cases.models import CasePaper, MaterialStatus, ReceiveForm
from onewindow.cases.transitions import CaseState
from onewindow.core.audit import AuditLog
from onewindow.core.errors import ApplicationError
from onewindow.notify.models import Notification
from onewindow.online import services
from onewindow.online.models import OnlineApplication
from onewindow.online.tests.conftest import APPLICATION_FORM, ID_PROOF, PHONE, filled, stream
from onewindow.online.transitions import OnlineState
from onewindow.papers.samples import sample_pdf

pytestmark = pytest.mark.django_db


def test_a_draft_is_numbered_by_day_and_pins_the_current_version(city):
    first = services.application_start(account=city.account, item_id=city.item.pk)
    second = services.application_start(account=city.account, item_id=city.item.pk)
    assert first.reference[0] == "W" and len(first.reference) == 14
    assert int(second.reference[-5:]) == int(first.reference[-5:]) + 1
    assert first.state == OnlineState.DRAFT and first.revision == 1
    assert first.item_version == city.item.versions.order_by("-number").first()
    assert first.centre == city.street_centre
    assert list(first.events.values_list("action", "account_id")) == [("start", city.account.pk)]


def test_personal_answers_are_kept_encrypted_and_shown_masked(city):
    application = filled(city)
    assert application.answers == {"operator_name": "林晓敏", "shop_name": "晓敏小卖部"}
    assert application.personal_masked == {
        "operator_id": city.id_number[:6] + "********" + city.id_number[-4:],
        "phone": "138****8000",
    }
    stored = OnlineApplication.objects.filter(pk=application.pk).values_list(
        "personal_encrypted", flat=True
    )[0]
    assert PHONE not in stored and city.id_number not in stored


def test_sent_corrected_sent_again_and_accepted_as_a_case_with_its_papers(
    city, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _sent_corrected_accepted(city)
    texts = list(
        Notification.objects.filter(subject_type="online.application")
        .order_by("id")
        .values_list("template_code", flat=True)
    )
    assert texts == [
        "online_submit",
        "online_request_correction",
        "online_submit",
        "online_accept_visit",
    ]


def _sent_corrected_accepted(city):
    application = filled(city)
    sent = services.application_submit(
        account=city.account, reference=application.reference, key="k-1"
    )
    assert sent.state == OnlineState.SUBMITTED
    asked = services.review_request_correction(
        user=city.clerk,
        reference=application.reference,
        problems=[{"kind": "material", "name": ID_PROOF, "reason": "照片模糊，请重新上传"}],
    )
    assert asked.state == OnlineState.CORRECTION_REQUESTED
    assert asked.problems == [
        {"kind": "material", "name": ID_PROOF, "reason": "照片模糊，请重新上传"}
    ]
    wrong = application.papers.get(material_name=ID_PROOF)
    services.paper_remove(account=city.account, reference=application.reference, paper_id=wrong.pk)
    services.paper_upload(
        account=city.account,
        reference=application.reference,
        material_name=ID_PROOF,
        upload=stream(sample_pdf(pages=2), "身份证.pdf"),
    )
    services.application_submit(account=city.account, reference=application.reference, key="k-2")
    accepted = services.review_accept(user=city.clerk, reference=application.reference)
    assert accepted.state == OnlineState.ACCEPTED
    case = accepted.case
    assert case.state == CaseState.ACCEPTED and case.centre == city.street_centre
    assert case.person == city.person and case.clerk == city.clerk
    statuses = {m.name: (m.status, m.receive_form) for m in case.materials.all()}
    assert statuses == {
        APPLICATION_FORM: (MaterialStatus.RECEIVED, ReceiveForm.ELECTRONIC),
        ID_PROOF: (MaterialStatus.RECEIVED, ReceiveForm.ELECTRONIC),
        "经营场所使用证明": (MaterialStatus.MISSING, ""),
    }
    papers = CasePaper.objects.filter(case=case).order_by("material__order")
    assert [(p.material.name, p.via, p.paper.pages) for p in papers] == [
        (APPLICATION_FORM, "online", 1),
        (ID_PROOF, "online", 2),
    ]
    assert list(accepted.events.values_list("action", flat=True)) == [
        "start",
        "paper_add",
        "paper_add",
        "submit",
        "request_correction",
        "paper_remove",
        "paper_add",
        "submit",
        "accept",
    ]
    assert AuditLog.objects.filter(action="cases.paper_attach").count() == 2


def test_a_submission_lists_every_missing_answer_and_paper_at_once(city):
    application = services.application_start(account=city.account, item_id=city.item.pk)
    with pytest.raises(ApplicationError) as refused:
        services.application_submit(account=city.account, reference=application.reference, key="k")
    assert refused.value.code == "application_incomplete"
    assert sorted((e.field, e.code) for e in refused.value.errors) == [
        ("operator_id", "required"),
        ("operator_name", "required"),
        ("papers.个体工商户登记申请书", "paper_missing"),
        ("papers.经营者身份证明", "paper_missing"),
        ("phone", "required"),
        ("shop_name", "required"),
    ]
    application.refresh_from_db()
    assert application.state == OnlineState.DRAFT and not application.submissions.exists()
