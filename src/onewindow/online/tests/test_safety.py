"""Refuse before reveal and bad input: an anonymous visitor, another citizen, another centre's
clerk each get nothing and change nothing (audited); a bad file, a bad answer, a NUL byte are
each a clear error in Chinese and English with nothing half-written; the list pages are
guarded by their query counts."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from onewindow.core.audit import AuditLog
from onewindow.online import services
from onewindow.online.models import ApplicationPaper, OnlineApplication
from onewindow.online.tests.conftest import APPLICATION_FORM, filled, signed_in, upload
from onewindow.online.transitions import OnlineState
from onewindow.papers.models import Paper
from onewindow.papers.samples import sample_pdf, sample_png

pytestmark = pytest.mark.django_db


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "papers"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def snapshot(application: OnlineApplication) -> tuple:
    application.refresh_from_db()
    return (
        application.state,
        application.revision,
        application.answers,
        application.personal_masked,
        sorted(application.papers.values_list("pk", flat=True)),
        application.events.count(),
    )


def citizen_paths(application: OnlineApplication, paper_id: int) -> list[tuple[str, str, dict]]:
    ref = application.reference
    return [
        ("get", f"/my/online/{ref}/", {}),
        ("get", f"/my/online/{ref}/form/", {}),
        ("get", f"/my/online/{ref}/papers/", {}),
        ("get", f"/my/online/{ref}/papers/{paper_id}/", {}),
        ("get", f"/my/online/{ref}/review/", {}),
        ("post", f"/my/online/{ref}/form/", {"f_shop_name": "别人的"}),
        ("post", f"/my/online/{ref}/papers/", {"action": "remove", "paper": str(paper_id)}),
        ("post", f"/my/online/{ref}/review/", {"key": "stolen"}),
        ("post", f"/my/online/{ref}/withdraw/", {}),
    ]


def test_an_anonymous_visitor_is_sent_to_sign_in_and_nothing_changes(city):
    application = filled(city)
    before = snapshot(application)
    paper = application.papers.first()
    client = Client()
    for method, path, data in citizen_paths(application, paper.pk):
        answer = getattr(client, method)(path, data)
        assert answer.status_code == 302, path
        assert answer["Location"].startswith("/my/sign-in/?next="), path
    assert snapshot(application) == before


def test_a_staff_session_is_no_citizen(city):
    application = filled(city)
    client = Client()
    client.force_login(city.clerk)
    answer = client.get(f"/my/online/{application.reference}/")
    assert answer.status_code == 302 and answer["Location"].startswith("/my/sign-in/")


def test_another_citizen_gets_the_404_of_a_missing_application_and_it_is_audited(city):
    application = filled(city)
    before = snapshot(application)
    paper = application.papers.first()
    client = signed_in(Client(), city.other_account)
    refusals = AuditLog.objects.filter(allowed=False, action__startswith="denied:online.")
    for method, path, data in citizen_paths(application, paper.pk):
        counted = refusals.count()
        answer = getattr(client, method)(path, data)
        assert answer.status_code == 404, path
        assert refusals.count() == counted + 1, path
    missing = client.get("/my/online/W2099010100001/")
    assert missing.status_code == 404
    assert snapshot(application) == before
    assert client.get("/my/online/").content.decode().count("data-reference=") == 0


def test_another_centres_clerk_gets_404_for_the_application_its_papers_and_the_decisions(city):
    application = filled(city)
    services.application_submit(account=city.account, reference=application.reference, key="k")
    before = snapshot(application)
    paper = application.papers.first()
    for user in (city.other_clerk, city.hall_clerk):
        client = Client()
        client.force_login(user)
        ref = application.reference
        assert client.get(f"/staff/online/{ref}/").status_code == 404
        assert client.get(f"/staff/online/{ref}/papers/{paper.pk}/").status_code == 404
        for decision in ("accept", "correction", "refuse"):
            answer = client.post(
                f"/staff/online/{ref}/decide/",
                {"decision": decision, "reasons": "x", "problem": [f"m:{APPLICATION_FORM}"]},
            )
            assert answer.status_code == 404
        assert ref not in client.get("/staff/online/").content.decode()
        assert (
            AuditLog.objects.filter(actor=user, action="denied:case.accept", allowed=False).count()
            == 5
        )
    assert snapshot(application) == before
    # Nobody else's audited read of the papers or the answers.
    assert not AuditLog.objects.filter(action__in=["online.paper_read", "online.review_read"])


def test_the_departments_approver_has_no_pre_review_queue(city):
    client = Client()
    client.force_login(city.approver)
    assert client.get("/staff/online/").status_code == 403


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
def test_a_bad_file_is_a_clear_error_and_nothing_is_written(city, data, name, zh, en):
    application = services.application_start(account=city.account, item_id=city.item.pk)
    before = snapshot(application)
    client = signed_in(Client(), city.account)
    answer = client.post(
        f"/my/online/{application.reference}/papers/",
        {"material": APPLICATION_FORM, "file": upload(data, name), "revision": "1"},
    )
    assert answer.status_code == 422
    page = answer.content.decode()
    assert zh in page and en in page
    assert (Paper.objects.count(), ApplicationPaper.objects.count(), stored_files()) == (0, 0, [])
    assert snapshot(application) == before


def test_a_paper_for_a_material_not_on_the_checklist_is_refused(city):
    application = services.application_start(account=city.account, item_id=city.item.pk)
    client = signed_in(Client(), city.account)
    answer = client.post(
        f"/my/online/{application.reference}/papers/",
        {"material": "户口本", "file": upload(sample_pdf(), "a.pdf"), "revision": "1"},
    )
    assert answer.status_code == 422
    assert "以下材料不在该事项的材料清单中：户口本。" in answer.content.decode()
    assert (Paper.objects.count(), stored_files()) == (0, [])


def test_bad_answers_on_the_page_are_each_named_and_nothing_is_saved(city):
    application = filled(city)
    before = snapshot(application)
    client = signed_in(Client(), city.account)
    answer = client.post(
        f"/my/online/{application.reference}/form/",
        {
            "revision": str(application.revision),
            "f_operator_name": "林\x00晓敏",
            "f_shop_name": "晓敏小卖部",
            "f_employees": "一百",
            "f_phone": "12345",
            "output_method": "drone",
        },
    )
    assert answer.status_code == 422
    page = answer.content.decode()
    assert "按现有内容无法保存申请。" in page
    assert (
        '<li data-field="operator_name">此处不能含有控制字符（例如 NUL 字节），请重新输入。' in page
    )
    assert "This must not contain control characters (such as a NUL byte); retype it." in page
    assert '<li data-field="employees">' in page
    assert '<li data-field="phone">' in page
    assert '<li data-field="output_method">请选择领取结果的方式。 / Choose how' in page
    assert snapshot(application) == before


def test_a_sent_application_cannot_be_changed(city):
    application = filled(city)
    services.application_submit(account=city.account, reference=application.reference, key="k")
    with pytest.raises(services.ApplicationError) as refused:
        services.application_save(
            account=city.account, reference=application.reference, answers={"shop_name": "新"}
        )
    assert refused.value.code == "not_editable" and refused.value.status == 409
    application.refresh_from_db()
    assert application.answers["shop_name"] == "晓敏小卖部"


def test_my_applications_and_the_queue_take_a_fixed_number_of_queries(
    city, django_assert_max_num_queries
):
    for number in range(5):
        application = filled(city)
        services.application_submit(
            account=city.account, reference=application.reference, key=f"k{number}"
        )
    citizen = signed_in(Client(), city.account)
    with django_assert_max_num_queries(8):
        page = citizen.get("/my/online/")
    assert page.content.decode().count('class="my-case online-row"') == 5
    staff = Client()
    staff.force_login(city.clerk)
    staff.get("/staff/online/")  # the session and the navigation warm up
    with django_assert_max_num_queries(12):
        queue = staff.get("/staff/online/")
    assert queue.content.decode().count("<tr data-reference=") == 5
    assert OnlineApplication.objects.filter(state=OnlineState.SUBMITTED).count() == 5
